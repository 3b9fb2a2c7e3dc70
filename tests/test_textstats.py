"""Comparison statistics: hand-checkable cases and consistency on the seeds."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from scipy.stats import chi2

import dangjian
from dangjian.stats import textstats as ts


def _tokens(rows):
    return pd.DataFrame(rows, columns=["doc_id", "sent_id", "token"])


def _counts(tokens: pd.DataFrame) -> pa.Table:
    return ts.count_tokens(pa.Table.from_pandas(tokens, preserve_index=False))


def _keyness(tokens: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Keyness as the build computes it: per-report counts, scored against the corpus vocabulary."""
    counts = _counts(tokens).to_pandas().sort_values(["doc_id", "token"])
    counts["org_label"] = counts["doc_id"].map(labels)
    return ts.keyness_table(counts, ts.Vocabulary(ts.token_totals(_counts(tokens)))).to_pandas()


def test_keyness_matches_a_hand_computation():
    tokens = _tokens([("a", "a1", "品牌")] * 8 + [("a", "a1", "党员")] * 2 +
                     [("b", "b1", "品牌")] * 2 + [("b", "b1", "党员")] * 18)
    table = _keyness(tokens, {"a": "A", "b": "b"}).set_index(["doc_id", "token"])
    a, b, c, d = 8, 2, 10, 20
    e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
    g2 = 2 * (a * math.log(a / e1) + b * math.log(b / e2))
    row = table.loc[("a", "品牌")]
    assert row["g2"] == pytest.approx(g2)
    assert row["p"] == pytest.approx(chi2.sf(g2, 1))
    assert row["log_ratio"] == pytest.approx(math.log2((8 / 10) / (2 / 20)))
    assert table.loc[("b", "品牌"), "g2"] < 0  # rarer in b than in the rest


def test_frequencies_per_10k_chars():
    tokens = _tokens([("a", "a1", "品牌")] * 3 + [("b", "b1", "品牌")] * 2)
    counts = _counts(tokens)
    table = pa.concat_tables([ts.frequency_table(counts, {"a": ("A", 100), "b": ("B", 200)}),
                              ts.corpus_frequency_table(ts.token_totals(counts), 300)])
    table = table.to_pandas().set_index(["doc_id", "token"])
    assert table.loc[("a", "品牌"), "per_10k_chars"] == pytest.approx(300)
    assert table.loc[("all", "品牌"), "n"] == 5
    assert table.loc[("all", "品牌"), "per_10k_chars"] == pytest.approx(5 / 300 * 10_000)


def test_frequency_table_orders_reports_as_listed_then_count_then_code_point():
    counts = pa.table({"doc_id": ["b", "a", "a", "a", "b"], "token": ["党员", "支部", "品牌", "党员", "品牌"],
                       "n": [1, 2, 5, 2, 4]})
    table = ts.frequency_table(counts, {"b": ("B", 50), "a": ("A", 0)}).to_pandas()
    assert table[["doc_id", "token", "n", "rank"]].values.tolist() == [
        ["b", "品牌", 4, 1], ["b", "党员", 1, 2],
        ["a", "品牌", 5, 1], ["a", "党员", 2, 2], ["a", "支部", 2, 3]]  # 党 (U+515A) sorts before 支 (U+652F)
    assert table["org_label"].tolist() == ["B", "B", "A", "A", "A"]
    assert table["per_10k_chars"].tolist() == [800.0, 200.0, 50_000.0, 20_000.0, 20_000.0]  # no characters: 1
    with pytest.raises(ValueError, match="does not list"):
        ts.frequency_table(counts, {"a": ("A", 10)})


def test_cooccurrence_counts_sentences_not_tokens():
    tokens = _tokens([("a", "s1", "品牌"), ("a", "s1", "品牌"), ("a", "s1", "党员"),
                      ("a", "s2", "品牌"), ("a", "s2", "党员"), ("a", "s3", "品牌")])
    counter = ts.CooccurrenceCounter(["党员", "品牌"])
    counter.add(tokens["sent_id"], tokens["token"])
    edges = counter.table(min_count=1)
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


def test_keyness_of_many_reports_at_once_equals_one_at_a_time(seed_corpus):
    freq = seed_corpus.frequencies
    per_doc = freq[freq["doc_id"] != "all"]
    totals = freq[freq["doc_id"] == "all"].set_index("token")["n"].astype(int).to_dict()
    together = ts.keyness_table(per_doc, ts.Vocabulary(totals)).to_pandas()
    one_by_one = pd.concat([ts.keyness_table(group, ts.Vocabulary(totals)).to_pandas()
                            for _, group in per_doc.groupby("doc_id", sort=False)], ignore_index=True)
    pd.testing.assert_frame_equal(together, one_by_one, check_dtype=False)
    assert together.groupby("doc_id")["rank"].min().eq(1).all()


def test_cooccurrence_counts_do_not_depend_on_batches(seed_corpus):
    tokens = seed_corpus.tokens
    vocab = ts.top_terms(tokens["token"].value_counts().to_dict())
    whole = ts.CooccurrenceCounter(vocab)
    whole.add(tokens["sent_id"], tokens["token"])
    batched = ts.CooccurrenceCounter(vocab)
    ids = tokens["sent_id"].tolist()
    boundaries = np.cumsum([i == 0 or ids[i] != ids[i - 1] for i in range(len(ids))]) // 7  # 7 whole sentences a batch
    for _, part in tokens.groupby(boundaries):
        batched.add(part["sent_id"], part["token"])
    assert whole.n_sentences == batched.n_sentences == tokens["sent_id"].nunique()
    pd.testing.assert_frame_equal(whole.table(), batched.table())
    assert (whole.table()["n_sentences"] >= 2).all()


