"""``reports/tables.xlsx``: every analyst table in one Excel workbook.

One sheet per table, in ``SHEETS`` order, each with a frozen header row, an autofilter, column
widths that fit their content (within bounds, from the first rows) and text that wraps; ``sent_id`` and ``doc_id``
cells link to the report pages (``docs/<doc_id>.html#<sent_id>``), ``org_id`` cells to the
organization profiles. XlsxWriter writes in constant memory, row by row. Excel allows 65,530
links per sheet: past that, ids are written as plain text and the sheet's first row says so.
Each table is streamed a batch at a time, so memory does not grow with the batch.
A sheet holds at most Excel's 1,048,575 data rows; a table longer than that is cut, and the
sheet says so (the Parquet and CSV tables hold every row).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .display import file_name, doc_of_sent

# (sheet, table, columns left out): the tables analysts open in Excel; long text stays in the pages
SHEETS = (
    ("documents", "documents", ("text",)),
    ("organizations", "organizations", ()),
    ("brands", "brands", ()),
    ("formulas", "formulas", ()),
    ("metrics", "metrics", ()),
    ("reconciliation", "reconciliation", ()),
    ("themes", "theme_shares", ()),
    ("removed", "removed", ()),
    ("failures", "failures", ()),
)
MAX_LINKS = 65_000
MAX_ROWS = 1_048_575
MIN_WIDTH, MAX_WIDTH = 6, 60  # characters; a Han character counts as two


def _width(values: pd.Series, header: str) -> int:
    sample = ["" if pd.isna(v) else str(v) for v in values.head(2000).astype(object)]
    longest = max([len(header) + 2] + [len(v) + sum(1 for ch in v if ord(ch) > 0x2E80) for v in sample])
    return max(MIN_WIDTH, min(MAX_WIDTH, longest + 1))


def _link(column: str, value: str) -> str | None:
    if not value:
        return None
    if column == "sent_id" and (doc := doc_of_sent(value)):
        return f"docs/{file_name(doc)}.html#{value}"
    if column == "doc_id":
        return f"docs/{file_name(value)}.html"
    if column == "org_id":
        return f"orgs/{file_name(value)}.html"
    return None


def write_workbook(tables: Path, target: Path, batch_rows: int = 20_000) -> dict[str, int]:
    """Write the workbook from the built ``tables``, streaming each table a batch at a time (memory
    does not grow with the batch); returns rows per sheet."""
    import pyarrow.parquet as pq
    import xlsxwriter

    tables, target = Path(tables), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    written = {}
    book = xlsxwriter.Workbook(str(target), {"constant_memory": True, "strings_to_urls": False,
                                             "strings_to_formulas": False, "nan_inf_to_errors": True})
    header = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    link = book.add_format({"font_color": "#1155CC", "underline": 1, "valign": "top"})
    for sheet_name, table, left_out in SHEETS:
        path = tables / f"{table}.parquet"
        if not path.exists():
            continue
        source = pq.ParquetFile(path)
        columns = [c for c in source.schema_arrow.names if c not in left_out]
        n_rows = source.metadata.num_rows
        sheet = book.add_worksheet(sheet_name)
        cut = n_rows > MAX_ROWS - 1
        linked = [c for c in columns if c in ("sent_id", "doc_id", "org_id")]
        note_row = 1 if cut or (linked and n_rows > MAX_LINKS) else 0
        sample = (source.read_row_group(0, columns=columns).slice(0, 2000).to_pandas() if source.num_row_groups
                  else pd.DataFrame(columns=columns))
        for col, name in enumerate(columns):
            sheet.write_string(0, col, str(name), header)
            sheet.set_column(col, col, _width(sample[name], str(name)), wrap)
        if note_row:
            sheet.write_string(1, 0, (f"Cut to Excel's {MAX_ROWS:,} rows; " if cut else "")
                               + f"ids link to the pages for the first {MAX_LINKS:,} rows (Excel's limit of links).")
        r, n_links = note_row, 0
        for batch in source.iter_batches(batch_size=batch_rows, columns=columns):
            if r >= MAX_ROWS:
                break  # Excel's last row: the sheet says it was cut
            for row in zip(*[batch.column(c).to_pylist() for c in columns]):
                r += 1
                if r > MAX_ROWS:
                    break
                for col, (name, value) in enumerate(zip(columns, row)):
                    if value is None or (isinstance(value, float) and value != value):
                        continue
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        sheet.write_number(r, col, value)
                        continue
                    text = str(value)
                    url = _link(name, text) if n_links < MAX_LINKS else None
                    if url:
                        sheet.write_url(r, col, f"external:{url}", link, string=text)  # a relative link
                        n_links += 1
                    else:
                        sheet.write_string(r, col, text)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(r, 1), max(len(columns) - 1, 0))
        written[sheet_name] = min(n_rows, MAX_ROWS - 1)
    book.close()
    return written

