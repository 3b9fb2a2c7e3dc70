"""The report pages and organization profiles: every finding one click from its sentence.

``write_pages(tables, reports)`` writes, from the built tables:

- ``reports/docs/<doc_id>.html`` for every report: its facts (title, date, organization, parent
  group, sector, region, source, format, script), each with where it came from; its cleaned
  text paragraph by paragraph, every sentence with the anchor ``#<sent_id>`` (the sentence a link
  points at is highlighted); brands, formulas and metrics marked, with their kind on hover; and
  what cleaning removed, in a collapsed section;
- ``reports/orgs/<org_id>.html`` for every organization: its reports, brands with kind and owning
  unit, formulas, metrics and themes, each linked to its sentence.

The pages carry no script, and every text from a report is escaped. Each page holds one report's
text and findings, so the pages together grow with the batch, page by page.
"""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from .display import file_name, static_table
from ..ingest.organizations import section_name

STYLE = """
body{font-family:sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;line-height:1.7;color:#222}
h1{font-size:1.4rem;line-height:1.4} h2{font-size:1.1rem;margin-top:2rem}
.facts{border-collapse:collapse;font-size:14px} .facts th,.facts td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
.facts th{background:#f4f4f4;white-space:nowrap} .source{color:#666;font-size:13px}
p.para{margin:.6em 0} p.title{font-weight:bold} span.s:target{background:#ffe58a;outline:2px solid #e0b000}
mark{padding:0 1px;border-radius:2px} mark.brand{background:#d7ecff} mark.formula{background:#e8dcff}
mark.metric{background:#d9f5d0} .legend mark{margin-right:.6em}
.dangjian-table{max-width:100%;overflow-x:auto} .dangjian-table table{border-collapse:collapse;font-size:13px}
.dangjian-table th,.dangjian-table td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top;max-width:34em;overflow-wrap:anywhere}
.dangjian-table th{background:#f4f4f4} .dangjian-table .number{text-align:right}
details{margin:1rem 0} summary{cursor:pointer;color:#333} nav a{margin-right:1em}
"""
KINDS = {"brand": "brand", "formula": "formula (提法)", "metric": "metric"}


def _page(title: str, body: str, up: str = "../index.html") -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
            f'<body><nav><a href="{html.escape(up, quote=True)}">← all pages</a></nav>{body}</body></html>\n')


def _value(row, column: str) -> str:
    value = row.get(column, "")
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def marks(text: str, start: int, spans: list[tuple[int, int, str, str]]) -> str:
    """``text`` (starting at offset ``start`` of the report) escaped, with the ``spans`` (start, end,
    kind, tooltip) marked; a span overlapping an earlier one is left unmarked."""
    out, at = [], start
    for a, b, kind, tip in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if a < at or b > start + len(text) or a >= b:
            continue
        out.append(html.escape(text[at - start:a - start]))
        out.append(f'<mark class="{kind}" title="{html.escape(tip, quote=True)}">'
                   f"{html.escape(text[a - start:b - start])}</mark>")
        at = b
    out.append(html.escape(text[at - start:]))
    return "".join(out)


def _findings(brands: list[dict], formulas: list[dict], metrics: list[dict]) -> list[tuple[int, int, str, str]]:
    spans = [(r["start"], r["end"], "brand", _brand_tip(r)) for r in brands]
    spans += [(r["start"], r["end"], "formula", KINDS["formula"]) for r in formulas]
    spans += [(r["start"], r["end"], "metric", f"{KINDS['metric']}: {r['value']:g} {r['unit']}"
               if r["value"] is not None else KINDS["metric"]) for r in metrics]
    return spans


def _brand_tip(brand: dict) -> str:
    """A brand's tip: its kind and its owner, marked when the owner is the report's organization."""
    tip = f"{KINDS['brand']}: {brand['kind']}"
    if brand["unit"]:
        tip += f" of {brand['unit']}" + (" (the report's organization)" if brand.get("unit_source") == "report" else "")
    return tip


def records_table(rows: list[dict], columns: list[str], docs_prefix: str | None = None) -> str:
    """``rows`` (dicts) as an escaped static table of ``columns``; ids link to the report pages."""
    def kind(column: str) -> str:
        values = [r.get(column) for r in rows if r.get(column) is not None]
        return "number" if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) else ""

    return static_table(columns, [tuple(r.get(c) for c in columns) for r in rows], [kind(c) for c in columns],
                        docs_prefix)


