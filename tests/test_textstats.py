"""Comparison statistics: hand-checkable cases and consistency on the seeds."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

import dangjian
from dangjian import textstats as ts


def _tokens(rows):
    return pd.DataFrame(rows, columns=["doc_id", "sent_id", "token"]).assign(pos="n", start=0, end=0)


DOCS = pd.DataFrame({"doc_id": ["a", "b"], "org_label": ["A", ""], "n_chars": [100, 200]})


def test_keyness_matches_a_hand_computation():
    tokens = _tokens([("a", "a1", "品牌")] * 8 + [("a", "a1", "党员")] * 2 +
                     [("b", "b1", "品牌")] * 2 + [("b", "b1", "党员")] * 18)
    table = ts.keyness(tokens, DOCS).set_index(["doc_id", "token"])
    a, b, c, d = 8, 2, 10, 20
    e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
    g2 = 2 * (a * math.log(a / e1) + b * math.log(b / e2))
    row = table.loc[("a", "品牌")]
    assert row["g2"] == pytest.approx(g2)
    assert row["p"] == pytest.approx(chi2.sf(g2, 1))
    assert row["log_ratio"] == pytest.approx(math.log2((8 / 10) / (2 / 20)))
    assert table.loc[("b", "品牌"), "g2"] < 0  # rarer in b than in the rest
    assert table.loc[("b", "品牌"), "org_label"] == "b"  # no catalog label: the doc_id


def test_frequencies_per_10k_chars():
    tokens = _tokens([("a", "a1", "品牌")] * 3 + [("b", "b1", "品牌")] * 2)
    table = ts.frequencies(tokens, DOCS).set_index(["doc_id", "token"])
    assert table.loc[("a", "品牌"), "per_10k_chars"] == pytest.approx(300)
    assert table.loc[("all", "品牌"), "n"] == 5
    assert table.loc[("all", "品牌"), "per_10k_chars"] == pytest.approx(5 / 300 * 10_000)


def test_cooccurrence_counts_sentences_not_tokens():
    tokens = _tokens([("a", "s1", "品牌"), ("a", "s1", "品牌"), ("a", "s1", "党员"),
                      ("a", "s2", "品牌"), ("a", "s2", "党员"), ("a", "s3", "品牌")])
    edges = ts.cooccurrence(tokens, min_count=1)
    assert edges.iloc[0][["source", "target", "n_sentences"]].tolist() == ["党员", "品牌", 2]
    assert edges.iloc[0]["pmi"] == pytest.approx(math.log2(2 * 3 / (2 * 3)))


def test_seed_statistics_are_consistent(seed_corpus):
    c = seed_corpus
    freq = c.frequencies
    overall = freq[freq["doc_id"] == "all"].set_index("token")["n"]
    per_doc = freq[freq["doc_id"] != "all"].groupby("token")["n"].sum()
    assert overall.sort_index().equals(per_doc.sort_index())
    sim = c.similarity.pivot(index="doc_a", columns="doc_b", values="cosine").astype(float)
    assert np.allclose(sim.to_numpy(), sim.to_numpy().T) and np.allclose(np.diag(sim.to_numpy()), 1)
    assert sorted(ts.cluster_order(c.similarity)) == sorted(c.documents["doc_id"])
    top = c.keyness[c.keyness["rank"] == 1].set_index("doc_id")["token"].to_dict()
    assert top["001_57cd1fc90f496598"] == "党小组" and top["000_ce110ae9294085c3"] == "党建品牌"


def test_themes_code_sentences_with_evidence_and_report_the_gap(seed_corpus):
    c = seed_corpus
    shares = c.theme_shares
    coded = c.sentence_themes
    assert set(coded["theme"]) <= set(ts.load_codebook())
    for row in coded.itertuples():
        assert all(k in row.text for k in row.keywords.split("、"))
    sentences = c.sentences.set_index("sent_id")["text"]
    assert (coded["text"] == coded["sent_id"].map(sentences)).all()  # evidence is the sentence itself
    for doc_id, group in shares.groupby("doc_id"):
        none = group[group["theme"] == ts.NO_THEME]["share"].iloc[0]
        covered = coded[coded["doc_id"] == doc_id]["sent_id"].nunique()
        total = (c.sentences["doc_id"] == doc_id).sum()
        assert none == pytest.approx(1 - covered / total)


def test_kwic():
    corpus = dangjian.load_corpus()
    table = dangjian.kwic(corpus, "品牌", window=5)
    assert {"doc_id", "sent_id", "left", "match", "right"} <= set(table.columns)
    assert (table["match"] == "品牌").all() and len(table) == corpus.documents["text"].str.count("品牌").sum()
    row = table.iloc[0]
    text = corpus.text(row["doc_id"])
    assert text[row["start"] - len(row["left"]):row["start"]].replace("\n", " ") == row["left"]
    assert len(row["left"]) <= 5 and len(row["right"]) <= 5
    sentence = corpus.sentences.set_index("sent_id").loc[row["sent_id"]]
    assert sentence["start"] <= row["start"] < sentence["end"]
    assert len(dangjian.kwic(corpus, r"党建[标品]", regex=True)) > 0
