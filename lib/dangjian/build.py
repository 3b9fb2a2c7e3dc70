"""The streaming build: every table written to disk as the reports go by, so that
memory does not grow with the corpus, with several processes for large corpora.

Pass 1, one report at a time (in worker processes when there are many):
  read → clean → metadata → structure → extraction → theme coding. Rows are
  appended to each table's CSV and Parquet file as they come back, in file order.
Pass 2, the sentences streamed back from disk a batch of whole reports at a time:
  tokenisation, with a dictionary fixed before it starts (the project's user
  dictionary plus every brand and formula name of pass 1), so tokens never depend
  on which worker saw which report. Each report's token counts become its
  frequency rows as soon as the report is complete.
Pass 3, corpus-wide statistics streamed from the written tables: overall
  frequencies, keyness, co-occurrence and, up to ``SIMILARITY_MAX_DOCS``
  reports, similarity.

Memory holds one batch of reports plus counts bounded by the vocabulary.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import threading
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from . import __version__, textstats
from . import tokens as tokens_module
from .cleaning import FURNITURE_FILE, OPENCC_CONFIG, load_rules
from .config import CATALOG_NAME
from .corpus import CATALOG_COLUMNS, CatalogWarning, _table, process_report, read_catalog, report_files
from .extraction import extract_all
from .extraction.common import CUES_FILE, records_from_rows

SIMILARITY_MAX_DOCS = 300      # a docs × docs matrix beyond this is neither small nor readable
PARALLEL_MIN_FILES = 40        # below this, worker start-up costs more than it saves
FLUSH_ROWS = 50_000            # rows buffered per table before a row group is written ...
FLUSH_ROWS_BY_TABLE = {"documents": 500, "paragraphs": 10_000}  # ... fewer where a row holds long text
SENTENCE_BATCH_ROWS = 20_000   # sentences per tokenisation task (whole reports only)

PASS1_TABLES = ("documents", "paragraphs", "sentences", "removed", "failures", "brands", "formulas", "metrics",
                "reconciliation", "sentence_themes", "theme_shares")


class TableWriter:
    """Append rows to ``<name>.csv`` (UTF-8 with BOM) and ``<name>.parquet``, in fixed dtypes.

    Rows are buffered (lists of dicts or DataFrames) and turned into one typed table per
    ``FLUSH_ROWS``, so the per-report cost is a list append.
    """

    def __init__(self, out_dir: Path, names):
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.buffers: dict[str, list] = {name: [] for name in names}
        self.buffered = dict.fromkeys(names, 0)
        self.rows = dict.fromkeys(names, 0)
        self.parquet: dict[str, pq.ParquetWriter] = {}
        self.csv: dict[str, pa_csv.CSVWriter] = {}
        self.handles: dict = {}
        self.finished: set[str] = set()
        self.schemas = {name: pa.Schema.from_pandas(_table(name, []), preserve_index=False) for name in names}

    def append(self, name: str, rows) -> None:
        """Buffer a DataFrame or a list of row dicts."""
        if rows is None or not len(rows):
            return
        self.buffers[name].append(rows)
        self.buffered[name] += len(rows)
        if self.buffered[name] >= FLUSH_ROWS_BY_TABLE.get(name, FLUSH_ROWS):
            self.flush(name)

    def _arrow(self, name: str) -> pa.Table:
        """One Arrow table of the buffered rows: lists of dicts straight to Arrow, DataFrames via pandas."""
        schema = self.schemas[name]
        parts, dicts = [], []
        for part in self.buffers[name]:
            if isinstance(part, pd.DataFrame):
                if dicts:
                    parts.append(pa.Table.from_pylist(dicts, schema=schema))
                    dicts = []
                parts.append(pa.Table.from_pandas(part, schema=schema, preserve_index=False))
            else:
                dicts.extend(part)
        if dicts:
            parts.append(pa.Table.from_pylist(dicts, schema=schema))
        return pa.concat_tables(parts) if parts else schema.empty_table()

    def flush(self, name: str) -> None:
        if not self.buffers[name] and name in self.parquet:
            return
        table = self._arrow(name)
        if name not in self.parquet:
            self.parquet[name] = pq.ParquetWriter(self.out_dir / f"{name}.parquet", self.schemas[name])
            handle = open(self.out_dir / f"{name}.csv", "wb")
            handle.write(b"\xef\xbb\xbf")  # BOM, so that Excel reads the Chinese as UTF-8
            self.handles[name] = handle
            self.csv[name] = pa_csv.CSVWriter(handle, self.schemas[name].remove_metadata(),
                                              write_options=pa_csv.WriteOptions(quoting_style="needed"))
        if table.num_rows:
            self.parquet[name].write_table(table)
            self.csv[name].write_table(table.replace_schema_metadata(None))
        self.rows[name] += table.num_rows
        self.buffers[name], self.buffered[name] = [], 0

    def finish(self, name: str) -> None:
        """Write what is buffered and complete the files, so the table can be read back."""
        if name in self.finished:
            return
        self.flush(name)
        self.parquet[name].close()
        self.csv[name].close()
        self.handles[name].close()
        self.finished.add(name)

    def close(self) -> None:
        for name in self.buffers:
            self.finish(name)


# ---- pass 1: one report ------------------------------------------------------------------------

_STATE: dict = {}


def _init_pass1() -> None:
    _STATE["rules"] = load_rules()
    _STATE["codebook"] = textstats.load_codebook()


def process_document(path: Path) -> dict:
    """Every pass-1 table row of one report, or {"failures": …} when it cannot be read."""
    from .reading import ReadError

    if "rules" not in _STATE:
        _init_pass1()
    try:
        rows = process_report(path, _STATE["rules"])
    except ReadError as exc:
        return {"failures": [{"file": path.name, "reason": exc.reason}]}
    (document,) = rows["documents"]
    records = records_from_rows(rows["paragraphs"], rows["sentences"])
    one = SimpleNamespace(documents={"doc_id": [document["doc_id"]], "text": [document["text"]]})
    rows.update(extract_all(one, records, as_rows=True))
    themes = textstats.code_theme_rows(rows["sentences"], _STATE["codebook"])
    rows["sentence_themes"] = [dict(zip(textstats.SENTENCE_THEME_COLUMNS, row)) for row in themes]
    rows["coded"] = dict(Counter(theme for _, _, theme, *_ in themes))
    rows["n_covered"] = len({sent for _, sent, *_ in themes})
    return rows


# ---- pass 2: tokens ----------------------------------------------------------------------------

def _init_pass2(backend: str, words: tuple[str, ...]) -> None:
    _STATE["segmenter"] = tokens_module.Segmenter(backend, words)


def _tokenize_batch(batch: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, dict]]]:
    """Tokens of a batch of whole reports, and each report's token counts (counted in the worker)."""
    tokens = tokens_module.tokenize_sentences(batch, _STATE["segmenter"])
    counts: dict[str, Counter] = {doc_id: Counter() for doc_id in dict.fromkeys(batch["doc_id"].tolist())}
    for doc_id, token in zip(tokens["doc_id"].tolist(), tokens["token"].tolist()):
        counts[doc_id][token] += 1
    return tokens, list(counts.items())


