"""Metadata: title, date and author, read from the report itself.

Each value comes with how it was found; nothing is guessed. A report whose
text names no author gets an empty author with source ``missing``.

Sources
- title_source: ``title_line`` (the head-zone line the cleaner took as title),
  ``document_site_blurb`` (the title quoted inside a 下面是小编为大家整理的… line),
  ``missing``.
- date_source: ``metadata_line`` (a 发布时间/日期 line or a bare date line in
  the page head), ``title`` (a year written in the title; precision year),
  ``missing``.
- author_source: ``metadata_line`` (作者:NAME), ``byline`` (文/NAME and similar
  closing lines), ``byline_parentheses`` (a closing (NAME) line),
  ``byline_header`` (NAME | DATE | at the top of the page), ``missing``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .cleaning import CleanedReport, to_simplified

_FULL_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_MONTH_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月")
_TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_BLURB_TITLE = re.compile(r"(?:整理|收集|精选|带来)的(.+?)(?:[(（][^)）]*[)）])?\s*[,，]?\s*(?:供大家参考|供您参考|希望|欢迎|仅供参考)")
_AUTHOR_LABEL = re.compile(r"作者\s*[:：]\s*([^\s:：|｜]+?)(?=\s|$|来源|日期|发布|阅读|编辑|[|｜])")
_BYLINE_LABEL = re.compile(r"^(?:文|作者|记者|通讯员|撰稿|供稿)\s*[/:：／]\s*(.+)$")
_PARENS = re.compile(r"^[（(]\s*(.+?)\s*[）)]$")


@dataclass(frozen=True)
class Metadata:
    title: str
    title_source: str
    date: str            # ISO 8601 at its real precision: 2019-11-01, 2019-11 or 2019
    date_precision: str  # day, month, year or "" when missing
    date_source: str
    author: str
    author_source: str


def _name(text: str) -> str:
    """A byline name in simplified script, spaces between Han characters dropped (電 宣 → 电宣)."""
    text = to_simplified(text.strip())
    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", text)


def find_date(texts: list[str]) -> tuple[str, str] | None:
    for text in texts:
        if m := _FULL_DATE.search(text):
            y, mo, d = (int(g) for g in m.groups())
            if 1 <= mo <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{mo:02d}-{d:02d}", "day"
        if m := _MONTH_DATE.search(text):
            y, mo = (int(g) for g in m.groups())
            if 1 <= mo <= 12:
                return f"{y:04d}-{mo:02d}", "month"
    return None


def extract_metadata(cleaned: CleanedReport) -> Metadata:
    removed = [row for row in cleaned.removed if row["reason"] != "pinyin annotation"]
    by_rule = lambda *rules: [to_simplified(r["text"]) for r in removed if r["rule"] in rules]

    title, title_source = "", "missing"
    titles = [line.text for line in cleaned.lines if line.role == "title"]
    if titles:
        title, title_source = titles[0], "title_line"
    else:
        for blurb in by_rule("doc_site_blurb"):
            if m := _BLURB_TITLE.search(blurb):
                title, title_source = m.group(1).strip(), "document_site_blurb"
                break

    date, precision, date_source = "", "", "missing"
    if found := find_date(by_rule("metadata_line", "date_line")):
        (date, precision), date_source = found, "metadata_line"
    elif title and (m := _TITLE_YEAR.search(title)):
        date, precision, date_source = m.group(1), "year", "title"

    author, author_source = "", "missing"
    candidates = (
        [("metadata_line", m.group(1)) for t in by_rule("metadata_line") if (m := _AUTHOR_LABEL.search(t))]
        + [("byline", m.group(1)) for t in by_rule("byline_label") if (m := _BYLINE_LABEL.match(t))]
        + [("byline_parentheses", m.group(1)) for t in by_rule("byline_parens") if (m := _PARENS.match(t))]
        + [("byline_header", t) for t in by_rule("byline_header")]
    )
    for source, value in candidates:
        if value.strip():
            author, author_source = _name(value), source
            break
    return Metadata(title, title_source, date, precision, date_source, author, author_source)
