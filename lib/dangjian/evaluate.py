"""Evaluation: the extraction scored against hand-labelled gold files.

A gold file ``NAME.json`` sits beside the report ``NAME.<ext>`` (or in a folder of
its own) and records what a careful reader finds in it; its format and the scoring
rules are those of the annotation guide (docs/evaluation.md):

- texts are compared normalised: NFKC (full- and half-width alike), converter pinyin
  removed, simplified script, quotes, spaces and punctuation dropped;
- metrics: per report, the set of distinct (value, unit) pairs with 万/亿 folded into
  the value (5184.28 万元 = 51842800 元); a found pair whose every mention lies in a
  phrase the gold lists under ``not_metrics`` is a false positive whatever gold says;
- brands and formulas: per report, sets of distinct names. A gold brand counts as
  recalled when it is found in either table; precision is per table. ``initiatives``
  pools both: gold brands and formulas against found brands and formulas;
- owning units: over the gold brands with a unit that the tool finds, the share whose unit equals
  one of the gold's printed forms; a unit found for a brand whose owner gold does not state counts
  against precision;
- title: equal after normalising; date: equal at the gold's precision; organization:
  one contains the other after normalising, or equal to one of the gold's ``organization_forms``;
- parent_group: the same group once 中国 and company-form words (集团, 有限公司, 公司) are
  dropped; region: equal after normalising; sector: the same GB/T 4754 section letter. For these
  three a missing value where gold has one counts against recall and a value where gold is null
  against precision. A gold file without the key (written before the guide defined it) is not
  scored on that field.

Scores are micro-averaged over reports (correct, found, recalled and gold summed), so a report
with many metrics weighs more than one with few.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from fnmatch import fnmatch
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .ingest.cleaning import strip_pinyin, to_simplified

FIELDS = ("title", "date", "organization", "parent_group", "sector", "region", "script", "metrics", "initiatives",
          "brands", "formulas", "owning_unit")
PLACEMENT_FIELDS = ("parent_group", "sector", "region")
SCORE_COLUMNS = ["field", "correct", "found", "recalled", "gold", "precision", "recall", "f1"]
PER_REPORT_COLUMNS = ["doc_id", "field", "correct", "found", "recalled", "gold"]
MISS_COLUMNS = ["doc_id", "field", "error", "gold", "found", "detail"]
GOLD_KEYS = {"title", "date", "organization", "brands", "formulas", "metrics"}
_DROP = re.compile(r"[\W_]+")
_FOLD = {"万": 10_000, "亿": 100_000_000}
_GROUP_FORM_WORDS = re.compile("有限责任公司|股份有限公司|有限公司|集团|公司")


class GoldError(ValueError):
    """A gold file that cannot be read or does not follow the format; names the file and the reason."""

    def __init__(self, path: Path, reason: str):
        self.path, self.reason = Path(path), reason
        super().__init__(f"{Path(path).name}: {reason}")


def normalise(text) -> str:
    """The comparison form of a text: NFKC, pinyin removed, simplified, no quotes, spaces or punctuation."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    text, _ = strip_pinyin(text)
    return _DROP.sub("", to_simplified(text)).lower()


def metric_key(value, unit) -> tuple[float, str] | None:
    """(value, unit) with 万/亿 folded into the value: (5184.28, 万元) → (51842800.0, 元)."""
    if value is None or unit is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    unit = to_simplified(unicodedata.normalize("NFKC", str(unit))).strip()
    value = float(value)
    while len(unit) > 1 and unit[0] in _FOLD:
        value *= _FOLD[unit[0]]
        unit = unit[1:]
    return (float(f"{value:.6g}"), unit)


@dataclass
class Gold:
    doc_id: str
    path: Path
    title: str | None
    date: str | None
    organization: str | None
    script: str | None
    brands: dict[str, str]                # normalised name → name as written
    formulas: dict[str, str]
    metrics: dict[tuple[float, str], str]  # key → text as written
    not_metrics: list[str] = field(default_factory=list)  # normalised
    organization_forms: list[str] = field(default_factory=list)
    # normalised brand name → the normalised printed forms of its owning unit (empty: no owner stated);
    # absent when the gold file does not label owners
    brand_units: dict[str, list[str]] = field(default_factory=dict)
    # parent_group, sector, region: the gold's value (None = null); a field the file lacks is absent
    placement: dict[str, str | None] = field(default_factory=dict)


