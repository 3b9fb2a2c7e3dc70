"""Extraction: brands, numbered formulas, reported metrics and their reconciliation,
each row tied to its sentence (sent_id) and character offsets in documents.text."""
from __future__ import annotations

import pandas as pd

from .brands import extract_brands
from .formulas import extract_formulas
from .metrics import extract_metrics
from .reconciliation import reconcile

__all__ = ["extract_all", "extract_brands", "extract_formulas", "extract_metrics", "reconcile"]


def extract_all(corpus) -> dict[str, pd.DataFrame]:
    """The four extraction tables for a corpus; formulas keep brand names out, metrics keep formulas out."""
    brands = extract_brands(corpus)
    brand_names = brands[brands["kind"] == "brand"].groupby("doc_id")["name"].apply(set).to_dict()
    formulas = extract_formulas(corpus, brand_names)
    metrics = extract_metrics(corpus, formulas)
    return {"brands": brands, "formulas": formulas, "metrics": metrics,
            "reconciliation": reconcile(corpus, brands, formulas)}
