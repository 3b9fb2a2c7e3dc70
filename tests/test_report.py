"""The main job: every notebook executes cleanly, exports are self-contained and safe, runs repeat."""
from __future__ import annotations

import os
import re
import shutil

import nbformat
import pytest

from dangjian.report import check_html, notebooks, run_report

from conftest import SEED_FILES, SEEDS

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
        assert "<script" not in full.read_text(encoding="utf-8")
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
    pages = [p for _, full, reader in hostile_report.pages for p in (full, reader)]
    text = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "&lt;img src=x onerror=alert(1)&gt;" in text  # the brand name, shown as text
    assert "<script>alert" not in text and "<img src=x" not in text and "<b onmouseover" not in text
    for page in pages:
        assert check_html(page) == []


def test_check_html_finds_live_markup(tmp_path):
    page = tmp_path / "x.html"
    page.write_text('<p>ok &lt;script&gt;</p><img src="a.png" onerror="alert(1)"><a href="javascript:x()">x</a>'
                    "<script>1</script>", encoding="utf-8")
    problems = " ".join(check_html(page))
    assert "script" in problems and "event-handler" in problems and "javascript" in problems


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_reports_in_a_real_browser(report):
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run installs Debian's chromium package")
        pytest.skip("no chromium on this machine (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    shots = report.reports / "screenshots"
    shots.mkdir(exist_ok=True)
    pages = [report.reports / "index.html"] + [p for _, full, reader in report.pages for p in (reader, full)]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=browser,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"])
        page = chromium.new_page(viewport={"width": 1280, "height": 1000})
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
                assert len(images) >= 9, f"{path.name}: expected the charts and word clouds"
            page.screenshot(path=str(shots / f"{path.stem}.png"), full_page=False)
        chromium.close()
    assert problems == []
    assert len(list(shots.glob("*.png"))) == len(pages)


def test_kernels_draw_off_screen_without_changing_the_callers_environment(monkeypatch):
    from dangjian.report import _environment_default

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
    from dangjian.report import execute_notebook

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
