"""The streaming build: every table written to disk as the reports go by, so that
memory does not grow with the corpus, with several processes (or a Dask cluster,
see ``dangjian.parallel``) for large corpora.

Pass 1, a few reports per task (in worker processes when there are many):
  read → clean → metadata → structure → extraction → theme coding. Workers hand
  back Arrow tables (as IPC bytes); the main process appends them to each table's
  Parquet file (and CSV file, for ``EXCEL_TABLES``), in file order.
Pass 2, the sentences streamed back from disk a batch of whole reports at a time:
  tokenisation, with a dictionary fixed before it starts (the project's user
  dictionary plus every brand and formula name of pass 1), so tokens never depend
  on which worker saw which report. The worker also counts each report's tokens
  into its frequency rows.
Pass 3, corpus-wide statistics on whole arrays, streamed from the written tables:
  overall frequencies, keyness, co-occurrence and, up to ``SIMILARITY_MAX_DOCS``
  reports, similarity.

Memory holds a few batches plus counts bounded by the vocabulary and one small
entry per report; freed memory is handed back to the system after every write.
"""
from __future__ import annotations

import hashlib
import os
import sys
import threading
import time
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .stats import textstats
from .stats import tokens as tokens_module
from .ingest.catalog import apply_catalog, warn_unchecked_edits
from .ingest.cleaning import FURNITURE_FILE, OPENCC_CONFIG
from .config import CATALOG_NAME, VERSION
from .corpus import CatalogWarning, read_catalog, report_files, typed_table
from .cues import CUES_FILE
from .ingest.organizations import organizations_table
from .parallel import DaskExecutor, LocalPool
from .pipeline import PipelineRules, run_report
from .ingest.reading import ReadError, doc_ids, sidecar_files
from .ingest.reading.webpage import FURNITURE_FILE as HTML_FURNITURE_FILE
from .wire import compact, from_wire, to_wire
from .writer import TableWriter, arrow_table, csv_tables, system_allocator

SIMILARITY_MAX_DOCS = 300      # a docs × docs matrix beyond this is neither small nor readable
PARALLEL_MIN_FILES = 40        # below this, worker start-up costs more than it saves
FILES_PER_TASK = 32            # reports per pass-1 task: fewer, larger messages between processes
SENTENCE_BATCH_ROWS = 5_000    # sentences per tokenisation task (whole reports only)
STATISTICS_BATCH_ROWS = 50_000   # rows of frequencies / tokens read back at a time in pass 3


DERIVED_TABLES = ("tokens", "frequencies", "keyness", "similarity", "cooccurrence")
ORGANIZATION_FIELDS = ("doc_id", "org_id", "org_id_source", "organization", "organization_source", "parent_group",
                       "sector", "region", "catalog_status")
PASS1_TABLES = ("documents", "paragraphs", "sentences", "removed", "failures", "brands", "formulas", "metrics",
                "reconciliation", "sentence_themes", "theme_shares")


# ---- what a worker holds -----------------------------------------------------------------------

@dataclass
class WorkerState:
    """What a worker process keeps between tasks, set by each pass's initializer (``init_pass1``,
    ``init_pass2``): the local pool's workers inherit it when forked, Dask's run the initializer."""

    rules: PipelineRules | None = None
    listed: dict = field(default_factory=dict)        # pass 1: file name → its catalog row
    segmenter_loading: SegmenterInBackground | None = None
    segmenter: tokens_module.Segmenter | None = None
    documents: dict = field(default_factory=dict)     # pass 2: doc_id → (label, n_chars)


WORKER = WorkerState()


# ---- pass 1: reports ---------------------------------------------------------------------------

def init_pass1(listed: dict | None = None) -> None:
    WORKER.rules = PipelineRules.load()
    WORKER.listed = listed or {}


def process_document(path: Path, doc_id: str | None = None) -> dict:
    """Every pass-1 table row of one report (``dangjian.pipeline``), with its theme counts
    (``coded``, ``n_covered``), or {"failures": …} when it cannot be read."""
    if WORKER.rules is None:
        init_pass1()
    try:
        report = run_report(path, WORKER.rules, doc_id)
    except ReadError as exc:
        return {"failures": [{"file": path.name, "reason": exc.reason}]}
    return {**report.rows, "coded": report.coded, "n_covered": report.n_covered}