def test_a_codebook_edited_in_place_is_used_as_edited():
    codebook = {"安全": {"label_en": "safety", "keywords": ["安全"]}}
    sentences = [{"doc_id": "a", "sent_id": "a-s1", "text": "排查隐患。"}]
    assert ts.code_theme_rows(sentences, codebook) == []
    codebook["安全"]["keywords"].append("隐患")
    assert [row[4] for row in ts.code_theme_rows(sentences, codebook)] == ["隐患"]


def test_cluster_order_takes_nullable_similarities_of_many_reports():
    """The crash behind a dying themes notebook: 20+ reports' nullable Float64 cosines reached scipy as objects."""
    import numpy as np

    from dangjian.corpus import typed_table

    rng = np.random.default_rng(0)
    docs = [f"r{i:02d}" for i in range(24)]
    rows = [{"doc_a": a, "doc_b": b, "cosine": None if (a, b) == ("r01", "r02") else float(rng.random())}
            for a in docs for b in docs]
    table = typed_table("similarity", rows)
    assert str(table["cosine"].dtype) == "Float64"
    order = ts.cluster_order(table)
    assert sorted(order) == docs


def test_theme_keywords_are_matched_within_one_sentence():
    codebook = {"党建": {"label_en": "party building", "keywords": ["党建", "建设"]},
                "学习": {"label_en": "study", "keywords": ["学习"]}}
    sentences = [{"doc_id": "d", "sent_id": f"d-{i}", "text": text}
                 for i, text in enumerate(["我们加强党", "建设学习型组织。", "没有主题。", "党建和建设都算。"])]
    rows = ts.code_theme_rows(sentences, codebook)
    # “党” ending one sentence and “建设” starting the next make no 党建; every keyword of a sentence is listed
    assert [(sent_id, theme, keywords) for _, sent_id, theme, _, keywords, _ in rows] == [
        ("d-1", "党建", "建设"), ("d-1", "学习", "学习"), ("d-3", "党建", "党建、建设")]


def test_a_genre_word_alone_codes_no_theme():
    """品牌 and 项目 are the genre's own words: alone they code nothing; with another keyword they do."""
    codebook = {"品牌宣传与示范": {"label_en": "brand promotion", "keywords": ["品牌", "示范", "推广"],
                                 "genre_words": ["品牌"]},
                "生产经营融合": {"label_en": "production", "keywords": ["生产", "项目"], "genre_words": ["项目"]}}
    texts = ["支部创建党建品牌。", "品牌在全公司推广。", "项目党支部开展学习。", "项目生产有序推进。"]
    sentences = [{"doc_id": "d", "sent_id": f"d-{i}", "text": text} for i, text in enumerate(texts)]
    rows = ts.code_theme_rows(sentences, codebook)
    assert [(sent_id, theme) for _, sent_id, theme, *_ in rows] == [("d-1", "品牌宣传与示范"), ("d-3", "生产经营融合")]


def test_genre_words_must_be_keywords_of_their_theme():
    codebook = {"品牌宣传与示范": {"label_en": "brand promotion", "keywords": ["示范"], "genre_words": ["品牌"]}}
    with pytest.raises(ValueError, match="genre_words"):
        ts.code_theme_rows([{"doc_id": "d", "sent_id": "d-0", "text": "示范"}], codebook)


def test_the_campaign_direction_needs_a_sentence_about_brands(tmp_path):
    from conftest import corpus_from_text
    from dangjian.stats.compare import creation_direction

    body = "公司党委启动应急响应,全力抢修线路。\n各单位结合实际做好防汛工作。"
    assert creation_direction(corpus_from_text(tmp_path / "a", body))["direction"].tolist() == ["not stated"]
    body = "公司党委启动“一支部一品牌”创建活动。\n各单位结合实际申报特色党建品牌。"
    (row,) = creation_direction(corpus_from_text(tmp_path / "b", body)).itertuples()
    assert row.direction == "both: launched top-down, brands declared bottom-up"
    assert "启动" in row.evidence


def test_readme_coding_precision_is_current_and_every_pair_is_labelled(seed_corpus):
    from dangjian.cli import block_text
    from dangjian.coding import coding_markdown, coding_scores
    from dangjian.config import PROJECT_ROOT

    scores = coding_scores(seed_corpus, PROJECT_ROOT / "tests" / "gold")
    assert scores["unlabelled"].sum() == 0, "label the new pairs in tests/gold/themes.csv or approach.csv"
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert block_text(readme, "coding") == coding_markdown(scores), "run make readme-scores"
    guarded = scores.set_index(["evidence", "rule"])["precision"]
    assert guarded["themes", "a genre word needs a second cue"] > guarded["themes", "any keyword"]
    assert guarded["direction cues", "in a sentence about brands"] >= guarded["direction cues", "in any sentence"]


def test_coding_labels_are_validated(tmp_path):
    from dangjian.coding import read_labels

    (tmp_path / "themes.csv").write_text("sent_id,theme,correct\nd-s0001,安全,2\n", encoding="utf-8")
    (tmp_path / "approach.csv").write_text("sent_id,cue,correct\n", encoding="utf-8")
    with pytest.raises(ValueError, match="0 or 1"):
        read_labels(tmp_path)


def test_a_report_is_labelled_by_the_catalog_then_its_organization_then_its_doc_id():
    documents = pd.DataFrame({"doc_id": ["a", "b", "c"], "org_label": ["A 公司", "", None],
                              "organization": ["某公司", "某银行", float("nan")]})
    assert ts.org_labels(documents) == {"a": "A 公司", "b": "某银行", "c": "c"}
