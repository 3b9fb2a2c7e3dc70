"""Formats: a report saved as a web page (UTF-8 and GBK), a Word document or a PDF gives
the same paragraphs, brands, formulas and metrics as its .txt, with none of the file's
furniture in the paragraphs; broken files become failure rows while the others build."""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

import dangjian
from dangjian.corpus import CatalogWarning
from dangjian.present.display import table_html
from dangjian.ingest.reading import ReadError, read_report
from dangjian.ingest.reading.pdf import fold_compatibility

from conftest import SEED_FILES
from renderings import (COMPARED, DOCX_FOOTER, DOCX_HEADER, FOOTER, FURNITURE, NAV, PDF_HEADER, RENDERINGS, SHARE,
                        as_docx, as_html, as_pdf, comparable_rows as _rows, encrypted_pdf, image_only_pdf,
                        rendering_doc_id, report_lines)


def _build(folder: Path) -> dangjian.Corpus:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CatalogWarning)  # the renderings are not in the catalog
        return dangjian.build_corpus(folder)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, seed_corpus) -> tuple[dangjian.Corpus, Path]:
    """Every seed beside its renderings, built as one batch."""
    folder = tmp_path_factory.mktemp("formats")
    for path in SEED_FILES:
        shutil.copy(path, folder / path.name)
        doc = seed_corpus.documents.set_index("doc_id").loc[path.stem]
        lines, title_at, headings = report_lines(path, seed_corpus.paragraphs.query("doc_id == @path.stem"))
        date = doc["date"] if len(doc["date"] or "") == 10 else "2020-01-01"
        (folder / f"{path.stem}.html").write_bytes(as_html(lines, title_at, "utf-8", date))
        (folder / f"{path.stem}-gbk.htm").write_bytes(as_html(lines, title_at, "gbk", date))
        as_docx(lines, title_at, headings, folder / f"{path.stem}.docx")
        as_pdf(lines, title_at, folder / f"{path.stem}.pdf")
    return _build(folder), folder


def test_every_rendering_is_built_with_its_format(rendered):
    corpus, _ = rendered
    assert corpus.failures.empty, corpus.failures.to_string()
    formats = corpus.documents.set_index("doc_id")["format"]
    for path in SEED_FILES:
        # a stem shared by several files makes each file's whole name its doc_id
        assert formats[path.name] == "txt"
        for suffix, fmt in RENDERINGS.items():
            assert formats[rendering_doc_id(path.stem, suffix)] == fmt


@pytest.mark.parametrize("suffix", list(RENDERINGS))
@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem[:3])
def test_a_rendering_gives_what_the_txt_gives(rendered, path, suffix):
    corpus, _ = rendered
    rendering = rendering_doc_id(path.stem, suffix)
    for table in COMPARED:
        expected, found = _rows(corpus, table, path.name), _rows(corpus, table, rendering)
        assert len(expected) > 0 or table != "paragraphs"
        pd.testing.assert_frame_equal(found, expected, obj=f"{rendering} {table}")
    paragraphs = "\n".join(corpus.paragraphs.loc[corpus.paragraphs["doc_id"] == rendering, "text_original"])
    assert not [piece for piece in FURNITURE if piece in paragraphs]


def test_gbk_and_utf8_pages_give_identical_tables(rendered):
    corpus, _ = rendered
    for path in SEED_FILES:
        utf8, gbk = f"{path.stem}.html", f"{path.stem}-gbk"
        for table in ("paragraphs", "sentences", "removed", "brands", "formulas", "metrics", "reconciliation",
                      "sentence_themes"):
            pd.testing.assert_frame_equal(_rows(corpus, table, gbk), _rows(corpus, table, utf8), obj=table)
        docs = corpus.documents.set_index("doc_id")
        same = [c for c in docs.columns if c not in ("file", "sha256", "encoding", "line_endings")]
        pd.testing.assert_series_equal(docs.loc[gbk, same], docs.loc[utf8, same], check_names=False)
        assert (docs.at[utf8, "encoding"], docs.at[gbk, "encoding"]) == ("utf-8", "gb18030")


