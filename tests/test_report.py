"""The main job: every notebook executes cleanly, exports are self-contained and safe, runs repeat."""
from __future__ import annotations

import os
import re
import shutil

import nbformat
import pytest

from dangjian.present.report import check_html, notebooks, run_report

from conftest import SEED_FILES, SEEDS, write_report

DEV_REPORTS = SEEDS.parent.parent / "shared" / "dev-reports"
PAGE_LIMIT = 5_000_000

HOSTILE = """当前位置: 首页 -> 党建 -> 正文
<script>alert('title')</script>某公司党建品牌创建纪实
发布时间:2021-05-06
公司党委创建“<img src=x onerror=alert(1)>”党建品牌,推动党建与生产深度融合,共培训党员120人次。
机关党支部创建“红色<script>alert(2)</script>引擎”品牌,各单位结合实际申报党建品牌3个。
第三段落包含<b onmouseover="alert(3)">粗体</b>和<a href="javascript:alert(4)">链接</a>,坚持“三会一课”制度。
"""


@pytest.fixture(scope="session")
def report(tmp_path_factory):
    return run_report(SEEDS, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="session")
def hostile_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    for path in SEED_FILES[:3]:
        shutil.copy(path, folder / path.name)
    (folder / "009_hostile.txt").write_text(HOSTILE, encoding="utf-8")
    return run_report(folder, tmp_path_factory.mktemp("hostile_out"))


@pytest.fixture(scope="session")
def batch_report(tmp_path_factory):
    """The seeds (with their catalog) plus the development corpus, whose reports have no catalog row."""
    if not DEV_REPORTS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{DEV_REPORTS} is missing in CI")
        pytest.skip(f"no {DEV_REPORTS} beside the project")
    folder = tmp_path_factory.mktemp("batch")
    for path in [*SEED_FILES, SEEDS / "catalog.csv", *sorted(DEV_REPORTS.glob("*.txt"))]:
        shutil.copy(path, folder / path.name)
    return run_report(folder, tmp_path_factory.mktemp("batch_out"))


@pytest.fixture(scope="session")
def bare_report(tmp_path_factory):
    """One report alone, with no title, date, organization, metric, brand or formula."""
    folder = tmp_path_factory.mktemp("bare")
    write_report(folder, "note.txt", "今天大家一起学习了文件。\n学习以后大家交流了体会，气氛很好。\n")
    return run_report(folder, tmp_path_factory.mktemp("bare_out"))


def _markdown(result, notebook: str) -> str:
    executed = nbformat.read(result.reports / "notebooks" / notebook, as_version=4)
    return "\n".join(o["data"]["text/markdown"] for c in executed.cells for o in c.get("outputs", [])
                     if "text/markdown" in o.get("data", {}))


def test_notebooks_are_numbered_and_committed_without_outputs():
    paths = notebooks()
    assert [p.name[:2] for p in paths] == ["01", "02", "03", "04", "05"]
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), f"{path.name} has outputs"
        assert nb.cells[0].cell_type == "markdown" and "Questions this notebook answers" in nb.cells[0].source
        assert "parameters" in nb.cells[1].metadata.get("tags", []), f"{path.name}: cell 2 must hold the parameters"
        source = "\n".join(c.source for c in code)
        assert "sys.path" not in source and "import dangjian" in source
        assert not re.search(r"^\s*def ", source, re.M), f"{path.name} defines a function: it belongs in the library"


