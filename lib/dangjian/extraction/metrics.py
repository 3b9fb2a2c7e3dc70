"""Reported metrics: every quantity a report gives as a result or a size, with
its exact text, normalised value, unit, approximation and what is counted.

A metric follows a small grammar:

    approximation? number multiplier? (余|多)? unit approximation?

- number: Arabic (1,200 / 5184.28), Chinese (一千六百一十八, 十几, 数十), masked (**),
  or a fraction without a unit (2/3以上);
- multiplier: 万 or 亿, kept in the unit as written (3.4万人 → 3.4 万人);
- unit: a measure word or unit of measurement from ``data/measure_words.tsv``, or N大
  before a noun (七大志愿服务项目 → 7 个);
- approximation: 近, 约, 逾, 超过, 突破, 数 before; 余, 多, 以上, 左右, 不到 after.

Exclusions are data (``extraction_cues.yaml``, ``metrics``), each with its reason:
numbers inside quotation marks or 《》 (names), ordinals and codes (第一, G404次, 7-1),
phase names (一期工程), names with 号 (6号线), classes, ratings and thresholds
(千万吨级, 400千伏安的变压器, 在50万元以上的村, 评选条件), targets, projections and standards in
the clause before (力争, 预计, 每季度), the report's own structure (4个步骤, 三方面),
the indefinite 一 (一个统一思想) and rhetoric (千企兴千村), targets named after the number
(完成150万吨目标), the size of a list the unit is one of (百个示范村之一), and counts 1, 2, 3 …
that spell a numbered name of the same sentence (“1234”工作法: 1个中心, 2支队伍, 3个平台).
Dates and years never match, because 年, 月 and 日 are not units; a duration (天, 年, 周年,
小时) counts only beside a cue that makes it a result (提前85天完成, 8年安全无事故).
Formulas are skipped by span.
Masked numbers (**人, **余号) are kept, flagged ``redacted``, with no value.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping

import pandas as pd

from ..config import DATA_DIR
from ..rules import read_rule_table
from ..cues import alternation, compiled, load_cues
from ..ingest.words import part_of_speech
from ..ingest.units import CHINESE_NUMERALS
from .common import chinese_to_number, quoted_spans

UNITS_FILE = DATA_DIR / "measure_words.tsv"
COLUMNS = ["doc_id", "raw", "value", "unit", "value_base", "approx", "redacted", "subject", "category",
           "sent_id", "start", "end"]
SPEECH_MIN_CHARS = 24  # a quoted name is shorter than this and has no clause punctuation
_SUBJECT_STOP = re.compile(r"[，,。；;、：:“”‘’（）()《》\s的和及与]")
_TITLES = re.compile(r"《[^《》]*》")
_CLAUSE = re.compile(r"[，,。；;：:！？!?]")
_NUMERAL = re.compile(rf"[{CHINESE_NUMERALS}0-9]")
_SENTENCE_MARK = re.compile(r"[，,。；;！？!?]")  # in a quote: speech, not a name
_LATIN = re.compile(r"[A-Za-z]")
_LATIN_END = re.compile(r"[A-Za-z]$")
_HAN_END = re.compile(r"[\u4e00-\u9fff]$")
_ARABIC = r"[0-9]+(?:[,，][0-9]{3})*(?:\.[0-9]+)?"


@lru_cache(maxsize=None)
def load_units(path=UNITS_FILE) -> pd.DataFrame:
    """The measure-word lexicon, indexed by unit: category, kind (``count``: a measure word that counts
    things, whose 一 can be the indefinite article; ``measure``: a unit of measurement) and note."""
    rows = read_rule_table(path, ("unit", "category", "kind", "note"), key="unit", required=("unit", "category", "kind"))
    return pd.DataFrame(rows, columns=["unit", "category", "kind", "note"], dtype=str).set_index("unit")


class MetricRules:
    """The metric cues of one cues object and the measure-word lexicon, compiled (``metric_rules``
    builds them once per cues object)."""

    def __init__(self, cues: Mapping, units: pd.DataFrame | None = None):
        m = self.m = cues["metrics"]
        units = load_units() if units is None else units
        before = alternation(m["before"])
        after = alternation(m["after"])
        multipliers = alternation(m["multipliers"])
        # A match starts with an approximation cue or a number. Saying so in a lookahead lets the engine
        # reject every other position with one character test instead of trying each cue there: the
        # scan takes 40% of the time it took.
        first_chars = {cue[0] for cue in m["before"]} | set(CHINESE_NUMERALS + "0123456789*数几")
        self.pattern = re.compile(
            rf"(?=[{re.escape(''.join(sorted(first_chars)))}])"
            rf"(?P<pre>{before})?"
            rf"(?P<num>\*{{2,}}|{_ARABIC}|数?[{CHINESE_NUMERALS}几]+?)"
            rf"(?:(?<=[0-9]) )?"  # some pages print a space between the digits and the unit (11.3 万吨, 32 个)
            rf"(?P<mid>余|多)?"
            rf"(?P<mult>{multipliers})?"
            rf"(?P<mid2>余|多)?"
            # 万 or 亿 after digits, straight before a noun, is the whole unit (近25万留守儿童 → 25 万)
            rf"(?P<unit>{alternation(units.index)}|大(?=[\u4e00-\u9fff])|(?<=[0-9][万亿])(?=[\u4e00-\u9fff]))"
            rf"(?P<alt>[(（]件[)）])?"
            rf"(?P<post>{after})?"
        )
        self.fraction = re.compile(r"(?<![0-9/.])(?P<num>[1-9])/(?P<den>[1-9][0-9]?)(?![0-9/])(?P<post>以上|以下|左右)?")
        duration_first = {cue[0] for cue in m["duration_before"]} | set(CHINESE_NUMERALS + "0123456789")
        self.duration = re.compile(
            rf"(?=[{re.escape(''.join(sorted(duration_first)))}])"  # as for the main pattern: one character test per position
            rf"(?P<pre>{alternation(m['duration_before'])})?"
            rf"(?P<num>{_ARABIC}|[{CHINESE_NUMERALS}]+?)"
            rf"(?P<unit>{alternation(m['duration_units'])})"
            rf"(?P<post>{alternation(m['duration_after'])})?"
        )
        # a duration counts only with a cue before or after it: a sentence with neither is not scanned
        self.duration_cue = re.compile(alternation(m["duration_before"] + m["duration_after"]))
        self.exclusions = {
            "range_class": re.compile(rf"[0-9{CHINESE_NUMERALS}](?:{alternation(m['range_marks'])})$"),
            "rhetoric": re.compile(rf"[{''.join(m['bare_rhetoric'])}]"),
        }
        # unit → {"category", "kind", "note"}: a dict, since a DataFrame lookup per match cost 7% of a build
        self.units = units.to_dict("index")
        self.subject_trailing = re.compile(rf"(?:{alternation(m['subject_trailing'])})$")
        self.subject_verbs = re.compile(alternation(m["subject_verbs"]))
        self.subject_ends = re.compile(alternation(m["subject_ends"]))
        self.subject_tags = frozenset(m["subject_tags"])
        self.not_approximations = tuple(m["not_approximations"])
        # …以上的村达1959个: after the threshold, the class's noun and a count of it
        self.counted_class = re.compile(
            rf"^(?:以上|以下)?的[^，,。；;、]{{1,8}}?(?:{alternation(m['threshold_count_verbs'])})[0-9{CHINESE_NUMERALS}]")


def metric_rules(cues: Mapping | None = None) -> MetricRules:
    """The compiled metric cues of ``cues`` (the shipped file's when None)."""
    return compiled(cues or load_cues(), "metrics", MetricRules)


def _approx(pre: str, num: str, mid: str, post: str, m: dict) -> str:
    markers = [x for x in (pre, mid, post, num[:1]) if x]
    if any(x in m["at_most"] for x in markers):
        return "at_most"
    if any(x in m["at_least"] for x in markers):
        return "at_least"
    if "几" in num or any(x in m["about"] for x in markers):
        return "about"
    return "none"


def _subject(sentence: str, start: int, end: int, rules: MetricRules) -> str:
    """What is counted: the noun phrase after the unit (746个基层党组织), else the one before the number
    (党史学习交流21次), trimmed of trailing 共/累计 and of everything up to the last verb; in whole words,
    or "" (``noun_phrase``)."""
    after = _NUMERAL.split(sentence[end:end + 14], maxsplit=1)[0]
    after = rules.subject_ends.split(_SUBJECT_STOP.split(after, maxsplit=1)[0], maxsplit=1)[0]
    if len(after) >= 2 and (phrase := noun_phrase(sentence, end, end + len(after), leading=True,
                                                  nominal=rules.subject_tags)):
        return phrase
    window = max(0, start - 24)
    clause = _SUBJECT_STOP.split(sentence[window:start])[-1]
    before = _NUMERAL.split(clause)[-1] or clause
    before = rules.subject_trailing.sub("", before)
    parts = rules.subject_verbs.split(before)
    tail = [p for p in parts if p]
    subject = tail[-1] if tail else before
    at = sentence.rfind(subject, window, start) if subject else -1
    return noun_phrase(sentence, at, at + len(subject), leading=False, nominal=rules.subject_tags) if at >= 0 else ""


SUBJECT_CONTEXT = 8  # characters either side of a subject that jieba reads to find its words
SUBJECT_SKIPPED_WORDS = 2  # words after the noun before a number that are not part of it (受益, 等)


def noun_phrase(sentence: str, start: int, end: int, leading: bool, nominal: frozenset) -> str:
    """The noun phrase of whole words in ``sentence[start:end]``: a word the span cuts at its start ends
    the phrase before and is dropped; a word it cuts at its end is taken whole after the unit
    (基层党|组织 → 基层党组织, ``leading``) and dropped before the number. Then the words with a subject
    tag (``nominal``: the cues' ``subject_tags``), with a verb or adjective before one of them, read from the span's start
    when ``leading``, else back from its end past up to two other words (目前已开放床位 → 开放床位,
    留守儿童受益 → 留守儿童). "" when fewer than two characters remain."""
    lo = max(0, start - SUBJECT_CONTEXT)
    words, at = [], lo
    for word, tag in part_of_speech(sentence[lo:min(len(sentence), end + SUBJECT_CONTEXT)], hmm=True):
        if at >= end:
            break  # the words after the span are context only
        following = at + len(word)
        if following > start:
            words.append((at, following, tag))
        at = following
    if words and words[0][0] < start:
        words = words[1:]
    if not leading and words and words[-1][1] > end:
        words = words[:-1]
    ordered = words if leading else words[::-1]
    if not leading:  # a verb or particle after the noun (留守儿童受益, 贫困群众等, 发电量突破)
        skipped = 0
        while ordered and ordered[0][2] not in nominal and skipped < SUBJECT_SKIPPED_WORDS:
            ordered, skipped = ordered[1:], skipped + 1
    kept = []
    for k, (a, b, tag) in enumerate(ordered):
        # a verb or adjective that modifies the noun next to it (示范党支部, 年轻职工) or joins two (党史学习交流)
        if leading:
            noun_next = k + 1 < len(ordered) and ordered[k + 1][2] in nominal
        else:
            noun_next = bool(kept) and kept[-1][2] in nominal
        if tag in nominal or ((tag.startswith("v") or tag == "a") and noun_next):
            kept.append((a, b, tag))
        else:
            break
    if not kept:
        return ""
    kept.sort()
    phrase = sentence[kept[0][0]:kept[-1][1]]
    return phrase if len(phrase) >= 2 else ""


def _is_speech(quoted: str) -> bool:
    """Quoted speech (“去年社区集体就有68万元收入。”) reports facts; a quoted name (“1010”) does not."""
    return len(quoted) > SPEECH_MIN_CHARS or bool(_SENTENCE_MARK.search(quoted))


def _excluded(sentence: str, start: int, end: int, match, value, rules: MetricRules) -> bool:
    """Is the matched number a name, code, class, target or the report's own structure?"""
    m, exclusions = rules.m, rules.exclusions
    num, unit = match.group("num"), match.group("unit")
    rest, before = sentence[end:], sentence[:start]
    post = match.group("post") or ""
    if before.endswith(tuple(m["code_before"])) or _LATIN_END.search(before) or _LATIN.match(rest):
        return True  # 第一, G404次, 7-1项目
    if num.isdigit() and len(num) > m["max_digits"]:
        return True  # phone numbers, filing codes
    if unit == "期" and rest.startswith(tuple(m["phase_after"])):
        return True
    if unit in m["naming_units"] and not (match.group("mid") or post or num.startswith("*")):
        return True  # 6号线, 21号 (a document number)
    if (post + rest).startswith(tuple(m["class_after"])):
        return True  # 千万吨级, 5万元以下的村
    if (post + rest).startswith(tuple(m["threshold_after"])) and (
            before.endswith(tuple(m["threshold_before"])) or rules.counted_class.match(rest)):
        return True  # 年收益在50万元以上的村, 收益10万元以上的村达1959个: a threshold
    if rest.startswith("的") and exclusions["range_class"].search(before):
        return True  # 5万—50万元的村: a range that names a class
    if (rest.startswith(tuple(m["name_suffixes"])) and unit not in m["counters"] and len(num) == 1
            and _HAN_END.search(before)):
        return True  # 变电管理二所党委
    if num in ("零", "〇") or (unit not in ("大", "") and rest.startswith((unit, "接"))):
        return True  # 零部件; 一台台, 一辆接一辆: "every", not a count
    if (post + rest[:4]).startswith(tuple(m["target_after"])):
        return True  # 完成全年150万吨目标
    if any(word in _CLAUSE.split(rest[:24], maxsplit=1)[0] for word in m["one_of_after"]):
        return True  # 首批百个经典景区之一
    structure = tuple(m["structure_nouns"])
    if rest.startswith(structure) or (unit + rest).startswith(structure):
        return True
    clause = _CLAUSE.split(before)[-1]
    if any(word in clause for word in m["not_in_clause_before"]):
        return True
    if num in m["bare_rhetoric"] and not (match.group("pre") or match.group("mid") or post) and (
            exclusions["rhetoric"].search(before[-3:] + rest[:3])):
        return True  # 千企兴千村, 千家万户: parallel rhetoric
    if unit == "大" and (rest.startswith(tuple(m["big_not_before"])) or value is None or not 2 <= value <= 10):
        return True  # 大力, 一大批, 十九大
    return False


def _spelled_formula_counts(counts: list[tuple[int, float]], names: list[str]) -> set[int]:
    """Starts of counts 1, 2, 3 … in a row that spell a numbered name of the same sentence: 实施“12345”工作法,
    聚焦1个目标, 建强2支队伍, 锻造3个示范岗 … unfolds the name item by item; those are not quantities.
    ``counts``: (start, value) of every count in the sentence, excluded ones included."""
    digit_names = [d for name in names for d in re.findall(r"[0-9]{3,}", name)]
    if not digit_names:
        return set()
    spelled = set()
    for k in range(len(counts)):
        run = [counts[k]]
        while len(run) < len(counts) - k and counts[k + len(run)][1] == run[-1][1] + 1:
            run.append(counts[k + len(run)])
        digits = "".join(str(int(v)) if v == int(v) and v < 10 else "x" for _, v in run)
        if len(run) >= 3 and any(digits in name for name in digit_names):
            spelled.update(start for start, _ in run)
    return spelled


def metrics_in_sentence(sentence: str, formula_spans=(), rules: MetricRules | None = None) -> list[dict]:
    """Metrics of one sentence, offsets relative to it. ``formula_spans``: [start, end) to skip;
    ``rules``: ``metric_rules(cues)``, the shipped cues' when None."""
    rules = rules or metric_rules()
    m, units = rules.m, rules.units
    blocked = [(q.open, q.close + 1) for q in quoted_spans(sentence) if not _is_speech(q.inner)]
    if "《" in sentence:
        blocked += [t.span() for t in _TITLES.finditer(sentence)]
    blocked += formula_spans
    found, counts = [], []
    for match in rules.pattern.finditer(sentence):
        start, end = match.span()
        num, unit = match.group("num"), match.group("unit")
        pre, post = match.group("pre") or "", match.group("post") or ""
        mid = match.group("mid") or match.group("mid2") or ""
        mult = match.group("mult") or ""
        if any(s < end and start < e for s, e in blocked) or num == "几":
            continue
        if pre and sentence.endswith(rules.not_approximations, 0, start + len(pre)):
            start, pre = start + len(pre), ""  # 节约3000吨: the 约 of 节约 is no approximation
        redacted = num.startswith("*")
        if redacted:
            value = None
        elif num.startswith("数"):
            value = chinese_to_number(num[1:])  # 数十 → 10, at least
            if value is None:
                continue
        elif num[0].isdigit():
            value = float(num.replace(",", "").replace("，", ""))
        else:
            value = chinese_to_number(num)
            if value is None:
                continue
        if value is not None:
            counts.append((start, value))
        if _excluded(sentence, start, end, match, value, rules):
            continue
        if num == "一" and not (mult or mid or post or pre) and unit in units and units[unit]["kind"] == "count":
            continue  # 一个统一思想: the indefinite article, not a count
        norm_unit = "个" if unit == "大" else mult + unit
        found.append(_metric(sentence, sentence[start:end], value, norm_unit, unit, mult,
                             _approx(pre, num, mid, post, m), redacted, start, end, rules))
    for match in (rules.fraction.finditer(sentence) if "/" in sentence else ()):
        start, end = match.span()
        if any(s < end and start < e for s, e in blocked) or int(match.group("num")) >= int(match.group("den")):
            continue
        value = round(int(match.group("num")) / int(match.group("den")), 4)
        found.append(_metric(sentence, match.group(0), value, "", "", "", _approx("", "", "", match.group("post") or "", m),
                             False, start, end, rules))
    for match in (rules.duration.finditer(sentence) if rules.duration_cue.search(sentence) else ()):
        start, end = match.span()
        num = match.group("num")
        if not (match.group("pre") or match.group("post")) or any(s < end and start < e for s, e in blocked):
            continue
        if any(f["start"] < end and start < f["end"] for f in found):
            continue
        value = float(num.replace(",", "")) if num[0].isdigit() else chinese_to_number(num)
        if value is None or value >= 1000:  # a year, not a duration
            continue
        unit = match.group("unit")
        end = match.end("unit")  # the cue after is not part of the quantity
        found.append(_metric(sentence, sentence[match.start("num"):end], value, unit, unit, "", "none",
                             False, match.start("num"), end, rules))
    found.sort(key=lambda f: f["start"])
    if len(counts) >= 3:
        names = [sentence[s:e] for s, e in blocked]
        spelled = _spelled_formula_counts(counts, names)
        found = [f for f in found if f["start"] not in spelled]
    return found


def _metric(sentence, raw, value, norm_unit, unit, mult, approx, redacted, start, end, rules: MetricRules) -> dict:
    m, units = rules.m, rules.units
    subject = _subject(sentence, start, end, rules)
    category = units[unit]["category"] if unit in units else "organization" if unit == "大" else "other"
    clause_before = _CLAUSE.split(sentence[:start])[-1]
    if unit in ("个", "大") and (any(w in subject for w in m["output_subjects"])
                                 or any(w in clause_before for w in m["output_context"])):
        category = "output"
    value_base = None if value is None else value * m["multipliers"].get(mult, 1)  # 5184.28万元 → 51842800 元
    return {"raw": raw, "value": value, "unit": norm_unit, "value_base": value_base, "approx": approx,
            "redacted": redacted, "subject": subject, "category": category, "start": start, "end": end}


def metric_rows(records, formulas: list[dict] = (), cues: Mapping | None = None) -> list[dict]:
    """The metrics table as rows, by the metric cues of ``cues`` (the shipped file's when None); spans of
    ``formulas`` (rows of the formulas table) are never metrics."""
    rules = metric_rules(cues)
    by_sentence: dict[str, list] = {}
    for f in formulas:
        by_sentence.setdefault(f["sent_id"], []).append((f["start"], f["end"]))
    rows = []
    for row in records:
        spans = [(s - row.start, e - row.start) for s, e in by_sentence.get(row.sent_id, [])]
        for metric in metrics_in_sentence(row.text, spans, rules):
            metric.update(doc_id=row.doc_id, sent_id=row.sent_id,
                          start=row.start + metric["start"], end=row.start + metric["end"])
            rows.append(metric)
    return rows