def grouped_batches(path: Path, columns: list[str], key: str, batch_rows: int):
    """A Parquet table read back in batches that never split a group of rows sharing ``key``."""
    carry = None
    for record_batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows, columns=columns):
        frame = record_batch.to_pandas()
        if carry is not None and len(carry):
            frame = pd.concat([carry, frame], ignore_index=True)
        if not len(frame):
            continue
        last = frame[key].iloc[-1]
        complete = frame[key] != last
        carry = frame[~complete]
        if complete.any():
            yield frame[complete].reset_index(drop=True)
    if carry is not None and len(carry):
        yield carry.reset_index(drop=True)


def _progress(items, total: int, desc: str):
    quiet = bool(os.environ.get("CI")) or not sys.stderr.isatty()
    if quiet:
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc=desc, unit="file")


@dataclass
class BuildResult:
    out_dir: Path
    rows: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    n_bytes: int = 0
    seconds: dict = field(default_factory=dict)  # per pass; reported by the benchmark, never written


class Throttle:
    """Feed a pool no more than ``limit`` items ahead of what the main process has consumed,
    so finished results never pile up in memory when writing is the slower side."""

    def __init__(self, items, limit: int):
        self.items, self.limit = iter(items), limit
        self.sent = self.done = 0
        self.cond = threading.Condition()

    def __iter__(self):
        for item in self.items:
            with self.cond:
                self.cond.wait_for(lambda: self.sent - self.done < self.limit)
                self.sent += 1
            yield item

    def consumed(self):
        with self.cond:
            self.done += 1
            self.cond.notify()


