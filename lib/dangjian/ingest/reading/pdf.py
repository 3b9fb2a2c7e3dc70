"""PDF (``.pdf``): the text layer, read with pdfminer.six, lines rejoined into paragraphs.

pdfminer.six was chosen over pypdf by ``benchmarks/compare_pdf_readers.py`` (docs/pipeline.md,
"Formats"): both recover the characters, but pdfminer gives every line its position,
which is what rejoining lines and finding page furniture need.

A line break in a PDF is where the page ran out, not where a paragraph ends. A new
paragraph starts at a line that is indented (Chinese reports indent two characters),
after a line that stops short of the right margin, after a blank gap, or where the font
size changes (a heading); otherwise the line continues the paragraph, across pages too.

Page furniture: the top and bottom lines of a page are a running header or footer when
the same text (digits aside) heads or foots at least half of the pages, and a page
number when they read like one (``- 3 -``, ``第3页``, ``3/12``). Both stay in the text as
lines marked ``excluded``.

Characters: PDF fonts often map ideographs to look-alike code points, Kangxi radicals
(⼯ U+2F2F for 工) and CJK compatibility ideographs, which NFKC folds; and radicals of
the CJK Radicals Supplement (⻓ U+2ED3 for 长), which ``data/cjk_radicals.tsv`` folds.
Without this 中⼼ and 中心 would be different words.

A PDF whose pages hold no text (a scan) is refused: "no text layer; OCR is not
supported". A password-protected PDF is refused too.
"""
from __future__ import annotations

import io
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from ...config import DATA_DIR
from .errors import ReadError

RADICALS_FILE = DATA_DIR / "cjk_radicals.tsv"
HEADER = ("running page header (PDF)", "pdf_header")
FOOTER = ("running page footer (PDF)", "pdf_footer")
PAGE_NUMBER = ("page number (PDF)", "pdf_page_number")
_PAGE_NUMBER = re.compile(r"^[-—–－\s]*(?:第\s*)?[\dⅰ-ⅿⅠ-Ⅿ]+\s*(?:页)?\s*(?:[/／]\s*\d+|共\s*\d+\s*页)?[-—–－\s]*$"
                          r"|^(?:page|p\.)\s*\d+(?:\s*(?:of|/)\s*\d+)?$", re.I)
_COMPATIBILITY = re.compile("[\u2f00-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")
_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”‘’—…·]")
_UNBREAKABLE = re.compile(r"(?:[(（]?[A-Za-z0-9āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü][\w.%āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü-]*[)）]?|.)"
                          r"[”’」』）)，。、；：！？…—,.;:!?]*")
_ASCII_WORD_END = re.compile(r"[A-Za-z0-9]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9]")
# Share of pages whose top or bottom line must repeat for it to be a running header or footer.
RUNNING_SHARE = 0.5


@lru_cache(maxsize=1)
def _radicals() -> dict[int, str]:
    table = pd.read_csv(RADICALS_FILE, sep="\t", dtype=str, keep_default_na=False, quoting=3)
    return {ord(row.radical): row.ideograph for row in table.itertuples(index=False)}


def fold_compatibility(text: str) -> str:
    """Kangxi radicals, compatibility ideographs and supplement radicals → the ideographs."""
    text = _COMPATIBILITY.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    return text.translate(_radicals())


@dataclass
class _Line:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    text: str


def _page_lines(layout, page_no: int) -> list[_Line]:
    from pdfminer.layout import LTChar, LTTextContainer, LTTextLineHorizontal

    found = []

    def visit(item):
        if isinstance(item, LTTextLineHorizontal):
            text = item.get_text().strip()
            if text:
                sizes = [ch.size for ch in item if isinstance(ch, LTChar)]
                size = statistics.median(sizes) if sizes else item.height
                found.append(_Line(page_no, item.x0, item.y0, item.x1, item.y1, size, fold_compatibility(text)))
        elif isinstance(item, LTTextContainer) or hasattr(item, "__iter__"):
            for child in item:
                visit(child)

    for item in layout:
        visit(item)
    found.sort(key=lambda line: (-round(line.y1), line.x0))
    merged: list[_Line] = []
    for line in found:  # pieces of one printed line that pdfminer split apart
        last = merged[-1] if merged else None
        if last and abs(last.y0 - line.y0) < 0.3 * line.size and line.x0 >= last.x1 - 1:
            gap = " " if line.x0 - last.x1 > 0.6 * line.size else ""
            merged[-1] = _Line(last.page, last.x0, min(last.y0, line.y0), line.x1, max(last.y1, line.y1),
                               last.size, last.text + gap + line.text)
        else:
            merged.append(line)
    return merged


def _furniture(pages: list[list[_Line]]) -> dict[int, tuple[str, str]]:
    """id(line) → reason for running headers, footers and page numbers.

    A page's top (bottom) line is a running header (footer) when the same text, digits
    aside, tops (foots) at least half of the pages, or, on any page, when it is set
    smaller than the body and stands apart from it; a page number when it reads like one.
    """
    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))

    found: dict[int, tuple[str, str]] = {}
    with_text = [lines for lines in pages if len(lines) >= 2]
    if not with_text:
        return found
    body_size = statistics.median(line.size for lines in with_text for line in lines)
    need = max(2, RUNNING_SHARE * len(with_text))
    for end, inward, reason in ((0, 1, HEADER), (-1, -2, FOOTER)):
        counts: dict[str, int] = {}
        for lines in with_text:
            counts[key(lines[end])] = counts.get(key(lines[end]), 0) + 1
        for lines in with_text:
            edge, inner = lines[end], lines[inward]
            gap = (edge.y0 - inner.y1) if end == 0 else (inner.y0 - edge.y1)
            apart = edge.size < 0.85 * body_size and gap > 1.0 * body_size
            if _PAGE_NUMBER.match(edge.text):
                found[id(edge)] = PAGE_NUMBER
            elif counts[key(edge)] >= need or apart:
                found[id(edge)] = reason
                if _PAGE_NUMBER.match(inner.text):  # a page number just inside a running header or footer
                    found[id(inner)] = PAGE_NUMBER
    return found


