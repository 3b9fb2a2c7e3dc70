"""Cleaning: separate web-page furniture from the report, strip converter
pinyin, fold whitespace and convert traditional script to simplified.

The decoded text is never edited in place. Each non-blank line is either kept
(as a ``KeptLine`` holding both its original and its simplified form) or
removed whole with a reason; pinyin annotations stripped from kept lines are
removed pieces too. Every removed piece becomes a row of the ``removed`` table,
so the decoded text can be rebuilt from what was kept plus what was removed
(see ``tests/test_conservation.py``).

Rules come from ``data/furniture.tsv`` (editable) and match the simplified,
pinyin-free, whitespace-folded form of a line, so each is written once, in
simplified script. Zones: ``any`` rules apply everywhere; ``head`` rules only
before the first prose line; ``tail`` rules only after the last prose line.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..config import DATA_DIR
from ..rules import read_rule_table
from .reading import RawReport

# tw2s, not t2s: t2s leaves 著 in 随著 and 朝著 (benchmarks/compare_opencc.py measures both on the traditional reports)
OPENCC_CONFIG = "tw2s"
FURNITURE_FILE = DATA_DIR / "furniture.tsv"

# A line is prose (the body has begun) when it is at least this long and has a
# sentence-final mark; titles and menus have neither.
PROSE_MIN_CHARS = 20
_SENTENCE_FINAL = re.compile(r"[。！？!?]|(?<=[\u4e00-\u9fff])\.")  # some pages end sentences with an ASCII full stop
# Head-zone lines this short and without punctuation are menu items, not titles.
MENU_MAX_CHARS = 12
TITLE_MIN_CHARS = 8
TITLE_MAX_CHARS = 60

_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff"
_SPACE_CHARS = r"\s\u00a0\u3000"
_ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH_CHARS}]")
_WHITESPACE = re.compile(f"[{_SPACE_CHARS}]+")
_TO_FOLD = re.compile(f"[{_SPACE_CHARS}{_ZERO_WIDTH_CHARS}]")  # a character either of them would change

# Converter sites (zh-hans -> zh-hant pages) leave a pinyin reading after some
# characters: 當(dāng)前. Only a valid pinyin syllable in half- or full-width
# parentheses straight after a Han character is taken. A damaged form, where the
# site printed "?" for the opening parenthesis and the character it could not
# encode, is taken too: 重?fù)?dān) (seed 001).
_PINYIN_SYLLABLE = re.compile(
    r"^(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|er|in|un|vn|ia|ie|iu|ua|uo|ui|ve|ue|a|o|e|i|u|v|ng|n|m)$"
)
_PINYIN_ANNOTATION = re.compile(
    r"(?<=[\u3400-\u9fff?？)）])(?:[(（]|\?)([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,6})[)）]"
)
_TONE_MARKS = set("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ")


def fold_whitespace(line: str) -> str:
    """Drop zero-width characters, collapse whitespace runs to one space, strip."""
    if not _TO_FOLD.search(line):
        return line  # nothing to drop, collapse or strip (re's \s is str.isspace)
    return _WHITESPACE.sub(" ", _ZERO_WIDTH.sub("", line)).strip()


@lru_cache(maxsize=4096)  # a closed set: a few hundred syllables, each with its tones
def is_pinyin(word: str) -> bool:
    """True for one pinyin syllable, with tone marks, or toneless of two letters or more."""
    plain = unicodedata.normalize("NFD", word.replace("ü", "v"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    has_tone = any(ch in _TONE_MARKS for ch in word)
    return bool(_PINYIN_SYLLABLE.match(plain)) and (has_tone or len(plain) >= 2)


def strip_pinyin(line: str) -> tuple[str, list[tuple[int, str]]]:
    """Return the line without pinyin annotations and [(column, annotation)] removed.

    Columns are offsets into the line given, so re-inserting the annotations in
    order restores it exactly.
    """
    if ")" not in line and "）" not in line:
        return line, []  # an annotation ends with a closing parenthesis
    pieces: list[tuple[int, str]] = []
    out: list[str] = []
    last = 0
    for match in _PINYIN_ANNOTATION.finditer(line):
        if not is_pinyin(match.group(1)):
            continue
        out.append(line[last:match.start()])
        pieces.append((match.start(), match.group(0)))
        last = match.end()
    out.append(line[last:])
    return "".join(out), pieces


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC(OPENCC_CONFIG)


def to_simplified(text: str) -> str:
    return _converter().convert(text)


@dataclass(frozen=True)
class FurnitureRule:
    rule_id: str
    zone: str
    reason: str
    pattern: re.Pattern


def load_rules(path: Path = FURNITURE_FILE) -> list[FurnitureRule]:
    """The furniture rules, validated (``read_rule_table``): a zone of any, head or tail, a reason,
    a pattern that compiles."""
    rows = read_rule_table(path, ("rule_id", "zone", "reason", "pattern"), choices={"zone": _ZONES},
                           patterns=("pattern",))
    return [FurnitureRule(row["rule_id"], row["zone"], row["reason"], row["pattern"]) for row in rows]


_ZONES = frozenset({"any", "head", "tail"})


@dataclass
class KeptLine:
    line_no: int          # 1-based line number in the decoded text
    original: str         # folded, pinyin removed, original script
    text: str             # the same, simplified
    role: str = "body"    # "title" when the head zone names one; "heading" when the file's format says so


@dataclass
class CleanedReport:
    doc_id: str
    lines: list[KeptLine]
    removed: list[dict]   # rows of the removed table
    script: str           # simplified, traditional, mixed or none
    n_converted: int      # characters changed by the script conversion
    settings: dict = field(default_factory=dict)
    markup: dict = field(default_factory=dict)  # title and date the file's markup states (RawReport.markup)


SCRIPT_SAMPLE_CHARS = 4000  # enough text to tell traditional from mixed script


def detect_script(original: str, simplified: str) -> tuple[str, int]:
    """Classify by the share of Han characters OpenCC had to change.

    t2s leaves simplified text alone, while s2t changes a large share of it;
    traditional text is the reverse. Both shares high means mixed script. The
    s2t share is measured on the first ``SCRIPT_SAMPLE_CHARS`` characters, and
    only when the t2s share does not already say "simplified".
    """
    # Code points as arrays: counting per character in Python costs a millisecond a report.
    before, after = _code_points(original), _code_points(simplified)
    aligned = min(len(before), len(after))
    changed = int(np.count_nonzero(before[:aligned] != after[:aligned])) + abs(len(before) - len(after))
    han = _n_han(before)
    if not han:
        return "none", changed
    if changed / han < 0.01:
        return "simplified", changed
    sample_points = before[:SCRIPT_SAMPLE_CHARS]
    is_simplified_only = _changed_by_s2t()
    simplified_only = int(np.count_nonzero(is_simplified_only[np.minimum(sample_points, len(is_simplified_only) - 1)]))
    if simplified_only / (_n_han(sample_points) or 1) < 0.10:
        return "traditional", changed
    return "mixed", changed


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _n_han(points: np.ndarray) -> int:
    return int(np.count_nonzero((points >= 0x3400) & (points <= 0x9FFF)))


@lru_cache(maxsize=1)
def _changed_by_s2t() -> np.ndarray:
    """A lookup by code point (up to U+A000, the last Han block): is this a Han character that OpenCC's
    s2t changes when it converts it alone (a simplified-only character)? Looking a sample's
    characters up costs microseconds where converting the sample cost a millisecond a report; the
    table is built once per process, from OpenCC itself, each character on its own line so that no
    phrase joins two."""
    import opencc

    chars = [chr(point) for point in range(0x3400, 0xA000)]
    converted = opencc.OpenCC("s2t").convert("\n".join(chars)).split("\n")
    table = np.zeros(0xA001, dtype=bool)
    table[[ord(ch) for ch, out in zip(chars, converted) if out != ch]] = True
    return table


def _is_prose(text: str) -> bool:
    return len(text) >= PROSE_MIN_CHARS and bool(_SENTENCE_FINAL.search(text))


def clean(raw: RawReport, rules: list[FurnitureRule] | None = None) -> CleanedReport:
    rules = load_rules() if rules is None else rules
    removed: list[dict] = []
    # (line_no, folded original, pinyin-free original, pinyin pieces, simplified)
    candidates, outside, every = [], [], []
    for line_no, line in enumerate(raw.text.split("\n"), start=1):
        folded = fold_whitespace(line)
        if not folded:
            continue
        depinyined, pieces = strip_pinyin(folded)
        cand = [line_no, folded, depinyined, pieces, None]
        (outside if line_no in raw.excluded else candidates).append(cand)
        every.append(cand)
    # One conversion for the whole report: a call per line cost a third more, and no OpenCC
    # phrase spans a line break, so the lines convert the same either way.
    for cand, simplified in zip(every, to_simplified("\n".join(c[2] for c in every)).split("\n"), strict=True):
        cand[4] = simplified

    def remove(cand, reason, rule_id):
        removed.append({"doc_id": raw.doc_id, "line_no": cand[0], "col": None, "text": cand[1],
                        "reason": reason, "rule": rule_id})

    def first_match(simplified, zone):
        for rule in rules:
            if rule.zone == zone and rule.pattern.search(simplified):
                return rule
        return None

    def sift(cands, zone):
        """Remove the lines a rule of ``zone`` matches; return the others."""
        kept = []
        for cand in cands:
            rule = first_match(cand[4], zone)
            if rule:
                remove(cand, rule.reason, rule.rule_id)
            else:
                kept.append(cand)
        return kept

    survivors = sift(candidates, "any")

    prose = [i for i, c in enumerate(survivors) if _is_prose(c[4])]
    body_start = prose[0] if prose else 0
    body_end = prose[-1] if prose else len(survivors) - 1

    head, body, tail = survivors[:body_start], survivors[body_start:body_end + 1], survivors[body_end + 1:]
    stated = raw.roles
    kept_head, title = _clean_head(head, remove, first_match, stated)
    kept_tail = sift(tail, "tail")
    _remove_outside(outside, raw, survivors[body_start][0] if survivors else 0,
                    survivors[body_end][0] if survivors else 0, first_match, remove)

    lines = []
    for cand in kept_head + body + kept_tail:
        for col, piece in cand[3]:
            removed.append({"doc_id": raw.doc_id, "line_no": cand[0], "col": col, "text": piece,
                            "reason": "pinyin annotation", "rule": "pinyin"})
        role = "title" if any(cand is line for line in title) else \
            "heading" if stated.get(cand[0]) == "heading" else "body"
        lines.append(KeptLine(cand[0], cand[2], cand[4], role))
    lines.sort(key=lambda kept: kept.line_no)
    removed.sort(key=lambda row: (row["line_no"], -1 if row["col"] is None else row["col"]))
    removed += [{"doc_id": raw.doc_id, "line_no": None, "col": None, **row} for row in raw.unplaced]

    original = "\n".join(kept.original for kept in lines)
    simplified = "\n".join(kept.text for kept in lines)
    script, n_converted = detect_script(original, simplified)
    return CleanedReport(raw.doc_id, lines, removed, script, n_converted,
                         settings={"opencc_config": OPENCC_CONFIG}, markup=dict(raw.markup))


def _remove_outside(outside, raw: RawReport, body_first: int, body_last: int, first_match, remove) -> None:
    """Remove the lines the reader marked as not the report.

    A text rule names such a line when one fits (so a page's date line still gives the
    date, and its byline the author): ``any`` rules everywhere, ``head`` rules above the
    body, ``tail`` rules below it. Otherwise the reader's reason stands (navigation bar,
    page footer …).
    """
    for cand in outside:
        zone = "head" if cand[0] < body_first else "tail" if cand[0] > body_last else None
        rule = first_match(cand[4], "any") or (first_match(cand[4], zone) if zone else None)
        if rule:
            remove(cand, rule.reason, rule.rule_id)
        else:
            remove(cand, *raw.excluded[cand[0]])


def _clean_head(head, remove, first_match, stated: dict[int, str]):
    """Sort the lines before the body into metadata, title, byline header and menu.

    ``stated`` holds the roles the file's own format gives (a web page's headline, a
    Word heading style): a stated title is the title, and a stated heading is never
    taken for a menu item.
    """
    remaining = []
    removed_kinds = {}
    for i, cand in enumerate(head):
        rule = first_match(cand[4], "head")
        if rule:
            remove(cand, rule.reason, rule.rule_id)
            removed_kinds[i] = rule.rule_id
        else:
            remaining.append((i, cand))
    title = [cand for _, cand in remaining if stated.get(cand[0]) == "title"] or _choose_title(remaining, removed_kinds)
    kept = []
    for i, cand in remaining:
        if any(cand is line for line in title) or stated.get(cand[0]) == "heading":
            kept.append(cand)
            continue
        short = len(cand[4]) <= MENU_MAX_CHARS and not re.search(r"[。，,；;：:！？]", cand[4])
        followed_by_meta = removed_kinds.get(i + 1) in {"separator", "date_line", "metadata_line"}
        if short and followed_by_meta:
            remove(cand, "byline header", "byline_header")
        elif short:
            remove(cand, "navigation menu", "navigation_menu")
        else:
            kept.append(cand)
    return kept, title


_META_RULES = {"date_line", "metadata_line", "date_stamp"}
_NOT_TITLE = re.compile(r"[。；;]|……$|^(?:——|--|－－)|\.(?:jpe?g|png|gif|bmp|webp)$", re.I)  # sentences, subtitles, captions


_PARTY_UNIT_LINE = re.compile(r"^[\u4e00-\u9fff（）()]{2,40}(?:党委|党总支|党支部|党组|党工委)$")


def _is_title_like(text: str) -> bool:
    return TITLE_MIN_CHARS <= len(text) <= TITLE_MAX_CHARS and not _NOT_TITLE.search(text)


def _choose_title(remaining, removed_kinds) -> list:
    """The headline's line(s) among the head lines left after the rules.

    A headline is 8 to 60 characters with no sentence mark, not a subtitle (——…). A page
    prints it next to its date or source line, so when the head has such a line the
    candidate nearest to it wins (before it on a tie); otherwise the candidate nearest the
    body, since kickers and column names come first. A headline broken over two lines
    inside a quotation (“一机关一品牌、 / 一支部一特色”) is both lines.
    """
    candidates = []  # (head index, [lines], text)
    joined_next = False
    for k, (i, cand) in enumerate(remaining):
        if joined_next:
            joined_next = False
            continue
        text = cand[4]
        if text.count("“") > text.count("”") and k + 1 < len(remaining):
            following = remaining[k + 1][1]
            if following[4].count("”") > following[4].count("“") and _is_title_like(text + following[4]):
                candidates.append((i, [cand, following], text + following[4]))
                joined_next = True
                continue
        if _is_title_like(text):
            candidates.append((i, [cand], text))
    if not candidates:
        return []
    # A line that is only a party organization's name, straight under a headline, is the author unit (a byline).
    starts = {c[0] for c in candidates}
    candidates = [c for c in candidates if not (_PARTY_UNIT_LINE.match(c[2]) and c[0] - 1 in starts)]
    meta = [i for i, kind in removed_kinds.items() if kind in _META_RULES]
    if meta:
        return min(candidates, key=lambda c: min((abs(m - c[0]), m < c[0]) for m in meta))[1]
    return candidates[-1][1]
