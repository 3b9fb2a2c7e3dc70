"""Groups of reports: who is compared with whom, what is pooled, and the per-group tables."""
from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

import dangjian
from dangjian.stats import compare, textstats
from dangjian.present import groups
from dangjian.ingest.catalog import CATALOG_COLUMNS
from dangjian.present.display import Tables, table_html

from conftest import SEED_FILES


def _documents(rows):
    columns = ["doc_id", "org_label", "organization", "date", "sector", "n_chars", "n_sentences"]
    return pd.DataFrame(rows, columns=columns).astype({"n_chars": "Int64", "n_sentences": "Int64"})


def test_organization_is_the_catalog_label_else_the_report_s_own_else_not_stated():
    docs = _documents([("a", "Short name", "某某公司", "2021-01-01", "energy", 100, 3),
                       ("b", "", "某某公司", "", "", 50, 2),
                       ("c", None, None, "2020", None, 10, 1)])
    values = groups.group_values(docs, "organization")
    assert values.to_dict() == {"a": "Short name", "b": "某某公司", "c": groups.MISSING}
    assert groups.group_values(docs, "year").to_dict() == {"a": "2021", "b": groups.MISSING, "c": "2020"}
    assert groups.group_values(docs, "sector")["c"] == groups.MISSING
    with pytest.raises(ValueError, match="cannot group by 'nonsense'"):
        groups.group_values(docs, "nonsense")


def test_several_reports_of_one_organization_form_one_group_ranked_by_reports_then_characters():
    rows = [(f"d{i}", "", org, "", "", chars, 1) for i, (org, chars) in
            enumerate([("甲", 10), ("甲", 10), ("乙", 500), ("丙", 400), ("丁", 300), ("戊", 200)])]
    grouping = groups.group_reports(_documents(rows), "organization", top=2)
    assert grouping.shown_order == ["甲", "乙", groups.OTHER]
    assert grouping.n_groups == 5 and grouping.n_pooled == 3
    shown = grouping.of()
    assert shown["d0"] == shown["d1"] == "甲" and shown["d5"] == groups.OTHER
    summary = grouping.summary(_documents(rows)).set_index("group")
    assert summary.loc[groups.OTHER, "n_reports"] == 3 and summary.loc[groups.OTHER, "n_groups"] == 3
    assert "pooled as “other”" in groups.describe(grouping)
    # one group beyond the top would fill the "other" slot alone: it is shown by name instead
    one_over = groups.group_reports(_documents(rows[:4]), top=2)
    assert one_over.shown_order == ["甲", "乙", "丙"] and one_over.n_pooled == 0


def test_report_labels_are_unique_even_when_organizations_repeat():
    rows = [("x1", "", "某公司", "2021-01-01", "", 5, 1), ("x2", "", "某公司", "2022-01-01", "", 5, 1),
            ("x3", "", "某公司", "2022-01-01", "", 5, 1)]
    labels = groups.report_labels(_documents(rows))
    assert labels.is_unique and labels["x1"] == "某公司 2021-01-01" and labels["x3"].endswith("(x3)")


@pytest.fixture(scope="module")
def many_groups(tmp_path_factory):
    """25 reports (the seeds five times), each its own organization in the catalog."""
    folder = tmp_path_factory.mktemp("many")
    rows = []
    for copy in range(5):
        for seed in SEED_FILES:
            name = f"{copy}_{seed.name}"
            shutil.copy(seed, folder / name)
            # copies of one text are one unit by its name; a checked org_id splits them
            rows.append({"file": name, "status": "checked", "org_id": f"unit-{copy}-{seed.name[:3]}",
                         "org_label": f"单位{copy}{seed.name[:3]}"})
    pd.DataFrame(rows, columns=CATALOG_COLUMNS).to_csv(folder / "catalog.csv", index=False)
    return dangjian.build_corpus(folder)


def test_similarity_of_twenty_five_groups_is_plain_float_and_clusters(many_groups):
    grouping = groups.group_reports(many_groups.documents, top=30)  # auto: every organization fits
    assert grouping.by == "organization" and len(grouping.shown_order) == 25
    similarity = groups.group_similarity(many_groups.frequencies, grouping)
    square = similarity.pivot(index="doc_a", columns="doc_b", values="cosine").to_numpy(dtype="float64")
    assert square.dtype == np.float64 and np.allclose(np.diag(square), 1.0)
    order = textstats.cluster_order(similarity)
    assert sorted(order) == sorted(grouping.shown_order)
    # copies of one seed are identical texts: clustering puts each seed's five copies side by side
    seed_of = [name[-3:] for name in order]
    assert sum(a != b for a, b in zip(seed_of, seed_of[1:])) == 4