def read_gold(path: Path) -> Gold:
    """One gold file; a GoldError names the file and what is wrong with it."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(path, f"cannot be read ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise GoldError(path, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    if not isinstance(data, dict):
        raise GoldError(path, "is not a JSON object")
    missing = GOLD_KEYS - set(data)
    if missing:
        raise GoldError(path, f"lacks the keys {sorted(missing)}")
    try:
        brands = {normalise(b["name"]): b["name"] for b in data["brands"]}
        formulas = {normalise(f): f for f in data["formulas"]}
        metrics = {}
        for m in data["metrics"]:
            if m.get("redacted") and m.get("value") is None:
                continue  # a masked number (**人) has no value to compare
            key = metric_key(m["value"], m["unit"])
            if key is None:
                raise GoldError(path, f"metric {m.get('text')!r} has no value or unit")
            metrics.setdefault(key, m.get("text", ""))
    except (KeyError, TypeError) as exc:
        raise GoldError(path, f"an entry does not follow the format ({exc!r})") from exc
    forms = data.get("organization_forms") or []
    if not isinstance(forms, list):
        raise GoldError(path, "organization_forms is not a list")
    brand_units = {}
    for b in data["brands"]:
        if "unit" in b:
            unit = b["unit"]
            units = [] if unit is None else [unit] if isinstance(unit, str) else list(unit)
            brand_units[normalise(b["name"])] = [normalise(u) for u in units if normalise(u)]
    return Gold(path.stem, path, data.get("title"), data.get("date"), data.get("organization"), data.get("script"),
                brands, formulas, metrics, [normalise(t) for t in data.get("not_metrics", []) if normalise(t)],
                organization_forms=[str(f) for f in forms], brand_units=brand_units,
                placement={key: data[key] for key in PLACEMENT_FIELDS if key in data})


def group_key(name) -> str:
    """The comparison form of a parent group: 中国 and company-form words dropped (中国华能 = 华能集团)."""
    return _GROUP_FORM_WORDS.sub("", normalise(name).replace("中国", ""))


def placement_matches(field_name: str, found, gold) -> bool:
    """Does a found parent_group, sector or region equal the gold's under the guide's rule?"""
    if field_name == "parent_group":
        return bool(group_key(found)) and group_key(found) == group_key(gold)
    if field_name == "sector":
        return bool(found) and str(found).strip().upper() == str(gold).strip().upper()
    return bool(normalise(found)) and normalise(found) == normalise(gold)


def gold_files(folder: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(Path(folder).glob("*.json"))}


@dataclass
class Evaluation:
    scores: pd.DataFrame         # SCORE_COLUMNS, one row per field
    misses: pd.DataFrame         # MISS_COLUMNS, every miss and extra
    per_report: pd.DataFrame     # PER_REPORT_COLUMNS: the counts behind the scores, per report
    unscored: list[str]          # reports without a gold file
    settings: dict = field(default_factory=dict)


def _date_matches(found: str, gold: str) -> bool:
    return bool(found) and found[:len(gold)] == gold


def evaluate_corpus(corpus, golds: dict[str, Gold]) -> Evaluation:
    """Score a built corpus against gold files (doc_id → Gold)."""
    counts: list[dict] = []
    misses: list[dict] = []
    docs = corpus.documents.set_index("doc_id")

    def tally(doc_id, name, correct, found, gold, recalled=None):
        """``correct`` of ``found`` are right (precision); ``recalled`` of ``gold`` were found (recall)."""
        counts.append({"doc_id": doc_id, "field": name, "correct": correct, "found": found,
                       "recalled": correct if recalled is None else recalled, "gold": gold})

    def miss(doc_id, name, error, gold="", found="", detail=""):
        misses.append({"doc_id": doc_id, "field": name, "error": error, "gold": gold, "found": found,
                       "detail": detail})

    for doc_id, gold in golds.items():
        if doc_id not in docs.index:
            miss(doc_id, "report", "not built", detail="the report failed or is missing; see failures")
            for name in ("metrics", "brands", "formulas", "initiatives"):
                tally(doc_id, name, 0, 0, {"metrics": len(gold.metrics), "brands": len(gold.brands),
                                           "formulas": len(gold.formulas),
                                           "initiatives": len(set(gold.brands) | set(gold.formulas))}[name])
            for name in ("title", "date", "organization", "script"):
                tally(doc_id, name, 0, 0, int(bool(getattr(gold, name))))
            for name, expected in gold.placement.items():
                tally(doc_id, name, 0, 0, int(bool(expected)))
            continue
        doc = docs.loc[doc_id]
        _score_single(doc_id, doc, gold, tally, miss)
        _score_metrics(doc_id, corpus.metrics[corpus.metrics["doc_id"] == doc_id], doc["text"], gold, tally, miss)
        _score_names(doc_id, corpus, gold, tally, miss)
    per_report = pd.DataFrame(counts, columns=PER_REPORT_COLUMNS)
    unscored = sorted(set(docs.index) - set(golds))
    return Evaluation(scores_of(per_report), pd.DataFrame(misses, columns=MISS_COLUMNS), per_report, unscored)


def scores_of(per_report: pd.DataFrame, doc_ids=None) -> pd.DataFrame:
    """SCORE_COLUMNS from per-report counts, over every report or only those in ``doc_ids``
    (micro-averages: counts summed before dividing)."""
    if doc_ids is not None:
        per_report = per_report[per_report["doc_id"].isin(set(doc_ids))]
    rows = []
    for name in FIELDS:
        part = per_report[per_report["field"] == name]
        correct, found, recalled, gold = (int(part[c].sum()) for c in ("correct", "found", "recalled", "gold"))
        precision = correct / found if found else float("nan")
        recall = recalled / gold if gold else float("nan")
        f1 = 2 * precision * recall / (precision + recall) if found and gold and precision + recall else float("nan")
        rows.append({"field": name, "correct": correct, "found": found, "recalled": recalled, "gold": gold,
                     "precision": precision, "recall": recall, "f1": f1})
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def subset(result: Evaluation, doc_ids) -> Evaluation:
    """The evaluation restricted to ``doc_ids``: its scores, misses and counts."""
    keep = set(doc_ids)
    return Evaluation(scores_of(result.per_report, keep), result.misses[result.misses["doc_id"].isin(keep)],
                      result.per_report[result.per_report["doc_id"].isin(keep)], result.unscored,
                      {**result.settings, "n_gold": len(keep & set(result.per_report["doc_id"]))})


def _score_single(doc_id, doc, gold: Gold, tally, miss) -> None:
    """Title, date, organization and script: one value each; a found value is a hit when it matches."""
    found_values = {"title": doc.get("title") or "", "date": doc.get("date") or "",
                    "organization": doc.get("organization") or "", "script": doc.get("script") or ""}
    for name, found in found_values.items():
        found = "" if pd.isna(found) else str(found)
        expected = getattr(gold, name) or ""
        if name == "date":
            ok = _date_matches(found, expected) if expected else False
        elif name == "organization":
            a, b = normalise(found), normalise(expected)
            ok = bool(a and b) and (a in b or b in a or a in {normalise(f) for f in gold.organization_forms})
        else:
            ok = bool(expected) and normalise(found) == normalise(expected)
        tally(doc_id, name, int(ok), int(bool(found)), int(bool(expected)))
        if not ok and (found or expected):
            error = "wrong" if found and expected else ("missed" if expected else "extra")
            miss(doc_id, name, error, expected, found)
    for name, expected in gold.placement.items():
        found = doc.get(name)
        found = "" if found is None or pd.isna(found) else str(found)
        expected = "" if expected is None else str(expected)
        ok = bool(found and expected) and placement_matches(name, found, expected)
        tally(doc_id, name, int(ok), int(bool(found)), int(bool(expected)))
        if not ok and (found or expected):
            error = "wrong" if found and expected else ("missed" if expected else "extra")
            source = doc.get(f"{name}_source")
            miss(doc_id, name, error, expected, found, "" if source is None or pd.isna(source) else str(source))


def normalised_with_map(text: str) -> tuple[str, list[int]]:
    """``normalise(text)`` character by character, with the index in ``text`` of each character kept."""
    out, where = [], []
    for i, ch in enumerate(text):
        for piece in _DROP.sub("", to_simplified(unicodedata.normalize("NFKC", ch))).lower():
            out.append(piece)
            where.append(i)
    return "".join(out), where


def _in_not_metrics(doc_text: str, start: int, end: int, phrases: list[str], cache: dict) -> bool:
    """Does a not_metrics phrase stand in the text over the whole span [start, end)?"""
    if "norm" not in cache:
        cache["norm"] = normalised_with_map(doc_text)
    norm, where = cache["norm"]
    inside = [k for k, i in enumerate(where) if start <= i < end]
    if not inside:
        return False
    first, last = inside[0], inside[-1]
    for phrase in phrases:
        at = norm.find(phrase, max(0, last - len(phrase) + 1))
        while at != -1 and at <= first:
            if at + len(phrase) > last:
                return True
            at = norm.find(phrase, at + 1)
    return False


def _score_metrics(doc_id, metrics: pd.DataFrame, doc_text: str, gold: Gold, tally, miss) -> None:
    found: dict[tuple, list[tuple[str, bool]]] = {}
    cache: dict = {}
    for row in metrics.itertuples():
        key = metric_key(row.value, row.unit)
        if key is not None:
            furniture = _in_not_metrics(doc_text, int(row.start), int(row.end), gold.not_metrics, cache)
            found.setdefault(key, []).append((row.raw, furniture))
    correct = 0
    for key, mentions in found.items():
        raws = " / ".join(dict.fromkeys(raw for raw, _ in mentions))
        genuine = [raw for raw, furniture in mentions if not furniture]
        if key in gold.metrics and genuine:
            correct += 1
        elif key in gold.metrics:
            miss(doc_id, "metrics", "extra", "", raws, "every mention is in a not_metrics phrase")
        else:
            detail = " (in not_metrics)" if len(genuine) < len(mentions) else ""
            miss(doc_id, "metrics", "extra", "", raws, f"{key[0]:g} {key[1]}{detail}")
    for key, text in gold.metrics.items():
        if key not in found or all(furniture for _, furniture in found[key]):
            miss(doc_id, "metrics", "missed", text, "", f"{key[0]:g} {key[1]}")
    tally(doc_id, "metrics", correct, len(found), len(gold.metrics))


def _score_names(doc_id, corpus, gold: Gold, tally, miss) -> None:
    brands = corpus.brands[corpus.brands["doc_id"] == doc_id]
    formulas = corpus.formulas[corpus.formulas["doc_id"] == doc_id]
    found_brands = {normalise(n): n for n in brands["name"]}
    found_formulas = {normalise(n): n for n in formulas["formula"]}
    found_brands.pop("", None)
    found_formulas.pop("", None)
    either = set(found_brands) | set(found_formulas)
    gold_either = set(gold.brands) | set(gold.formulas)
    # Brands: precision over the brands table, recall over either table (the guide's rule).
    tally(doc_id, "brands", len(set(found_brands) & set(gold.brands)), len(found_brands), len(gold.brands),
          recalled=len(set(gold.brands) & either))
    tally(doc_id, "formulas", len(set(found_formulas) & set(gold.formulas)), len(found_formulas), len(gold.formulas))
    tally(doc_id, "initiatives", len(either & gold_either), len(either), len(gold_either))
    for key, name in gold.brands.items():
        if key not in either:
            miss(doc_id, "brands", "missed", name)
    for key, name in found_brands.items():
        if key not in gold.brands:
            detail = "a gold formula" if key in gold.formulas else ""
            miss(doc_id, "brands", "extra", "", name, detail)
    for key, name in gold.formulas.items():
        if key not in found_formulas:
            detail = "found as a brand" if key in found_brands else ""
            miss(doc_id, "formulas", "missed", name, "", detail)
    for key, name in found_formulas.items():
        if key not in gold.formulas:
            detail = "a gold brand" if key in gold.brands else ""
            miss(doc_id, "formulas", "extra", "", name, detail)
    _score_units(doc_id, brands, gold, tally, miss)


def _score_units(doc_id, brands: pd.DataFrame, gold: Gold, tally, miss) -> None:
    """Owning units (the guide's Scoring): over the gold brands with a unit that the tool finds, the
    share whose unit equals one of the gold's printed forms (``recall``: accuracy); a unit found for a
    gold brand whose owner is not stated counts against precision."""
    if not gold.brand_units:
        return
    found_units: dict[str, str] = {}
    for name, unit in zip(brands["name"], brands["unit"]):
        key = normalise(name)
        if key and not found_units.get(key):  # the first mention that names an owner
            found_units[key] = unit if isinstance(unit, str) else ""
    correct = found = recalled = labelled = 0
    for key, forms in gold.brand_units.items():
        if key not in found_units:
            continue
        unit = normalise(found_units[key])
        if forms:
            labelled += 1
            ok = bool(unit) and unit in forms
            recalled += ok
            correct += ok
            if not ok:
                miss(doc_id, "owning_unit", "wrong" if unit else "missed", " / ".join(forms), found_units[key],
                     gold.brands.get(key, key))
        if unit:
            found += 1
            if not forms:
                miss(doc_id, "owning_unit", "extra", "", found_units[key], f"{gold.brands.get(key, key)}: no owner stated")
    tally(doc_id, "owning_unit", correct, found, labelled, recalled=recalled)


def read_golds(folder: Path, doc_ids=None) -> tuple[dict[str, Gold], list[tuple[str, str]]]:
    """The gold files of a folder (only those of ``doc_ids`` when given), and (file, reason) for each
    gold file that cannot be used: one bad gold file never stops the others."""
    golds, errors = {}, []
    for doc_id, path in gold_files(folder).items():
        if doc_ids is not None and doc_id not in doc_ids:
            continue
        try:
            golds[doc_id] = read_gold(path)
        except GoldError as exc:
            errors.append((path.name, exc.reason))
    return golds, errors


def evaluate(reports: Path | str, gold_dir: Path | str | None = None, include: str | None = None,
             exclude: str | None = None) -> tuple[Evaluation, list[tuple[str, str]]]:
    """Build (or read the built tables of) ``reports`` and score it against the gold files beside the
    reports or in ``gold_dir``. Returns the evaluation and the gold files that could not be used.

    ``include`` and ``exclude`` are shell patterns on the report's name (``batch2-*``): only the
    gold files of the reports they select are scored (the whole folder is still built, so the
    tables are those of the batch)."""
    from .corpus import CatalogWarning
    from .load import load_corpus

    reports = Path(reports)
    if not reports.is_dir():
        raise FileNotFoundError(f"{reports}: no such folder")
    built = (reports / "documents.parquet").exists()
    if built and gold_dir is None:
        raise ValueError(f"{reports} holds built tables: name the gold folder with --gold")
    gold_dir = Path(gold_dir) if gold_dir is not None else reports
    if not gold_dir.is_dir():
        raise FileNotFoundError(f"{gold_dir}: no such gold folder")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CatalogWarning)  # a labelled batch needs no catalog to be scored
        corpus = load_corpus(reports)
    names = set(corpus.documents["doc_id"]) | {Path(f).stem for f in corpus.failures["file"]}
    golds, errors = read_golds(gold_dir)
    labelled = set(golds)  # usable gold files, before a pattern leaves some out
    # Gold for a report that is neither built nor failed is not about this batch.
    golds = {doc_id: gold for doc_id, gold in golds.items() if doc_id in names
             and (include is None or fnmatch(doc_id, include)) and (exclude is None or not fnmatch(doc_id, exclude))}
    result = evaluate_corpus(corpus, golds)
    result.unscored = sorted(set(corpus.documents["doc_id"]) - labelled)  # a report left out by a pattern has gold
    result.settings = {"reports": str(reports), "gold": str(gold_dir), "n_reports": len(corpus.documents),
                       "n_gold": len(golds), **{k: v for k, v in corpus.settings.items() if isinstance(v, str)}}
    return result, errors


def split_halves(doc_ids, seed: int) -> tuple[list[str], list[str]]:
    """The reports in two halves, by file, seeded: a report's half depends only on the seed and its
    name, so adding reports never moves the others."""
    import hashlib

    ranked = sorted(doc_ids, key=lambda d: hashlib.sha256(f"{seed}:{d}".encode()).hexdigest())
    half = (len(ranked) + 1) // 2
    return sorted(ranked[:half]), sorted(ranked[half:])


def _split_scores(result: Evaluation, seed: int) -> tuple[tuple[int, int], dict[str, tuple[float, float, float, float]]]:
    """The sizes of the two halves of ``split_halves`` and, per field, (precision A, precision B,
    recall A, recall B) on them."""
    first, second = split_halves(sorted(set(result.per_report["doc_id"])), seed)
    a, b = scores_of(result.per_report, first).set_index("field"), scores_of(result.per_report, second).set_index("field")
    return (len(first), len(second)), {name: (float(a.at[name, "precision"]), float(b.at[name, "precision"]),
                                              float(a.at[name, "recall"]), float(b.at[name, "recall"])) for name in FIELDS}


def _figure(x: float) -> str:
    return "–" if math.isnan(x) else f"{x:.3f}"


def split_markdown(result: Evaluation, seed: int) -> str:
    """The scores on the two halves of ``split_halves`` side by side, with the gap (held-in minus
    held-out), for checking that a rule written on one half does not lower the other."""
    (n_first, n_second), scores = _split_scores(result, seed)
    lines = [f"Split (seed {seed}): half A {n_first} reports, half B {n_second} reports.", "",
             "| field | A precision | B precision | gap | A recall | B recall | gap |", "|---|---:|---:|---:|---:|---:|---:|"]
    f = _figure
    for name, (pa, pb, ra, rb) in scores.items():
        lines.append(f"| {name} | {f(pa)} | {f(pb)} | {f(pa - pb)} | {f(ra)} | {f(rb)} | {f(ra - rb)} |")
    return "\n".join(lines)


def scores_markdown(result: Evaluation) -> str:
    """The scores as a Markdown table (for the terminal and the README)."""
    lines = ["| field | precision | recall | correct / found | recalled / gold |", "|---|---:|---:|---:|---:|"]
    for row in result.scores.itertuples():
        p = "–" if math.isnan(row.precision) else f"{row.precision:.3f}"
        r = "–" if math.isnan(row.recall) else f"{row.recall:.3f}"
        lines.append(f"| {row.field} | {p} | {r} | {row.correct} / {row.found} | {row.recalled} / {row.gold} |")
    return "\n".join(lines)


def misses_text(result: Evaluation) -> str:
    """Every miss and extra, grouped by report."""
    out = []
    for doc_id, part in result.misses.groupby("doc_id", sort=True):
        out.append(f"{doc_id}:")
        for row in part.itertuples():
            value = row.gold if row.error in ("missed", "wrong") else row.found
            extra = f" (found: {row.found})" if row.error == "wrong" else ""
            detail = f"  [{row.detail}]" if row.detail else ""
            out.append(f"  {row.field:13} {row.error:7} {value}{extra}{detail}")
    return "\n".join(out)


def write_evaluation(result: Evaluation, out_dir: Path | str) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in ("scores", "misses", "per_report"):
        path = out_dir / f"evaluation_{name}.csv"
        getattr(result, name).to_csv(path, index=False, encoding="utf-8-sig", float_format="%.4f")
        paths.append(path)
    return paths


SUMMARY_FIELDS = ("title", "date", "organization", "parent_group", "sector", "region", "metrics", "initiatives",
                  "brands", "formulas", "owning_unit")


def _rows_of(table_markdown: str) -> dict[str, tuple[str, str]]:
    """field → (precision, recall) of a scores table as ``scores_markdown`` writes it."""
    rows = {}
    for line in table_markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] not in ("field", "---"):
            rows[cells[0]] = (cells[1], cells[2])
    return rows


def summary_markdown(first: str, first_placement: str, new: Evaluation, whole: Evaluation, seed: int) -> str:
    """Precision / recall per field: the first measurement on the new reports (``first``; the placement
    fields from ``first_placement``), the new reports now, the whole development corpus now, and the
    gap between the two halves of the whole corpus split with ``seed`` (half A minus half B)."""
    before = {**_rows_of(first), **{name: v for name, v in _rows_of(first_placement).items()
                                     if name in ("parent_group", "sector", "region")}}
    now_new, now_all = _rows_of(scores_markdown(new)), _rows_of(scores_markdown(whole))
    gaps = {name: [_figure(pa - pb), _figure(ra - rb)] for name, (pa, pb, ra, rb) in _split_scores(whole, seed)[1].items()}
    n_new, n_all = new.settings["n_gold"], whole.settings["n_gold"]
    lines = [f"| field | new reports, first measurement | new reports now ({n_new}) | all reports now ({n_all}) "
             f"| gap between the halves of --split {seed} |",
             "|---|---:|---:|---:|---:|"]
    for name in SUMMARY_FIELDS:
        cells = [" / ".join(table[name]) if name in table else "–" for table in (before, now_new, now_all, gaps)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
