"""Word documents (``.docx``), read with python-docx.

The text is the document's paragraphs and tables in the order they appear, one line
per paragraph (a manual line break also starts a line) and one line per table row,
its cells joined by `` | `` (a cell merged across columns is given once). Styles say
what a paragraph is: ``Title`` is the title, ``Heading 1``…``Heading 9`` (标题 1…) or an
outline level marks a heading.

Page headers and footers (every section's, including first-page and even-page ones)
come first and last in the text and are marked ``excluded``, so they reach the
``removed`` table as "page header (Word)" and "page footer (Word)".

A legacy ``.doc``, or a password-protected document (Word encrypts it into an OLE
container), is refused with a reason that says what to do.
"""
from __future__ import annotations

import io
import re
import zipfile

from .errors import ReadError

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*[1-9]$", re.I)
_TITLE_STYLE = re.compile(r"^(?:title|标题)$", re.I)
HEADER = ("page header (Word)", "docx_header")
FOOTER = ("page footer (Word)", "docx_footer")


def _open(data: bytes, name: str):
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    if data.startswith(_OLE):
        if _ENCRYPTED in data:
            raise ReadError(name, "password-protected Word document; remove the password (File > Info > "
                                  "Protect Document) and save it again")
        raise ReadError(name, "legacy Word .doc format under a .docx name; open it in Word or LibreOffice and "
                              "save it as .docx")
    if not data.startswith(_ZIP):
        raise ReadError(name, "corrupt .docx: not a zip archive (a .docx is a zip of XML files)")
    try:
        return docx.Document(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ReadError(name, f"corrupt or truncated .docx: the zip archive cannot be read ({exc})") from exc
    except (PackageNotFoundError, KeyError, XMLSyntaxError, ValueError) as exc:
        raise ReadError(name, f"corrupt .docx: {exc}") from exc


def _role(paragraph) -> str:
    style = paragraph.style.name if paragraph.style is not None else ""
    if _TITLE_STYLE.match(style or ""):
        return "title"
    if _HEADING_STYLE.match(style or ""):
        return "heading"
    level = paragraph._p.xpath("./w:pPr/w:outlineLvl/@w:val")
    if level and level[0].isdigit() and int(level[0]) < 9:  # 9 is "body text"
        return "heading"
    return ""


def _rows(table) -> list[str]:
    lines = []
    for row in table.rows:
        cells, seen, nested = [], set(), []
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is returned once per grid column it spans
                continue
            seen.add(id(cell._tc))
            text = " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())
            if text:
                cells.append(text)
            for inner in cell.tables:
                nested.extend(_rows(inner))
        if cells:
            lines.append(" | ".join(cells))
        lines.extend(nested)  # a table inside a cell follows its row
    return lines


def _blocks(container) -> list[tuple[str, str]]:
    """(line, role) of a body, header or footer, in order."""
    from docx.table import Table

    out = []
    for block in container.iter_inner_content():
        if isinstance(block, Table):
            out.extend((line, "") for line in _rows(block))
            continue
        role = _role(block)
        for piece in block.text.split("\n"):
            if piece.strip():
                out.append((piece, role))
    return out


def _headers_and_footers(document) -> tuple[list[str], list[str]]:
    headers, footers = [], []
    for section in document.sections:
        for part, into in ((section.header, headers), (section.first_page_header, headers),
                           (section.even_page_header, headers), (section.footer, footers),
                           (section.first_page_footer, footers), (section.even_page_footer, footers)):
            if not part.is_linked_to_previous:
                into.extend(line for line, _ in _blocks(part))
    return headers, footers


def read_word(data: bytes, name: str) -> dict:
    """The RawReport fields of a Word document."""
    document = _open(data, name)
    try:
        body = _blocks(document)
        headers, footers = _headers_and_footers(document)
    except (KeyError, ValueError) as exc:
        raise ReadError(name, f"corrupt .docx: {exc}") from exc
    if not any(line.strip() for line, _ in body):
        raise ReadError(name, "no text: the document body has no paragraph or table with text")
    lines = headers + [line for line, _ in body] + footers
    first_body = len(headers) + 1
    excluded = {i + 1: HEADER for i in range(len(headers))}
    excluded.update({first_body + len(body) + i: FOOTER for i in range(len(footers))})
    roles = {first_body + i: role for i, (_, role) in enumerate(body) if role}
    return {"text": "\n".join(lines), "encoding": "", "line_endings": "", "excluded": excluded, "roles": roles}
