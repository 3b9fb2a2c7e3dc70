"""Render a report's lines as the files analysts collect: a saved web page, a Word
document and a PDF, each with the furniture of its kind (navigation bar, share widget
and footer; page header and footer; running header and page numbers).

Used by tests/test_formats.py and benchmarks/compare_pdf_readers.py. The furniture
strings are exported so that tests can check none of them reaches a paragraph.
"""
from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path

SITE = "某某集团党建网"
NAV = ["网站首页", "机构概况", "信息公开", "专题专栏", "互动交流"]
SHARE = ["分享到：", "微信", "新浪微博", "QQ空间"]
SIDEBAR = ["热点推荐", "集团召开党风廉政建设工作会议部署全年重点任务", "基层党支部开展“我为群众办实事”主题党日活动"]
FOOTER = ["版权所有：某某集团有限公司 地址：四川省成都市武侯区某某路88号", "备案号：蜀ICP备12345678号-1 技术支持：某某网络科技"]
DOCX_HEADER = "某某集团公司党委 内部交流材料"
DOCX_FOOTER = "党委工作部 编印"
PDF_HEADER = "某某集团党委 党建工作经验交流材料"
# What must never reach a paragraph (the menu's 网站首页 and the share widget's 微信 are
# words a report may use, so the distinctive strings are checked).
FURNITURE = NAV[1:] + SHARE[2:] + [SHARE[0]] + SIDEBAR + FOOTER + [SITE, DOCX_HEADER, DOCX_FOOTER, PDF_HEADER]


def as_html(lines: list[str], title_at: int | None, encoding: str = "utf-8", date: str = "2019-11-01",
            extra_body: str = "") -> bytes:
    """A web page as a party-building site serves it: header, menu, breadcrumb, article,
    share widget, related-news sidebar, footer with the ICP number, scripts and styles.

    ``lines[title_at]`` is the headline (the ``<h1>`` and the ``<title>`` before the site
    name); with None the page has no headline and its ``<title>`` is the site name alone."""
    esc = html.escape
    title = lines[title_at] if title_at is not None else None
    heading = f"<h1>{esc(title)}</h1>" if title else ""
    page_title = f"{esc(title)}_{SITE}" if title else SITE
    # lines above the headline (a kicker such as 山西省国资委“四强”党支部) stay above it
    above = "".join(f'<p class="kicker">{esc(line)}</p>' for line in lines[:title_at or 0])
    body = "\n".join(f"<p>{esc(line)}</p>" for i, line in enumerate(lines) if i > (title_at if title_at is not None else -1))
    charset = {"utf-8": "utf-8", "gbk": "gbk", "gb18030": "gb18030"}[encoding]
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{page_title}</title>
<meta property="article:published_time" content="{date}T09:30:00+08:00">
<link rel="stylesheet" href="/css/main.css">
<style>.article p {{ text-indent: 2em; line-height: 1.8; }}</style>
<script src="/js/jquery.min.js"></script>
<script>var _hmt = _hmt || []; (function() {{ var hm = document.createElement("script"); }})();</script>
</head><body>
<div class="header"><div class="logo">{SITE}</div>
<div class="search"><form action="/search"><input type="text" name="q"><button>搜索</button></form></div></div>
<div class="nav"><ul>{''.join(f'<li><a href="/c{i}">{esc(item)}</a></li>' for i, item in enumerate(NAV))}</ul></div>
<div class="main">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/c1">党建动态</a> &gt; 正文</div>
<div class="article">
{above}{heading}
<div class="info">发布时间：{date} 来源：党委工作部 浏览次数：1024</div>
<div class="content">
{body}
{extra_body}
</div>
<div class="bdsharebuttonbox"><span>{SHARE[0]}</span>{''.join(f'<a href="#" class="bds">{esc(s)}</a>' for s in SHARE[1:])}</div>
</div>
<div class="sidebar"><h3>{esc(SIDEBAR[0])}</h3><ul>{''.join(f'<li><a href="/n{i}">{esc(s)}</a></li>' for i, s in enumerate(SIDEBAR[1:]))}</ul></div>
</div>
<div class="footer">{''.join(f'<p>{esc(s)}</p>' for s in FOOTER)}</div>
<script>document.write("<p>统计</p>");</script>
</body></html>
"""
    return page.encode(encoding, errors="xmlcharrefreplace")  # as CMSs write what GBK lacks: &#x…;


def as_docx(lines: list[str], title_at: int | None, headings: set[int], path: Path) -> Path:
    """A Word report: page header and footer, Title style for ``lines[title_at]``, Heading 2
    for the lines at ``headings``."""
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = DOCX_HEADER
    section.footer.paragraphs[0].text = DOCX_FOOTER
    for i, line in enumerate(lines):
        if i == title_at:
            document.add_paragraph(line, style="Title")
        elif i in headings:
            document.add_heading(line, level=2)
        else:
            document.add_paragraph(line)
    document.save(path)
    return path


@lru_cache(maxsize=1)
def _ttf_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from dangjian.present.plots import _packaged_font

    pdfmetrics.registerFont(TTFont("NotoSansSC", str(_packaged_font())))
    return "NotoSansSC"


@lru_cache(maxsize=1)
def _cid_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def as_pdf(lines: list[str], title_at: int | None, path: Path, font: str = "ttf") -> Path:
    """A PDF with a text layer: centred title, paragraphs indented two characters, a
    running header and a page number (- 1 -) on every page.

    ``font``: "ttf" embeds Noto Sans SC (what Word and WPS do); "cid" uses the
    non-embedded Adobe font STSong-Light (what many generators do).
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    name = _ttf_font() if font == "ttf" else _cid_font()
    body = ParagraphStyle("body", fontName=name, fontSize=12, leading=20, firstLineIndent=24, wordWrap="CJK")
    head = ParagraphStyle("title", fontName=name, fontSize=18, leading=28, alignment=1, wordWrap="CJK",
                          spaceAfter=12)

    def furniture(canvas, doc):
        canvas.saveState()
        canvas.setFont(name, 9)
        canvas.drawCentredString(A4[0] / 2, A4[1] - 40, PDF_HEADER)
        canvas.drawCentredString(A4[0] / 2, 36, f"- {doc.page} -")
        canvas.restoreState()

    story = [Paragraph(html.escape(line), head if i == title_at else body) for i, line in enumerate(lines)]
    SimpleDocTemplate(str(path), pagesize=A4, title=lines[title_at] if title_at is not None else "").build(story, onFirstPage=furniture,
                                                                 onLaterPages=furniture)
    return path


