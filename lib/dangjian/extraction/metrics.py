"""Reported metrics: every quantity a report gives as a result or a size, with
its exact text, normalised value, unit, approximation and what is counted.

A metric is a number (Arabic, Chinese or masked **) followed by a unit from
the cue file, with approximation markers before (近, 约) or after (余, 多,
以上, 左右, 不到). Not metrics: numbers inside quotation marks (brand names
such as “1010”, activity names, formulas), ordinals (第一), phase names
(一期工程), dates and durations (2019年, 四个月: units not listed), numbers
inside a formula (三组联动, 八项规定), counts of the report's own structure
(4个步骤, 三方面) and the indefinite 一 (一个统一思想). Masked numbers
(**人, **余号) are kept, flagged ``redacted``, with no value.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from .common import CHINESE_NUMERALS, alternation, chinese_to_number, load_cues, quoted_spans, sentence_records

COLUMNS = ["doc_id", "raw", "value", "unit", "value_base", "approx", "redacted", "subject", "category",
           "sent_id", "start", "end"]
_PHYSICAL_UNITS = {"米", "公里", "元", "万元", "亿元", "%"}
_SUBJECT_STOP = re.compile(r"[，,。；;、：:“”‘’（）()《》\s的和及与]")
_SUBJECT_VERBS = re.compile(r"(?:组织|累计|目前|已|高质量|开展|参与|组成|驻守|被|让|赴|感受|全力|挂牌|命名|可复制|覆盖|进行|在|中|为|上)")


@lru_cache(maxsize=1)
def _rules():
    m = load_cues()["metrics"]
    units = m["units"]
    big = alternation(m["big_nouns"])
    approx_before = alternation([*m["about"], "逾", "超过"])
    pattern = re.compile(
        rf"(?P<pre>{approx_before})?"
        rf"(?P<num>\*{{2,}}|[0-9]+(?:\.[0-9]+)?|[{CHINESE_NUMERALS}几]+?)"
        rf"(?P<mid>余|多)?"
        rf"(?P<unit>{alternation([u for u in units])}|大(?={big}))"
        rf"(?P<alt>[(（]件[)）])?"
        rf"(?P<post>{alternation(m['at_least'] + m['about'] + m['at_most'])})?"
    )
    return m, pattern


@lru_cache(maxsize=1)
def _subject_patterns() -> tuple[re.Pattern, re.Pattern]:
    m = load_cues()["metrics"]
    return re.compile(rf"(?:{alternation(m['subject_trailing'])})$"), re.compile(alternation(m["subject_verbs"]))


def _approx(pre: str, num: str, mid: str, post: str, m: dict) -> str:
    markers = [x for x in (pre, mid, post) if x]
    if any(x in m["at_most"] for x in markers):
        return "at_most"
    if any(x in m["at_least"] for x in markers):
        return "at_least"
    if "几" in num or any(x in m["about"] for x in markers):
        return "about"
    return "none"


def _subject(sentence: str, start: int, end: int, m: dict) -> str:
    """What is counted: the noun phrase after the unit (746个基层党组织), else the one before the number
    (党史学习交流21次), trimmed of trailing 共/累计 and of everything up to the last verb."""
    after = re.split(rf"[{CHINESE_NUMERALS}0-9]", sentence[end:end + 14], maxsplit=1)[0]
    after = _SUBJECT_VERBS.split(_SUBJECT_STOP.split(after, maxsplit=1)[0], maxsplit=1)[0]
    if len(after) >= 2:
        return after
    before = _SUBJECT_STOP.split(sentence[max(0, start - 24):start])[-1]
    before = re.split(rf"[{CHINESE_NUMERALS}0-9]", before)[-1] or before
    trailing, verbs = _subject_patterns()
    before = trailing.sub("", before)
    parts = verbs.split(before)
    tail = [p for p in parts if p]
    return tail[-1] if tail else before


def metrics_in_sentence(sentence: str, formula_spans=()) -> list[dict]:
    """Metrics of one sentence, offsets relative to it. ``formula_spans``: [start, end) to skip."""
    m, pattern = _rules()
    quotes = [(q.open, q.close + 1) for q in quoted_spans(sentence)]
    blocked = quotes + list(formula_spans)
    found = []
    for match in pattern.finditer(sentence):
        start, end = match.span()
        num, unit = match.group("num"), match.group("unit")
        pre, mid, post = match.group("pre") or "", match.group("mid") or "", match.group("post") or ""
        rest = sentence[end:]
        if any(s < end and start < e for s, e in blocked):
            continue
        if sentence[max(0, start - 1):start] == "第" or num == "几":
            continue
        if unit == "期" and rest.startswith(tuple(m["phase_after"])):
            continue
        if rest.startswith(tuple(m["structure_nouns"])) or (unit + rest).startswith(tuple(m["structure_nouns"])):
            continue
        redacted = num.startswith("*")
        if redacted:
            value = None
        elif num[0].isdigit():
            value = float(num)
        else:
            value = chinese_to_number(num)
            if value is None:
                continue
            if num == "一" and unit not in _PHYSICAL_UNITS and not (mid or post):
                continue  # 一个/一项: the indefinite article, not a count
        norm_unit = "个" if unit == "大" else unit
        subject = _subject(sentence, start, end, m)
        category = m["units"][norm_unit]
        clause_before = re.split(r"[，,。；;]", sentence[:start])[-1]
        if norm_unit == "个" and (any(w in subject for w in m["output_subjects"])
                                  or any(w in clause_before for w in m["output_context"])):
            category = "output"
        factor = m["money_factor"].get(norm_unit)
        value_base = None if value is None else value * (factor or 1)
        found.append({
            "raw": match.group(0), "value": value, "unit": norm_unit, "value_base": value_base,
            "approx": _approx(pre, num, mid, post, m), "redacted": redacted, "subject": subject,
            "category": category, "start": start, "end": end,
        })
    return found


def extract_metrics(corpus, formulas: pd.DataFrame | None = None, records=None) -> pd.DataFrame:
    records = sentence_records(corpus) if records is None else records
    formula_list = formulas.to_dict("records") if formulas is not None and len(formulas) else []
    frame = pd.DataFrame(metric_rows(records, formula_list), columns=COLUMNS)
    frame["value"] = frame["value"].astype("Float64")
    frame["value_base"] = frame["value_base"].astype("Float64")
    return frame


def metric_rows(records, formulas: list[dict] = ()) -> list[dict]:
    """The metrics table as rows; spans of ``formulas`` (rows of the formulas table) are never metrics."""
    by_sentence: dict[str, list] = {}
    for f in formulas:
        by_sentence.setdefault(f["sent_id"], []).append((f["start"], f["end"]))
    rows = []
    for row in records:
        spans = [(s - row.start, e - row.start) for s, e in by_sentence.get(row.sent_id, [])]
        for metric in metrics_in_sentence(row.text, spans):
            metric.update(doc_id=row.doc_id, sent_id=row.sent_id,
                          start=row.start + metric["start"], end=row.start + metric["end"])
            rows.append(metric)
    return rows