def test_a_page_states_its_headline_and_date_and_what_was_dropped(rendered, seed_corpus):
    corpus, _ = rendered
    docs = corpus.documents.set_index("doc_id")
    txt = seed_corpus.documents.set_index("doc_id")
    for path in SEED_FILES:
        page = docs.loc[f"{path.stem}.html"]
        assert page["date_source"] == "html_meta"
        if txt.at[path.stem, "title_source"] == "title_line":
            assert (page["title"], page["title_source"]) == (txt.at[path.stem, "title"], "html_meta")
        else:  # a page whose <title> is only the site's name states no headline
            assert page["title_source"] != "html_meta"
        assert page["n_chars"] == txt.at[path.stem, "n_chars"]
        assert page["n_chars_removed"] > txt.at[path.stem, "n_chars_removed"]
        removed = corpus.removed[corpus.removed["doc_id"] == f"{path.stem}.html"]
        rules = set(removed["rule"])
        assert {"html_nav_class", "html_share", "html_sidebar_class", "html_script", "html_style",
                "html_title"} <= rules, rules
        assert removed["text"].str.contains("ICP备", regex=False).any()  # the footer, by some rule
        assert set(NAV[1:]) <= set(removed["text"])
        scripts = removed[removed["rule"] == "html_script"]
        assert scripts["line_no"].isna().all()


def test_word_headers_footers_and_styles(rendered, seed_corpus):
    corpus, _ = rendered
    for path in SEED_FILES:
        doc_id = f"{path.stem}.docx"
        removed = corpus.removed[corpus.removed["doc_id"] == doc_id]
        assert removed.loc[removed["rule"] == "docx_header", "text"].tolist() == [DOCX_HEADER]
        assert removed.loc[removed["rule"] == "docx_footer", "text"].tolist() == [DOCX_FOOTER]


def test_pdf_lines_are_rejoined_and_running_furniture_removed(rendered):
    corpus, folder = rendered
    for path in SEED_FILES:
        doc_id = f"{path.stem}.pdf"
        removed = corpus.removed[corpus.removed["doc_id"] == doc_id]
        from pypdf import PdfReader

        n_pages = len(PdfReader(folder / doc_id).pages)
        assert (removed["rule"] == "pdf_page_number").sum() == n_pages
        assert (removed["text"] == PDF_HEADER).sum() == n_pages
    # rejoined: as many paragraphs as the .txt, though the PDF broke them into many lines
    raw = read_report(folder / f"{SEED_FILES[0].stem}.pdf")
    assert max(len(line) for line in raw.text.split("\n")) > 300


def test_word_tables_and_headings(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("某公司党委党建品牌创建工作报告", style="Title")
    document.add_heading("一、基本情况", level=1)
    document.add_paragraph("公司党委下设党支部15个，共有党员320名，今年创建党建品牌8个。")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells + table.rows[1].cells, ["支部", "品牌", "党员人数", "第一党支部", "“红色引擎”", "35人"]):
        cell.text = text
    table.rows[1].cells[1].merge(table.rows[1].cells[2]).text = "“红色引擎” 35人"
    document.add_paragraph("第二段第一行\n软换行之后的一行，也是正文。")
    document.save(tmp_path / "r.docx")
    raw = read_report(tmp_path / "r.docx")
    lines = raw.text.split("\n")
    assert lines[:3] == ["某公司党委党建品牌创建工作报告", "一、基本情况", "公司党委下设党支部15个，共有党员320名，今年创建党建品牌8个。"]
    assert "支部 | 品牌 | 党员人数" in lines and "第一党支部 | “红色引擎” 35人" in lines  # a merged cell once
    assert lines[-2:] == ["第二段第一行", "软换行之后的一行，也是正文。"]
    assert raw.roles == {1: "title", 2: "heading"}
    assert (raw.format, raw.encoding, raw.line_endings) == ("docx", "", "")


