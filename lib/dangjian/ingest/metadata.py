"""Metadata: title, date and author, read from the report itself.

Each value comes with how it was found; nothing is guessed. A report whose
text names no author gets an empty author with source ``missing``.

Sources
- title_source: ``html_meta`` (the headline a web page's markup states: ``og:title``,
  ``<h1>``, or ``<title>`` minus the site name, as trafilatura reads them),
  ``title_line`` (the head-zone line the cleaner took as title),
  ``document_site_blurb`` (the title quoted inside a 下面是小编为大家整理的… line),
  ``missing``.
- date_source: ``html_meta`` (a web page's ``article:published_time``, ``pubdate`` or
  similar meta tag, as htmldate reads it), ``metadata_line`` (a 发布时间/日期 line or a bare date line in
  the page head), ``title`` (a year written in the title; precision year),
  ``missing``.
- organization_source: ``headline`` (a unit named in the title; the most mentioned
  one when it names several), ``byline_unit`` (a head or tail line that is only a unit
  name, such as 新运公司党委 under the headline), ``first_sentence`` (the first unit named
  in the opening of the first two body paragraphs), ``headline_place`` (a place the
  headline opens with as its subject: 上海加强…), ``most_mentioned`` (the unit named
  most often), ``missing``. The name is then given in its shortest printed form.
- author_source: ``metadata_line`` (作者:NAME), ``byline`` (文/NAME and similar
  closing lines), ``byline_parentheses`` (a closing (NAME) line),
  ``byline_header`` (NAME | DATE | at the top of the page), ``missing``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from .cleaning import CleanedReport, strip_pinyin, to_simplified
from .organization_finder import organization_finder

_FULL_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_DAY_FIRST_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.((?:19|20)\d{2})(?![\d.])")  # 28.09.2020
# 2025年11月, or 2025-11 standing alone (发布日期:2025-11浏览量: a page that states only the month)
_MONTH_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月|(?<!\d)((?:19|20)\d{2})-(\d{1,2})(?![\d\-/.:])")
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
    organization: str = ""
    organization_source: str = "missing"


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
        if m := _DAY_FIRST_DATE.search(text):
            d, mo, y = (int(g) for g in m.groups())
            if 1 <= mo <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{mo:02d}-{d:02d}", "day"
        if m := _MONTH_DATE.search(text):
            y, mo = (int(g) for g in m.groups() if g is not None)
            if 1 <= mo <= 12:
                return f"{y:04d}-{mo:02d}", "month"
    return None


_LABELLED_MONTH_DAY = re.compile(r"(?:日期|时间|時間)\s*[:：]\s*(\d{1,2})-(\d{1,2})(?![\d\-])")


def _contradicted(date: str, labelled_lines: list[str]) -> bool:
    """True when a labelled date without a year (日期:02-29) gives another day than ``date``.

    E-paper viewers print the day the page is read at the top (2026-01-15 星期四) and the
    article's own day, without its year, in its label; the first is not the report's date.
    """
    for line in labelled_lines:
        if (m := _LABELLED_MONTH_DAY.search(line)) and len(date) == 10:
            return (int(m.group(1)), int(m.group(2))) != (int(date[5:7]), int(date[8:10]))
    return False


def _iso_date(value: str) -> tuple[str, str] | None:
    """(date, precision) of an ISO date as htmldate gives it (2019-11-01)."""
    if m := re.fullmatch(r"((?:19|20)\d{2})-(\d{2})-(\d{2})", value.strip()):
        return m.group(0), "day"
    return None


def extract_metadata(cleaned: CleanedReport, cues: Mapping | None = None) -> Metadata:
    """Title, date, author and organization of a cleaned report; the organization by the cues of
    ``cues`` (``dangjian.cues.load_cues``; the shipped file's when None)."""
    removed = [row for row in cleaned.removed if row["reason"] != "pinyin annotation"]
    def by_rule(*rules):
        return [to_simplified(r["text"]) for r in removed if r["rule"] in rules]

    title, title_source = "", "missing"
    titles = [line.text for line in cleaned.lines if line.role == "title"]
    if cleaned.markup.get("title"):
        title, title_source = to_simplified(strip_pinyin(cleaned.markup["title"])[0]), "html_meta"
    elif titles:
        title, title_source = "".join(titles), "title_line"
    else:
        for blurb in by_rule("doc_site_blurb"):
            if m := _BLURB_TITLE.search(blurb):
                title, title_source = m.group(1).strip(), "document_site_blurb"
                break

    date, precision, date_source = "", "", "missing"
    if found := _iso_date(cleaned.markup.get("date", "")):
        (date, precision), date_source = found, "html_meta"
    elif (found := find_date(by_rule("metadata_line", "date_line", "date_stamp"))) \
            and not _contradicted(found[0], [r["text"] for r in removed if r["rule"] == "metadata_line"]):
        (date, precision), date_source = found, "metadata_line"
    elif title and (m := _TITLE_YEAR.search(title)):
        date, precision, date_source = m.group(1), "year", "title"

    author, author_source = "", "missing"
    candidates = (
        [("metadata_line", m.group(1)) for t in by_rule("metadata_line") if (m := _AUTHOR_LABEL.search(t))]
        + [("byline", m.group(1)) for t in by_rule("byline_label", "head_byline") if (m := _BYLINE_LABEL.match(t))]
        + [("byline_parentheses", m.group(1)) for t in by_rule("byline_parens") if (m := _PARENS.match(t))]
        + [("byline_header", t) for t in by_rule("byline_header")]
    )
    for source, value in candidates:
        if value.strip():
            author, author_source = _name(value), source
            break
    body_lines = [line.text for line in cleaned.lines if line.role != "title"]
    # Byline units: removed menu and byline lines, and short kept lines at either end (新运公司党委 under the
    # headline, (吴中区…党建联盟 供稿) at the foot).
    short_ends = [line for line in body_lines[:3] + body_lines[-2:] if len(line) <= 40 and not re.search("[。，,；;]", line)]
    organization, organization_source = organization_finder(cues).find(
        title, body_lines,
        [to_simplified(r["text"]) for r in removed if r["rule"] in ("navigation_menu", "byline_header", "byline_parens", "byline_label")]
        + short_ends)
    return Metadata(title, title_source, date, precision, date_source, author, author_source,
                    organization, organization_source)
