"""Reading: one report file to its text as read, with what the file's own format says about it.

One reader per format, each in its own module:

- ``.txt``: :mod:`dangjian.ingest.reading.plain` (encodings and line endings);
- ``.html``/``.htm``: :mod:`dangjian.ingest.reading.webpage` (trafilatura finds the article);
- ``.docx``: :mod:`dangjian.ingest.reading.word` (python-docx);
- ``.pdf``: :mod:`dangjian.ingest.reading.pdf` (pdfminer.six).

Every reader returns the whole text it found, one line per paragraph, and marks the
lines it knows are not the report (a web page's navigation, a Word page header, a PDF
page number) in ``excluded`` with a reason; the cleaner removes them into the
``removed`` table, so nothing the file holds is dropped unrecorded. A file that cannot
be read raises :class:`ReadError` naming the file and the reason.

Files in a folder that are not reports (the catalog, annotation sidecars, hidden files)
are named by :func:`sidecar_files` and never read as reports.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ...config import CATALOG_NAME
from .errors import ReadError

__all__ = ["FORMATS", "PATTERNS", "RawReport", "ReadError", "decode_bytes", "doc_ids", "read_report", "sidecar_files"]

# suffix → format name (documents.format)
FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}
PATTERNS = ", ".join(f"*{suffix}" for suffix in FORMATS)  # for messages: *.txt, *.html, …
# Formats we recognise but cannot read, with what the analyst can do instead.
_REFUSED = {
    ".doc": "legacy Word .doc format is not read; open it in Word or LibreOffice and save it as .docx",
    ".wps": "WPS Writer .wps format is not read; save it as .docx",
    ".mht": "web archive (.mht) is not read; save the page as HTML (\"Web page, HTML only\")",
    ".mhtml": "web archive (.mhtml) is not read; save the page as HTML (\"Web page, HTML only\")",
    ".rtf": "rich text (.rtf) is not read; save it as .docx",
}


@dataclass(frozen=True)
class RawReport:
    doc_id: str      # the file stem (the file name when two files share a stem)
    file: str        # the file name
    sha256: str      # of the raw bytes
    encoding: str    # codec name as found, e.g. "utf-8-sig", "gb18030"; "" for DOCX and PDF
    line_endings: str  # "LF", "CRLF", "CR", "mixed" or "none"; "" for DOCX and PDF
    text: str        # the text as read, one paragraph per line, line endings LF
    format: str = "txt"
    # line_no (1-based) → (reason, rule): lines the format shows are not the report
    excluded: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    # line_no → "title" or "heading", where the markup or a Word style says so
    roles: Mapping[int, str] = field(default_factory=dict)
    # removed rows that are not lines of text (a page's scripts, styles and <title>): text, reason, rule
    unplaced: tuple[dict, ...] = ()
    # what the markup states: {"title": …, "date": …} (source html_meta)
    markup: Mapping[str, str] = field(default_factory=dict)


def read_report(path: Path | str, doc_id: str | None = None) -> RawReport:
    """Read one report file; raise ReadError (naming the file) if it cannot be."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in _REFUSED:
        raise ReadError(path, _REFUSED[suffix])
    if suffix not in FORMATS:
        shown = f"'{path.suffix}'" if path.suffix else "none"
        raise ReadError(path, f"unsupported file type (extension {shown}); reports are read from "
                              f"{', '.join(FORMATS)}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(path, f"cannot be opened: {exc.strerror}") from exc
    if not data.strip():
        raise ReadError(path, "empty file (no bytes, or only whitespace)")
    reader = _reader(FORMATS[suffix])
    found = reader(data, path.name)
    return RawReport(doc_id=doc_id or path.stem, file=path.name, sha256=hashlib.sha256(data).hexdigest(),
                     format=FORMATS[suffix], **found)


def _reader(fmt: str):
    # Imported on use: a batch of .txt files never loads trafilatura, python-docx or pdfminer.six.
    if fmt == "txt":
        from .plain import read_plain
        return read_plain
    if fmt == "html":
        from .webpage import read_webpage
        return read_webpage
    if fmt == "docx":
        from .word import read_word
        return read_word
    from .pdf import read_pdf
    return read_pdf


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decoded text and the encoding found (see :mod:`dangjian.ingest.reading.plain`)."""
    from .plain import decode_bytes as decode

    return decode(data, name)


def sidecar_files(folder: Path) -> dict[str, str]:
    """File name → why it is not a report: the catalog, a gold or annotation file beside the
    report of the same name (``NAME.json`` beside ``NAME.txt``), and hidden files."""
    files = [p for p in folder.iterdir() if p.is_file()]
    report_stems = {p.stem for p in files if p.suffix.lower() in FORMATS}
    sidecars = {}
    for path in files:
        if path.name == CATALOG_NAME:
            sidecars[path.name] = "catalog of the reports (read for the catalog columns)"
        elif path.name.startswith("."):
            sidecars[path.name] = "hidden file"
        elif path.suffix.lower() == ".json" and path.stem in report_stems:
            sidecars[path.name] = f"annotation file of the report {path.stem} (read by dangjian evaluate)"
    return sidecars


def doc_ids(paths: list[Path]) -> dict[Path, str]:
    """Each file's doc_id: its stem, or its whole name when another file has the same stem
    (a report saved both as .html and as .pdf)."""
    stems = Counter(p.stem for p in paths)
    return {p: p.stem if stems[p.stem] == 1 else p.name for p in paths}
