"""Saved web pages (``.html``, ``.htm``): the page's text, with the article found by trafilatura.

The reader renders every visible piece of text of the page as lines, the way a browser
breaks them (one line per block element, ``<br>`` and table row), and asks trafilatura,
a maintained main-content extractor, which of them are the article. The other lines
stay in the text but are marked ``excluded`` with a reason read from the enclosing
markup (``data/html_furniture.tsv``: navigation bar, share widget, sidebar, page
footer …), so the cleaner moves them to the ``removed`` table. Scripts, style sheets
and the ``<title>`` element are not text: each is one ``removed`` row with no line
number, holding its start and its size.

The headline is the page line that repeats the headline trafilatura read from the
markup (``og:title``, ``<h1>``, or ``<title>`` minus its site suffix); it is kept as the
report's title line even when trafilatura leaves it out of the article. The headline
and the publication date stated in the markup (``article:published_time``, ``pubdate``
and similar meta tags) are returned as ``markup`` (metadata source ``html_meta``).

Charset, as a browser decides it: the byte-order mark, then ``<meta charset>`` or
``http-equiv`` Content-Type in the first 4 KB, then the detection used for plain text.
GB2312 and GBK are read as GB18030, their superset, since pages labelled GB2312 often
hold GBK characters.

Markup inside the text (``&lt;script&gt;`` written as an entity) is text: it reaches the
tables as the characters ``<script>`` and is escaped wherever it is shown.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

from ...config import DATA_DIR
from ...rules import read_rule_table
from .errors import ReadError
from .plain import BOMS, decode_bytes, line_endings, normalise_newlines

FURNITURE_FILE = DATA_DIR / "html_furniture.tsv"
NOT_MAIN = ("outside the article (not selected by trafilatura)", "html_not_article")
# How much of a script or style sheet a removed row keeps: enough to recognise it.
UNPLACED_PREVIEW_CHARS = 80

_BLOCK_TAGS = frozenset("""address article aside blockquote body caption center dd details dialog dir div dl dt
fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 header hgroup hr html iframe legend li
main menu nav ol p pre section summary table tbody tfoot thead tr ul""".split())
_CELL_TAGS = frozenset({"td", "th"})
_NOT_TEXT = {"script": ("script (not text)", "html_script"), "style": ("style sheet (not text)", "html_style"),
             "noscript": ("noscript fallback (not text)", "html_noscript"),
             "template": ("template (not shown)", "html_template")}
_SKIP_TAGS = frozenset({"head", "title", "meta", "link", "base", "object", "embed", "svg", "math",
                        "canvas", "select", "option", "textarea", "button", "input"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_SPACE = re.compile(r"\s+")
_BULLET = re.compile(r"^[-*•]\s+")


@dataclass(frozen=True)
class MarkupRule:
    rule_id: str
    where: str      # "tag" or "class_id"
    pattern: re.Pattern
    reason: str


@lru_cache(maxsize=1)
def load_markup_rules(path: Path = FURNITURE_FILE) -> tuple[MarkupRule, ...]:
    """The markup rules, validated (``read_rule_table``): where (tag or class_id), a pattern that
    compiles, a reason."""
    rows = read_rule_table(path, ("rule_id", "where", "pattern", "reason"),
                           choices={"where": frozenset({"tag", "class_id"})}, patterns=("pattern",))
    return tuple(MarkupRule(row["rule_id"], row["where"], row["pattern"], row["reason"]) for row in rows)


def decode_page(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding): the BOM, then the page's own charset declaration, then detection."""
    if data.startswith(tuple(bom for bom, _ in BOMS)):
        return decode_bytes(data, name)
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        label = declared.group(1).decode("ascii").lower()
        codec = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
                 "big5": "cp950", "x-big5": "cp950"}.get(label, label)
        try:
            codecs.lookup(codec)
            return data.decode(codec), codec
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown label: detect, as browsers do
    return decode_bytes(data, name)


@dataclass
class _Line:
    parts: list
    element: object          # the block element the line's text belongs to
    heading: str = ""        # "h1" … "h6" when the line is a heading element

    @property
    def text(self) -> str:
        return _SPACE.sub(" ", "".join(self.parts)).strip()


class _Renderer:
    """Visible text as lines, each with the element it came from."""

    def __init__(self):
        self.lines: list[_Line] = []
        self.current: _Line | None = None

    def flush(self):
        if self.current is not None and self.current.text:
            self.lines.append(self.current)
        self.current = None

    def add(self, text: str | None, element):
        if not text:
            return
        if self.current is None:
            heading = next((a.tag for a in _self_and_ancestors(element) if a.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}), "")
            self.current = _Line([], element, heading)
        self.current.parts.append(text)

    def walk(self, element, block):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        # Not shown: comments and processing instructions (no tag), scripts and styles (recorded by
        # set_aside), form controls, hidden elements. The text after them (their tail) is shown.
        shown = tag and tag not in _NOT_TEXT and tag not in _SKIP_TAGS and element.get("hidden") is None
        if tag == "br":
            self.flush()
        elif shown:
            is_block = tag in _BLOCK_TAGS  # a table cell is not: a row's cells share its line
            if is_block:
                self.flush()
            if tag in _CELL_TAGS and self.current is not None and self.current.text:
                self.current.parts.append(" | ")
            owner = element if is_block else block
            self.add(element.text, owner)
            for child in element:
                self.walk(child, owner)
            if is_block:
                self.flush()
        self.add(element.tail, block)


