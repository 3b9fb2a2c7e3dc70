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
from functools import lru_cache
from itertools import combinations

from .cleaning import CleanedReport, strip_pinyin, to_simplified
from ..extraction.common import CHINESE_NUMERALS, UnitFinder, load_cues

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


def extract_metadata(cleaned: CleanedReport) -> Metadata:
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
    organization, organization_source = find_organization(
        title, body_lines,
        [to_simplified(r["text"]) for r in removed if r["rule"] in ("navigation_menu", "byline_header", "byline_parens", "byline_label")]
        + short_ends)
    return Metadata(title, title_source, date, precision, date_source, author, author_source,
                    organization, organization_source)


@dataclass(frozen=True)
class _OrganizationRules:
    finder: UnitFinder
    generic: frozenset
    first_chars: int
    not_first: tuple
    count_start: re.Pattern
    continuations: tuple
    subject_markers: tuple
    suffixes: tuple
    bare_words: tuple     # longest first
    phrase_words: tuple
    cut_starts: tuple
    giver_after: tuple
    giver_before: tuple
    not_first_tags: frozenset
    place_suffixes: tuple
    most_mentioned_min: int
    host_events: tuple
    host_verbs: tuple


@lru_cache(maxsize=1)
def _organization_rules() -> _OrganizationRules:
    """The organization cues of ``extraction_cues.yaml``, read once per process."""
    cues = load_cues()
    org = cues["organizations"]
    from .organizations import place_words_holding

    finder = UnitFinder({"units": {**cues["units"], "suffixes": org["suffixes"], "stop_chars": org["stop_chars"],
                                   "bare_units": []}}, kept_words=place_words_holding(org["stop_chars"]))
    return _OrganizationRules(finder, frozenset(org["generic"]), org["first_sentence_chars"], tuple(org["not_first"]),
                              re.compile(org["count_start"]),
                              tuple(org["not_unit_end"]), tuple(org["subject_markers"]), tuple(org["suffixes"]),
                              tuple(sorted(org["bare_words"], key=len, reverse=True)), tuple(org["phrase_words"]),
                              tuple(org["cut_starts"]), tuple(org["giver_after"]), tuple(org["giver_before"]),
                              frozenset(org["not_first_tags"]), tuple(org["place_suffixes"]), org["most_mentioned_min"],
                              tuple(org["host_events"]), tuple(org["host_verbs"]))