def _map(pool, func, items, chunksize=4, workers=1, ahead=8):
    """Ordered results of ``func`` over ``items``: in a pool, at most ``ahead`` tasks per worker in flight."""
    if pool is None:
        yield from map(func, items)
        return
    throttle = Throttle(items, limit=max(2, ahead * workers * chunksize))
    for result in pool.imap(func, throttle, chunksize):
        throttle.consumed()
        yield result


def build(folder: Path | str, out_dir: Path | str, backend: str = tokens_module.DEFAULT_BACKEND,
          workers: int | None = None) -> BuildResult:
    """Build every table of the reports in ``folder`` into ``out_dir`` (CSV with BOM and Parquet)."""
    folder, out_dir = Path(folder), Path(out_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder of reports")
    files = report_files(folder)
    catalog = read_catalog(folder)
    listed = dict(zip(catalog["file"], catalog.to_dict("records")))
    if workers is None:
        workers = min(os.cpu_count() or 1, 8) if len(files) >= PARALLEL_MIN_FILES else 1
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    codebook = textstats.load_codebook()
    derived = ("tokens", "frequencies", "keyness", "similarity", "cooccurrence")
    writer = TableWriter(out_dir, PASS1_TABLES + derived)
    result = BuildResult(out_dir, n_bytes=sum(p.stat().st_size for p in files))
    doc_chars: dict[str, int] = {}
    labels: dict[str, str] = {}
    names: set[str] = set()

    clock = time.perf_counter()
    # pass 1
    pool = context.Pool(workers, initializer=_init_pass1) if workers > 1 else None
    try:
        for path, tables in zip(files, _progress(_map(pool, process_document, files, 4, workers), len(files),
                                                 "reports")):
            if "documents" not in tables:
                writer.append("failures", tables["failures"])
                result.failures.append((path.name, tables["failures"][0]["reason"]))
                continue
            (document,) = tables["documents"]
            entry = listed.get(path.name)
            if entry is None:
                warnings.warn(f"{path.name}: not listed in {CATALOG_NAME}; its catalog columns are empty",
                              CatalogWarning, stacklevel=2)
            for column in CATALOG_COLUMNS:
                document[column] = (entry or {}).get(column, "")
            doc_id = document["doc_id"]
            doc_chars[doc_id] = int(document["n_chars"])
            labels[doc_id] = (entry or {}).get("org_label", "") or doc_id
            names |= {b["name"] for b in tables["brands"]} | {f["formula"] for f in tables["formulas"]}
            for name in ("documents", "paragraphs", "sentences", "removed", "brands", "formulas", "metrics",
                         "reconciliation", "sentence_themes"):
                writer.append(name, tables[name])
            n_sentences = len(tables["sentences"])
            writer.append("theme_shares", [dict(zip(textstats.THEME_SHARE_COLUMNS, row)) for row in
                                           textstats.theme_share_rows(doc_id, labels[doc_id], tables["coded"],
                                                                      tables["n_covered"], n_sentences, codebook)])
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    for file in catalog["file"]:
        if not (folder / file).exists():
            warnings.warn(f"{file}: listed in {CATALOG_NAME} but not found in {folder}", CatalogWarning, stacklevel=2)
    for name in PASS1_TABLES:
        writer.finish(name)

    result.seconds["pass 1 (read…extract)"] = time.perf_counter() - clock
    clock = time.perf_counter()
    # pass 2
    words = tuple(sorted(names))
    totals: Counter = Counter()
    pool = context.Pool(workers, initializer=_init_pass2, initargs=(backend, words)) if workers > 1 else None
    if pool is None:
        _init_pass2(backend, words)
    try:
        sentences = grouped_batches(out_dir / "sentences.parquet", ["doc_id", "sent_id", "text", "start"], "doc_id",
                                    SENTENCE_BATCH_ROWS)
        for batch, per_doc in _map(pool, _tokenize_batch, sentences, chunksize=1, workers=workers, ahead=2):
            writer.append("tokens", batch)
            for doc_id, counts in per_doc:  # batches hold whole reports, so each count is complete
                writer.append("frequencies", textstats.frequency_rows(doc_id, labels[doc_id], counts,
                                                                     doc_chars[doc_id]))
                totals.update(counts)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    writer.append("frequencies", textstats.frequency_rows(textstats.ALL, "all reports", dict(totals),
                                                           sum(doc_chars.values())))
    writer.finish("tokens")
    writer.finish("frequencies")

    result.seconds["pass 2 (tokens)"] = time.perf_counter() - clock
    clock = time.perf_counter()
    # pass 3
    docs_meta = pd.DataFrame({"doc_id": list(labels), "org_label": list(labels.values())})
    per_doc_counts = []
    totals, grand_total = dict(totals), sum(totals.values())
    for doc_id, counts in _per_doc_counts(out_dir / "frequencies.parquet"):
        writer.append("keyness", textstats.keyness_rows(doc_id, labels[doc_id], counts, totals, grand_total=grand_total))
        if len(labels) <= SIMILARITY_MAX_DOCS:
            per_doc_counts.append(pd.DataFrame({"doc_id": doc_id, "token": list(counts), "n": list(counts.values())}))
    if per_doc_counts:
        writer.append("similarity", textstats.similarity_from_counts(pd.concat(per_doc_counts), docs_meta))
    vocab = set(textstats.top_terms(totals))
    pairs, sentence_freq = {}, {}
    n_sentences = 0
    for frame in grouped_batches(out_dir / "tokens.parquet", ["sent_id", "token"], "sent_id", 200_000):
        n_sentences += textstats.count_pairs((t for _, t in frame.groupby("sent_id", sort=False)["token"]),
                                             vocab, pairs, sentence_freq)
    writer.append("cooccurrence", textstats.cooccurrence_from_counts(pairs, sentence_freq, n_sentences))
    writer.close()
    result.seconds["pass 3 (statistics)"] = time.perf_counter() - clock

    result.rows = dict(writer.rows)
    result.settings = {
        "dangjian_version": __version__, "source": str(folder), "n_files": len(files), "workers": workers,
        "opencc_config": OPENCC_CONFIG,
        "furniture_rules_sha256": hashlib.sha256(FURNITURE_FILE.read_bytes()).hexdigest(),
        "extraction_cues_sha256": hashlib.sha256(CUES_FILE.read_bytes()).hexdigest(),
        "tokens": tokens_module.settings_for(backend, len(tokens_module.dictionary_words(words))),
        "similarity": "computed" if len(labels) <= SIMILARITY_MAX_DOCS else
                      f"skipped: {len(labels)} reports > {SIMILARITY_MAX_DOCS}",
    }
    return result


def _per_doc_counts(path: Path):
    """(doc_id, {token: n}) for each report, streamed from the frequencies table."""
    for frame in grouped_batches(path, ["doc_id", "token", "n"], "doc_id", 200_000):
        for doc_id, group in frame.groupby("doc_id", sort=False):
            if doc_id != textstats.ALL:
                yield doc_id, dict(zip(group["token"].tolist(), (int(n) for n in group["n"].tolist())))
