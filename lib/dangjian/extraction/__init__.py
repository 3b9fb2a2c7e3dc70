"""Extraction: brands, numbered formulas, reported metrics and their reconciliation,
each row tied to its sentence (sent_id) and character offsets in documents.text."""
from __future__ import annotations

from .brands import brand_rows, expansion_carriers, with_report_owner
from .common import mask_quotes, quoted_spans
from .formulas import formula_rows, is_fixed_formula, looks_like_formula
from .metrics import metric_rows
from .reconciliation import reconciliation_rows

__all__ = ["extract_all"]


def extract_all(texts: dict[str, str], organizations: dict[str, str], records) -> dict[str, list[dict]]:
    """The four extraction tables, as lists of rows, of the reports whose normalised texts ``texts``
    holds (doc_id → text): ``records`` are their sentences (``records_from_rows`` or
    ``sentence_records``), ``organizations`` each report's organization (doc_id → name; a report
    without one may be left out). Formulas keep brand names out, metrics keep formulas out."""
    # Caches within one call: reports never share sentences in a real corpus (and a benchmark that
    # repeats reports must not profit from the repetition).
    for cached in (quoted_spans, mask_quotes, looks_like_formula, is_fixed_formula):
        cached.cache_clear()
    brands = brand_rows(texts, records)
    brand_names: dict[str, set[str]] = {}
    for brand in brands:
        if brand["kind"] == "brand":
            brand_names.setdefault(brand["doc_id"], set()).add(brand["name"])
    formulas = formula_rows(records, brand_names)
    brands = brands + expansion_carriers(formulas, brands, records)
    brands = with_report_owner(brands, organizations, texts)
    return {"brands": brands, "formulas": formulas, "metrics": metric_rows(records, formulas),
            "reconciliation": reconciliation_rows(records, brands, formulas)}
