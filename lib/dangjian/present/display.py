"""How tables appear in the notebooks and their HTML pages, whatever the size of the batch.

Every table is interactive: searchable, sortable and paged, through itables in offline mode (the
DataTables bundle is embedded in the page once, ``Tables.init``; no network). It holds every row
up to ``ROW_BUDGET`` rows and ``BYTE_BUDGET`` bytes of cells; a longer table shows that many and
says so, and the whole table is written as CSV (UTF-8 with BOM, for Excel) beside the pages and
named in the workbook ``reports/tables.xlsx``. With JavaScript off the page still shows the
first rows (itables' static preview) and the caption says where the rest is.

Every cell is HTML-escaped here before itables sees it: report text can hold markup, and it must
show as text in cells, in search and in tooltips. The only markup added is ours: a ``sent_id``
cell links to its sentence on the report's page (``docs/<doc_id>.html#<sent_id>``) and a
``doc_id`` cell to the report's page, an ``org_id`` cell to the organization's profile. Columns whose text is long wrap (class ``text``), short
ones stay on one line (``short``) and numbers align right (``number``).
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

ROW_BUDGET = 5_000          # rows a page's table carries at most
BYTE_BUDGET = 450_000       # bytes of cells (escaped, linked) a page's table carries at most: a page of
                            # half a dozen long tables and the embedded library stays under 5 MB
LONG_TEXT_CHARS = 24   # a column whose cells run longer than this is a text column (wraps)
CELL_MAX_CHARS = 400   # longer cells are cut, with the full text in the CSV and the workbook
PAGE_LENGTH = 10       # rows per page of an interactive table (and of its static preview)
_SENT_ID = re.compile(r"^(?P<doc>.+)-s\d{4,}$")


def doc_of_sent(sent_id: str) -> str:
    """The doc_id a sent_id (``<doc_id>-sNNNN``) belongs to, or ""."""
    m = _SENT_ID.match(str(sent_id))
    return m.group("doc") if m else ""


def doc_page(doc_id: str, docs_prefix: str = "docs") -> str:
    """The report page's address, relative to the notebook pages (``docs/<doc_id>.html``)."""
    return f"{docs_prefix}/{file_name(doc_id)}.html"


