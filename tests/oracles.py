"""Naive reference versions of the text statistics, written from their definitions with dicts and
loops, to check the streamed, vectorised ones the build writes (tests/test_streaming.py).

They share no code with ``dangjian.stats``: a bug copied into both would pass unseen.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict

import pandas as pd

ALL = "all"


def per_report_counts(tokens: pd.DataFrame) -> dict[str, Counter]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for doc, token in zip(tokens["doc_id"], tokens["token"]):
        counts[doc][token] += 1
    return counts


def _ranked(counter: Counter) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def frequencies(tokens: pd.DataFrame, n_chars: dict[str, int], labels: dict[str, str]) -> pd.DataFrame:
    """Per report in ``n_chars``' order, then the corpus (doc_id ``all``): count descending, then token."""
    counts = per_report_counts(tokens)
    rows = []
    for doc, chars in n_chars.items():
        for rank, (token, n) in enumerate(_ranked(counts[doc]), start=1):
            rows.append((doc, labels[doc], token, n, n / max(chars, 1) * 10_000, rank))
    overall = sum(counts.values(), Counter())
    for rank, (token, n) in enumerate(_ranked(overall), start=1):
        rows.append((ALL, "all reports", token, n, n / max(sum(n_chars.values()), 1) * 10_000, rank))
    return pd.DataFrame(rows, columns=["doc_id", "org_label", "token", "n", "per_10k_chars", "rank"])


def keyness(tokens: pd.DataFrame, order: list[str], labels: dict[str, str], min_count: int = 2) -> pd.DataFrame:
    """Each report against the rest of the corpus: signed G², its chi-square (1 df) tail, log ratio."""
    counts = per_report_counts(tokens)
    corpus = sum(counts.values(), Counter())
    grand = sum(corpus.values())
    rows = []
    for doc in order:
        c = sum(counts[doc].values())
        d = grand - c
        scored = []
        for token, a in counts[doc].items():
            if corpus[token] < min_count or c == 0 or d == 0:
                continue
            b = corpus[token] - a
            e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
            g2 = 2 * ((a * math.log(a / e1) if a else 0.0) + (b * math.log(b / e2) if b else 0.0))
            signed = g2 if a / c >= b / d else -g2
            ratio = math.log2(((a or 0.5) / c) / ((b or 0.5) / d))
            scored.append((token, a, b, signed, math.erfc(math.sqrt(max(g2, 0.0) / 2)), ratio))
        scored.sort(key=lambda row: (-row[3], row[0]))
        rows += [(doc, labels[doc], *row, rank) for rank, row in enumerate(scored, start=1)]
    return pd.DataFrame(rows, columns=["doc_id", "org_label", "token", "n_target", "n_reference", "g2", "p",
                                       "log_ratio", "rank"])


def similarity(tokens: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Cosine of TF-IDF vectors (tf = count / report's tokens, idf = ln((1 + N) / (1 + df)) + 1), every
    ordered pair of reports that have tokens, by doc_id."""
    counts = per_report_counts(tokens)
    docs = sorted(counts)
    df = Counter(token for doc in docs for token in counts[doc])
    vectors = {}
    for doc in docs:
        total = sum(counts[doc].values())
        vectors[doc] = {t: n / total * (math.log((1 + len(docs)) / (1 + df[t])) + 1) for t, n in counts[doc].items()}
    norm = {doc: math.sqrt(sum(w * w for w in vector.values())) or 1.0 for doc, vector in vectors.items()}
    rows = [(a, b, labels[a], labels[b],
             sum(w * vectors[b].get(t, 0.0) for t, w in vectors[a].items()) / (norm[a] * norm[b]))
            for a in docs for b in docs]
    return pd.DataFrame(rows, columns=["doc_a", "doc_b", "org_a", "org_b", "cosine"])


def cooccurrence(tokens: pd.DataFrame, top_n: int = 60, min_count: int = 2) -> pd.DataFrame:
    """Sentences shared by pairs of the ``top_n`` most frequent terms, and their PMI over the sentences
    that have tokens; pairs sharing at least ``min_count`` sentences, strongest first."""
    corpus = Counter(tokens["token"])
    vocabulary = {t for t, _ in _ranked(Counter({t: n for t, n in corpus.items() if n >= min_count}))[:top_n]}
    sentences: dict[str, set] = defaultdict(set)
    for sent, token in zip(tokens["sent_id"], tokens["token"]):
        terms = sentences[sent]  # every sentence with a token counts among the sentences, with or without a term
        if token in vocabulary:
            terms.add(token)
    alone, pairs = Counter(), Counter()
    for terms in sentences.values():
        alone.update(terms)
        pairs.update((s, t) for s in terms for t in terms if s < t)
    n = len(sentences)
    rows = [(s, t, k, math.log2(k * n / (alone[s] * alone[t]))) for (s, t), k in pairs.items() if k >= min_count]
    rows.sort(key=lambda row: (-row[2], -row[3], row[0], row[1]))
    return pd.DataFrame(rows, columns=["source", "target", "n_sentences", "pmi"])


def sentence_themes(sentences: pd.DataFrame, codebook: dict) -> pd.DataFrame:
    """A sentence carries a theme when it contains one of its keywords, unless every keyword it
    contains is one of the theme's genre words."""
    rows = []
    for doc, sent, text in zip(sentences["doc_id"], sentences["sent_id"], sentences["text"]):
        for theme, spec in codebook.items():
            hits = [k for k in dict.fromkeys(spec["keywords"]) if k in text]
            if hits and not set(hits) <= set(spec.get("genre_words", ())):
                rows.append((doc, sent, theme, spec.get("label_en", ""), "、".join(hits), text))
    return pd.DataFrame(rows, columns=["doc_id", "sent_id", "theme", "theme_en", "keywords", "text"])


def theme_shares(themes: pd.DataFrame, sentences: pd.DataFrame, order: list[str], labels: dict[str, str],
                 codebook: dict, no_theme: str) -> pd.DataFrame:
    """Per report: the share of its sentences carrying each theme, then the share carrying none."""
    rows = []
    for doc in order:
        total = int((sentences["doc_id"] == doc).sum())
        mine = themes[themes["doc_id"] == doc]
        for theme, spec in codebook.items():
            n = mine.loc[mine["theme"] == theme, "sent_id"].nunique()
            rows.append((doc, labels[doc], theme, spec.get("label_en", ""), n, total, n / total))
        uncovered = total - mine["sent_id"].nunique()
        rows.append((doc, labels[doc], no_theme, "no theme", uncovered, total, uncovered / total))
    return pd.DataFrame(rows, columns=["doc_id", "org_label", "theme", "theme_en", "n_sentences",
                                       "n_sentences_total", "share"])