def test_hostile_markup_stays_text(tmp_path):
    hostile = ('<p>支部书记说：&lt;script&gt;alert("x")&lt;/script&gt; 不是代码，&lt;img src=x onerror=alert(1)&gt; '
               '也只是文字，这一段照样保留在报告之中。</p>'
               '<script>alert("live")</script><p onclick="alert(2)">'
               '<a href="javascript:alert(3)">党建品牌“红色引擎”</a>创建以来，共开展活动120次，覆盖党员300余名。</p>')
    lines = ["某公司党委扎实推进党建品牌创建工作", "公司党委坚持以高质量党建引领高质量发展，深入开展党建品牌创建活动，取得明显成效。"]
    (tmp_path / "page.html").write_bytes(as_html(lines, 0, "utf-8", extra_body=hostile))
    corpus = _build(tmp_path)
    text = "\n".join(corpus.paragraphs["text"])
    assert '<script>alert("x")</script>' in text and "<img src=x onerror=alert(1)>" in text
    assert 'alert("live")' not in text and "javascript:" not in text
    assert "党建品牌“红色引擎”创建以来" in text
    shown = table_html(corpus.paragraphs[["text"]])
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "<img" not in shown


def test_compatibility_ideographs_are_folded(tmp_path):
    assert fold_compatibility("中⼼⼯作，⻓期坚持，⺠主评议") == "中心工作，长期坚持，民主评议"
    assert fold_compatibility("\uf900") == "豈"
    lines = ["某公司党委党建⼯作报告", "公司党委围绕中⼼⼯作，⻓期坚持开展党建品牌创建，全年开展活动12次，覆盖党员300名。"]
    as_pdf(lines, 0, tmp_path / "radicals.pdf")
    text = read_report(tmp_path / "radicals.pdf").text
    assert "中心工作" in text and "长期坚持" in text and "⼯" not in text


def test_broken_files_fail_with_reasons_while_others_build(tmp_path):
    good = SEED_FILES[0]
    shutil.copy(good, tmp_path / good.name)
    lines = [line.strip() for line in good.read_text(encoding="utf-8").splitlines() if line.strip()]
    as_docx(lines, None, set(), tmp_path / "whole.docx")
    (tmp_path / "truncated.docx").write_bytes((tmp_path / "whole.docx").read_bytes()[:3000])
    (tmp_path / "whole.docx").unlink()
    as_pdf(lines, None, tmp_path / "plain.pdf")
    encrypted_pdf(tmp_path / "plain.pdf", tmp_path / "locked.pdf")
    (tmp_path / "plain.pdf").unlink()
    image_only_pdf(tmp_path / "scan.pdf")
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "notes.xyz").write_text("党建品牌", encoding="utf-8")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    (tmp_path / "scripts-only.html").write_text("<html><body><script>var a = 1;</script></body></html>",
                                                encoding="utf-8")
    # sidecars are neither built nor failures
    (tmp_path / f"{good.stem}.json").write_text("{}", encoding="utf-8")
    shutil.copy(good.parent / "catalog.csv", tmp_path / "catalog.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CatalogWarning)
        result = dangjian.build.build(tmp_path, tmp_path / "out")
    reasons = dict(result.failures)
    assert set(reasons) == {"truncated.docx", "locked.pdf", "scan.pdf", "empty.html", "notes.xyz", "old.doc",
                            "scripts-only.html"}
    assert "corrupt or truncated .docx" in reasons["truncated.docx"]
    assert "password-protected PDF" in reasons["locked.pdf"]
    assert reasons["scan.pdf"].startswith("no text layer; OCR is not supported")
    assert "empty file" in reasons["empty.html"]
    assert "unsupported file type" in reasons["notes.xyz"] and ".pdf" in reasons["notes.xyz"]
    assert "save it as .docx" in reasons["old.doc"]
    assert "no text" in reasons["scripts-only.html"]
    assert result.rows["documents"] == 1
    failures = pd.read_csv(tmp_path / "out" / "failures.csv", encoding="utf-8-sig")
    assert sorted(failures["file"]) == sorted(reasons)
    assert set(result.settings["sidecar_files"]) == {"catalog.csv", f"{good.stem}.json"}


@pytest.mark.parametrize("name, data, reason", [
    ("a.docx", b"PK\x03\x04" + b"\x00" * 100, "corrupt or truncated .docx"),
    ("b.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"), "password-protected Word"),
    ("c.docx", b"just text", "not a zip archive"),
    ("d.pdf", b"%PDF-1.4\n%garbage", "corrupt PDF"),
    ("e.pdf", b"<html>not a pdf</html>", "does not start with %PDF"),
    ("f.htm", b"   \n  ", "empty file"),
    ("g", b"text", "unsupported file type (extension none)"),
])
def test_each_bad_file_names_its_reason(tmp_path, name, data, reason):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ReadError) as caught:
        read_report(tmp_path / name)
    assert reason in caught.value.reason
    assert str(caught.value).startswith(name)


