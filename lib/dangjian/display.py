"""How tables appear in the notebooks and their HTML pages, whatever the size of the batch.

A table of at most ``MAX_STATIC_ROWS`` rows is shown whole, as a static HTML table. A longer one
shows its first ``MAX_STATIC_ROWS`` rows and links the full table, written as CSV (UTF-8 with BOM,
for Excel) beside the pages, so a page of 2,000 reports stays small and every row stays reachable.
Every cell is HTML-escaped here: report text can hold markup, and it must show as text.
Columns whose text is long get a minimum width and wrap (class ``text``), short ones stay on one
line (``short``) and numbers align right (``number``), so that a wide table scrolls sideways in its
own box instead of squeezing a sentence, or an id, to one character per line.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

MAX_STATIC_ROWS = 30
LONG_TEXT_CHARS = 24   # a column whose cells run longer than this is a text column (wider minimum)
CELL_MAX_CHARS = 400   # longer cells are cut, with the full text in the CSV


def _cell(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    text = str(value)
    if len(text) > CELL_MAX_CHARS:
        text = text[:CELL_MAX_CHARS - 1] + "…"
    return html.escape(text, quote=True)


def _column_class(values: pd.Series) -> str:
    """``number`` (right-aligned), ``text`` (long: wraps, with a minimum width) or ``short`` (kept on one line)."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return "number"
    longest = values.astype(str).str.len().max() if len(values) else 0
    return "text" if (longest or 0) > LONG_TEXT_CHARS else "short"


def _with_index(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a meaningful index (named, or not a plain row number) as its first columns."""
    if isinstance(frame.index, pd.RangeIndex) and frame.index.name is None:
        return frame
    return frame.reset_index()


def table_html(frame: pd.DataFrame, max_rows: int = MAX_STATIC_ROWS) -> str:
    """The first ``max_rows`` rows of ``frame`` as an escaped, wrapping HTML table (a named index is shown)."""
    head = _with_index(frame).head(max_rows)
    columns = [str(c) for c in head.columns]
    classes = [f' class="{_column_class(head[c])}"' for c in head.columns]
    header = "".join(f"<th{cls}>{html.escape(name)}</th>" for name, cls in zip(columns, classes))
    body = "".join("<tr>" + "".join(f"<td{cls}>{_cell(value)}</td>" for value, cls in zip(row, classes)) + "</tr>"
                   for row in head.itertuples(index=False, name=None))
    return (f'<div class="dangjian-table"><table><thead><tr>{header}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _file_name(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", name).strip("_") or "table"


class Tables:
    """Shows tables in one notebook; long ones are written to ``folder`` and linked as ``link_prefix/NAME.csv``.

    ``folder`` is where the HTML pages' CSV files go (``reports/csv``) and ``link_prefix`` the
    same folder as seen from the pages (``csv``); ``stem`` (the notebook's name) keeps the files of
    different notebooks apart.
    """

    def __init__(self, folder: Path | str, stem: str, link_prefix: str = "csv", max_rows: int = MAX_STATIC_ROWS):
        self.folder = Path(folder)
        self.stem = stem
        self.link_prefix = link_prefix
        self.max_rows = max_rows

    def show(self, frame: pd.DataFrame, name: str, caption: str = ""):
        """An HTML display object: the table (cut to ``max_rows``) and, when cut, a link to the whole of it."""
        from IPython.display import HTML

        note = f"<p class=\"dangjian-caption\">{html.escape(caption)}</p>" if caption else ""
        if len(frame) > self.max_rows:
            file = f"{self.stem}-{_file_name(name)}.csv"
            self.folder.mkdir(parents=True, exist_ok=True)
            _with_index(frame).to_csv(self.folder / file, index=False, encoding="utf-8-sig")
            link = html.escape(f"{self.link_prefix}/{file}", quote=True)
            note += (f"<p class=\"dangjian-caption\">The first {self.max_rows} of {len(frame):,} rows. "
                     f"The whole table: <a href=\"{link}\">{html.escape(file)}</a> (CSV, UTF-8, opens in Excel).</p>")
        elif frame.empty:
            return HTML(note + "<p class=\"dangjian-caption\">(no rows)</p>")
        return HTML(note + table_html(frame, self.max_rows))