def facts_table(doc: dict, org_href: str | None) -> str:
    rows = []
    for label, column, source in (("title", "title", "title_source"), ("date", "date", "date_source"),
                                  ("organization", "organization", "organization_source"),
                                  ("parent group", "parent_group", "parent_group_source"),
                                  ("sector", "sector", "sector_source"), ("region", "region", "region_source"),
                                  ("author", "author", "author_source")):
        value = _value(doc, column)
        shown = html.escape(section_name(value) if column == "sector" else value) or "<i>not found</i>"
        if column == "organization" and org_href and value:
            shown = f'<a href="{html.escape(org_href, quote=True)}">{shown}</a>'
        rows.append(f'<tr><th>{label}</th><td>{shown}</td><td class="source">{html.escape(_value(doc, source))}</td></tr>')
    site = _value(doc, "site")
    rows.append(f'<tr><th>source</th><td>{html.escape(_value(doc, "file"))}'
                f'{(" · " + html.escape(site)) if site else ""}</td><td class="source">sha256 '
                f'{html.escape(_value(doc, "sha256")[:12])}…</td></tr>')
    rows.append(f'<tr><th>format, script</th><td>{html.escape(_value(doc, "format"))}, '
                f'{html.escape(_value(doc, "script"))}</td><td class="source">encoding '
                f'{html.escape(_value(doc, "encoding")) or "—"}; {html.escape(_value(doc, "n_converted_chars"))} '
                f'characters converted to simplified</td></tr>')
    return '<table class="facts"><tr><th>fact</th><th>value</th><th>where it came from</th></tr>' + "".join(rows) + "</table>"


def report_page(doc: dict, part: dict[str, list[dict]], org_href: str | None) -> str:
    """One report's page (see the module docstring); ``part`` holds the report's rows of each table."""
    title = _value(doc, "title") or _value(doc, "file")
    brands, formulas, metrics = part["brands"], part["formulas"], part["metrics"]
    spans = _findings(brands, formulas, metrics)
    by_para: dict[str, list[dict]] = {}
    for sentence in part["sentences"]:
        by_para.setdefault(sentence["para_id"], []).append(sentence)
    body = []
    for para in part["paragraphs"]:
        sents = by_para.get(para["para_id"])
        css = "para title" if para["role"] == "title" else "para"
        inner = "".join(
            f'<span class="s" id="{html.escape(s["sent_id"], quote=True)}">'
            f'{marks(s["text"], s["start"], [x for x in spans if s["start"] <= x[0] < s["end"]])}</span>'
            for s in sents) if sents else html.escape(para["text"])
        body.append(f'<p class="{css}" id="{html.escape(para["para_id"], quote=True)}">{inner}</p>')
    whole = [r for r in part["removed"] if r["line_no"] is not None]
    removed_html = (f"<details><summary>What cleaning removed: {len(whole):,} pieces (lines, pinyin annotations), "
                    f"with the reason for each</summary>" + records_table(whole, ["line_no", "reason", "rule", "text"])
                    + "</details>") if whole else "<p class='source'>Cleaning removed nothing.</p>"
    counts = (f"{len(brands):,} brand mentions, {len(formulas):,} formula mentions and {len(metrics):,} metrics "
              "are marked")
    legend = ('<p class="legend source"><mark class="brand">brand</mark><mark class="formula">formula</mark>'
              f'<mark class="metric">metric</mark> {counts}; hover for the kind. A link to a sentence '
              'highlights it.</p>')
    return _page(title, f"<h1>{html.escape(title)}</h1>{facts_table(doc, org_href)}<h2>Text</h2>{legend}"
                        + "".join(body) + f"<h2>Cleaning</h2>{removed_html}")


def org_page(org: dict, documents: list[dict], found: dict[str, list[dict]]) -> str:
    """One organization's profile: its reports and findings, each linked to its sentence."""
    name = _value(org, "name") or _value(org, "org_id")
    facts = (f'<table class="facts"><tr><th>org_id</th><td>{html.escape(_value(org, "org_id"))}</td></tr>'
             f'<tr><th>printed forms</th><td>{html.escape(_value(org, "forms"))}</td></tr>'
             f'<tr><th>parent group</th><td>{html.escape(_value(org, "parent_group")) or "—"}</td></tr>'
             f'<tr><th>sector</th><td>{html.escape(_value(org, "sector_name")) or "—"}</td></tr>'
             f'<tr><th>region</th><td>{html.escape(_value(org, "region")) or "—"}</td></tr>'
             f'<tr><th>merged by</th><td>{html.escape(_value(org, "merged_by"))}</td></tr>'
             f'<tr><th>evidence</th><td class="source">{html.escape(_value(org, "evidence"))}</td></tr></table>')
    parts = [f"<h1>{html.escape(name)}</h1>", facts, f"<h2>Reports ({len(documents):,})</h2>",
             records_table(documents, ["doc_id", "date", "title"], docs_prefix="../docs")]
    for title, table, columns in (("Brands", "brands", ["name", "kind", "unit", "unit_source", "rule", "sent_id"]),
                                  ("Formulas (提法)", "formulas", ["formula", "expansion", "sent_id"]),
                                  ("Metrics", "metrics", ["raw", "value", "unit", "subject", "category", "sent_id"])):
        rows = found[table]
        parts.append(f"<h2>{title} ({len(rows):,})</h2>")
        parts.append(records_table(rows, columns, docs_prefix="../docs") if rows
                     else "<p class='source'>None found.</p>")
    themes: dict[tuple, list[int]] = {}
    for r in found["theme_shares"]:
        counts = themes.setdefault((r["theme"], r["theme_en"]), [0, 0])
        counts[0] += r["n_sentences"] or 0
        counts[1] += r["n_sentences_total"] or 0
    if themes:
        rows = sorted(({"theme": t, "theme_en": en, "n_sentences": a, "n_sentences_total": b,
                        "share": round(a / max(b, 1), 3)} for (t, en), (a, b) in themes.items()),
                      key=lambda r: -r["share"])
        parts += ["<h2>Themes</h2>", records_table(rows, ["theme", "theme_en", "n_sentences", "n_sentences_total",
                                                           "share"])]
    return _page(name, "".join(parts))