def _paragraphs(body: list[_Line]) -> list[list[_Line]]:
    """Group body lines (in reading order, across pages) into paragraphs."""
    if not body:
        return []
    per_page: dict[int, list[_Line]] = {}
    for line in body:
        per_page.setdefault(line.page, []).append(line)
    margins = {}
    for page, lines in per_page.items():
        # The left margin is the leftmost edge that several lines share (in a report of short
        # paragraphs the indented first lines can outnumber the lines at the margin). The right
        # margin is where most lines end: line-breaking rules let a line run a character over
        # or stop one short, so neither the longest nor the shortest line will do.
        lefts = Counter(round(line.x0) for line in lines)
        shared = [x for x, n in lefts.items() if n >= 2]
        margins[page] = (min(shared or lefts), statistics.median(line.x1 for line in lines))
    body_size = statistics.median(line.size for line in body)
    paragraphs: list[list[_Line]] = [[body[0]]]
    for previous, line in zip(body, body[1:]):
        size = max(line.size, 1.0)
        left, _ = margins[line.page]
        _, right = margins[previous.page]
        same_page = previous.page == line.page
        pitch = previous.y0 - line.y0
        starts = (
            line.x0 > left + 0.8 * size                                   # indented
            or previous.x1 + _first_chunk_width(line) < right - 0.5 * size  # the next line's start would have fit
            or abs(line.size - previous.size) > 0.15 * size               # a heading's font
            or (same_page and pitch > 2.2 * size)                         # a blank gap
        )
        # a title or heading set larger than the body and wrapped onto a second line
        wrapped_heading = (same_page and abs(line.size - previous.size) < 0.05 * size
                           and line.size > 1.15 * body_size and pitch < 2.0 * size)
        if starts and not wrapped_heading:
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return paragraphs


def _first_chunk_width(line: _Line) -> float:
    """How wide the start of a line is that cannot be split from it: one ideograph, or a
    Latin word, number or pinyin reading, with the punctuation that may not begin a line."""
    chunk = _UNBREAKABLE.match(line.text)
    text = chunk.group(0) if chunk else line.text[:1]
    return sum(line.size if _WIDE.match(ch) else 0.55 * line.size for ch in text)


def _join(lines: list[_Line]) -> str:
    text = lines[0].text
    for line in lines[1:]:
        space = " " if _ASCII_WORD_END.search(text) and _ASCII_WORD_START.search(line.text) else ""
        text += space + line.text
    return text


def _open(data: bytes, name: str):
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser, PDFSyntaxError

    if not data.lstrip().startswith(b"%PDF"):
        raise ReadError(name, "corrupt PDF: the file does not start with %PDF")
    try:
        return PDFDocument(PDFParser(io.BytesIO(data)))
    except PDFPasswordIncorrect as exc:
        raise ReadError(name, "password-protected PDF; open it with the password and save an unprotected "
                              "copy") from exc
    except PDFEncryptionError as exc:
        raise ReadError(name, f"encrypted PDF that cannot be opened ({exc})") from exc
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise ReadError(name, f"corrupt PDF: {exc or type(exc).__name__}") from exc


def read_pdf(data: bytes, name: str) -> dict:
    """The RawReport fields of a PDF."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams, LTFigure, LTImage
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.psparser import PSException

    document = _open(data, name)
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=LAParams())
    interpreter = PDFPageInterpreter(manager, device)
    pages: list[list[_Line]] = []
    n_images = 0
    try:
        for page_no, page in enumerate(PDFPage.create_pages(document), start=1):
            interpreter.process_page(page)
            layout = device.get_result()
            pages.append(_page_lines(layout, page_no))
            n_images += sum(isinstance(item, (LTImage, LTFigure)) for item in layout)
    except (PSException, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReadError(name, f"corrupt PDF: {exc or type(exc).__name__}") from exc
    if not any(pages):
        if n_images:
            raise ReadError(name, "no text layer; OCR is not supported (the pages are images, as in a scan)")
        raise ReadError(name, "no text: the PDF's pages hold no text")

    furniture = _furniture(pages)
    text_lines: list[str] = []
    excluded: dict[int, tuple[str, str]] = {}
    body = [line for lines in pages for line in lines if id(line) not in furniture]
    paragraph_of = {id(p[0]): p for p in _paragraphs(body)}
    for lines in pages:  # page order: a page's furniture and the paragraphs that begin on it
        for line in lines:
            if id(line) in furniture:
                text_lines.append(line.text)
                excluded[len(text_lines)] = furniture[id(line)]
            elif id(line) in paragraph_of:
                text_lines.append(_join(paragraph_of[id(line)]))
    return {"text": "\n".join(text_lines), "encoding": "", "line_endings": "", "excluded": excluded}