def process_files(paths: list[tuple[Path, str]]) -> tuple[dict[str, pa.Table], list[dict]]:
    """The pass-1 tables of a few reports, as Arrow tables in file order, and a summary of each report.

    Runs in a worker: the catalog columns and theme shares are filled in here, so that
    the main process only writes.
    """
    rows: dict[str, list] = {name: [] for name in PASS1_TABLES}
    summaries = []
    for path, doc_id in paths:
        tables = process_document(path, doc_id)
        if "documents" not in tables:
            rows["failures"] += tables["failures"]
            summaries.append({"file": path.name, "failure": tables["failures"][0]["reason"]})
            continue
        (document,) = tables["documents"]
        entry = WORKER.listed.get(path.name)
        edits = apply_catalog(document, entry)
        doc_id = document["doc_id"]
        label = textstats.organization_label((entry or {}).get("org_label", ""), document.get("organization"), doc_id)
        tables["theme_shares"] = textstats.theme_share_rows(
            doc_id, label, tables["coded"], tables["n_covered"], len(tables["sentences"]), WORKER.rules.codebook)
        for name in PASS1_TABLES:
            if name != "failures":
                rows[name] += tables[name]
        names = {b["name"] for b in tables["brands"]} | {f["formula"] for f in tables["formulas"]}
        summaries.append({"file": path.name, "doc_id": doc_id, "label": label, "n_chars": int(document["n_chars"]),
                          "listed": entry is not None, "names": sorted(names), "edits": edits,
                          "organization": {key: document.get(key) for key in ORGANIZATION_FIELDS}})
    return {name: arrow_table(name, part) for name, part in rows.items()}, summaries


def pass1_task(paths: list[tuple[Path, str]]) -> tuple[dict[str, bytes], list[dict]]:
    """``process_files`` with its tables as IPC bytes (the function pass 1 sends to workers)."""
    tables, summaries = process_files(paths)
    return {name: to_wire(table) for name, table in tables.items()}, summaries


# ---- pass 2: tokens ----------------------------------------------------------------------------

class SegmenterInBackground:
    """The pass-2 segmenter's dictionaries (the backend's and ours) loaded in a thread of the main
    process while pass 1 runs, rather than between the passes while every core waits; the local
    pool's pass-2 workers inherit it when they are forked. The build starts one when the local pool
    says pass 1's workers exist (``when_forked``), so that no fork copies a half-loaded one; a Dask
    build never does, as its workers load their own."""

    def __init__(self, backend: str):
        self.backend = backend
        self._segmenter, self._error = None, None
        self._thread = threading.Thread(target=self._load, name="segmenter", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        try:
            self._segmenter = tokens_module.Segmenter(self.backend)
        except BaseException as exc:  # raised again, in the main thread, by take()
            self._error = exc

    def take(self) -> tokens_module.Segmenter:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._segmenter


def init_pass2(backend: str, words: tuple[str, ...], documents: dict[str, tuple[str, int]]) -> None:
    loading, WORKER.segmenter_loading = WORKER.segmenter_loading, None
    segmenter = loading.take() if loading is not None and loading.backend == backend else \
        tokens_module.Segmenter(backend)
    segmenter.add_words(words)
    WORKER.segmenter = segmenter
    WORKER.documents = documents


def tokenize_batch(sentences: bytes) -> tuple[bytes, bytes, dict[str, int]]:
    """Tokens of a batch of whole reports' sentences (an Arrow table as IPC bytes, see ``to_wire``)
    and each report's frequency rows (IPC bytes too), and the batch's token counts."""
    table = from_wire(sentences)
    batch = {name: table.column(name).to_pylist() for name in table.column_names}
    tokens = tokens_module.token_table(batch["doc_id"], batch["sent_id"], batch["text"], batch["start"],
                                       WORKER.segmenter)
    counts = textstats.count_tokens(tokens)
    batch_documents = {doc: WORKER.documents[doc] for doc in dict.fromkeys(batch["doc_id"])}
    frequencies = textstats.frequency_table(counts, batch_documents)
    return to_wire(compact(tokens)), to_wire(compact(frequencies)), textstats.token_totals(counts)


def grouped_batches(path: Path, columns: list[str], key: str, batch_rows: int):
    """A Parquet table read back as Arrow tables of about ``batch_rows`` rows that never split a
    group of (contiguous) rows sharing ``key``."""
    carry = None
    for record_batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows, columns=columns):
        table = pa.Table.from_batches([record_batch])
        if carry is not None and carry.num_rows:
            table = pa.concat_tables([carry, table])
        if not table.num_rows:
            continue
        keys = table.column(key)
        differs = pc.not_equal(keys, keys[-1]).to_numpy(zero_copy_only=False)
        before_last_group = np.flatnonzero(differs)
        cut = int(before_last_group[-1]) + 1 if len(before_last_group) else 0
        carry = table.slice(cut)
        if cut:
            yield table.slice(0, cut)
    if carry is not None and carry.num_rows:
        yield carry


def progress(items, total: int, desc: str):
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


@dataclass(frozen=True)
class BuildRun:
    """One build's settings and the objects its three passes share."""

    out_dir: Path
    executor: LocalPool | DaskExecutor
    csv: str                      # "excel" or "all" (``csv_tables``)
    sidecars: dict[str, str]      # files in the folder that are not reports, and what each is
    backend: str                  # the segmenter of pass 2
    writer: TableWriter