def _unit_mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of the organization names in ``text``."""
    rules = _organization_rules()
    found = []
    for start, end, original in rules.finder.mentions(text):
        if not (name := _name_of_mention(original)):
            continue
        if text.startswith(rules.continuations, end):
            continue  # 中心城市, 中心工作: the suffix begins a longer noun
        if text.startswith(rules.giver_after, end) or text[max(0, start - 3):start].endswith(rules.giver_before):
            continue  # the body that awards or reports (被…评为, …授予), not the unit the report is about
        if start and text[start - 1] in "”\"’":
            continue  # “强履约”型…党支部: a name cut at a quotation, the quoted word before it being part of a title
        clause_end = _CLAUSE_END.search(text, end, end + 80)
        clause = text[end:clause_end.start() if clause_end else end + 80]
        if clause.endswith(rules.host_verbs) and any(word in clause for word in rules.host_events):
            continue  # the body that hosts a contest (…评选决赛在某地举办)
        found.append((start, end, name))
    return found


def _name_of_mention(original: str) -> str:
    """The unit name a mention as printed stands for (its leading 各该本全 and a verb swept in dropped),
    or "" when its own words say it names no unit (a generic word, a count, a word no name opens with)."""
    rules = _organization_rules()
    if original.startswith(rules.not_first) or rules.count_start.match(original):
        return ""
    name = _without_leading_verb(original.lstrip("各该本全"))
    if name and name not in rules.generic and len(name) >= 3 and not name.startswith(rules.not_first) \
            and not rules.count_start.match(name):
        return name
    return ""


def _units_in(text: str) -> list[str]:
    return [name for _, _, name in _unit_mentions(text)]


def _subject(text: str) -> str:
    """The first organization named as the subject of a clause (集团公司党委以…, 该中心党委着力…),
    else the first named at all."""
    mentions = _unit_mentions(text)
    # A unit printed straight after another is its sub-unit, named with its parent first
    # (某油田公司某研究所党支部): the sub-unit is the subject.
    mentions = [m for k, m in enumerate(mentions) if not (k + 1 < len(mentions) and mentions[k + 1][0] == m[1])]
    for _, end, name in mentions:
        if text.startswith(_organization_rules().subject_markers, end):
            return name
    return mentions[0][2] if mentions else ""


ORGANIZATION_SCAN_CHARS = 20_000
_CLAUSE_END = re.compile("[，,。；;！？!?\n]")
_VERB_TAGS = {"v", "vn", "vd", "d", "ad", "p", "c"}
_PROPER_TAGS = {"ns", "nt", "nr", "nz"}


@lru_cache(maxsize=4096)
def _without_leading_verb(name: str) -> str:
    """驱动南钢集团 → 南钢集团: a verb that the unit pattern swept in, found by jieba's part-of-speech
    dictionary; dropped only when a proper noun follows, so that 供电公司 stays whole."""
    if len(name) < 5:
        return name
    pairs = part_of_speech(name, hmm=True)  # 南钢 is in no dictionary; the HMM keeps it one proper noun
    if len(pairs) > 2 and pairs[0][1] in _VERB_TAGS and pairs[1][1] in _PROPER_TAGS:
        return name[len(pairs[0][0]):]
    return name


def part_of_speech(text: str, hmm: bool) -> list[tuple[str, str]]:
    """(word, tag) pairs with jieba's dictionary tags. rjieba (jieba-rs) has jieba's dictionary
    and loads in a third of a second, where Python jieba's tagger takes two: a cost every build
    worker pays before its first report."""
    import rjieba

    return rjieba.tag(text, hmm)


def _is_subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(ch in chars for ch in short)


_ADMIN_LEVELS = "省市县区"


def shortest_form(name: str, mentions: list[str]) -> str:
    """The shortest printed form of ``name`` (the annotation guide's choice) that differs from it only
    by administrative-level characters a place name often goes without (德州市供电公司 → 德州供电公司,
    printed as the start of 德州供电公司党委书记)."""
    forms = set()
    for mention in mentions:
        forms.update(mention[:end] for end in range(4, len(mention) + 1))
    shorter = [m for m in forms if len(m) < len(name) and m[-1] == name[-1] and _is_subsequence(m, name)
               and all(ch in _ADMIN_LEVELS for ch in _dropped(m, name))]
    return min(shorter, key=lambda m: (len(m), m)) if shorter else name


def _dropped(short: str, long: str) -> str:
    """The characters of ``long`` that ``short`` (a subsequence of it) leaves out, matched greedily."""
    out, i = [], 0
    for ch in long:
        if i < len(short) and short[i] == ch:
            i += 1
        else:
            out.append(ch)
    return "".join(out)


def _opening(lines: list[str], limit: int = ORGANIZATION_SCAN_CHARS) -> str:
    """The first ``limit`` characters of the lines joined by newlines, joining no more lines than that needs."""
    taken, size = [], 0
    for line in lines:
        if size >= limit:
            break
        taken.append(line)
        size += len(line) + 1
    return "\n".join(taken)[:limit]


def find_organization(title: str, body_lines: list[str], byline_lines: list[str]) -> tuple[str, str]:
    """The organization the report is about, in its shortest printed form, and where it was found
    (see ``organization_source``): the first candidate, in the order of the sources, that is a
    unit's name. A name cut at its start (市人民医院, 省公司) becomes the fullest name the text prints
    ending in it; a bare unit type (院党委, 项目党支部) and a clause read as a name are passed over.
    Empty rather than wrong."""
    opening = _opening(body_lines)
    window = title + "\n" + opening
    for name, source in _candidates(title, body_lines, byline_lines, opening):
        if name := organization_name(name, window, source):
            if _shorter_form_printed(name, window):
                name = shortest_form(name, _units_in(window))
            return name, source
    return "", "missing"


@lru_cache(maxsize=8192)
def is_bare(name: str) -> bool:
    """Is ``name`` made only of generic words (公司党委, 省公司, 项目党支部, **党委)?"""
    words, rest = _organization_rules().bare_words, name
    while rest:
        word = next((w for w in words if rest.endswith(w)), None)
        if word is None:
            return False
        rest = rest[:-len(word)]
    return True


@lru_cache(maxsize=8192)
def _clause_like(name: str, verb_first: bool = False) -> bool:
    """Does ``name`` hold a word no unit name holds, or begin with a word of two or more characters
    that is a verb, adverb, preposition, conjunction or adjective (a clause cut in the middle)?
    With ``verb_first`` a verb may begin a name (安装分公司: a unit named for its trade)."""
    rules = _organization_rules()
    if any(word in name for word in rules.phrase_words):
        return True
    pairs = part_of_speech(name, hmm=True)
    tags = rules.not_first_tags - {"v"} if verb_first else rules.not_first_tags
    # a one-character first word is often part of a proper name jieba does not know (准能集团)
    return bool(pairs) and len(pairs[0][0]) >= 2 and pairs[0][1] in tags


@lru_cache(maxsize=1)
def _clause_start() -> re.Pattern:
    """A phrase word or subject marker: where a clause begins inside a name read too long."""
    rules = _organization_rules()
    return re.compile("|".join(map(re.escape, rules.phrase_words + rules.subject_markers)))


def organization_name(name: str, window: str, source: str = "", endings: tuple[str, ...] = (),
                      verb_first: bool = False) -> str:
    """``name`` if it is a unit's name; for a name cut at its start (市人民医院, 省公司), the fullest name
    ``window`` prints ending in it; else "". A headline's place may end in 市 or 县 (渭南市).
    ``endings``: unit types a name may also end in, beside the organizations' own; ``verb_first``:
    a verb may begin the name (安装分公司), where the words before it have already been cut off."""
    rules = _organization_rules()
    endings = rules.suffixes + endings + (rules.place_suffixes if source == "headline_place" else ())
    # 盐城市局开展全市…党支部: the name is what stands before the clause's verb
    if cut := _clause_start().search(name, 2):
        head = name[:cut.start()]
        name = head if head.endswith(rules.suffixes) else name
    if not name or not name.endswith(endings) or _clause_like(name, verb_first) or (name[0] in CHINESE_NUMERALS and len(name) < 5):
        return ""  # a short name opening with a numeral is a formula's piece (一机关一品牌)
    if not name.startswith(rules.cut_starts):
        # a bare type (公司党委, 项目党支部) is left empty: the fuller names a report prints for it are
        # as often its sub-units (三华劳务公司党委) as itself
        return "" if is_bare(name) else name
    fuller: dict[str, int] = {}
    at = window.find(name)
    while at != -1:
        span = window[max(0, at - 12):at + len(name)]
        for _, end, original in rules.finder.mentions(span):
            if end == len(span) and len(original) > len(name) and original.endswith(name):
                form = _without_leading_verb(original.lstrip("各该本全"))
                if not (is_bare(form) or form.startswith(rules.cut_starts) or form.startswith(rules.not_first)
                        or _clause_like(form, verb_first)):
                    fuller[form] = fuller.get(form, 0) + 1
        at = window.find(name, at + 1)
    return max(fuller, key=lambda form: (fuller[form], len(form))) if fuller else ""


def _shorter_form_printed(name: str, text: str) -> bool:
    """Does ``text`` print ``name`` without some of its administrative-level characters?

    ``shortest_form`` can only return such a form, so when none is printed the report's unit
    mentions need not be found again (most names have no 省市县区 at all).
    """
    levels = [i for i, ch in enumerate(name) if ch in _ADMIN_LEVELS]
    if len(levels) > 6:
        return True  # too many forms to try; let shortest_form look
    for k in range(1, len(levels) + 1):
        for dropped in combinations(levels, k):
            if "".join(ch for i, ch in enumerate(name) if i not in dropped) in text:
                return True
    return False


def _candidates(title: str, body_lines: list[str], byline_lines: list[str], text: str):
    """(name, source) of the possible organizations, most telling first. ``text`` is the body's opening
    (``_opening``): the organization a report is about is named there, and scanning a bounded window
    keeps a long report's cost linear (counting every name over the whole text would not be)."""
    first_chars = _organization_rules().first_chars

    def by_mentions(names: list[str]) -> list[tuple[str, int]]:
        """(name, times ``text`` prints it), most printed first; a stable sort keeps ties in the
        order of their first mention."""
        counts = {name: text.count(name) for name in dict.fromkeys(names)}
        return sorted(counts.items(), key=lambda item: -item[1])

    for name, _ in by_mentions(_units_in(title)):
        yield name, "headline"
    for line in byline_lines:
        stripped = re.sub(r"^[（(]|\s*(?:供稿|供图|撰稿)?[）)]$|\s*(?:供稿|供图)$", "", line).strip()
        if (names := _units_in(re.sub("[“”‘’]", "", stripped))) and names[0] == re.sub("[“”‘’]", "", stripped):
            yield stripped, "byline_unit"
    body = [line for line in body_lines if len(line) > 20]
    for paragraph in body[:2]:
        # the unit the report defines a short name for (…运营分公司(以下简称某某运营分公司)) is its subject
        for m in _DEFINED_SHORT_NAME.finditer(paragraph[:first_chars * 2]):
            if (names := _units_in(m.group(1))) and names[-1] == m.group(1):
                yield m.group(1), "defined_short_name"
    subjects = [name for paragraph in body[:2] if (name := _subject(paragraph[:first_chars]))]
    if len(subjects) == 2 and subjects[1].endswith(_BRANCH_ENDINGS) and not subjects[0].endswith(_BRANCH_ENDINGS) \
            and _is_group_level(subjects[0]):
        subjects.reverse()  # the opening sets its group's scene; the next paragraph names the branch it is about
    for name in subjects:
        yield name, "first_sentence"
    rules = _organization_rules()
    if place := _leading_place(title):
        suffix = "|".join(map(re.escape, rules.place_suffixes))
        if m := re.search(f"{re.escape(place)}(?:{suffix})", title + "\n" + text):
            yield m.group(0), "headline_place"
    for name, n in by_mentions(_units_in(text)):
        if n >= rules.most_mentioned_min:
            yield name, "most_mentioned"


_DEFINED_SHORT_NAME = re.compile(r"[（(]\s*(?:以下)?简称[:：]?\s*[“\"]?([^）)”\"]{3,30})[”\"]?\s*[）)]")
_BRANCH_ENDINGS = ("党支部", "党总支", "党支部委员会", "党总支委员会")


def _is_group_level(name: str) -> bool:
    """Is ``name`` an enterprise group or one of its well-known units in the shipped directory?"""
    from .organizations import core_name, load_directory

    core = core_name(name)
    found = load_directory().of_name(core) if core else None
    return bool(found) and len(core) <= len(found[1]) + 4


def _leading_place(title: str) -> str:
    """A place that a headline opens with as its subject (陕西渭南以村企联建… → 渭南, 上海加强… → 上海):
    the last of the place names (jieba's ``ns``) that start the headline, when a verb or 以 follows."""
    if not title:
        return ""
    # HMM off: the places are dictionary words, and jieba-rs's HMM can glue a preposition (以) to
    # an unknown word after it, hiding the preposition the rule looks for
    pairs = part_of_speech(title[:20], hmm=False)
    places = []
    for word, tag in pairs:
        if tag == "ns":
            places.append(word)
            continue
        break
    rest = pairs[len(places):]
    if places and rest and (rest[0][1].startswith("v") or rest[0][0] in ("以", "在", "把", "将")) and len(places[-1]) >= 2:
        return places[-1]
    return ""
