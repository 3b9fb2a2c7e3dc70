"""Reconciliation: where a report states how many of something it has, compare
the stated count with the number of things it actually names.

Three kinds of statement:
- ``brands``: a stated number of brands (创建党建品牌15个, 五大品牌) against the
  brands (kind ``brand``) extracted from the same report, all of them (a count often sums up
  brands named across the report's sections); after 等 (“A”“B”等17个品牌) the count is of a
  partial list;
- ``enumeration``: an exact count right after a list (申报遴选、培育创建、考核认定、
  巩固成果4个步骤; A、B和C三个党小组) against the items listed;
- ``formula``: a formula that announces a count (两化, 六个有力, 四位一体) against
  the items of its expansion.
"""
from __future__ import annotations

import re
from typing import Mapping

from ..cues import CUES_FILE, alternation, compiled, load_cues
from .common import CLAUSE_MARK, chinese_to_number, mask_quotes
from .formulas import count_of, split_items

COLUMNS = ["doc_id", "kind", "statement", "stated", "found", "names", "status", "sent_id", "start", "end"]
_COUNT_NUMERALS = "一二两三四五六七八九十百"
_NUMBER = rf"(?P<n>[0-9]+|[{_COUNT_NUMERALS}]+)"
# The lookahead names the characters a match can start with, so that the engine rejects other
# positions with one test.
_ENUM_COUNT = re.compile(rf"(?=[0-9{_COUNT_NUMERALS}]){_NUMBER}(?:个|项|大|类|种|方面)")
_QUOTED_END = re.compile(r"“([^“”]+)”$")
_AND = re.compile(r"和|及")
SHORT_ITEM = 8  # list items longer than this are a clause that carries the list


def _to_int(text: str) -> int | None:
    return int(text) if text.isdigit() else chinese_to_number(text)


def _row(doc_id, kind, statement, stated, names, sent_id, start, end, partial: bool = False) -> dict:
    """A reconciliation row; ``partial``: the list ends in 等 (A、B等17个: "17, among them A and B"),
    so naming fewer than stated is no mismatch."""
    status = ("match" if stated == len(names) else
              "partial list" if partial and stated is not None and len(names) < stated else "mismatch")
    return {"doc_id": doc_id, "kind": kind, "statement": statement, "stated": stated, "found": len(names),
            "names": "、".join(names), "status": status, "sent_id": sent_id, "start": start, "end": end}


def _list_items(text: str, lead_verbs: re.Pattern, max_items: int) -> list[str]:
    """The items of the list that ends ``text``, read backwards while they are short.

    …进行安全知识、技能、意识 → 安全知识, 技能, 意识; a long first part keeps only
    what follows its last lead verb (进行, 由, 按照, 评选表彰).
    """
    quoted = _QUOTED_END.search(text)
    if quoted and "、" in quoted.group(1):
        return split_items(quoted.group(1))
    clause = CLAUSE_MARK.split(text)[-1]
    parts = [p.strip("“”") for p in clause.split("、")]
    if len(parts) < 2:
        return []
    last = _AND.split(parts[-1])
    parts = parts[:-1] + [p for p in last if p]
    items: list[str] = []
    for part in reversed(parts):
        stripped = lead_verbs.split(part)[-1] or part
        if len(part) <= SHORT_ITEM and stripped == part:
            items.append(part)
            continue
        if 0 < len(stripped) <= SHORT_ITEM:
            items.append(stripped)
        break
    items.reverse()
    return items if 2 <= len(items) <= max_items else []


def _patterns(cues: dict):
    cues = cues["reconciliation"]
    word = cues["brand_counts_word"]
    if lacking := [p for p in cues["brand_counts"] if word not in p]:
        raise ValueError(f"{CUES_FILE.name}: every reconciliation.brand_counts pattern must contain "
                         f"brand_counts_word {word!r}; these do not: {lacking}")
    return [re.compile(p) for p in cues["brand_counts"]], word, re.compile(alternation(cues["list_lead_verbs"]))


def reconciliation_rows(records, brands: list[dict], formulas: list[dict], cues: Mapping | None = None) -> list[dict]:
    """The reconciliation table as rows, from the brands and formulas tables' rows, by the
    reconciliation cues of ``cues`` (the shipped file's when None)."""
    cues = cues or load_cues()
    brand_patterns, brand_word, lead_verbs = compiled(cues, "reconciliation", _patterns)
    max_items = cues["reconciliation"]["max_items"]
    rows = []
    named_by_doc: dict[str, list[str]] = {}
    for brand in brands:
        if brand["kind"] == "brand":
            named_by_doc.setdefault(brand["doc_id"], []).append(brand["name"])
    for row in records:
        named = named_by_doc.get(row.doc_id, [])
        masked = mask_quotes(row.text)
        claimed = []
        for pattern in (brand_patterns if brand_word in masked else ()):
            for m in pattern.finditer(masked):
                if any(s <= m.start() < e for s, e in claimed):
                    continue
                claimed.append(m.span())
                # “A”“B”等17个品牌: 17, among them A and B, so naming fewer is no mismatch
                partial = masked[:m.start()].rstrip().endswith("等")
                rows.append(_row(row.doc_id, "brands", row.text[m.start():m.end()], _to_int(m.group("n")), named,
                                 row.sent_id, row.start + m.start(), row.start + m.end(), partial=partial))
        for m in _ENUM_COUNT.finditer(row.text):
            rest = row.text[m.end():m.end() + 2]
            if any(s <= m.start() < e for s, e in claimed) or rest.startswith(("余", "多")) or m.start() == 0:
                continue
            if row.text[m.start() - 1] in "第、" or masked[m.start()] == "□":
                continue
            before = row.text[:m.start()]
            partial = before.endswith("等")
            items = _list_items(before[:-1] if partial else before, lead_verbs, max_items)
            stated = _to_int(m.group("n"))
            if len(items) >= 2 and stated and 2 <= stated and (partial or stated <= max_items):
                rows.append(_row(row.doc_id, "enumeration", m.group(0), stated, items, row.sent_id,
                                 row.start + m.start(), row.start + m.end(), partial=partial))
    seen = set()
    for f in formulas:
        if (f["doc_id"], f["formula"]) in seen:
            continue
        seen.add((f["doc_id"], f["formula"]))
        count = count_of(f["formula"])
        if count and f["expansion"]:
            rows.append(_row(f["doc_id"], "formula", f["formula"], count, split_items(f["expansion"], count),
                             f["sent_id"], f["start"], f["end"]))
    # A formula's own count (五个标准化) is reported once, as a formula.
    formula_starts = {(f["sent_id"], f["start"]) for f in formulas}
    rows = [r for r in rows if not (r["kind"] == "enumeration" and (r["sent_id"], r["start"]) in formula_starts)]
    rows.sort(key=lambda r: (r["doc_id"], r["start"]))
    return rows
