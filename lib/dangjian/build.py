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

import ctypes
import hashlib
import os
import sys
import threading
import time
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from . import textstats
from .config import VERSION
from . import tokens as tokens_module
from .cleaning import FURNITURE_FILE, OPENCC_CONFIG, load_rules
from .config import CATALOG_NAME
from .catalog import apply_catalog, warn_unchecked_edits
from .corpus import CatalogWarning, typed_table, process_report, read_catalog, report_files
from .organizations import organizations_table
from .extraction import extract_all
from .reading import doc_ids, sidecar_files
from .reading.webpage import FURNITURE_FILE as HTML_FURNITURE_FILE
from .extraction.common import CUES_FILE, records_from_rows
from .parallel import DaskExecutor, LocalPool

SIMILARITY_MAX_DOCS = 300      # a docs × docs matrix beyond this is neither small nor readable
PARALLEL_MIN_FILES = 40        # below this, worker start-up costs more than it saves
FLUSH_ROWS = 50_000            # rows buffered per table before a row group is written,
FLUSH_BYTES = 8_000_000        # or fewer when they hold this many bytes (text-heavy tables)
FILES_PER_TASK = 32            # reports per pass-1 task: fewer, larger messages between processes
SENTENCE_BATCH_ROWS = 5_000    # sentences per tokenisation task (whole reports only)
STATISTICS_BATCH_ROWS = 50_000   # rows of frequencies / tokens read back at a time in pass 3

# Tables written as CSV too (UTF-8 with BOM), for the analyst who opens them in Excel. The others,
# one row per token, term, sentence or paragraph, are Parquet only unless ``csv="all"``: as CSV they
# made the output 30 times the input, and the text is in documents.csv already.
EXCEL_TABLES = ("documents", "organizations", "brands", "formulas", "metrics", "reconciliation", "removed", "failures",
                "theme_shares", "similarity")
CSV_CHOICES = ("excel", "all")


def csv_tables(csv: str, names) -> tuple[str, ...]:
    """The tables of ``names`` written as CSV too: ``csv="excel"`` the Excel tables, ``"all"`` every one."""
    if csv not in CSV_CHOICES:
        raise ValueError(f"csv must be one of {', '.join(CSV_CHOICES)}, not {csv!r}")
    return tuple(names) if csv == "all" else tuple(n for n in names if n in EXCEL_TABLES)

DERIVED_TABLES = ("tokens", "frequencies", "keyness", "similarity", "cooccurrence")
ORGANIZATION_FIELDS = ("doc_id", "org_id", "org_id_source", "organization", "organization_source", "parent_group",
                       "sector", "region", "catalog_status")
PASS1_TABLES = ("documents", "paragraphs", "sentences", "removed", "failures", "brands", "formulas", "metrics",
                "reconciliation", "sentence_themes", "theme_shares")


@lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none (macOS, Windows, musl)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


