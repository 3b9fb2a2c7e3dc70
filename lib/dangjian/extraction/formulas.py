"""Numbered formulas (提法): fixed numbered expressions of party language such as
三会一课, 两个维护, 四个意识, 两化一创, 一支部一特色一品牌, “334”工程, 四位一体.

A formula is found when it is
- a quoted digit code (“334”, “13131+X”) that no brand cue claims;
- a quoted name led by a small Chinese numeral (“两化”, “三+”, “六个有力”,
  “四结合”, “三个5”), or made of numeral-syllable pairs (“一支部一特色一品牌”);
- in the lexicon of fixed expressions (十四五, 八项规定, 三会一课 …), quoted or not;
- an unquoted four-character numeral pair (三会一课, 两学一做) or “N个X” with X in
  the counted-heads list (五个标准化).
Every later occurrence of a formula found in a report is a mention too.

Expansions are read where the report gives one: in parentheses right after
(“两化”(标准化、有形化)), after 即 (“三+”项目,即“…”), as a quoted or
enumerated list right before (“A、B、C”五个标准化; A结合、B结合“四结合”), or
as the 一是…N是 items that follow “N个X”.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping

from ..cues import alternation, compiled, load_cues
from ..ingest.units import CHINESE_NUMERALS
from ..ingest.words import on_word_boundaries
from .common import CLAUSE_MARK, COMMA, chinese_to_number, quoted_spans

COLUMNS = ["doc_id", "formula", "expansion", "quoted", "sent_id", "start", "end"]
SMALL = "一二两三四五六七八九十"
LEADING = SMALL + "双"  # 双 leads formulas too (双培双带, 双一献礼)
_DIGIT_CODE = re.compile(r"^[0-9]{2,}(?:[+＋][0-9A-Za-z]+)*$")
_NUMERAL_LED = re.compile(rf"^[{LEADING}]{{1,2}}(?:个)?[\u4e00-\u9fff0-9A-Za-z+＋]{{1,5}}$")
# Numbered segments side by side: 一个支部一项精品工程, 一旗帜、两抓手、三保障, 一机关一品牌 一支部一特色.
_SEGMENTS = re.compile(rf"^(?:[{LEADING}](?:个|名|项|份|件|张)?[^{CHINESE_NUMERALS}\W\d]{{1,4}}[、·\s]?){{2,4}}$")
_PAIRS = re.compile(rf"^(?:[{SMALL}][^{CHINESE_NUMERALS}\W\d]{{1,2}}){{2,4}}$")
# The look-behind follows the first numeral (as in ``FormulaPatterns.counted``), so that the engine scans for it.
_FOUR = re.compile(rf"[{SMALL}](?<!第[{SMALL}])[^{CHINESE_NUMERALS}\W\d][{SMALL}][^{CHINESE_NUMERALS}\W\d]")
# Every numeral with its measure word (一个支部一项精品工程): the parts of a comma-joined pair of formulas.
_COUNTED_SEGMENTS = re.compile(rf"^(?:[{LEADING}](?:个|名|项|份|件|张)[^{CHINESE_NUMERALS}\W\d]{{1,4}}){{2,4}}$")
_PLUS = re.compile(r"^(?:[0-9A-Za-z]+|[\u4e00-\u9fff]{1,2})(?:[+＋](?:[0-9A-Za-z]+|[\u4e00-\u9fff]{1,2})){1,4}$")
_PREDICATE = re.compile("[是就的]")  # 一个党员就是一面旗帜 is a slogan, not a formula
_ENUM_ITEM = re.compile(rf"^([{SMALL}])是(.+?)[。；;]?$")
_LEADING_NUMERALS = re.compile(rf"^[{CHINESE_NUMERALS}双]+")
_LARGE_NUMERALS = re.compile("[百千万亿]")
# A part of a + name that is a number or a single letter (1+N, 党建+金融+X): a numbered formula's code
PLUS_CODE_PART = re.compile(r"(?:^|[+＋])(?:[0-9]+|[A-Za-z])(?:$|[+＋])")
_LEADING_NUMERAL = re.compile(rf"[{LEADING}]")
_SMALL_NUMERALS = re.compile(rf"[{SMALL}]+")
_PLUS_OR_LIST = re.compile(r"[+＋、]")
_PARENTHESISED_AFTER = re.compile(r"^”?[(（]([^)）]{2,60})[)）]")          # 三会一课（…）
_NAMELY_AFTER = re.compile(r"^”?[^，,。；;“]{0,6}[，,]?即[:：]?“([^”]{2,80})”")  # …，即“…”
_QUOTED_BEFORE = re.compile(r"“([^“”]{4,120})”(?:的)?$")                  # “…、…”的三个…


class FormulaPatterns:
    """The formula cues of one cues object, compiled (``formula_patterns`` builds them once per object)."""

    def __init__(self, cues: Mapping):
        c = cues["formulas"]
        self.lexicon = re.compile(alternation(c["lexicon"]))
        # The look-behind follows the numeral rather than preceding it, so that the pattern starts with a
        # character class, which the engine scans for instead of trying every position.
        self.counted = re.compile(rf"[{SMALL}](?<!第[{SMALL}])个(?:{alternation(c['counted_heads'])})")
        self.lead = re.compile(rf"^(?:{alternation(c['expansion_lead_verbs'])})")
        self.not_formula = re.compile(
            rf"^(?:{alternation(c['not_formula_prefixes'])}|[{SMALL}]大(?:{alternation(c['not_formula_after_big'])}))")


def formula_patterns(cues: Mapping | None = None) -> FormulaPatterns:
    """The compiled formula cues of ``cues`` (the shipped file's when None)."""
    return compiled(cues or load_cues(), "formulas", FormulaPatterns)


# Cached within one report (cleared by ``extract_all``, as ``quoted_spans`` is): brands and formulas
# test each quoted name up to five times between them.
@lru_cache(maxsize=8192)
def looks_like_formula(name: str, anywhere: bool = False, patterns: FormulaPatterns | None = None) -> bool:
    """True for a name that is itself a numbered formula (or, with anywhere, contains one)."""
    patterns = patterns or formula_patterns()
    if anywhere:
        return bool(patterns.lexicon.search(name) or patterns.counted.search(name) or _FOUR.search(name))
    if _DIGIT_CODE.match(name) or is_fixed_formula(name, patterns):
        return True
    if patterns.not_formula.match(name):
        return False
    if _NUMERAL_LED.match(name):
        numerals = _LEADING_NUMERALS.match(name).group(0)
        return not _LARGE_NUMERALS.search(numerals) and len(name) <= 6  # 五百强 is a ranking, not a formula
    if _PLUS.match(name) and PLUS_CODE_PART.search(name):
        return True  # 1+N, 党建+金融+X: short parts joined by +, one a number or a letter
    return bool(_SEGMENTS.match(name) and len(_LEADING_NUMERAL.findall(name)) >= 2 and not _PREDICATE.search(name))


@lru_cache(maxsize=8192)
def is_fixed_formula(name: str, patterns: FormulaPatterns | None = None) -> bool:
    """In the lexicon, or made of numeral-syllable pairs (两化一创): a formula even before 品牌."""
    patterns = patterns or formula_patterns()
    return bool(patterns.lexicon.fullmatch(name) or _PAIRS.match(name))


def count_of(formula: str) -> int | None:
    """The count a formula announces (六个有力 → 6), when it has exactly one numeral."""
    numerals = _SMALL_NUMERALS.findall(formula)
    if len(numerals) == 1 and formula.startswith(numerals[0]):
        return chinese_to_number(numerals[0])
    return None


def split_items(text: str, count: int | None = None) -> list[str]:
    """Items of a list written with 、 (or + when that gives the announced count)."""
    by_comma = [item.strip() for item in text.split("、") if item.strip()]
    if len(by_comma) == count or (count is None and len(by_comma) > 1):
        return by_comma
    by_plus = [item.strip() for item in _PLUS_OR_LIST.split(text) if item.strip()]
    return by_plus if count is None or len(by_plus) == count else by_comma


def expansion_at(sentence: str, start: int, end: int, formula: str, patterns: FormulaPatterns | None = None) -> str:
    """The expansion the sentence gives for the formula at [start, end), or ""."""
    lead = (patterns or formula_patterns()).lead
    count = count_of(formula)
    after, before = sentence[end:], sentence[:start]
    if m := _PARENTHESISED_AFTER.match(after):
        return m.group(1)
    if m := _NAMELY_AFTER.match(after):
        return m.group(1)
    if m := _QUOTED_BEFORE.search(before):
        items = split_items(m.group(1), count)
        if len(items) >= 2 and (count is None or len(items) == count):
            return m.group(1)
    clause = CLAUSE_MARK.split(before.rstrip("“"))[-1]
    items = clause.split("、")
    if count and len(items) == count and len(items) >= 2:
        items[0] = lead.sub("", items[0])
        return "、".join(items)
    return ""


def _enumerated_expansion(sentences: list[str], index: int, formula: str) -> str:
    """一是A。…N是B。 in the sentences after a “N个X” formula."""
    count = count_of(formula)
    if not count or "个" not in formula:
        return ""
    items, expected = [], 1
    for text in sentences[index + 1:index + 1 + 4 * count]:
        m = _ENUM_ITEM.match(text)
        if m and chinese_to_number(m.group(1)) == expected:
            items.append(m.group(2))
            expected += 1
            if expected > count:
                return "、".join(items)
    return ""


def joined_formulas(quoted: str, patterns: FormulaPatterns | None = None) -> list[tuple[int, str]]:
    """(offset, part) of each numbered formula in a quote that joins several: with a comma
    (“一个支部一项精品工程,一名党员一份优秀业绩”) or with 、 when every part is a formula of its own
    (“三星达标级、四星晋位级、五星标杆级”, not the steps of one: “一学、二做”); empty otherwise."""
    parts = COMMA.split(quoted)
    if len(parts) < 2 or not all(_COUNTED_SEGMENTS.match(p.strip()) for p in parts):
        parts = quoted.split("、")
        if len(parts) < 2 or not all(len(p) >= 4 and looks_like_formula(p, False, patterns) for p in parts):
            return []
    out, offset = [], 0
    for part in parts:
        out.append((offset, part))
        offset += len(part) + 1
    return out


def _candidates(sentence: str, patterns: FormulaPatterns) -> list[tuple[int, int, str, bool]]:
    """(start, end, formula, quoted) found in one sentence, before propagation."""
    lexicon = patterns.lexicon
    found = []
    for q in quoted_spans(sentence):
        name = q.inner.strip()
        if parts := joined_formulas(q.inner, patterns):
            found += [(q.open + 1 + offset, q.open + 1 + offset + len(part), part, True) for offset, part in parts]
        elif looks_like_formula(name, False, patterns):
            found.append((q.open + 1, q.close, name, True))
    for pattern in (lexicon, patterns.counted, _FOUR):
        for m in pattern.finditer(sentence):
            if patterns.not_formula.match(sentence, m.start()):
                continue
            if pattern is not lexicon and not on_word_boundaries(sentence, m.start(), m.end()):
                continue  # 十年一以(贯之), 一对一精(准), 十届三中(全会): four characters cut out of longer words
            found.append((m.start(), m.end(), m.group(0), False))
    return found


def formula_rows(records, cues: Mapping | None = None) -> list[dict]:
    """The formulas table as rows, by the formula cues of ``cues`` (the shipped file's when None)."""
    patterns = formula_patterns(cues)
    by_doc: dict[str, list] = {}
    for record in records:
        by_doc.setdefault(record.doc_id, []).append(record)
    rows = []
    for doc_id, doc_sentences in by_doc.items():
        sentences = [r.text for r in doc_sentences]
        found: dict[str, str] = {}
        for i, sentence in enumerate(sentences):
            for start, end, formula, quoted in _candidates(sentence, patterns):
                expansion = (expansion_at(sentence, start, end, formula, patterns)
                             or _enumerated_expansion(sentences, i, formula))
                if formula not in found or (expansion and not found[formula]):
                    found[formula] = expansion
        if not found:
            continue
        # Every occurrence of every formula found, longest first, none inside another.
        pattern = re.compile(alternation(found))
        for row in doc_sentences:
            quotes = [(q.open + 1, q.close) for q in quoted_spans(row.text)]
            for m in pattern.finditer(row.text):
                rows.append({"doc_id": doc_id, "formula": m.group(0), "expansion": found[m.group(0)],
                             "quoted": (m.start(), m.end()) in quotes, "sent_id": row.sent_id,
                             "start": row.start + m.start(), "end": row.start + m.end()})
    return rows
