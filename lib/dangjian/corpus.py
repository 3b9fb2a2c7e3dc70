"""The corpus: the tables of one build, their documented columns and dtypes.

One report's steps are in ``dangjian.pipeline``; the streaming build (passes, tokens,
statistics, writing) is in ``dangjian.build``, which imports this module (never the reverse);
``dangjian.load`` builds or reads a corpus for an analyst.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .stats import textstats, tokens as tokens_module
from .extraction import brands as brands_module, formulas as formulas_module, metrics as metrics_module
from .extraction import reconciliation as reconciliation_module
from .ingest.catalog import CURATED_COLUMNS, CatalogWarning, read_catalog  # noqa: F401 (the build's catalog API)
from .ingest.organizations import ORGANIZATION_COLUMNS
from .ingest.reading import sidecar_files


COLUMNS = {
    "documents": ["doc_id", "file", "format", "sha256", "encoding", "line_endings", "script", "n_converted_chars",
                  "title", "title_source", "date", "date_precision", "date_source", "author", "author_source",
                  "organization", "organization_source", "org_id", "parent_group", "parent_group_source",
                  "sector", "sector_source", "region", "region_source", "catalog_status", *CURATED_COLUMNS,
                  "n_chars", "n_paragraphs", "n_sentences", "n_removed_lines", "n_pinyin_removed",
                  "n_chars_removed", "text"],
    "paragraphs": ["doc_id", "para_id", "para_no", "line_no", "role", "section", "lead", "text",
                   "text_original", "start", "end"],
    "sentences": ["doc_id", "para_id", "sent_id", "sent_no", "text", "start", "end"],
    "removed": ["doc_id", "line_no", "col", "text", "reason", "rule"],
    "failures": ["file", "reason"],
    "organizations": ORGANIZATION_COLUMNS,
    "brands": brands_module.COLUMNS,
    "formulas": formulas_module.COLUMNS,
    "metrics": metrics_module.COLUMNS,
    "reconciliation": reconciliation_module.COLUMNS,
    "tokens": tokens_module.COLUMNS,
    "frequencies": textstats.FREQUENCY_COLUMNS,
    "keyness": textstats.KEYNESS_COLUMNS,
    "sentence_themes": textstats.SENTENCE_THEME_COLUMNS,
    "theme_shares": textstats.THEME_SHARE_COLUMNS,
    "similarity": textstats.SIMILARITY_COLUMNS,
    "cooccurrence": textstats.COOCCURRENCE_COLUMNS,
}
INT_COLUMNS = {"n_converted_chars", "n_chars", "n_chars_removed", "n_paragraphs", "n_sentences", "n_removed_lines",
               "n_pinyin_removed", "para_no", "line_no", "start", "end", "sent_no", "col",
               "n_mentions", "stated", "found", "n", "rank", "n_target", "n_reference", "n_sentences",
               "n_sentences_total", "n_reports"}
FLOAT_COLUMNS = {"value", "value_base", "per_10k_chars", "g2", "p", "log_ratio", "share", "cosine", "pmi"}
BOOL_COLUMNS = {"redacted", "quoted"}


def para_id(doc_id: str, para_no: int) -> str:
    return f"{doc_id}-p{para_no:03d}"


def sent_id(doc_id: str, sent_no: int) -> str:
    return f"{doc_id}-s{sent_no:04d}"


@dataclass
class Corpus:
    """The tables of one build. Column meanings are documented in docs/tables.md."""

    documents: pd.DataFrame
    paragraphs: pd.DataFrame
    sentences: pd.DataFrame
    removed: pd.DataFrame
    failures: pd.DataFrame
    organizations: pd.DataFrame
    brands: pd.DataFrame
    formulas: pd.DataFrame
    metrics: pd.DataFrame
    reconciliation: pd.DataFrame
    tokens: pd.DataFrame
    frequencies: pd.DataFrame
    keyness: pd.DataFrame
    sentence_themes: pd.DataFrame
    theme_shares: pd.DataFrame
    similarity: pd.DataFrame
    cooccurrence: pd.DataFrame
    settings: dict = field(default_factory=dict)

    TABLES = ("documents", "paragraphs", "sentences", "removed", "failures", "organizations", "brands", "formulas", "metrics",
              "reconciliation", "tokens", "frequencies", "keyness", "sentence_themes", "theme_shares", "similarity",
              "cooccurrence")

    def text(self, doc_id: str) -> str:
        """The normalised (simplified, cleaned) text that all offsets point into."""
        return self.documents.set_index("doc_id").at[doc_id, "text"]

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(getattr(self, name))}" for name in self.TABLES)
        return f"<Corpus {sizes}>"


def typed_table(name: str, rows) -> pd.DataFrame:
    """A table with the documented columns, in order, with stable dtypes (so writes are byte-identical)."""
    attrs = {} if isinstance(rows, list) else dict(rows.attrs)
    frame = pd.DataFrame(rows, columns=COLUMNS[name]) if isinstance(rows, list) else rows.reindex(columns=COLUMNS[name])
    frame.attrs = attrs
    for column in frame.columns:
        if column in INT_COLUMNS:
            frame[column] = frame[column].astype("Int64")
        elif column in FLOAT_COLUMNS:
            frame[column] = frame[column].astype("Float64")
        elif column in BOOL_COLUMNS:
            frame[column] = frame[column].astype("boolean")
        else:
            frame[column] = frame[column].astype("string")
    return frame.reset_index(drop=True)


def report_files(folder: Path, sidecars: dict[str, str] | None = None) -> list[Path]:
    """Every file in ``folder`` except its sidecars (``sidecar_files``: catalog, annotation files,
    hidden files): each is either built or becomes a row of ``failures``."""
    sidecars = sidecar_files(folder) if sidecars is None else sidecars
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name not in sidecars)


def cleaning_counts(corpus: Corpus, columns: dict[str, str] | None = None) -> pd.DataFrame:
    """Each cleaning step's count per report (columns) and for all reports.

    ``columns`` (doc_id → group) sums the reports' columns into one column per group, in
    the order the groups first appear in it.

    Rows: non-blank lines read, whole lines removed by reason, paragraphs and
    sentences kept, pinyin annotations stripped, characters converted to
    simplified script, characters kept and removed (how much of each file is the
    report), and the scripts, style sheets and page titles set aside (web pages).
    """
    docs = corpus.documents.set_index("doc_id")
    removed = corpus.removed
    whole = removed[removed["col"].isna() & removed["line_no"].notna()]
    by_reason = whole.groupby(["reason", "doc_id"]).size().unstack(fill_value=0)
    by_reason.index = ["  removed: " + reason for reason in by_reason.index]
    not_text = removed[removed["line_no"].isna()].groupby("doc_id").size()
    rows = {
        "non-blank lines read": docs["n_paragraphs"] + docs["n_removed_lines"],
        "whole lines removed": docs["n_removed_lines"],
    }
    table = pd.DataFrame(rows).T
    table = pd.concat([table, by_reason.reindex(columns=docs.index, fill_value=0),
                       pd.DataFrame({"paragraphs kept": docs["n_paragraphs"],
                                     "sentences": docs["n_sentences"],
                                     "pinyin annotations stripped": docs["n_pinyin_removed"],
                                     "characters converted to simplified": docs["n_converted_chars"],
                                     "characters kept": docs["n_chars"],
                                     "characters removed": docs["n_chars_removed"],
                                     "scripts, styles and page titles set aside":
                                         not_text.reindex(docs.index, fill_value=0)}).T])
    table = table.astype("int64")
    if columns is not None:
        order = list(dict.fromkeys(columns[d] for d in table.columns))
        table = table.T.groupby(table.columns.map(columns)).sum().T.reindex(columns=order)
    table["all reports"] = table.sum(axis=1)
    table.index.name = "step"
    return table


def counts_markdown(corpus: Corpus) -> str:
    """The README's cleaning-counts table, generated so that it cannot go stale."""
    table = cleaning_counts(corpus)
    columns = [c.split("_")[0] if c != "all reports" else c for c in table.columns]
    lines = ["| step | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    lines += [f"| {step} | " + " | ".join(str(v) for v in row) + " |" for step, row in table.iterrows()]
    return "\n".join(lines)