def build(folder: Path | str, out_dir: Path | str, backend: str = tokens_module.DEFAULT_BACKEND,
          workers: int | None = None, csv: str = "excel", dask: str | bool | None = None) -> BuildResult:
    """Build every table of the reports in ``folder`` into ``out_dir``: Parquet, and CSV with BOM
    for ``EXCEL_TABLES`` (``csv="excel"``) or for every table (``csv="all"``).

    ``dask``: None runs the per-report passes in a local process pool (``workers`` processes);
    an address (``tcp://host:8786``) runs them on that Dask scheduler's workers; True or ""
    on a Dask LocalCluster of ``workers`` processes. The tables are the same bytes either way.
    """
    csv_tables(csv, ())  # refuse an unknown choice before any work
    folder, out_dir = Path(folder), Path(out_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder of reports")
    sidecars = sidecar_files(folder)
    files = report_files(folder, sidecars)
    if dask is None and workers is None:
        workers = min(os.cpu_count() or 1, 8) if len(files) >= PARALLEL_MIN_FILES else 1
    executor = LocalPool(workers) if dask is None else \
        DaskExecutor(dask if isinstance(dask, str) else None, local_workers=workers)
    names = PASS1_TABLES + ("organizations",) + DERIVED_TABLES
    run = BuildRun(out_dir=out_dir, executor=executor, csv=csv, sidecars=sidecars, backend=backend,
                   writer=TableWriter(out_dir, names, csv_tables(csv, names)))
    result = BuildResult(out_dir, n_bytes=sum(p.stat().st_size for p in files))

    try:
        with system_allocator():
            _build(run, folder, files, backend, result)
    finally:
        executor.close()
    return result


def _build(run: BuildRun, folder: Path, files: list[Path], backend: str, result: BuildResult) -> None:
    clock = time.perf_counter()
    documents, names = _pass1(run, folder, files, result)
    result.seconds["pass 1 (read…extract)"] = time.perf_counter() - clock
    clock = time.perf_counter()
    words = tuple(sorted(names))
    totals = _pass2(run, backend, words, documents)
    result.seconds["pass 2 (tokens)"] = time.perf_counter() - clock
    clock = time.perf_counter()
    with_similarity = len(documents) <= SIMILARITY_MAX_DOCS
    _pass3(run, totals, documents, with_similarity)
    run.writer.close()
    result.seconds["pass 3 (statistics)"] = time.perf_counter() - clock

    result.rows = dict(run.writer.rows)
    result.settings = {
        "dangjian_version": VERSION, "source": str(folder), "n_files": len(files), "workers": run.executor.workers,
        "executor": run.executor.describe(), "csv": run.csv,
        "opencc_config": OPENCC_CONFIG,
        "furniture_rules_sha256": hashlib.sha256(FURNITURE_FILE.read_bytes()).hexdigest(),
        "html_furniture_rules_sha256": hashlib.sha256(HTML_FURNITURE_FILE.read_bytes()).hexdigest(),
        "sidecar_files": run.sidecars,
        "extraction_cues_sha256": hashlib.sha256(CUES_FILE.read_bytes()).hexdigest(),
        "tokens": tokens_module.settings_for(backend, len(tokens_module.dictionary_words(words))),
        "similarity": "computed" if with_similarity else f"skipped: {len(documents)} reports > {SIMILARITY_MAX_DOCS}",
    }


def _pass1(run: BuildRun, folder: Path, files: list[Path], result: BuildResult) -> tuple[dict[str, tuple[str, int]], set[str]]:
    """Write the pass-1 tables; return doc_id → (label, n_chars) and every brand and formula name."""
    catalog = read_catalog(folder)
    listed = dict(zip(catalog["file"], catalog.to_dict("records")))
    documents: dict[str, tuple[str, int]] = {}
    names: set[str] = set()
    unlisted: list[str] = []
    edits: dict[str, list[str]] = {}
    organizations: list[dict] = []
    named = list(doc_ids(files).items())
    # The first task is one report: the local pool runs it here before forking, so the workers
    # wait for it (and then inherit every pattern it compiled).
    chunks = [named[:1]] + [named[i:i + FILES_PER_TASK] for i in range(1, len(named), FILES_PER_TASK)] if named else []
    results = run.executor.map(pass1_task, chunks, init_pass1, (listed,), ahead=3, first_here=True,
                               when_forked=lambda: setattr(WORKER, "segmenter_loading",
                                                           SegmenterInBackground(run.backend)))
    with closing(results):
        for tables, summaries in progress(results, len(chunks), f"reports (batches of {FILES_PER_TASK})"):
            for summary in summaries:
                if "failure" in summary:
                    result.failures.append((summary["file"], summary["failure"]))
                    continue
                if not summary["listed"]:
                    unlisted.append(summary["file"])
                if summary["edits"]:
                    edits[summary["file"]] = summary["edits"]
                organizations.append(summary["organization"])
                documents[summary["doc_id"]] = (summary["label"], summary["n_chars"])
                names.update(summary["names"])
            for name in PASS1_TABLES:
                run.writer.append(name, from_wire(tables[name]))
    if len(unlisted) == 1:
        warnings.warn(f"{unlisted[0]}: not listed in {CATALOG_NAME}; its placement is inferred and its curated "
                      f"columns are empty (dangjian catalog writes a row to check)",
                      CatalogWarning, stacklevel=4)
    elif unlisted:  # one warning, not thousands, for a new batch that has no catalog yet
        warnings.warn(f"{len(unlisted)} reports are not listed in {CATALOG_NAME}; their placement is inferred and "
                      f"their curated columns are empty (first: {', '.join(unlisted[:3])}; dangjian catalog writes "
                      f"rows to check)", CatalogWarning, stacklevel=4)
    for file in catalog["file"]:
        if not (folder / file).exists():
            warnings.warn(f"{file}: listed in {CATALOG_NAME} but not found in {folder}", CatalogWarning, stacklevel=4)
    warn_unchecked_edits(edits)
    run.writer.append("organizations", typed_table("organizations", organizations_table(organizations)))
    for name in (*PASS1_TABLES, "organizations"):
        run.writer.finish(name)
    return documents, names


def _pass2(run: BuildRun, backend: str, words: tuple[str, ...], documents: dict[str, tuple[str, int]]) -> Counter:
    """Write tokens and frequencies; return the corpus token counts."""
    totals: Counter = Counter()
    columns = ["doc_id", "sent_id", "text", "start"]
    # Arrow bytes, not Python lists: the main process only slices and copies, the workers unpack
    batches = (to_wire(table.select(columns))
               for table in grouped_batches(run.out_dir / "sentences.parquet", columns, "doc_id", SENTENCE_BATCH_ROWS))
    results = run.executor.map(tokenize_batch, batches, init_pass2, (backend, words, documents), ahead=2)
    with closing(results):
        for tokens, frequencies, counts in results:
            run.writer.append("tokens", from_wire(tokens))
            # batches hold whole reports, so each report's counts are complete
            run.writer.append("frequencies", from_wire(frequencies))
            totals.update(counts)
    run.writer.append("frequencies", textstats.corpus_frequency_table(
        dict(totals), sum(n_chars for _, n_chars in documents.values())))
    run.writer.finish("tokens")
    run.writer.finish("frequencies")
    return totals


def _count_cooccurrence(tokens_path: Path, totals: Counter) -> pd.DataFrame:
    """The co-occurrence table, streamed from the tokens table."""
    cooccurrence = textstats.CooccurrenceCounter(textstats.top_terms(totals))
    for table in grouped_batches(tokens_path, ["sent_id", "token"], "sent_id", STATISTICS_BATCH_ROWS):
        cooccurrence.add(table.column("sent_id"), table.column("token"))
    return cooccurrence.table()


def _pass3(run: BuildRun, totals: Counter, documents: dict[str, tuple[str, int]], with_similarity: bool) -> None:
    """Write keyness, similarity and co-occurrence, streamed from the frequencies and tokens just written.

    Co-occurrence is counted in a thread beside keyness: both spend their time in Arrow, NumPy and
    SciPy, which release the interpreter's lock, so the two run on two cores.
    """
    with ThreadPoolExecutor(max_workers=1) as thread:
        cooccurrence = thread.submit(_count_cooccurrence, run.out_dir / "tokens.parquet", totals)
        _keyness_and_similarity(run, totals, documents, with_similarity)
        run.writer.append("cooccurrence", cooccurrence.result())


def _keyness_and_similarity(run: BuildRun, totals: Counter, documents: dict[str, tuple[str, int]],
                            with_similarity: bool) -> None:
    vocabulary = textstats.Vocabulary(totals)
    per_doc_counts = []
    for table in grouped_batches(run.out_dir / "frequencies.parquet", ["doc_id", "org_label", "token", "n"], "doc_id",
                                 STATISTICS_BATCH_ROWS):
        table = table.filter(pc.not_equal(table.column("doc_id"), textstats.ALL))
        run.writer.append("keyness", textstats.keyness_table(table, vocabulary))
        if with_similarity:
            per_doc_counts.append(table.select(["doc_id", "token", "n"]).to_pandas())
    if per_doc_counts:
        docs_meta = pd.DataFrame({"doc_id": list(documents), "org_label": [label for label, _ in documents.values()]})
        run.writer.append("similarity", textstats.similarity_from_counts(pd.concat(per_doc_counts), docs_meta))
