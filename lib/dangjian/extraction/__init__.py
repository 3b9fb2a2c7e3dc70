"""Extraction: brands, numbered formulas, reported metrics and their reconciliation,
each row tied to its sentence (sent_id) and character offsets in documents.text."""
from __future__ import annotations

from typing import Mapping

from .brands import brand_rows, expansion_carriers, with_report_owner
from ..cues import load_cues
from .common import mask_quotes, quoted_spans
from .formulas import formula_rows, is_fixed_formula, looks_like_formula
from .metrics import metric_rows
from .reconciliation import reconciliation_rows

__all__ = ["extract_all"]


def extract_all(texts: dict[str, str], organizations: dict[str, str], records,
                cues: Mapping | None = None) -> dict[str, list[dict]]:
    """The four extraction tables, as lists of rows, of the reports whose normalised texts ``texts``
    holds (doc_id → text): ``records`` are their sentences (``records_from_rows`` or
    ``sentence_records``), ``organizations`` each report's organization (doc_id → name; a report
    without one may be left out). Every extractor reads ``cues`` (``load_cues(path)``; the shipped
    file when None). Metrics keep formulas out."""
    # Caches within one call: reports never share sentences in a real corpus (and a benchmark that
    # repeats reports must not profit from the repetition).
    for cached in (quoted_spans, mask_quotes, looks_like_formula, is_fixed_formula):
        cached.cache_clear()
    cues = cues or load_cues()
    brands = brand_rows(texts, records, cues)
    formulas = formula_rows(records, cues)
    brands = brands + expansion_carriers(formulas, brands, records, cues)
    brands = with_report_owner(brands, organizations, texts, cues)
    return {"brands": brands, "formulas": formulas, "metrics": metric_rows(records, formulas, cues),
            "reconciliation": reconciliation_rows(records, brands, formulas, cues)}