def test_charset_order_bom_then_meta_then_detection(tmp_path):
    body = "<html><head>{meta}</head><body><p>公司党委深入开展党建品牌创建活动，取得明显成效，党员群众普遍认可。</p></body></html>"
    gbk = body.format(meta='<meta charset="gb2312">').encode("gbk")
    (tmp_path / "declared.html").write_bytes(gbk)
    assert read_report(tmp_path / "declared.html").encoding == "gb18030"
    (tmp_path / "undeclared.html").write_bytes(body.format(meta="").encode("gbk"))
    assert read_report(tmp_path / "undeclared.html").encoding == "gb18030"  # detected
    # a BOM outranks a wrong declaration
    (tmp_path / "bom.html").write_bytes(b"\xef\xbb\xbf" + body.format(meta='<meta charset="gbk">').encode("utf-8"))
    raw = read_report(tmp_path / "bom.html")
    assert raw.encoding == "utf-8-sig" and "党建品牌" in raw.text
    # a wrong declaration that does not decode falls back to detection
    (tmp_path / "mislabelled.html").write_bytes(body.format(meta='<meta charset="gbk">').encode("utf-8"))
    assert "党建品牌" in read_report(tmp_path / "mislabelled.html").text


def test_furniture_lists_name_themselves():
    assert SHARE[0] in FURNITURE and FOOTER[1] in FURNITURE and NAV[0] not in FURNITURE


@pytest.mark.parametrize("suffix", [".html", ".docx", ".pdf"])
def test_kept_plus_removed_rebuilds_the_text_as_read(rendered, suffix):
    from dangjian.ingest.cleaning import fold_whitespace

    corpus, folder = rendered
    for path in SEED_FILES:
        doc_id = f"{path.stem}{suffix}"
        read = read_report(folder / doc_id).text
        expected = {i: fold_whitespace(line) for i, line in enumerate(read.split("\n"), start=1)
                    if fold_whitespace(line)}
        paragraphs = corpus.paragraphs[corpus.paragraphs["doc_id"] == doc_id]
        removed = corpus.removed[(corpus.removed["doc_id"] == doc_id) & corpus.removed["line_no"].notna()]
        pieces = removed[removed["col"].notna()]
        rebuilt = {}
        for row in paragraphs.itertuples():
            line = row.text_original
            for piece in pieces[pieces["line_no"] == row.line_no].sort_values("col").itertuples():
                line = line[:piece.col] + piece.text + line[piece.col:]
            rebuilt[row.line_no] = line
        for row in removed[removed["col"].isna()].itertuples():
            assert row.line_no not in rebuilt
            rebuilt[row.line_no] = row.text
        assert rebuilt == expected, doc_id


def test_two_builds_of_the_renderings_are_byte_identical(rendered, tmp_path):
    _, folder = rendered
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CatalogWarning)
        for run in ("a", "b"):
            dangjian.build.build(folder, tmp_path / run)
    for written in sorted((tmp_path / "a").iterdir()):
        assert written.read_bytes() == (tmp_path / "b" / written.name).read_bytes(), written.name


def test_text_after_a_comment_script_or_control_is_kept(tmp_path):
    page = ('<html><body><div class="content"><p>公司党委<!-- 编辑注 -->深入开展党建品牌创建活动<script>x=1</script>，'
            '取得明显成效，党员群众普遍认可，这是一段足够长的正文。</p><p>第二段<input type="text">之后的文字，'
            '同样是很长的一段正文内容。</p><table><tr><td>支部</td><td>党员人数</td></tr><tr><td>第一支部</td>'
            '<td>35人</td></tr></table></div></body></html>')
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    lines = read_report(tmp_path / "p.html").text.split("\n")
    assert lines[0] == "公司党委深入开展党建品牌创建活动，取得明显成效，党员群众普遍认可，这是一段足够长的正文。"
    assert lines[1] == "第二段之后的文字，同样是很长的一段正文内容。"
    assert lines[2:] == ["支部 | 党员人数", "第一支部 | 35人"]