def test_group_tables_are_sums_over_their_reports(many_groups):
    grouping = groups.group_reports(many_groups.documents, "organization", top=3)
    assert len(grouping.shown_order) == 4 and grouping.shown_order[-1] == groups.OTHER
    shares = groups.group_theme_shares(many_groups.theme_shares, grouping)
    per_report = many_groups.theme_shares.assign(group=many_groups.theme_shares["doc_id"].map(grouping.of()))
    other = per_report[(per_report["group"] == groups.OTHER) & (per_report["theme"] == textstats.NO_THEME)]
    row = shares[(shares["group"] == groups.OTHER) & (shares["theme"] == textstats.NO_THEME)].iloc[0]
    assert row["n_sentences"] == other["n_sentences"].sum()
    assert row["share"] == pytest.approx(other["n_sentences"].sum() / other["n_sentences_total"].sum())
    counts = groups.group_counts(many_groups.frequencies, grouping)
    assert counts["n"].sum() == many_groups.tokens.shape[0]
    keyness = groups.group_keyness(many_groups.frequencies, grouping)
    assert set(keyness["group"]) <= set(grouping.shown_order) and len(keyness)
    clouds = groups.group_word_frequencies(many_groups.frequencies, grouping)
    assert list(clouds) == [textstats.ALL, *grouping.shown_order[:-1]]  # no cloud for "other"


def test_comparison_matrix_has_every_dimension_of_every_shown_group_and_turns_when_wide(many_groups):
    grouping = groups.group_reports(many_groups.documents, "organization", top=8)
    matrix = compare.comparison_matrix(many_groups, grouping)
    assert len(matrix) == len(grouping.shown_order) * len(compare.DIMENSIONS)
    backed = matrix[matrix["value"] != compare.NONE_FOUND]
    sentences = set(many_groups.sentences["sent_id"])
    assert backed["sent_id"].isin(sentences).all()  # every finding quotes a sentence
    assert list(compare.matrix_view(matrix, grouping).index) == grouping.shown_order  # 9 groups: rows
    few = groups.group_reports(many_groups.documents, "organization", top=4)
    view = compare.matrix_view(compare.comparison_matrix(many_groups, few), few)
    assert list(view.index) == compare.DIMENSIONS and list(view.columns) == few.shown_order


def test_tables_are_interactive_whole_escaped_and_linked(tmp_path):
    import json
    import re

    frame = pd.DataFrame({"n": range(45), "text": ["<script>alert(1)</script>某某" * 2] * 45,
                          "sent_id": [f"doc<b>-s{i:04d}" for i in range(45)]})
    tables = Tables(tmp_path / "csv", "07_x")
    shown = tables.show(frame, "long table").data
    data = json.loads(json.loads(re.search(r'"data_json": ("(?:[^"\\]|\\.)*")', shown).group(1)))
    assert len(data) == 45  # every row, searchable and paged in the page
    assert "<script>alert" not in shown and "&lt;script&gt;alert(1)&lt;/script&gt;" in data[0][1]
    assert data[0][2] == '<a href="docs/doc_b.html#doc&lt;b&gt;-s0000">doc&lt;b&gt;-s0000</a>'
    assert 'href="csv/07_x-long_table.csv"' in shown and "all 45 rows" in shown
    assert "without javascript the first 10 show" in shown.lower()
    written = pd.read_csv(tmp_path / "csv" / "07_x-long_table.csv", encoding="utf-8-sig")
    assert len(written) == 45 and written["text"][0].startswith("<script>")
    assert (tmp_path / "csv" / "07_x-long_table.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    # over the page's budget: the first rows, and where the whole table is
    small = Tables(tmp_path / "csv", "07_x", max_rows=20).show(frame, "cut").data
    assert "the first 20 of 45 rows" in small and 'href="csv/07_x-cut.csv"' in small
    short = table_html(frame.head(3))
    assert short.count("<tr>") == 4 and 'class="text"' in short and 'class="number"' in short


def test_the_index_page_can_group_by_any_documents_column(tmp_path):
    from dangjian.build import build
    from dangjian.present.report import _batch_summary

    build(SEED_FILES[0].parent, tmp_path)
    summary, grouped_by = _batch_summary(tmp_path, "script", 12)
    assert "in 2 groups by script" in summary and grouped_by == "script"  # simplified and traditional
