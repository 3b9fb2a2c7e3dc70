"""Loading a corpus for an analyst: a folder of reports built now, or built tables read back.

``build_corpus`` and ``load_corpus`` sit above both the per-report steps
(``dangjian.corpus``) and the streaming build (``dangjian.build``), so neither of those
imports the other in a circle.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .stats import tokens as tokens_module
from .build import build
from .writer import TableWriter, csv_tables
from .config import SEEDS_DIR
from .corpus import Corpus, typed_table


def build_corpus(folder: Path | str | None = None, backend: str = tokens_module.DEFAULT_BACKEND,
                 workers: int | None = None, dask: str | bool | None = None) -> Corpus:
    """Build a folder of reports in memory: the streaming build into a temporary folder, read back.

    One code path makes every table, whether an analyst calls this or runs ``dangjian build``.
    """
    import tempfile

    folder = Path(folder) if folder is not None else SEEDS_DIR
    with tempfile.TemporaryDirectory(prefix="dangjian-") as tmp:
        result = build(folder, tmp, backend, workers, dask=dask)
        corpus = read_tables(Path(tmp)).read_all()  # the folder goes away with the block
    corpus.settings = result.settings
    return corpus


def write_corpus(corpus: Corpus, out_dir: Path | str, csv: str = "excel") -> list[Path]:
    """Write every table as Parquet, and as CSV (UTF-8 with BOM, for Excel) the tables
    ``dangjian build`` writes as CSV (every table with ``csv="all"``)."""
    with_csv = csv_tables(csv, corpus.TABLES)
    writer = TableWriter(Path(out_dir), corpus.TABLES, with_csv)
    for name in corpus.TABLES:
        writer.append(name, getattr(corpus, name))
    writer.close()
    return [writer.out_dir / f"{name}.{ext}" for name in corpus.TABLES
            for ext in (("csv", "parquet") if name in with_csv else ("parquet",))]


class StoredCorpus(Corpus):
    """A corpus whose tables are read from its folder on first use: a notebook that never looks at
    the tokens does not hold them (the largest table, a row per token)."""

    def __init__(self, out_dir: Path):  # noqa: D107 (the dataclass fields are filled on first use)
        self.out_dir = Path(out_dir)
        self.settings = {"source": str(out_dir)}

    def __getattr__(self, name: str):
        # called only for attributes not yet set: a table is read once, then kept
        if name in Corpus.TABLES:
            frame = typed_table(name, pd.read_parquet(self.out_dir / f"{name}.parquet"))
            setattr(self, name, frame)
            return frame
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    def read_all(self) -> "StoredCorpus":
        """Every table read now (before the folder goes away)."""
        for name in Corpus.TABLES:
            getattr(self, name)
        return self


def read_tables(out_dir: Path) -> Corpus:
    """The built tables of ``out_dir``, each read when first used."""
    return StoredCorpus(out_dir)


def load_corpus(path: Path | str | None = None) -> Corpus:
    """Tables for a folder: built tables if it holds them, else built now from its reports.

    ``path=None`` builds the project's ``seeds/``.
    """
    path = Path(path) if path is not None else SEEDS_DIR
    if (path / "documents.parquet").exists():
        return read_tables(path)
    return build_corpus(path)