def _text(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    text = str(value)
    return text[:CELL_MAX_CHARS - 1] + "…" if len(text) > CELL_MAX_CHARS else text


def _cell(value) -> str:
    return html.escape(_text(value), quote=True)


def _link(text: str, href: str) -> str:
    return f'<a href="{html.escape(href, quote=True)}">{html.escape(text)}</a>'


ORG_NAME_COLUMNS = ("group", "label", "organization")  # columns that name an organization


def linked_cell(column: str, value, docs_prefix: str | None, org_pages: dict | None = None) -> str:
    """An escaped cell; a sent_id or doc_id links to the report page when ``docs_prefix`` is set, an
    org_id, or an organization's name in ``org_pages`` (name → org_id), to its profile."""
    text = _text(value)
    if docs_prefix and text and org_pages and column in ORG_NAME_COLUMNS and text in org_pages:
        return _link(text, f"{docs_prefix[:-len('docs')]}orgs/{file_name(org_pages[text])}.html")
    if docs_prefix and text:
        if column == "sent_id" and (doc := doc_of_sent(text)):
            return _link(text, f"{doc_page(doc, docs_prefix)}#{text}")
        if column == "doc_id":
            return _link(text, doc_page(text, docs_prefix))
        if column == "org_id":
            return _link(text, f"{docs_prefix[:-len('docs')]}orgs/{file_name(text)}.html")
    return html.escape(text, quote=True)


def rows_of(frame: pd.DataFrame, columns=None, named: bool = False):
    """The rows of ``frame`` (its ``columns``) as tuples, or as named tuples with ``named``: a column
    at a time, since pandas' ``itertuples`` indexes every row one by one."""
    from collections import namedtuple

    columns = list(frame.columns if columns is None else columns)
    values = zip(*[frame[c].tolist() for c in columns]) if columns else iter(() for _ in range(len(frame)))
    if not named:
        return list(values)
    row = namedtuple("Row", [re.sub(r"\W", "_", str(c)) for c in columns], rename=True)
    return [row(*v) for v in values]


def _lengths(values: pd.Series) -> pd.Series:
    """The length of each value as text (0 for missing)."""
    return pd.Series([0 if v is None or (not isinstance(v, str) and pd.isna(v)) else len(str(v)) for v in values.tolist()],
                     index=values.index, dtype="int64")


def _column_class(values: pd.Series) -> str:
    """``number`` (right-aligned), ``text`` (long: wraps, with a minimum width) or ``short`` (kept on one line)."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return "number"
    longest = _lengths(values).max() if len(values) else 0
    return "text" if (longest or 0) > LONG_TEXT_CHARS else "short"


def _with_index(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a meaningful index (named, or not a plain row number) as its first columns."""
    if isinstance(frame.index, pd.RangeIndex) and frame.index.name is None:
        return frame
    return frame.reset_index()


def table_html(frame: pd.DataFrame, max_rows: int = 30, docs_prefix: str | None = None) -> str:
    """The first ``max_rows`` rows of ``frame`` as an escaped, wrapping static HTML table (a named index
    is shown): for places that take no script, such as the report pages."""
    head = _with_index(frame).head(max_rows)
    return static_table([str(c) for c in head.columns], rows_of(head), [_column_class(head[c]) for c in head.columns],
                        docs_prefix)


def static_table(columns: list[str], rows, classes: list[str], docs_prefix: str | None = None) -> str:
    """Rows (tuples, in ``columns`` order) as an escaped static HTML table whose cells carry
    ``classes`` (``number``, ``text``, ``short``); ids link to the pages when ``docs_prefix`` is set."""
    classes = [f' class="{c}"' if c else "" for c in classes]
    header = "".join(f"<th{cls}>{html.escape(name)}</th>" for name, cls in zip(columns, classes))
    body = "".join("<tr>" + "".join(f"<td{cls}>{linked_cell(name, value, docs_prefix)}</td>"
                                    for name, value, cls in zip(columns, row, classes)) + "</tr>"
                   for row in rows)
    return (f'<div class="dangjian-table"><table><thead><tr>{header}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def file_name(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", str(name)).strip("_") or "table"


def within_budget(cells: pd.DataFrame, size: int = BYTE_BUDGET) -> int:
    """How many of the first rows of ``cells`` (``escaped_frame``'s: as the page carries them,
    escaped and linked) fit the page's budget of bytes, in UTF-8."""
    if cells.empty:
        return 0
    lengths = sum(_lengths(cells[c]) + 6 for c in cells.columns)  # 6: quotes and commas of the JSON
    sizes = lengths + sum(cells[c].map(lambda v: len(str(v).encode("utf-8")) - len(str(v))) for c in cells.columns
                          if cells[c].dtype == object)
    fits = int((sizes.cumsum() <= size).sum())
    return max(1, fits)


def escaped_frame(frame: pd.DataFrame, docs_prefix: str | None,
                  org_pages: dict | None = None) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with every cell and every column name escaped (and ids linked) as strings, numbers
    kept as numbers so that they sort as numbers; and each column's class. itables prints column
    names as they are when it lets cells hold HTML, and a column may be named by report text (a
    group, a unit's level)."""
    frame = _with_index(frame)
    classes = [_column_class(frame[c]) for c in frame.columns]
    out = {}
    for column, cls in zip(frame.columns, classes):
        values = frame[column]
        if cls == "number" and pd.api.types.is_integer_dtype(values.dtype):
            out[str(column)] = [None if pd.isna(v) else int(v) for v in values.astype(object)]
        elif cls == "number":
            out[str(column)] = pd.to_numeric(values, errors="coerce").astype("float64").round(3)
        else:
            out[str(column)] = [linked_cell(str(column), v, docs_prefix, org_pages) for v in values.astype(object)]
    escaped = pd.DataFrame(out, columns=[str(c) for c in frame.columns])
    escaped.columns = [html.escape(str(c)) for c in frame.columns]
    return escaped, classes


def interactive_html(frame: pd.DataFrame, table_id: str, docs_prefix: str | None = None,
                     org_pages: dict | None = None, escaped: tuple[pd.DataFrame, list[str]] | None = None) -> str:
    """``frame`` as an itables DataTable (offline; ``Tables.init`` embeds the library once per page);
    ``escaped`` is ``escaped_frame``'s result when the caller has it already."""
    from itables import to_html_datatable

    cells, classes = escaped or escaped_frame(frame, docs_prefix, org_pages)
    # DataTables' own classes: dt-right aligns numbers; dangjian-text columns wrap (the page's style).
    # Each column gets a share of the page's width (text 3, short 1.5, number 1), so that a table never
    # runs wider than the page, whatever its number of columns: it wraps instead of hiding columns.
    names = {"text": "dangjian-text", "short": "dangjian-short", "number": "dt-right dangjian-number"}
    longest = [int(_lengths(frame[c]).max()) if len(frame) else 0 for c in _with_index(frame).columns]
    base = {"text": lambda n: 3.0, "short": lambda n: min(2.4, max(1.0, 0.11 * n)), "number": lambda n: 1.0}
    weights = [max(base[c](n), 0.13 * len(str(name)) + 0.4)  # room for the header too
               for c, n, name in zip(classes, longest, cells.columns)]
    column_defs = [{"targets": i, "className": names[c], "width": f"{100 * w / sum(weights):.1f}%"}
                   for i, (c, w) in enumerate(zip(classes, weights))]
    return to_html_datatable(
        cells, connected=False, allow_html=True, table_id=table_id, maxBytes=0, showIndex=False,
        format_floats_in_python=False,  # numbers as JavaScript prints them (5184.28, 4), not 4.000000e+00
        display_logo_when_loading=False, classes="display compact cell-border", pageLength=PAGE_LENGTH,
        lengthMenu=[10, 25, 100, 500], columnDefs=column_defs, autoWidth=False,
        layout={"topStart": "pageLength", "topEnd": "search", "bottomStart": "info", "bottomEnd": "paging"},
        style={"width": "100%", "table-layout": "fixed", "margin": "0"})


class Tables:
    """Shows tables in one notebook; every table is interactive, and a table over the page's budget
    is written whole to ``folder`` and linked as ``link_prefix/NAME.csv``.

    ``folder`` is where the HTML pages' CSV files go (``reports/csv``) and ``link_prefix`` the
    same folder as seen from the pages (``csv``); ``stem`` (the notebook's name) keeps the files of
    different notebooks apart; ``docs_prefix`` is the report pages' folder as seen from the pages
    (``docs``), so that every sent_id links to its sentence, or None for no links; ``org_pages``
    (an organization's name or group label → its org_id) links the cells that name an organization
    (columns ``ORG_NAME_COLUMNS``) to its profile.
    """

    def __init__(self, folder: Path | str, stem: str, link_prefix: str = "csv", max_rows: int = ROW_BUDGET,
                 docs_prefix: str | None = "docs", org_pages: dict | None = None, workbook: str | None = "tables.xlsx"):
        self.folder = Path(folder)
        self.stem = stem
        self.link_prefix = link_prefix
        self.max_rows = max_rows
        self.docs_prefix = docs_prefix
        self.org_pages = org_pages or {}  # organization name or group label → org_id, for links to profiles
        self.workbook = workbook  # the workbook of the report set, as seen from the pages (None: none)

    @staticmethod
    def init():
        """Embed the table library in the page (itables offline mode): call once, in a notebook's
        setup cell, before the first table."""
        from itables import init_notebook_mode

        init_notebook_mode(all_interactive=False, connected=False)

    def show(self, frame: pd.DataFrame, name: str, caption: str = ""):
        """An HTML display object: the interactive table (cut to the page's budget) and, when cut,
        where the whole of it is."""
        from IPython.display import HTML

        note = f"<p class=\"dangjian-caption\">{html.escape(caption)}</p>" if caption else ""
        if frame.empty:
            return HTML(note + "<p class=\"dangjian-caption\">(no rows)</p>")
        whole = _with_index(frame)
        cells, classes = escaped_frame(whole.head(self.max_rows), self.docs_prefix, self.org_pages)
        shown = within_budget(cells)
        if len(whole) > PAGE_LENGTH:
            # every row stays reachable: beside the page as CSV, for Excel and for readers without JavaScript
            file = f"{self.stem}-{file_name(name)}.csv"
            self.folder.mkdir(parents=True, exist_ok=True)
            whole.to_csv(self.folder / file, index=False, encoding="utf-8-sig")
            link = f'<a href="{html.escape(f"{self.link_prefix}/{file}", quote=True)}">{html.escape(file)}</a>'
            carried = (f"all {len(whole):,} rows" if shown == len(whole) else
                       f"the first {shown:,} of {len(whole):,} rows (the page's budget)")
            book = (f' The tables it is drawn from are sheets of the workbook <a href="'
                    f'{html.escape(self.workbook, quote=True)}">{html.escape(Path(self.workbook).name)}</a>.'
                    if self.workbook else "")
            note += (f"<p class=\"dangjian-caption\">This table holds {carried}: search, sort and page through "
                     f"them. Without JavaScript the first {PAGE_LENGTH} show. The whole table: {link} (CSV, UTF-8, "
                     f"opens in Excel).{book}</p>")
        table_id = "t_" + re.sub("[^0-9A-Za-z_]", "_", f"{self.stem}_{name}")
        return HTML(note + '<div class="dangjian-table">'
                    + interactive_html(whole.head(shown), table_id, escaped=(cells.head(shown), classes)) + "</div>")


def figure_grid(items: list[tuple[str, Path]], columns: int = 3) -> str:
    """Figures side by side, ``columns`` across at 1200 px (fewer on a narrow screen), each under its
    escaped title, embedded as data so the page stays self-contained."""
    import base64

    cells = []
    for title, path in items:
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        cells.append(f'<figure style="margin:0"><figcaption style="font-weight:bold;font-size:13px;'
                     f'overflow-wrap:anywhere">{html.escape(str(title))}</figcaption>'
                     f'<img src="data:image/png;base64,{data}" alt="{html.escape(f"word cloud of {title}", quote=True)}"'
                     f' style="width:100%;height:auto"></figure>')
    return (f'<div style="display:grid;grid-template-columns:repeat({columns},minmax(0,1fr));gap:14px">'
            + "".join(cells) + "</div>")