def release_memory() -> None:
    """Hand freed heap memory back to the operating system.

    Without this, the main process's resident memory creeps up with every batch written:
    glibc keeps freed blocks for reuse and they fragment, so the build's peak would
    grow with the corpus although what it holds at any moment does not.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@contextmanager
def system_allocator():
    """Arrow allocates from the C library's allocator for the duration (its default, mimalloc,
    keeps freed memory per thread and does not hand it back, see ``release_memory``)."""
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


@lru_cache(maxsize=None)
def schema_of(name: str) -> pa.Schema:
    """The Arrow schema of a table: its documented columns in their fixed dtypes."""
    return pa.Schema.from_pandas(typed_table(name, []), preserve_index=False)


class TableWriter:
    """Append rows to ``<name>.parquet`` and, for the tables in ``csv_tables``, ``<name>.csv``
    (UTF-8 with BOM), in fixed dtypes.

    Rows are buffered (Arrow tables, DataFrames or lists of dicts) and turned into one typed
    table per ``FLUSH_ROWS`` or ``FLUSH_BYTES``, so the per-report cost is a list append. Each
    flush is one Parquet row group, so a reader can stream a table a row group at a time;
    Parquet stores repeated strings (a token, a doc_id) once per row group, in a dictionary.
    """

    def __init__(self, out_dir: Path, names, csv_tables=EXCEL_TABLES):
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.buffers: dict[str, list] = {name: [] for name in names}
        self.buffered = dict.fromkeys(names, 0)
        self.buffered_bytes = dict.fromkeys(names, 0)
        self.rows = dict.fromkeys(names, 0)
        self.parquet: dict[str, pq.ParquetWriter] = {}
        self.csv: dict[str, pa_csv.CSVWriter] = {}
        self.handles: dict = {}
        self.finished: set[str] = set()
        self.schemas = {name: schema_of(name) for name in names}
        self.csv_tables = set(csv_tables)

    def append(self, name: str, rows) -> None:
        """Buffer an Arrow table (the table's columns, possibly dictionary-encoded), a DataFrame or a
        list of row dicts."""
        if rows is None or not len(rows):
            return
        self.buffers[name].append(rows)
        self.buffered[name] += len(rows)
        if isinstance(rows, pa.Table):
            self.buffered_bytes[name] += rows.nbytes
        if self.buffered[name] >= FLUSH_ROWS or self.buffered_bytes[name] >= FLUSH_BYTES:
            self.flush(name)

    def _arrow(self, name: str) -> pa.Table:
        """One Arrow table of the buffered rows: lists of dicts straight to Arrow, DataFrames via pandas."""
        schema = self.schemas[name]
        parts, dicts = [], []
        for part in self.buffers[name]:
            if isinstance(part, (pd.DataFrame, pa.Table)):
                if dicts:
                    parts.append(arrow_table(name, dicts))
                    dicts = []
                if isinstance(part, pa.Table):  # a worker's tables are already in the schema: casting costs
                    parts.append(part if part.schema.equals(schema) else part.cast(schema))  # ~20 µs a column
                else:
                    parts.append(pa.Table.from_pandas(part, schema=schema, preserve_index=False))
            else:
                dicts.extend(part)
        if dicts:
            parts.append(arrow_table(name, dicts))
        return pa.concat_tables(parts) if parts else schema.empty_table()

    def flush(self, name: str) -> None:
        if not self.buffers[name] and name in self.parquet:
            return
        table = self._arrow(name)
        if name not in self.parquet:
            self.parquet[name] = pq.ParquetWriter(self.out_dir / f"{name}.parquet", self.schemas[name])
            if name in self.csv_tables:
                handle = open(self.out_dir / f"{name}.csv", "wb")
                handle.write(b"\xef\xbb\xbf")  # BOM, so that Excel reads the Chinese as UTF-8
                self.handles[name] = handle
                self.csv[name] = pa_csv.CSVWriter(handle, self.schemas[name].remove_metadata(),
                                                  write_options=pa_csv.WriteOptions(quoting_style="needed"))
        if table.num_rows:
            self.parquet[name].write_table(table)
            if name in self.csv:
                self.csv[name].write_table(table.replace_schema_metadata(None))
        self.rows[name] += table.num_rows
        self.buffers[name], self.buffered[name], self.buffered_bytes[name] = [], 0, 0
        del table
        release_memory()

    def finish(self, name: str) -> None:
        """Write what is buffered and complete the files, so the table can be read back."""
        if name in self.finished:
            return
        self.flush(name)
        self.parquet[name].close()
        if name in self.csv:
            self.csv[name].close()
            self.handles[name].close()
        self.finished.add(name)

    def close(self) -> None:
        for name in self.buffers:
            self.finish(name)


# ---- pass 1: reports ---------------------------------------------------------------------------

_STATE: dict = {}


def _init_pass1(listed: dict | None = None) -> None:
    _STATE["rules"] = load_rules()
    _STATE["codebook"] = textstats.load_codebook()
    _STATE["listed"] = listed or {}


def process_document(path: Path, doc_id: str | None = None) -> dict:
    """Every pass-1 table row of one report, or {"failures": …} when it cannot be read."""
    from .reading import ReadError

    if "rules" not in _STATE:
        _init_pass1()
    try:
        rows = process_report(path, _STATE["rules"], doc_id)
    except ReadError as exc:
        return {"failures": [{"file": path.name, "reason": exc.reason}]}
    (document,) = rows["documents"]
    records = records_from_rows(rows["paragraphs"], rows["sentences"])
    one = SimpleNamespace(documents={"doc_id": [document["doc_id"]], "text": [document["text"]],
                                     "organization": [document["organization"]]})
    rows.update(extract_all(one, records, as_rows=True))
    themes = textstats.code_theme_rows(rows["sentences"], _STATE["codebook"])
    rows["sentence_themes"] = themes  # tuples in the table's column order (``arrow_table`` takes both)
    rows["coded"] = dict(Counter(theme for _, _, theme, *_ in themes))
    rows["n_covered"] = len({sent for _, sent, *_ in themes})
    return rows


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
        entry = _STATE["listed"].get(path.name)
        edits = apply_catalog(document, entry)
        doc_id = document["doc_id"]
        label = textstats.organization_label((entry or {}).get("org_label", ""), document.get("organization"), doc_id)
        tables["theme_shares"] = textstats.theme_share_rows(
            doc_id, label, tables["coded"], tables["n_covered"], len(tables["sentences"]), _STATE["codebook"])
        for name in PASS1_TABLES:
            if name != "failures":
                rows[name] += tables[name]
        names = {b["name"] for b in tables["brands"]} | {f["formula"] for f in tables["formulas"]}
        summaries.append({"file": path.name, "doc_id": doc_id, "label": label, "n_chars": int(document["n_chars"]),
                          "listed": entry is not None, "names": sorted(names), "edits": edits,
                          "organization": {key: document.get(key) for key in ORGANIZATION_FIELDS}})
    return {name: arrow_table(name, part) for name, part in rows.items()}, summaries


def arrow_table(name: str, rows: list) -> pa.Table:
    """Rows as an Arrow table in the table's schema: row dicts (missing keys are nulls), or tuples
    in the schema's column order (the theme tables', which are never turned into dicts).

    Gathering columns in Python and handing Arrow whole lists is several times faster
    than ``pa.Table.from_pylist``.
    """
    schema = schema_of(name)
    if rows and isinstance(rows[0], tuple):
        if len(rows[0]) != len(schema.names):
            raise ValueError(f"{name}: rows of {len(rows[0])} values for {len(schema.names)} columns")
        return pa.Table.from_pydict(dict(zip(schema.names, map(list, zip(*rows)))), schema=schema)
    return pa.Table.from_pydict({column: list(map(dict.get, rows, repeat(column))) for column in schema.names},
                                schema=schema)


def to_wire(table: pa.Table) -> bytes:
    """A table as Arrow IPC stream bytes, for the trip between processes.

    Pickling Arrow tables themselves costs the receiving process about 10 ms of CPU per
    MB; plain bytes cost a fifth of that, and reading the stream back copies nothing.
    """
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def from_wire(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(data).read_all()


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


def _init_pass2(backend: str, words: tuple[str, ...], documents: dict[str, tuple[str, int]]) -> None:
    loading = _STATE.pop("segmenter_loading", None)
    segmenter = loading.take() if loading is not None and loading.backend == backend else \
        tokens_module.Segmenter(backend)
    segmenter.add_words(words)
    _STATE["segmenter"] = segmenter
    _STATE["documents"] = documents


def tokenize_batch(sentences: bytes) -> tuple[bytes, bytes, dict[str, int]]:
    """Tokens of a batch of whole reports' sentences (an Arrow table as IPC bytes, see ``to_wire``)
    and each report's frequency rows (IPC bytes too), and the batch's token counts."""
    table = from_wire(sentences)
    batch = {name: table.column(name).to_pylist() for name in table.column_names}
    tokens = tokens_module.token_table(batch["doc_id"], batch["sent_id"], batch["text"], batch["start"],
                                       _STATE["segmenter"])
    counts = textstats.count_tokens(tokens)
    batch_documents = {doc: _STATE["documents"][doc] for doc in dict.fromkeys(batch["doc_id"])}
    frequencies = textstats.frequency_table(counts, batch_documents)
    return to_wire(compact(tokens)), to_wire(compact(frequencies)), textstats.token_totals(counts)


def compact(table: pa.Table) -> pa.Table:
    """The table with its repetitive text columns (a sentence id once per token, a label once per
    row) dictionary-encoded for the trip back to the main process, whose writer decodes them:
    piping the repeats costs both sides more than encoding does. (Pass 1's tables repeat too
    little for it to pay.)"""
    for index, column in enumerate(table.schema):
        if pa.types.is_large_string(column.type) or pa.types.is_string(column.type):
            encoded = pc.dictionary_encode(table.column(index))
            if encoded.nbytes * 2 < table.column(index).nbytes:
                table = table.set_column(index, column.name, encoded)
    return table


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
    run = SimpleNamespace(out_dir=out_dir, executor=executor, csv=csv, sidecars=sidecars, backend=backend,
                          writer=TableWriter(out_dir, names, csv_tables(csv, names)))
    result = BuildResult(out_dir, n_bytes=sum(p.stat().st_size for p in files))

    try:
        with system_allocator():
            _build(run, folder, files, backend, result)
    finally:
        executor.close()
    return result


def _build(run, folder: Path, files: list[Path], backend: str, result: BuildResult) -> None:
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


def _pass1(run, folder: Path, files: list[Path], result: BuildResult) -> tuple[dict[str, tuple[str, int]], set[str]]:
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
    results = run.executor.map(pass1_task, chunks, _init_pass1, (listed,), ahead=3, first_here=True,
                               when_forked=lambda: _STATE.update(segmenter_loading=SegmenterInBackground(run.backend)))
    with closing(results):
        for tables, summaries in _progress(results, len(chunks), f"reports (batches of {FILES_PER_TASK})"):
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


def _pass2(run, backend: str, words: tuple[str, ...], documents: dict[str, tuple[str, int]]) -> Counter:
    """Write tokens and frequencies; return the corpus token counts."""
    totals: Counter = Counter()
    columns = ["doc_id", "sent_id", "text", "start"]
    # Arrow bytes, not Python lists: the main process only slices and copies, the workers unpack
    batches = (to_wire(table.select(columns))
               for table in grouped_batches(run.out_dir / "sentences.parquet", columns, "doc_id", SENTENCE_BATCH_ROWS))
    results = run.executor.map(tokenize_batch, batches, _init_pass2, (backend, words, documents), ahead=2)
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


def _pass3(run, totals: Counter, documents: dict[str, tuple[str, int]], with_similarity: bool) -> None:
    """Write keyness, similarity and co-occurrence, streamed from the frequencies and tokens just written.

    Co-occurrence is counted in a thread beside keyness: both spend their time in Arrow, NumPy and
    SciPy, which release the interpreter's lock, so the two run on two cores.
    """
    with ThreadPoolExecutor(max_workers=1) as thread:
        cooccurrence = thread.submit(_count_cooccurrence, run.out_dir / "tokens.parquet", totals)
        _keyness_and_similarity(run, totals, documents, with_similarity)
        run.writer.append("cooccurrence", cooccurrence.result())


def _keyness_and_similarity(run, totals: Counter, documents: dict[str, tuple[str, int]], with_similarity: bool) -> None:
    vocabulary = textstats.Vocabulary(totals)
    per_doc_counts = []
    for table in grouped_batches(run.out_dir / "frequencies.parquet", ["doc_id", "org_label", "token", "n"], "doc_id",
                                 STATISTICS_BATCH_ROWS):
        table = table.filter(pc.not_equal(table.column("doc_id"), textstats.ALL))
        run.writer.append("keyness", textstats.keyness_table(table, vocabulary, as_arrow=True))
        if with_similarity:
            per_doc_counts.append(table.select(["doc_id", "token", "n"]).to_pandas())
    if per_doc_counts:
        docs_meta = pd.DataFrame({"doc_id": list(documents), "org_label": [label for label, _ in documents.values()]})
        run.writer.append("similarity", textstats.similarity_from_counts(pd.concat(per_doc_counts), docs_meta))
