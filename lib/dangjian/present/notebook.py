"""The notebooks' common setup, in one call: ``ctx = setup(TABLES, FIGURES, REPORTS, GROUP_BY,
TOP_GROUPS, "01_corpus")``.

It loads the tables (building the project's seeds first, with a progress bar, when a fresh clone
has none yet), groups the reports, embeds the table library in the page, and gives the notebook
the names it uses: ``corpus``, ``grouping``, ``tables``, ``glossary``, ``figures``, ``docs``
(documents by doc_id), ``label`` (doc_id → report label), ``group_of`` (doc_id → shown group)
and ``order`` (the shown groups in order).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..config import SEEDS_DIR
from ..corpus import Corpus
from .display import Tables
from .groups import Grouping, group_reports
from . import narrative
from .narrative import Glossary


@dataclass
class Context:
    corpus: Corpus
    grouping: Grouping
    tables: Tables
    glossary: Glossary
    figures: Path
    docs: pd.DataFrame
    label: dict
    group_of: dict
    order: list


def ensure_tables(tables: Path | str) -> Path:
    """``tables`` if it holds built tables or reports; on a fresh clone, where the project's default
    folder does not exist yet, the seeds are built into it first (the same as ``make build``)."""
    tables = Path(tables)
    if (tables / "documents.parquet").exists() or (tables.is_dir() and any(tables.iterdir())):
        return tables
    if not SEEDS_DIR.is_dir():
        raise FileNotFoundError(f"{tables}: no built tables, and no seeds/ to build them from: run "
                                f"`dangjian build FOLDER --out {tables}` on your reports first")
    from ..build import build

    print(f"{tables} holds no tables yet: building {SEEDS_DIR} into it (the same as `make build`)…",
          file=sys.stderr)
    build(SEEDS_DIR, tables)
    return tables


def organization_pages(corpus: Corpus, grouping: Grouping) -> dict[str, str]:
    """Organization name, and group label when the reports are grouped by organization → org_id:
    the cells of the notebooks' tables that name an organization link to its profile."""
    pages = dict(zip(corpus.organizations["name"].astype(str), corpus.organizations["org_id"].astype(str)))
    if grouping.by == "organization":
        ids = corpus.documents.set_index("doc_id")["org_id"].astype(object)
        for doc_id, group in grouping.of().items():
            if isinstance(ids.get(doc_id), str) and ids[doc_id]:
                pages.setdefault(group, ids[doc_id])
        for doc_id, label in grouping.label().items():
            if isinstance(ids.get(doc_id), str) and ids[doc_id]:
                pages.setdefault(label, ids[doc_id])
    return pages


def setup(tables: Path | str, figures: Path | str, reports: Path | str, group_by: str, top_groups: int,
          stem: str) -> Context:
    """Everything a notebook needs before its first question (see the module docstring).

    ``dangjian report`` passes absolute folders and exports the pages into ``reports``, so links
    are relative to the exported page (``csv/…``, ``docs/…``). An interactive run keeps the
    notebook's own relative folders (``../data/interactive/…``, never an exported report set):
    there links are relative to the notebook, and the report pages they point at are written
    into ``reports/docs`` when missing, so that they open from JupyterLab."""
    from ..load import load_corpus

    tables = ensure_tables(tables)
    corpus = load_corpus(tables)
    grouping = group_reports(corpus.documents, group_by, top_groups)
    Tables.init()
    figures, reports = Path(figures), Path(reports)
    figures.mkdir(parents=True, exist_ok=True)
    interactive = not reports.is_absolute()
    if interactive and (tables / "documents.parquet").exists() and not (reports / "docs").is_dir():
        from .pages import write_pages

        write_pages(tables, reports)
    prefix = f"{reports.as_posix()}/" if interactive else ""
    narrative.DOCS_PREFIX = f"{prefix}docs"  # the sentences cited in prose link to their pages too
    table_maker = Tables(reports / "csv", stem, link_prefix=f"{prefix}csv", docs_prefix=f"{prefix}docs",
                         org_pages=organization_pages(corpus, grouping),
                         workbook=None if interactive else "tables.xlsx")  # dangjian report writes the workbook
    return Context(corpus=corpus, grouping=grouping, tables=table_maker,
                   glossary=Glossary(), figures=figures, docs=corpus.documents.set_index("doc_id"),
                   label=grouping.label(), group_of=grouping.of(), order=grouping.shown_order)
