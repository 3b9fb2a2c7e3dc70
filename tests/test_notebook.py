"""The notebooks' setup: one call, a fresh clone builds what it needs, and an interactive run links
from the notebook and never writes into an exported report set."""
from __future__ import annotations

import pandas as pd

from dangjian.present.notebook import ensure_tables, setup

from conftest import SEEDS


def test_a_fresh_clone_builds_the_seeds_it_needs(tmp_path, capsys):
    tables = ensure_tables(tmp_path / "processed")
    assert (tables / "documents.parquet").exists()
    assert "building" in capsys.readouterr().err
    assert ensure_tables(SEEDS) == SEEDS  # a folder of reports is built in memory by load_corpus


def test_an_interactive_run_links_from_the_notebook_and_leaves_exported_sets_alone(tmp_path, monkeypatch):
    from dangjian.build import build

    build(SEEDS, tmp_path / "data" / "processed")
    exported = tmp_path / "reports"
    exported.mkdir()
    (exported / "keep.txt").write_text("an exported set", encoding="utf-8")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    ctx = setup("../data/processed", "../data/interactive/figures", "../data/interactive/reports", "auto", 12,
                "01_corpus")
    assert ctx.grouping.by == "organization" and len(ctx.corpus.documents) == 5
    shown = ctx.tables.show(ctx.corpus.brands[["doc_id", "name", "sent_id"]], "brands").data
    doc, sent = ctx.corpus.brands.iloc[0][["doc_id", "sent_id"]]
    assert f'href="../data/interactive/reports/docs/{doc}.html#{sent}"' in shown
    assert 'href="../data/interactive/reports/csv/01_corpus-brands.csv"' in shown
    assert (tmp_path / "data" / "interactive" / "reports" / "docs" / f"{doc}.html").exists()
    # a table that names an organization links it to its profile
    org = ctx.corpus.organizations.iloc[0]
    named = ctx.tables.show(pd.DataFrame({"organization": [org["name"]], "n": [1]}), "named").data
    assert f'href="../data/interactive/reports/orgs/{org["org_id"]}.html"' in named
    assert sorted(p.name for p in exported.iterdir()) == ["keep.txt"]
    # an exported run (absolute folders, as dangjian report passes them) links relative to the page
    exported_ctx = setup(str(tmp_path / "data" / "processed"), str(tmp_path / "f"), str(exported), "auto", 12, "x")
    assert 'href="docs/' in exported_ctx.tables.show(pd.DataFrame({"sent_id": [sent]}), "one").data


def test_a_sentence_cited_in_prose_links_to_its_page():
    from dangjian.present import narrative

    text = narrative.cite("某公司<b>党委</b>创建品牌", "004_x-s0008")
    assert text == "“某公司&lt;b&gt;党委&lt;/b&gt;创建品牌” ([004\\_x\\-s0008](docs/004_x.html#004_x-s0008))"
    assert "<b>" not in text