def image_only_pdf(path: Path) -> Path:
    """A 'scanned' page: one image and no text layer."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("RGB", (400, 560), "white")
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawImage(ImageReader(image), 72, 72, width=400, height=560)
    pdf.showPage()
    pdf.save()
    return path


def encrypted_pdf(source: Path, path: Path, password: str = "secret") -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=password, algorithm="AES-128")
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def report_lines(path: Path, paragraphs) -> tuple[list[str], int | None, set[int]]:
    """A .txt report's non-blank lines, the index of its title line (None when the build
    found none) and the indices of its heading lines, from the build's ``paragraphs`` of it."""
    raw = path.read_text(encoding="utf-8-sig").split("\n")
    index, lines = {}, []
    for line_no, line in enumerate(raw, start=1):
        if line.strip():
            index[line_no] = len(lines)
            lines.append(line.strip())
    titles = [index[n] for n in paragraphs.loc[paragraphs["role"] == "title", "line_no"]]
    headings = {index[n] for n in paragraphs.loc[paragraphs["role"] == "heading", "line_no"]}
    return lines, titles[0] if len(titles) == 1 else None, headings


# The renderings a report is built beside: suffix of the rendered file's name → documents.format.
RENDERINGS = {".html": "html", "-gbk.htm": "html", ".docx": "docx", ".pdf": "pdf"}
COMPARED = ["paragraphs", "brands", "formulas", "metrics"]  # what a rendering must give as its .txt does


def rendering_doc_id(stem: str, suffix: str) -> str:
    """The doc_id of ``stem + suffix`` built beside ``stem.txt``: a shared stem makes the whole
    file name the doc_id (report.html), an own stem stays the doc_id (report-gbk)."""
    return f"{stem}{suffix}" if suffix.startswith(".") else f"{stem}{suffix.rsplit('.', 1)[0]}"


def comparable_rows(corpus, table: str, doc_id: str):
    """A report's rows without the columns that name the file (doc_id, ids, line numbers)."""
    frame = getattr(corpus, table)
    frame = frame[frame["doc_id"] == doc_id]
    drop = [c for c in ("doc_id", "sent_id", "para_id", "line_no", "text_original") if c in frame.columns]
    return frame.drop(columns=drop).reset_index(drop=True)