def test_every_notebook_runs_cleanly_and_is_exported(report):
    assert report.failures == []
    assert len(report.pages) == len(notebooks())
    index = (report.reports / "index.html").read_text(encoding="utf-8")
    for title, full, reader in report.pages:
        assert full.exists() and reader.exists()
        assert f'href="{reader.name}"' in index and f'href="{full.name}"' in index
        assert check_html(full) == [] and check_html(reader) == []  # only the vetted table library
        assert "new ITable(table, dt_args)" in reader.read_text(encoding="utf-8")  # interactive tables
        assert 'class="highlight hl-ipython3"' in full.read_text(encoding="utf-8")
        assert 'class="highlight hl-ipython3"' not in reader.read_text(encoding="utf-8")  # no code for readers
    figures = {p.name for p in report.figures.glob("*.png")}
    assert {"keyness.png", "theme_heatmap.png", "cooccurrence.png", "similarity.png", "wordcloud_all.png"} <= figures


def test_prose_is_rendered_from_the_tables(report):
    executed = nbformat.read(report.reports / "notebooks" / "01_corpus.ipynb", as_version=4)
    markdown = [o["data"]["text/markdown"] for c in executed.cells for o in c.get("outputs", [])
                if "text/markdown" in o.get("data", {})]
    assert any("**5 reports**" in m for m in markdown)
    assert any("114 pinyin annotations" in m for m in markdown)


def test_two_runs_give_identical_tables_and_figures(report, tmp_path):
    again = run_report(SEEDS, tmp_path)
    assert again.failures == []
    for folder, other in ((report.tables, again.tables), (report.figures, again.figures)):
        names = sorted(p.name for p in folder.iterdir())
        assert names == sorted(p.name for p in other.iterdir())
        for name in names:
            assert (folder / name).read_bytes() == (other / name).read_bytes(), name


def test_report_text_with_html_shows_as_text(hostile_report):
    assert hostile_report.failures == []
    # every page: notebooks (tables, their data and static previews), report pages, profiles, index
    pages = sorted(hostile_report.reports.rglob("*.html"))
    assert (hostile_report.reports / "docs" / "009_hostile.html") in pages
    text = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "&lt;img src=x onerror=alert(1)&gt;" in text  # the brand name, shown as text
    assert "<script>alert" not in text and "<img src=x" not in text and "<b onmouseover" not in text
    for page in pages:
        assert check_html(page) == []


def test_a_column_named_by_report_text_is_escaped_in_the_interactive_table():
    import pandas as pd

    from dangjian.present.display import interactive_html

    # itables prints column names unescaped when cells may hold HTML; a group or level can name a column
    page = interactive_html(pd.DataFrame({"<img src=x onerror=alert(1)>": ["甲"], "group": ["乙"]}), "t_hostile")
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_check_html_lets_through_only_the_table_library_as_itables_ships_it(report, tmp_path):
    page = (report.reports / "01_corpus.reader.html").read_text(encoding="utf-8")
    tampered = tmp_path / "tampered.html"
    # one character of the embedded bundle changed
    at = page.index('window._itables_2_9_1 = injectModule("') + 60 if "_itables_2_9_1" in page else \
        page.index("injectModule(\"") + 40
    tampered.write_text(page[:at] + ("A" if page[at] != "A" else "B") + page[at + 1:], encoding="utf-8")
    assert any("not written by the table library" in p for p in check_html(tampered))
    # a table whose data closes the script and opens another
    injected = tmp_path / "injected.html"
    injected.write_text(page.replace('"data_json": "', '"data_json": "</script><script>alert(1)//', 1),
                        encoding="utf-8")
    assert check_html(injected)


def test_the_workbook_holds_every_analyst_table_with_links_and_filters(report):
    import openpyxl

    book = openpyxl.load_workbook(report.reports / "tables.xlsx")
    assert {"documents", "organizations", "brands", "formulas", "metrics", "reconciliation", "themes", "removed",
            "failures"} <= set(book.sheetnames)
    brands = book["brands"]
    assert brands.freeze_panes == "A2" and brands.auto_filter.ref
    header = [c.value for c in brands[1]]
    sent = header.index("sent_id") + 1
    cell = brands.cell(row=2, column=sent)
    # a relative file link (XlsxWriter writes its folder with a backslash, as Excel does) and the sentence's anchor
    assert cell.hyperlink.target.replace("\\", "/") == f"docs/{cell.value.rsplit('-s', 1)[0]}.html"
    assert cell.hyperlink.location == cell.value
    names = [c.value for c in brands[header.index("name") + 1]]
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in str(n)) for n in names)  # Chinese intact
    assert all(brands.column_dimensions[letter].width >= 6 for letter in "ABCDEF")


