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

from .display import _file_name, table_html
from .organizations import section_name

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


def _findings(brands, formulas, metrics) -> list[tuple[int, int, str, str]]:
    spans = [(int(r.start), int(r.end), "brand", f"{KINDS['brand']}: {r.kind}" + (f" of {r.unit}" if r.unit else ""))
             for r in brands.itertuples()]
    spans += [(int(r.start), int(r.end), "formula", KINDS["formula"]) for r in formulas.itertuples()]
    spans += [(int(r.start), int(r.end), "metric", f"{KINDS['metric']}: {r.value:g} {r.unit}" if pd.notna(r.value)
               else KINDS["metric"]) for r in metrics.itertuples()]
    return spans


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


def report_page(doc: dict, paragraphs, sentences, brands, formulas, metrics, removed, org_href: str | None) -> str:
    """One report's page (see the module docstring)."""
    title = _value(doc, "title") or _value(doc, "file")
    spans = _findings(brands, formulas, metrics)
    by_para = {pid: part for pid, part in sentences.groupby("para_id", sort=False)}
    body = []
    for para in paragraphs.itertuples():
        sents = by_para.get(para.para_id)
        css = "para title" if para.role == "title" else "para"
        inner = "".join(
            f'<span class="s" id="{html.escape(s.sent_id, quote=True)}">'
            f'{marks(s.text, int(s.start), [x for x in spans if s.start <= x[0] < s.end])}</span>'
            for s in sents.itertuples()) if sents is not None else html.escape(para.text)
        body.append(f'<p class="{css}" id="{html.escape(para.para_id, quote=True)}">{inner}</p>')
    whole = removed[removed["line_no"].notna()]
    removed_html = (f"<details><summary>What cleaning removed: {len(whole):,} pieces (lines, pinyin annotations), "
                    f"with the reason for each</summary>"
                    + table_html(whole[["line_no", "reason", "rule", "text"]], max_rows=len(whole) or 1)
                    + "</details>") if len(whole) else "<p class='source'>Cleaning removed nothing.</p>"
    counts = (f"{len(brands):,} brand mentions, {len(formulas):,} formula mentions and {len(metrics):,} metrics "
              "are marked")
    legend = ('<p class="legend source"><mark class="brand">brand</mark><mark class="formula">formula</mark>'
              f'<mark class="metric">metric</mark> {counts}; hover for the kind. A link to a sentence '
              'highlights it.</p>')
    return _page(title, f"<h1>{html.escape(title)}</h1>{facts_table(doc, org_href)}<h2>Text</h2>{legend}"
                        + "".join(body) + f"<h2>Cleaning</h2>{removed_html}")


def org_page(org: dict, documents, brands, formulas, metrics, theme_shares) -> str:
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
             table_html(documents[["doc_id", "date", "title"]], max_rows=len(documents), docs_prefix="../docs")]
    for title, frame, columns in (("Brands", brands, ["name", "kind", "unit", "sent_id"]),
                                  ("Formulas (提法)", formulas, ["formula", "expansion", "sent_id"]),
                                  ("Metrics", metrics, ["raw", "value", "unit", "subject", "category", "sent_id"])):
        parts.append(f"<h2>{title} ({len(frame):,})</h2>")
        parts.append(table_html(frame[columns], max_rows=len(frame), docs_prefix="../docs") if len(frame)
                     else "<p class='source'>None found.</p>")
    if len(theme_shares):
        themes = (theme_shares.groupby(["theme", "theme_en"], sort=False)[["n_sentences", "n_sentences_total"]].sum()
                  .reset_index())
        themes["share"] = themes["n_sentences"] / themes["n_sentences_total"].clip(lower=1)
        parts += ["<h2>Themes</h2>", table_html(themes.sort_values("share", ascending=False), max_rows=len(themes))]
    return _page(name, "".join(parts))


def _by_doc(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {doc: part for doc, part in frame.groupby("doc_id", sort=False)}


def write_pages(tables: Path, reports: Path) -> dict[str, int]:
    """Write every report page and organization profile from the built ``tables`` into ``reports``."""
    tables, reports = Path(tables), Path(reports)
    read = {name: pd.read_parquet(tables / f"{name}.parquet") for name in
            ("documents", "paragraphs", "sentences", "removed", "brands", "formulas", "metrics", "organizations",
             "theme_shares")}
    docs_dir, orgs_dir = reports / "docs", reports / "orgs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    orgs_dir.mkdir(parents=True, exist_ok=True)
    grouped = {name: _by_doc(frame) for name, frame in read.items() if name not in ("documents", "organizations")}
    empty = {name: frame.iloc[0:0] for name, frame in read.items()}
    for doc in read["documents"].to_dict("records"):
        doc_id = doc["doc_id"]
        part = {name: grouped[name].get(doc_id, empty[name]) for name in grouped}
        org_href = f"../orgs/{_file_name(doc['org_id'])}.html" if doc.get("org_id") else None
        page = report_page(doc, part["paragraphs"], part["sentences"], part["brands"], part["formulas"],
                           part["metrics"], part["removed"], org_href)
        (docs_dir / f"{_file_name(doc_id)}.html").write_text(page, encoding="utf-8")
    documents = read["documents"]
    for org in read["organizations"].to_dict("records"):
        ids = str(org["doc_ids"]).split()
        pick = {name: pd.concat([grouped[name].get(d, empty[name]) for d in ids]) for name in
                ("brands", "formulas", "metrics", "theme_shares")}
        page = org_page(org, documents[documents["doc_id"].isin(ids)], pick["brands"], pick["formulas"],
                        pick["metrics"], pick["theme_shares"])
        (orgs_dir / f"{_file_name(org['org_id'])}.html").write_text(page, encoding="utf-8")
    return {"reports": len(documents), "organizations": len(read["organizations"])}
