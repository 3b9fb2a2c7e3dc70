"""Extraction: brands, numbered formulas, reported metrics and their reconciliation,
each row tied to its sentence (sent_id) and character offsets in documents.text."""
from __future__ import annotations

import pandas as pd

from . import brands as brands_module, formulas as formulas_module, metrics as metrics_module
from . import reconciliation as reconciliation_module
from .brands import brand_rows, expansion_carriers, extract_brands, with_report_owner
from .formulas import extract_formulas, formula_rows, is_fixed_formula, looks_like_formula
from .metrics import extract_metrics, metric_rows
from .reconciliation import reconcile, reconciliation_rows
from .common import mask_quotes, quoted_spans, sentence_records

__all__ = ["extract_all", "extract_brands", "extract_formulas", "extract_metrics", "reconcile"]


def extract_all(corpus, records=None, as_rows: bool = False) -> dict:
    """The four extraction tables; formulas keep brand names out, metrics keep formulas out.

    ``corpus`` needs only ``documents`` (doc_id, text); ``records`` are its sentences
    (``sentence_records(corpus)`` when not given). ``as_rows`` returns lists of row
    dicts instead of DataFrames (the streaming build's per-report path).
    """
    # Caches within one call: reports never share sentences in a real corpus (and a benchmark that
    # repeats reports must not profit from the repetition).
    for cached in (quoted_spans, mask_quotes, looks_like_formula, is_fixed_formula):
        cached.cache_clear()
    records = sentence_records(corpus) if records is None else records
    texts = dict(zip(list(corpus.documents["doc_id"]), list(corpus.documents["text"])))
    brands = brand_rows(texts, records)
    brand_names: dict[str, set[str]] = {}
    for brand in brands:
        if brand["kind"] == "brand":
            brand_names.setdefault(brand["doc_id"], set()).add(brand["name"])
    formulas = formula_rows(records, brand_names)
    brands = brands + expansion_carriers(formulas, brands, records)
    documents = corpus.documents
    if "organization" in documents:
        organizations = {doc: org for doc, org in zip(list(documents["doc_id"]), list(documents["organization"]))
                         if isinstance(org, str)}
    else:
        organizations = {}
    brands = with_report_owner(brands, organizations, texts)
    tables = {"brands": brands, "formulas": formulas, "metrics": metric_rows(records, formulas),
              "reconciliation": reconciliation_rows(records, brands, formulas)}
    if as_rows:
        return tables
    modules = {"brands": brands_module, "formulas": formulas_module, "metrics": metrics_module,
               "reconciliation": reconciliation_module}
    return {name: pd.DataFrame(rows, columns=modules[name].COLUMNS) for name, rows in tables.items()}