def test_every_report_has_a_page_and_every_organization_a_profile(report):
    import pandas as pd

    documents = pd.read_parquet(report.tables / "documents.parquet")
    for doc_id in documents["doc_id"]:
        page = (report.reports / "docs" / f"{doc_id}.html").read_text(encoding="utf-8")
        sentences = pd.read_parquet(report.tables / "sentences.parquet")
        for sent_id in sentences.loc[sentences["doc_id"] == doc_id, "sent_id"]:
            assert f'id="{sent_id}"' in page
        assert "<details>" in page and "where it came from" in page
    organizations = pd.read_parquet(report.tables / "organizations.parquet")
    for org_id in organizations["org_id"]:
        assert (report.reports / "orgs" / f"{org_id}.html").exists()
    index = (report.reports / "index.html").read_text(encoding="utf-8")
    assert index.count('href="docs/') == len(documents) and "tables.xlsx" in index


def test_check_html_finds_live_markup(tmp_path):
    page = tmp_path / "x.html"
    page.write_text('<p>ok &lt;script&gt;</p><img src="a.png" onerror="alert(1)"><a href="javascript:x()">x</a>'
                    "<script>1</script>", encoding="utf-8")
    problems = " ".join(check_html(page))
    assert "script" in problems and "event-handler" in problems and "javascript" in problems


def _batch_size() -> int:
    return len(SEED_FILES) + len(list(DEV_REPORTS.glob("*.txt")))


def test_a_batch_of_real_reports_is_compared_where_its_reports_meet(batch_report):
    import pandas as pd

    from dangjian.present import groups as groups_module
    from dangjian.present.groups import OTHER, group_reports

    assert batch_report.failures == []
    summary = _markdown(batch_report, "01_corpus.ipynb")
    assert f"**{_batch_size()} reports**" in summary
    assert f"The {_batch_size()} reports are compared in" in summary and "chosen for this batch because" in summary
    documents = pd.read_parquet(batch_report.tables / "documents.parquet")
    grouping = group_reports(documents)
    assert grouping.by != "organization"  # most organizations of a real batch appear in one report
    assert (grouping.table["shown"] == OTHER).sum() < len(documents) / 2  # "other" never holds most of the batch
    assert f"by {grouping.by.replace('_', ' ')}" in (batch_report.reports / "index.html").read_text(encoding="utf-8")
    for _, full, reader in batch_report.pages:
        for page in (full, reader):
            assert page.stat().st_size < PAGE_LIMIT, f"{page.name}: {page.stat().st_size:,} bytes"
            assert "five organizations" not in page.read_text(encoding="utf-8")
    clouds = sorted(p.name for p in batch_report.figures.glob("wordcloud_*.png"))
    named = [g for g in grouping.shown_order if g != OTHER]
    # the batch, and each named group: the top 12, or 13 when a 13th would be the only one pooled
    assert len(clouds) == 1 + len(named) <= 2 + groups_module.DEFAULT_TOP_GROUPS
    comparison = (batch_report.reports / "05_comparison.reader.html").read_text(encoding="utf-8")
    assert re.search(r"<th>approach</th>", comparison)  # many groups: groups as rows, dimensions as columns
    assert "csv/05_comparison-evidence.csv" in comparison
    assert (batch_report.reports / "csv" / "05_comparison-evidence.csv").exists()
    labels = _markdown(batch_report, "02_brand_approaches.ipynb")
    assert "energy-01" not in labels  # organizations read from the reports, not file stems


