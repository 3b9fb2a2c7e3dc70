"""Text statistics on the tokens table: frequencies, keyness, TF-IDF, themes,
co-occurrence, similarity and keywords in context. Each function takes tidy
tables and returns a tidy DataFrame; the corpus text is never changed.

Organizations are the reports (one report per organization here); the label
shown is the catalog's ``org_label``, or the doc_id when the catalog has none.
"""
from __future__ import annotations

import math
import re
from itertools import combinations

import numpy as np
import pandas as pd
import yaml

from .config import DATA_DIR

THEMES_FILE = DATA_DIR / "themes.yaml"
ALL = "all"  # the doc_id of corpus-wide rows
NO_THEME = "(no theme)"


def org_labels(documents: pd.DataFrame) -> dict[str, str]:
    labels = documents.set_index("doc_id")["org_label"].fillna("")
    return {doc: (label or doc) for doc, label in labels.items()}


def frequencies(tokens: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Token counts per report and overall, raw and per 10,000 characters of normalised text."""
    chars = documents.set_index("doc_id")["n_chars"].astype("int64")
    labels = org_labels(documents)
    per_doc = tokens.groupby(["doc_id", "token"]).size().rename("n").reset_index()
    overall = tokens.groupby("token").size().rename("n").reset_index().assign(doc_id=ALL)
    table = pd.concat([per_doc, overall], ignore_index=True)
    total_chars = {**chars.to_dict(), ALL: int(chars.sum())}
    table["org_label"] = table["doc_id"].map({**labels, ALL: "all reports"})
    table["per_10k_chars"] = table["n"] / table["doc_id"].map(total_chars) * 10_000
    table = table.sort_values(["doc_id", "n", "token"], ascending=[True, False, True])
    table["rank"] = table.groupby("doc_id").cumcount() + 1
    return table[["doc_id", "org_label", "token", "n", "per_10k_chars", "rank"]].reset_index(drop=True)


def _g2(a: np.ndarray, b: np.ndarray, c: float, d: float) -> np.ndarray:
    """Log-likelihood G² for counts a (target) and b (reference) in totals c and d."""
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(a > 0, a * np.log(a / e1), 0.0)
        t2 = np.where(b > 0, b * np.log(b / e2), 0.0)
    return 2 * (t1 + t2)


def keyness(tokens: pd.DataFrame, documents: pd.DataFrame, min_count: int = 2) -> pd.DataFrame:
    """Distinctive terms of each report against all the others (as quanteda's textstat_keyness).

    ``g2`` is signed: negative when the term is relatively rarer in the target.
    ``p`` is the chi-square (1 df) tail probability of G². ``log_ratio`` is
    Hardie's effect size, log2 of the ratio of relative frequencies, with 0.5
    added to zero counts. Terms seen fewer than ``min_count`` times overall are left out.
    """
    counts = tokens.groupby(["token", "doc_id"]).size().unstack(fill_value=0)
    counts = counts[counts.sum(axis=1) >= min_count]
    labels = org_labels(documents)
    rows = []
    if counts.shape[1] < 2:
        counts = counts.iloc[:, :0]  # one report: there is no rest to compare it with
    for doc_id in counts.columns:
        a = counts[doc_id].to_numpy(float)
        b = counts.drop(columns=doc_id).sum(axis=1).to_numpy(float)
        c, d = a.sum(), b.sum()
        g2 = _g2(a, b, c, d)
        sign = np.where(a / c >= b / d, 1.0, -1.0)
        p = np.array([math.erfc(math.sqrt(max(g, 0.0) / 2)) for g in g2])
        log_ratio = np.log2(((np.where(a == 0, 0.5, a)) / c) / ((np.where(b == 0, 0.5, b)) / d))
        rows.append(pd.DataFrame({"doc_id": doc_id, "org_label": labels.get(doc_id, doc_id),
                                  "token": counts.index, "n_target": a.astype(int), "n_reference": b.astype(int),
                                  "g2": sign * g2, "p": p, "log_ratio": log_ratio}))
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["doc_id", "org_label", "token", "n_target", "n_reference", "g2", "p", "log_ratio"])
    table = table.sort_values(["doc_id", "g2", "token"], ascending=[True, False, True])
    table["rank"] = table.groupby("doc_id").cumcount() + 1
    return table.reset_index(drop=True)


def tfidf(tokens: pd.DataFrame) -> pd.DataFrame:
    """TF-IDF per report: tf = count / tokens in the report; idf = ln((1 + N) / (1 + df)) + 1."""
    counts = tokens.groupby(["doc_id", "token"]).size().rename("n").reset_index()
    n_docs = counts["doc_id"].nunique()
    counts["tf"] = counts["n"] / counts.groupby("doc_id")["n"].transform("sum")
    counts["df"] = counts.groupby("token")["doc_id"].transform("nunique")
    counts["idf"] = np.log((1 + n_docs) / (1 + counts["df"])) + 1
    counts["tfidf"] = counts["tf"] * counts["idf"]
    counts = counts.sort_values(["doc_id", "tfidf", "token"], ascending=[True, False, True])
    counts["rank"] = counts.groupby("doc_id").cumcount() + 1
    return counts.reset_index(drop=True)


def load_codebook(path=THEMES_FILE) -> dict[str, dict]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["themes"]


def code_themes(sentences: pd.DataFrame, codebook: dict | None = None) -> pd.DataFrame:
    """One row per (sentence, theme) it carries, with the keywords that matched and the sentence as evidence."""
    codebook = codebook or load_codebook()
    rows = []
    for row in sentences.itertuples(index=False):
        for theme, spec in codebook.items():
            hits = [k for k in spec["keywords"] if k in row.text]
            if hits:
                rows.append((row.doc_id, row.sent_id, theme, spec.get("label_en", ""), "、".join(hits), row.text))
    return pd.DataFrame(rows, columns=["doc_id", "sent_id", "theme", "theme_en", "keywords", "text"])


def theme_shares(sentence_themes: pd.DataFrame, sentences: pd.DataFrame, documents: pd.DataFrame,
                 codebook: dict | None = None) -> pd.DataFrame:
    """Share of each report's sentences that carry each theme, plus the share no theme covers."""
    codebook = codebook or load_codebook()
    labels = org_labels(documents)
    totals = sentences.groupby("doc_id").size()
    coded = sentence_themes.groupby(["doc_id", "theme"])["sent_id"].nunique()
    covered = sentence_themes.groupby("doc_id")["sent_id"].nunique()
    rows = []
    for doc_id, total in totals.items():
        for theme, spec in codebook.items():
            n = int(coded.get((doc_id, theme), 0))
            rows.append((doc_id, labels.get(doc_id, doc_id), theme, spec.get("label_en", ""), n, int(total), n / total))
        n_none = int(total - covered.get(doc_id, 0))
        rows.append((doc_id, labels.get(doc_id, doc_id), NO_THEME, "no theme", n_none, int(total), n_none / total))
    return pd.DataFrame(rows, columns=["doc_id", "org_label", "theme", "theme_en", "n_sentences",
                                       "n_sentences_total", "share"])


def cooccurrence(tokens: pd.DataFrame, top_n: int = 60, min_count: int = 2) -> pd.DataFrame:
    """Pairs of frequent terms that occur in the same sentence: count and PMI, strongest first."""
    frequent = tokens["token"].value_counts()
    frequent = frequent[frequent >= min_count]
    vocab = sorted(frequent.sort_values(ascending=False, kind="stable").head(top_n).index)
    n_sentences = tokens["sent_id"].nunique()
    per_sentence = tokens[tokens["token"].isin(vocab)].groupby("sent_id")["token"].apply(lambda t: sorted(set(t)))
    pair_counts: dict[tuple[str, str], int] = {}
    for terms in per_sentence:
        for pair in combinations(terms, 2):
            pair_counts[pair] = pair_counts.get(pair, 0) + 1
    doc_freq = tokens[tokens["token"].isin(vocab)].groupby("token")["sent_id"].nunique()
    rows = []
    for (a, b), n in pair_counts.items():
        if n < min_count:
            continue
        pmi = math.log2(n * n_sentences / (doc_freq[a] * doc_freq[b]))
        rows.append((a, b, n, pmi))
    table = pd.DataFrame(rows, columns=["source", "target", "n_sentences", "pmi"])
    return table.sort_values(["n_sentences", "pmi", "source", "target"],
                             ascending=[False, False, True, True]).reset_index(drop=True)


def cooccurrence_graph(edges: pd.DataFrame, max_edges: int = 80):
    """A networkx graph of the strongest co-occurrence links (weight = shared sentences)."""
    import networkx as nx

    graph = nx.Graph()
    for row in edges.head(max_edges).itertuples(index=False):
        graph.add_edge(row.source, row.target, weight=int(row.n_sentences), pmi=float(row.pmi))
    return graph


def similarity(tokens: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Cosine similarity of every pair of reports on TF-IDF vectors (both orders, and self = 1)."""
    weights = tfidf(tokens).pivot_table(index="doc_id", columns="token", values="tfidf", fill_value=0.0)
    matrix = weights.to_numpy()
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    cosine = (matrix / norms) @ (matrix / norms).T
    labels = org_labels(documents)
    docs = list(weights.index)
    rows = [(a, b, labels.get(a, a), labels.get(b, b), float(cosine[i, j]))
            for i, a in enumerate(docs) for j, b in enumerate(docs)]
    return pd.DataFrame(rows, columns=["doc_a", "doc_b", "org_a", "org_b", "cosine"])


def cluster_order(similarity_table: pd.DataFrame) -> list[str]:
    """Reports ordered by average-linkage clustering on 1 - cosine (a dendrogram's leaf order)."""
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    square = similarity_table.pivot(index="doc_a", columns="doc_b", values="cosine")
    if len(square) < 3:
        return list(square.index)
    distance = (1 - square.to_numpy()).clip(min=0)
    np.fill_diagonal(distance, 0)
    order = leaves_list(linkage(squareform(distance, checks=False), method="average"))
    return [square.index[i] for i in order]


def kwic(corpus, pattern: str, window: int = 15, regex: bool = False) -> pd.DataFrame:
    """Keywords in context: one row per occurrence in the normalised text, with its sentence."""
    needle = re.compile(pattern if regex else re.escape(pattern))
    sentences = corpus.sentences
    rows = []
    for doc in corpus.documents.itertuples(index=False):
        doc_sentences = sentences[sentences["doc_id"] == doc.doc_id]
        starts = doc_sentences["start"].to_numpy()
        for m in needle.finditer(doc.text):
            i = int(np.searchsorted(starts, m.start(), side="right")) - 1
            sent = doc_sentences.iloc[max(i, 0)]
            left = doc.text[max(0, m.start() - window):m.start()].replace("\n", " ")
            right = doc.text[m.end():m.end() + window].replace("\n", " ")
            rows.append((doc.doc_id, sent["sent_id"], left, m.group(0), right, m.start(), m.end()))
    return pd.DataFrame(rows, columns=["doc_id", "sent_id", "left", "match", "right", "start", "end"])