PAGE_TABLES = {  # the columns each page reads of each table
    "paragraphs": ["doc_id", "para_id", "role", "text"],
    "sentences": ["doc_id", "para_id", "sent_id", "text", "start", "end"],
    "removed": ["doc_id", "line_no", "reason", "rule", "text"],
    "brands": ["doc_id", "name", "kind", "unit", "unit_source", "rule", "sent_id", "start", "end"],
    "formulas": ["doc_id", "formula", "expansion", "sent_id", "start", "end"],
    "metrics": ["doc_id", "raw", "value", "unit", "subject", "category", "sent_id", "start", "end"],
    "theme_shares": ["doc_id", "theme", "theme_en", "n_sentences", "n_sentences_total"],
}


def _rows_by_doc(path: Path, columns: list[str], batch_rows: int = 20_000):
    """(doc_id, rows as dicts) of a table, report by report in the order the build wrote them,
    streamed a batch of whole reports at a time, so that memory does not grow with the batch."""
    from ..build import grouped_batches

    for table in grouped_batches(path, columns, "doc_id", batch_rows):
        current, rows = None, []
        for row in table.to_pylist():
            if row["doc_id"] != current:
                if current is not None:
                    yield current, rows
                current, rows = row["doc_id"], []
            rows.append(row)
        if current is not None:
            yield current, rows


class _Cursor:
    """One table's rows, taken report by report in the documents' order (the build writes every
    pass-1 table in the same file order); a report without rows gets none."""

    def __init__(self, stream):
        self.stream = iter(stream)
        self.pending = next(self.stream, None)

    def take(self, doc_id: str) -> list[dict]:
        if self.pending is not None and self.pending[0] == doc_id:
            rows = self.pending[1]
            self.pending = next(self.stream, None)
            return rows
        return []


ORG_TABLES = ("brands", "formulas", "metrics", "theme_shares")  # what a profile gathers from its reports


def write_pages(tables: Path, reports: Path) -> dict[str, int]:
    """Write every report page and organization profile from the built ``tables`` into ``reports``,
    streaming the tables report by report (only the findings of reports with an organization are
    kept, for the profiles)."""
    import pyarrow.parquet as pq

    tables, reports = Path(tables), Path(reports)
    documents = pq.read_table(tables / "documents.parquet", columns=[
        c for c in pq.read_schema(tables / "documents.parquet").names if c != "text"]).to_pylist()
    organizations = pq.read_table(tables / "organizations.parquet").to_pylist()
    cursors = {name: _Cursor(_rows_by_doc(tables / f"{name}.parquet", columns)) for name, columns in PAGE_TABLES.items()}
    docs_dir, orgs_dir = reports / "docs", reports / "orgs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    orgs_dir.mkdir(parents=True, exist_ok=True)
    found: dict[str, dict[str, list[dict]]] = {}
    for doc in documents:
        part = {name: cursor.take(doc["doc_id"]) for name, cursor in cursors.items()}
        org_href = f"../orgs/{file_name(doc['org_id'])}.html" if doc.get("org_id") else None
        (docs_dir / f"{file_name(doc['doc_id'])}.html").write_text(report_page(doc, part, org_href), encoding="utf-8")
        if doc.get("org_id"):
            for name in ORG_TABLES:
                found.setdefault(doc["org_id"], {t: [] for t in ORG_TABLES})[name].extend(part[name])
    by_id = {doc["doc_id"]: doc for doc in documents}
    for org in organizations:
        ids = str(org["doc_ids"]).split()
        page = org_page(org, [by_id[d] for d in ids if d in by_id],
                        found.get(org["org_id"], {t: [] for t in ORG_TABLES}))
        (orgs_dir / f"{file_name(org['org_id'])}.html").write_text(page, encoding="utf-8")
    return {"reports": len(documents), "organizations": len(organizations)}