def test_one_report_with_nothing_to_extract_still_gets_every_page(bare_report):
    assert bare_report.failures == []
    corpus = _markdown(bare_report, "01_corpus.ipynb")
    assert "one report" in corpus and "No title could be read for note" in corpus
    assert "The reports give **0 metrics**" in _markdown(bare_report, "04_metrics.ipynb")
    assert "No keyness: one group only" in _markdown(bare_report, "03_themes.ipynb")


def test_two_reports_grouped_by_sector(tmp_path):
    folder = tmp_path / "two"
    folder.mkdir()
    for path in (*SEED_FILES[:2], SEEDS / "catalog.csv"):
        shutil.copy(path, folder / path.name)
    result = run_report(folder, tmp_path / "out", group_by="sector")
    assert result.failures == [] and "by sector" in result.summary
    assert "D Utilities" in _markdown(result, "05_comparison.ipynb")  # the catalog's checked section letter


@pytest.mark.parametrize("files", [{}, {"empty.txt": b"", "broken.txt": b"\xff\xfe\x00\xd8x"}],
                         ids=["empty folder", "only bad files"])
def test_report_without_any_good_report_says_why_without_a_traceback(tmp_path, files):
    import subprocess
    import sys

    folder = tmp_path / "in"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    done = subprocess.run([sys.executable, "-m", "dangjian.cli", "report", str(folder), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and f"{folder}: no report to compare" in done.stderr
    for name in files:
        assert name in done.stderr


def test_an_unknown_grouping_is_refused_before_any_work(tmp_path, capsys):
    from dangjian.cli import main

    assert main(["report", str(SEEDS), "--out", str(tmp_path), "--group-by", "colour"]) == 2
    error = capsys.readouterr().err
    assert "cannot group by 'colour'" in error and "organization" in error
    assert not (tmp_path / "tables").exists()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


NARROWEST_TEXT_CELL_PX = 40  # a cell of text narrower than this shows two or three characters per line


def _browse(result, expected_images: int) -> None:
    """Open every page at 1200 px in Chromium: no console error, failed request or dialog, every image
    loads, and no table squeezes a text cell below NARROWEST_TEXT_CELL_PX."""
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run installs Debian's chromium package")
        pytest.skip("no chromium on this machine (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    shots = result.reports / "screenshots"
    shots.mkdir(exist_ok=True)
    pages = [result.reports / "index.html"] + [p for _, full, reader in result.pages for p in (reader, full)]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=browser,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"])
        page = chromium.new_page(viewport={"width": 1200, "height": 1000})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
        for path in pages:
            page.goto(path.resolve().as_uri())
            page.wait_for_load_state("load")
            images = page.evaluate("Array.from(document.images).map(i => [i.complete && i.naturalWidth > 0, i.alt])")
            assert all(ok for ok, _ in images), f"{path.name}: an image did not load"
            if "themes" in path.name:
                assert len(images) >= expected_images, f"{path.name}: expected the charts and word clouds"
            page.wait_for_timeout(300)  # the tables set themselves up once the page has loaded
            visible = "Array.from(document.querySelectorAll('td')).filter(cell => cell.getClientRects().length)"
            narrow = page.evaluate(visible + """
                .filter(cell => cell.innerText.trim().length > 6)
                .map(cell => [cell.getBoundingClientRect().width, cell.innerText.slice(0, 30)])
                .filter(([width]) => width < %d)""" % NARROWEST_TEXT_CELL_PX)
            assert narrow == [], f"{path.name}: squeezed cells {narrow[:3]}"
            # every column of every table is on screen: no cell ends right of the window
            cut = page.evaluate(visible + """
                .filter(cell => cell.getBoundingClientRect().right > 1200 + 1)
                .map(cell => cell.innerText.slice(0, 30))""")
            assert cut == [], f"{path.name}: columns beyond 1200 px: {cut[:3]}"
            assert page.evaluate("document.documentElement.scrollWidth") <= 1200, f"{path.name} runs off the page"
            page.screenshot(path=str(shots / f"{path.stem}.png"), full_page=False)
        chromium.close()
    assert problems == []
    assert len(list(shots.glob("*.png"))) == len(pages)


def test_reports_in_a_real_browser(report):
    _browse(report, expected_images=9)


def test_a_sent_id_lands_on_its_highlighted_sentence_and_search_filters_rows(report):
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run installs Debian's chromium package")
        pytest.skip("no chromium on this machine (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=browser, args=["--no-sandbox", "--disable-gpu"])
        page = chromium.new_page(viewport={"width": 1200, "height": 1000})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        prose = (report.reports / "04_metrics.reader.html").read_text(encoding="utf-8")
        assert re.search(r'<a href="docs/[^"#]+\.html#[^"]+-s\d{4}">', prose)  # sentences cited in prose link too
        page.goto((report.reports / "04_metrics.reader.html").resolve().as_uri())
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        link = page.locator("#t_04_metrics_metrics a[href*='#']").first
        sent_id = link.inner_text()
        link.click()
        page.wait_for_load_state("load")
        assert page.url.endswith(f"docs/{sent_id.rsplit('-s', 1)[0]}.html#{sent_id}")
        target = page.locator(":target")
        assert target.get_attribute("id") == sent_id and target.get_attribute("class") == "s"
        assert page.evaluate("getComputedStyle(document.querySelector(':target')).backgroundColor") != "rgba(0, 0, 0, 0)"
        # search in the brand table filters its rows
        page.goto((report.reports / "02_brand_approaches.reader.html").resolve().as_uri())
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        table = "#t_02_brand_approaches_brands"
        info = page.locator(f"{table}_wrapper .dt-info")
        before = info.inner_text()
        page.locator(f"{table}_wrapper input[type=search]").fill("党员")
        page.wait_for_timeout(300)
        after = info.inner_text()
        assert "filtered from" in after and after != before
        rows = page.locator(f"{table} tbody tr").all_inner_texts()
        assert rows and all("党员" in row for row in rows)
        chromium.close()
    assert problems == []


def test_a_batch_of_real_reports_in_a_real_browser(batch_report):
    _browse(batch_report, expected_images=16)  # 13 word clouds (batch + top 12) and the charts


def test_kernels_draw_off_screen_without_changing_the_callers_environment(monkeypatch):
    from dangjian.present.report import _environment_default

    monkeypatch.delenv("MPLBACKEND", raising=False)
    with _environment_default("MPLBACKEND", "Agg"):
        assert os.environ["MPLBACKEND"] == "Agg"
    assert "MPLBACKEND" not in os.environ
    monkeypatch.setenv("MPLBACKEND", "svg")
    with _environment_default("MPLBACKEND", "Agg"):
        assert os.environ["MPLBACKEND"] == "svg"  # the analyst's own choice wins
    assert os.environ["MPLBACKEND"] == "svg"


@pytest.mark.skipif(os.name != "posix", reason="local (IPC) sockets are POSIX only; elsewhere kernels use TCP")
def test_kernels_run_quietly_over_local_sockets(tmp_path, capfd):
    from dangjian.present.report import execute_notebook

    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                 "display_name": "Python 3"}})
    parameters = nbformat.v4.new_code_cell("VALUE = 0")
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell("print(VALUE * 2)")]
    source, executed = tmp_path / "n.ipynb", tmp_path / "out" / "n.ipynb"
    executed.parent.mkdir()
    nbformat.write(notebook, source)
    execute_notebook(source, executed, {"VALUE": 21})
    cells = nbformat.read(executed, as_version=4).cells
    assert cells[-1].outputs[0]["text"] == "42\n"
    # ipykernel 7 warns on stderr for every kernel reached over loopback TCP
    assert "without encryption" not in capfd.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.ipynb", "out"]  # no socket files left behind
