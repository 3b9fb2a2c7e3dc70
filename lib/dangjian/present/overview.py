"""``reports/index.html``: the batch at a glance, and the way into every page.

Counts of reports, organizations, parent groups, sectors, regions and years; bar charts of reports
by sector, year and region (drawn in HTML and CSS: the index carries no script and no image); the
files that failed and why; the grouping used and why; links to every notebook page, organization
profile and report page; and the command and settings that made the pages. Every text from a
report is escaped.
"""
from __future__ import annotations

import html
import shlex
from pathlib import Path

import pandas as pd

from .display import file_name, rows_of
from ..ingest.organizations import section_label

STYLE = """
body{font-family:sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}
h1{font-size:1.5rem} h2{font-size:1.15rem;margin-top:2rem} .alt,.note{color:#666}
.counts{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0} .count{border:1px solid #ddd;border-radius:6px;padding:.5rem .9rem;min-width:7rem}
.count b{display:block;font-size:1.5rem}
.charts{display:grid;grid-template-columns:repeat(3,1fr);gap:1.5rem}
.bars{font-size:13px} .bar{display:flex;align-items:center;margin:2px 0}
.bar span.l{width:9.5rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap} .bar span.b{background:#4C78A8;height:.9rem;margin:0 .4rem}
table{border-collapse:collapse;font-size:13px;width:100%} th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f4f4f4} details{margin:.8rem 0} summary{cursor:pointer} code{background:#f6f6f6;padding:0 .2em}
"""
MAX_BARS = 15  # bars per chart; the rest are summed into one "other" bar


def _bars(title: str, counts: pd.Series) -> str:
    counts = counts.sort_values(ascending=False, kind="stable")
    if len(counts) > MAX_BARS:
        counts = pd.concat([counts.head(MAX_BARS - 1), pd.Series({"other": counts.iloc[MAX_BARS - 1:].sum()})])
    top = max(int(counts.max()) if len(counts) else 1, 1)
    rows = "".join(f'<div class="bar"><span class="l" title="{html.escape(str(k), quote=True)}">{html.escape(str(k))}'
                   f'</span><span class="b" style="width:{int(120 * v / top)}px"></span>{int(v):,}</div>'
                   for k, v in counts.items())
    return f'<div class="bars"><h3>{html.escape(title)}</h3>{rows or "<p class=note>none</p>"}</div>'


def _values(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(dtype=str)
    return frame[column].astype(object).fillna("").astype(str).str.strip()


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def index_page(result, documents: pd.DataFrame, organizations: pd.DataFrame, failures: pd.DataFrame,
               command: list[str]) -> str:
    """The index page's HTML (see the module docstring); ``result`` is the report's ReportResult."""
    e = html.escape
    years = _values(documents, "date").str[:4]
    sectors = _values(documents, "sector").map(lambda v: section_label(v) if v else "")
    counts = [("reports", len(documents)), ("organizations identified", len(organizations)),
              ("parent groups", _values(documents, "parent_group").replace("", pd.NA).nunique()),
              ("sectors", sectors.replace("", pd.NA).nunique()),
              ("regions", _values(documents, "region").replace("", pd.NA).nunique()),
              ("years", years.replace("", pd.NA).nunique()), ("failed files", len(failures))]
    boxes = "".join(f'<div class="count"><b>{n:,}</b>{e(name)}</div>' for name, n in counts)
    missing = lambda s: s.replace("", "(not stated)")  # noqa: E731
    charts = (_bars("Reports by sector", missing(sectors).value_counts())
              + _bars("Reports by year", missing(years).value_counts().sort_index())
              + _bars("Reports by region", missing(_values(documents, "region")).value_counts()))
    pages = "".join(f'<li><a href="{e(reader.name, quote=True)}">{e(title)}</a> <span class="alt">(<a href="'
                    f'{e(full.name, quote=True)}">with code</a>)</span></li>' for title, full, reader in result.pages)
    problems = "".join(f"<li>{e(p)}</li>" for p in result.failures)
    failed = (_table(["file", "reason"], [[e(str(f)), e(str(r))] for f, r in zip(failures["file"], failures["reason"])])
              if len(failures) else "<p class='note'>Every file was read.</p>")
    org_rows = [[f'<a href="orgs/{e(file_name(o.org_id), quote=True)}.html">{e(str(o.name))}</a>',
                 e(str(o.parent_group or "")), e(str(o.sector or "")), e(str(o.region or "")), f"{int(o.n_reports):,}"]
                for o in rows_of(organizations.sort_values("n_reports", ascending=False, kind="stable"), named=True)]
    doc_rows = [[f'<a href="docs/{e(file_name(d.doc_id), quote=True)}.html">{e(str(d.doc_id))}</a>',
                 e(str(d.title or "")), e(str(d.organization or "")), e(str(d.date or ""))]
                for d in rows_of(documents, named=True)]
    settings = [("command", " ".join(shlex.quote(c) for c in command)), ("tables", str(result.tables)),
                ("group by", f"{result.group_by} → {result.grouped_by}"), ("top groups", str(result.top_groups))]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Party-building brand reports: overview</title>
<style>{STYLE}</style></head><body>
<h1>Party-building brand reports (党建品牌创建): a comparison by {e(result.grouped_by.replace("_", " "))}</h1>
<div class="counts">{boxes}</div>
<p>{e(result.summary.replace("`", ""))}</p>
<div class="charts">{charts}</div>
<h2>The pages</h2>
<p>Each page is a notebook executed on the built tables. The first link is the version for readers; “with code”
shows every step. Every table is searchable and sortable; every <code>sent_id</code> links to its sentence on the
report's page. All analyst tables are in the workbook <a href="tables.xlsx">tables.xlsx</a> (one sheet each).</p>
<ol>{pages}</ol>
{"<h2>Problems found while running</h2><ul>" + problems + "</ul>" if problems else ""}
<h2>Files that could not be read</h2>{failed}
<h2>Organizations ({len(organizations):,})</h2>
<details><summary>Each organization's profile: its reports, brands, formulas, metrics and themes</summary>
{_table(["organization", "parent group", "sector", "region", "reports"], org_rows)}</details>
<h2>Reports ({len(documents):,})</h2>
<details><summary>Each report's page: its facts, its text sentence by sentence, what cleaning removed</summary>
{_table(["report", "title", "organization", "date"], doc_rows)}</details>
<h2>How these pages were made</h2>
{_table(["setting", "value"], [[e(k), f"<code>{e(v)}</code>"] for k, v in settings])}
</body></html>
"""


def write_index(result, command: list[str]) -> Path:
    """Write ``reports/index.html`` from the built tables."""
    tables = Path(result.tables)
    documents = pd.read_parquet(tables / "documents.parquet", columns=[
        "doc_id", "title", "date", "organization", "org_id", "parent_group", "sector", "region"])
    organizations = pd.read_parquet(tables / "organizations.parquet")
    failures = pd.read_parquet(tables / "failures.parquet")
    target = Path(result.reports) / "index.html"
    target.write_text(index_page(result, documents, organizations, failures, command), encoding="utf-8")
    return target