def set_aside(tree) -> list[dict]:
    """One removed row per script, style sheet, noscript and template element, wherever it is."""
    rows = []
    for element in tree.iter(*_NOT_TEXT):
        content = _SPACE.sub(" ", element.text_content() or "").strip()
        source = element.get("src") or element.get("href") or ""
        if not (content or source):
            continue
        reason, rule = _NOT_TEXT[element.tag.lower()]
        more = f" … ({len(content):,} characters)" if len(content) > UNPLACED_PREVIEW_CHARS else ""
        rows.append({"text": content[:UNPLACED_PREVIEW_CHARS] + more if content else f"src={source}",
                     "reason": reason, "rule": rule})
    return rows


def _block_parent(element):
    return element.getparent() if element is not None else None


def _self_and_ancestors(element):
    while element is not None:
        yield element
        element = element.getparent()


def _compact(text: str) -> str:
    """A line as compared with trafilatura's: no spaces, no table bars, no list bullets."""
    return _SPACE.sub("", _BULLET.sub("", text)).replace("|", "")


def _article_lines(page: list[str], article: str) -> set[int]:
    """Indices of the page lines that are the article trafilatura extracted, matched in order."""
    wanted = [c for c in (_compact(line) for line in article.split("\n")) if c]
    have = [_compact(line) for line in page]
    kept: set[int] = set()
    matcher = SequenceMatcher(None, have, wanted, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            kept.update(range(i1, i2))
        elif op == "replace":
            # trafilatura split or joined lines differently: a page line inside the gap's text is kept
            gap, position = "".join(wanted[j1:j2]), 0
            for i in range(i1, i2):
                found = gap.find(have[i], position) if have[i] else -1
                if found >= 0:
                    kept.add(i)
                    position = found + len(have[i])
    # A line with nothing to compare (a lone "|" or bullet) goes with the line before it.
    for i, compact in enumerate(have):
        if not compact and i - 1 in kept:
            kept.add(i)
    return kept


def _reason(element) -> tuple[str, str]:
    rules = load_markup_rules()
    for ancestor in _self_and_ancestors(element):
        tag = ancestor.tag.lower() if isinstance(ancestor.tag, str) else ""
        names = " ".join(filter(None, (ancestor.get("class"), ancestor.get("id"))))
        for rule in rules:
            value = tag if rule.where == "tag" else names
            if value and rule.pattern.search(value):
                return rule.reason, rule.rule_id
    return NOT_MAIN


def read_webpage(data: bytes, name: str) -> dict:
    """The RawReport fields of a saved web page."""
    import lxml.html
    import trafilatura
    from lxml.etree import ParserError

    decoded, encoding = decode_page(data, name)
    endings = line_endings(decoded)
    source = _XML_DECLARATION.sub("", normalise_newlines(decoded))
    try:
        tree = lxml.html.document_fromstring(source)
    except (ParserError, ValueError) as exc:
        raise ReadError(name, f"not a readable HTML page ({exc})") from exc
    renderer = _Renderer()
    title_element = tree.find(".//title")
    page_title = _SPACE.sub(" ", title_element.text_content()).strip() if title_element is not None else ""
    renderer.walk(tree, tree)
    renderer.flush()
    lines = renderer.lines
    if not lines:
        raise ReadError(name, "no text: the page shows no text (an empty page, or one built by scripts)")

    extracted = trafilatura.bare_extraction(
        source, with_metadata=True, include_comments=False, include_tables=True, include_images=False,
        deduplicate=False, date_extraction_params={"extensive_search": False, "original_date": True})
    article = (extracted.text or "") if extracted is not None else ""
    kept = _article_lines([line.text for line in lines], article)

    reasons = {i: _reason(line.element) for i, line in enumerate(lines) if i not in kept}
    furniture = {_compact(lines[i].text) for i, reason in reasons.items() if reason != NOT_MAIN}
    markup = {}
    title = _SPACE.sub(" ", extracted.title or "").strip() if extracted is not None else ""
    site = _compact(extracted.sitename or "") if extracted is not None else ""
    # A <title> that is only the site's name (the logo's text) states no headline.
    if title and _compact(title) not in furniture | {site}:
        markup["title"] = title
    if extracted is not None and extracted.date:
        markup["date"] = extracted.date

    roles = {}
    first_kept = min(kept) if kept else len(lines)
    headline = _compact(markup.get("title", ""))
    for i in range(first_kept - 1, -1, -1):  # the headline: nearest above the article, outside any page furniture
        if reasons[i] == NOT_MAIN and ((headline and _compact(lines[i].text) == headline) or lines[i].heading == "h1"):
            kept.add(i)
            del reasons[i]
            roles[i + 1] = "title"
            # a kicker printed just above the headline, in the same box (山西省国资委“四强”党支部)
            parent = _block_parent(lines[i].element)
            for j in range(i - 1, -1, -1):
                if reasons.get(j) != NOT_MAIN or _block_parent(lines[j].element) is not parent:
                    break
                kept.add(j)
                del reasons[j]
            break
    for i in kept:
        if lines[i].heading and i + 1 not in roles:
            roles[i + 1] = "heading"
    excluded = {i + 1: reason for i, reason in reasons.items()}
    unplaced = set_aside(tree)
    if page_title:
        unplaced.insert(0, {"text": page_title, "reason": "page <title> (documents.title holds the headline "
                                                          "without the site name)", "rule": "html_title"})
    return {"text": "\n".join(line.text for line in lines), "encoding": encoding, "line_endings": endings,
            "excluded": excluded, "roles": roles, "unplaced": tuple(unplaced), "markup": markup}
