"""Writing the build's tables: ``TableWriter`` appends rows to each table's Parquet file (and CSV
file, with a byte-order mark, for the tables an analyst opens in Excel) in the table's fixed
schema, a row group at a time; ``arrow_table`` turns rows into an Arrow table of that schema; and
the allocator settings keep the writing process's memory flat as the corpus grows."""
from __future__ import annotations

import ctypes
from contextlib import contextmanager
from functools import lru_cache
from itertools import repeat
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from .corpus import typed_table

FLUSH_ROWS = 50_000            # rows buffered per table before a row group is written,
FLUSH_BYTES = 8_000_000        # or fewer when they hold this many bytes (text-heavy tables)


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
