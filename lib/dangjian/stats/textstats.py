"""Text statistics, in the form the streaming build computes them: token counts and frequencies,
keyness, TF-IDF and similarity, theme coding and shares, co-occurrence, and keywords in context.
Each works on whole reports (Arrow tables or rows) so that the build can stream a batch at a time;
tests/oracles.py holds naive versions written from the definitions, which the tests compare them
with. The corpus text is never changed.

The tables here are per report. Each report's ``org_label`` column holds its organization
label (``organization_label``); comparisons of groups of reports are in ``dangjian.present.groups``.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache

import ahocorasick_rs
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy.special import erfc

from ..config import DATA_DIR
from ..rules import RuleFileError, check_like, read_yaml

THEMES_FILE = DATA_DIR / "themes.yaml"
ALL = "all"  # the doc_id of corpus-wide rows
NO_THEME = "(no theme)"


def organization_label(catalog_label, organization, doc_id: str) -> str:
    """The name a report's organization is shown by: the catalog's ``org_label`` where the catalog
    lists the report, else the organization read from the report, else the file stem (doc_id)."""
    for value in (catalog_label, organization):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return doc_id


def org_labels(documents: pd.DataFrame) -> dict[str, str]:
    """doc_id → ``organization_label`` of every report."""
    docs = documents.set_index("doc_id")
    catalog = docs["org_label"] if "org_label" in docs else pd.Series("", index=docs.index)
    read = docs["organization"] if "organization" in docs else pd.Series("", index=docs.index)
    return {doc: organization_label(c, o, doc)
            for doc, c, o in zip(docs.index, catalog.astype(object), read.astype(object))}


KEYNESS_COLUMNS = ["doc_id", "org_label", "token", "n_target", "n_reference", "g2", "p", "log_ratio", "rank"]
FREQUENCY_SCHEMA = pa.schema([("doc_id", pa.large_string()), ("org_label", pa.large_string()),
                              ("token", pa.large_string()), ("n", pa.int64()), ("per_10k_chars", pa.float64()),
                              ("rank", pa.int64())])
FREQUENCY_COLUMNS = FREQUENCY_SCHEMA.names


def count_tokens(tokens: pa.Table) -> pa.Table:
    """(doc_id, token, n): how often each report uses each token, from a tokens table."""
    # Grouped on dictionary codes: hashing integers costs a third of hashing the strings, and every
    # later step sorts the counts, so their order does not matter.
    doc, token = _codes(tokens.column("doc_id")), _codes(tokens.column("token"))
    counts = pa.table({"doc": doc.indices, "token": token.indices}).group_by(
        ["doc", "token"], use_threads=False).aggregate([([], "count_all")])
    return pa.table({"doc_id": doc.dictionary.take(counts.column("doc")),
                     "token": token.dictionary.take(counts.column("token")), "n": counts.column("count_all")})


def _codes(column) -> pa.DictionaryArray:
    """A string column dictionary-encoded as one array (one dictionary, whatever its chunks)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return pc.dictionary_encode(column)  # a dictionary column comes back as it is


def token_totals(counts: pa.Table) -> dict[str, int]:
    """token → n summed over the reports of (doc_id, token, n) counts."""
    totals = counts.group_by("token", use_threads=False).aggregate([("n", "sum")])
    return dict(zip(totals.column("token").to_pylist(), totals.column("n_sum").to_pylist()))


def frequency_table(counts: pa.Table, documents: dict[str, tuple[str, int]]) -> pa.Table:
    """Frequency rows from (doc_id, token, n) counts, every report complete.

    ``documents`` maps doc_id to (org_label, n_chars) and gives the order of the
    reports; within a report rows go by count descending, then token in code-point
    order, and ``rank`` counts from 1.
    """
    if not counts.num_rows:
        return FREQUENCY_SCHEMA.empty_table()
    docs = list(documents)
    doc_position = pc.index_in(_large_strings(counts.column("doc_id")),
                               value_set=pa.array(docs, type=pa.large_string()))
    if doc_position.null_count:
        raise ValueError("frequency_table: counts of a report that documents does not list")
    counts = counts.append_column("doc_position", doc_position).sort_by(
        [("doc_position", "ascending"), ("n", "descending"), ("token", "ascending")])
    position = counts.column("doc_position").to_numpy()
    n = counts.column("n").to_numpy().astype(np.int64)
    n_chars = np.array([max(documents[doc][1], 1) for doc in docs], dtype=np.int64)
    labels = pa.array([documents[doc][0] for doc in docs], type=pa.large_string())
    return pa.table({"doc_id": _large_strings(counts.column("doc_id")), "org_label": labels.take(position),
                     "token": _large_strings(counts.column("token")), "n": n,
                     "per_10k_chars": n / n_chars[position] * 10_000, "rank": ranks_within(position)},
                    schema=FREQUENCY_SCHEMA)


def corpus_frequency_table(totals: dict[str, int], n_chars: int) -> pa.Table:
    """The corpus-wide frequency rows (doc_id ``all``) from the corpus token counts."""
    counts = pa.table({"doc_id": pa.array([ALL] * len(totals), type=pa.large_string()),
                       "token": pa.array(list(totals), type=pa.large_string()),
                       "n": pa.array(list(totals.values()), type=pa.int64())})
    return frequency_table(counts, {ALL: ("all reports", n_chars)})


def ranks_within(groups: np.ndarray) -> np.ndarray:
    """1, 2, 3 … restarting wherever the (sorted, contiguous) group code changes."""
    first = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    return (np.arange(len(groups)) - np.repeat(first, np.diff(np.r_[first, len(groups)])) + 1).astype(np.int64)


class Vocabulary:
    """Corpus token counts, with the tokens sorted in code-point order (as Python sorts strings)."""

    def __init__(self, totals: dict[str, int]):
        tokens = sorted(totals)
        self.tokens = pa.array(tokens, type=pa.large_string())
        self.counts = np.fromiter((totals[t] for t in tokens), dtype=np.int64, count=len(tokens))
        self.grand_total = int(self.counts.sum())

    def positions(self, tokens) -> np.ndarray:
        """Each token's position in the sorted vocabulary, -1 when it is not in it."""
        found = pc.index_in(_large_strings(tokens), value_set=self.tokens)
        return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _large_strings(values) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values.cast(pa.large_string())
    if isinstance(values, pd.Series):
        values = values.array
    return pa.array(values, type=pa.large_string(), from_pandas=True)


def keyness_table(counts, vocabulary: Vocabulary, min_count: int = 2) -> pa.Table:
    """Keyness rows of whole reports at once, from their token counts.

    ``counts`` (a DataFrame or Arrow table) has doc_id, org_label, token and n, with
    every token of each report it holds (a report's total is the sum of its ``n``) and
    each report's rows together, in the order the reports should be listed.
    ``vocabulary`` holds the corpus counts. Each report is scored against the rest of
    the corpus (corpus minus the report). Only terms the report uses are listed, and
    only those seen at least ``min_count`` times in the corpus. Rows are ordered by
    report, then signed G² descending, then token.
    """
    table = counts if isinstance(counts, pa.Table) else pa.Table.from_pandas(
        counts[["doc_id", "org_label", "token", "n"]], preserve_index=False)
    if not table.num_rows:
        return pa.Table.from_pandas(pd.DataFrame(columns=KEYNESS_COLUMNS), preserve_index=False)
    doc_codes = pc.dictionary_encode(table.column("doc_id").combine_chunks()).indices.to_numpy()
    n = table.column("n").to_numpy().astype(float)
    doc_total = np.bincount(doc_codes, weights=n)[doc_codes]
    position = vocabulary.positions(table.column("token"))
    if (position < 0).any():
        raise ValueError("keyness: a report uses a token the corpus counts do not hold")
    corpus_count = vocabulary.counts[position].astype(float)
    grand = float(vocabulary.grand_total)
    keep = (corpus_count >= min_count) & (doc_total > 0) & (grand - doc_total > 0)
    a, c = n[keep], doc_total[keep]
    b, d = corpus_count[keep] - a, grand - c
    g2 = _g2(a, b, c, d)
    signed = np.where(a / c >= b / d, 1.0, -1.0) * g2
    p = erfc(np.sqrt(np.clip(g2, 0.0, None) / 2))  # chi-square tail with 1 df
    log_ratio = np.log2((np.where(a == 0, 0.5, a) / c) / (np.where(b == 0, 0.5, b) / d))
    docs = doc_codes[keep]
    order = np.lexsort((position[keep], -signed, docs))  # vocabulary position = code-point order
    docs = docs[order]
    rank = ranks_within(docs)
    rows = np.flatnonzero(keep)[order]
    result = pa.table({
        "doc_id": table.column("doc_id").take(rows), "org_label": table.column("org_label").take(rows),
        "token": table.column("token").take(rows), "n_target": a[order].astype(np.int64),
        "n_reference": b[order].astype(np.int64), "g2": signed[order], "p": p[order],
        "log_ratio": log_ratio[order], "rank": rank})
    return result


def _g2(a: np.ndarray, b: np.ndarray, c: float, d: float) -> np.ndarray:
    """Log-likelihood G² for counts a (target) and b (reference) in totals c and d."""
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(a > 0, a * np.log(a / e1), 0.0)
        t2 = np.where(b > 0, b * np.log(b / e2), 0.0)
    return 2 * (t1 + t2)


def tfidf_from_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """TF-IDF from a (doc_id, token, n) table of per-report counts."""
    counts = counts[["doc_id", "token", "n"]].copy()
    counts["n"] = counts["n"].astype("int64")
    n_docs = counts["doc_id"].nunique()
    counts["tf"] = counts["n"] / counts.groupby("doc_id")["n"].transform("sum")
    counts["df"] = counts.groupby("token")["doc_id"].transform("nunique")
    counts["idf"] = np.log((1 + n_docs) / (1 + counts["df"])) + 1
    counts["tfidf"] = counts["tf"] * counts["idf"]
    counts = counts.sort_values(["doc_id", "tfidf", "token"], ascending=[True, False, True])
    counts["rank"] = counts.groupby("doc_id").cumcount() + 1
    return counts.reset_index(drop=True)


_THEME_KEYS = {"label_en": "", "keywords": [""], "genre_words": [""]}


def load_codebook(path=THEMES_FILE) -> dict[str, dict]:
    """The themes of a codebook file, validated: each has a list of ``keywords`` (words, each once)
    and may have a ``label_en`` and ``genre_words``, which must be among its keywords."""
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("themes"), dict) or not data["themes"]:
        raise RuleFileError(path, "must hold a mapping 'themes' of at least one theme")
    for theme, spec in data["themes"].items():
        if not isinstance(spec, dict) or "keywords" not in spec:
            raise RuleFileError(path, f"themes.{theme}: must be a mapping with keywords")
        check_like(spec, {key: value for key, value in _THEME_KEYS.items() if key in spec or key == "keywords"},
                   path, f"themes.{theme}")
        if outside := set(spec.get("genre_words", ())) - set(spec["keywords"]):
            raise RuleFileError(path, f"themes.{theme}: genre_words {sorted(outside)} are not among its keywords")
    return data["themes"]


SENTENCE_THEME_COLUMNS = ["doc_id", "sent_id", "theme", "theme_en", "keywords", "text"]


@lru_cache(maxsize=8)
def _compiled_gates(themes: tuple) -> tuple:
    """(automaton of every keyword, the keywords, keyword → [(theme index, its place in the theme's
    list)], [(theme, label_en, genre words)])."""
    index: dict[str, list[tuple[int, int]]] = {}
    coded = []
    for theme, label_en, keywords, genre in themes:
        if outside := set(genre) - set(keywords):
            raise ValueError(f"{THEMES_FILE.name}: {theme}: genre_words {sorted(outside)} are not among its keywords")
        for place, keyword in enumerate(keywords):
            index.setdefault(keyword, []).append((len(coded), place))
        coded.append((theme, label_en, frozenset(genre)))
    words = list(index)
    automaton = ahocorasick_rs.AhoCorasick(words) if words else None
    return automaton, words, index, coded


def _theme_gates(codebook: dict) -> tuple:
    """The codebook compiled once per content (keyed on the content, so a codebook edited in place
    is never served stale): see ``_compiled_gates``."""
    return _compiled_gates(tuple((theme, spec.get("label_en", ""), tuple(spec["keywords"]),
                                  tuple(spec.get("genre_words", ())))
                                 for theme, spec in codebook.items()))


def code_theme_rows(sentences: list[dict], codebook: dict) -> list[tuple]:
    """(doc_id, sent_id, theme, theme_en, keywords, text) for each theme each sentence carries.

    A theme's ``genre_words`` are the genre's own vocabulary (品牌, 项目: every report in it uses
    them), so one of them alone does not code a sentence: it needs another of the theme's keywords."""
    # One Aho-Corasick pass per sentence finds every keyword of every theme (overlapping ones too,
    # so every keyword the sentence holds counts), where a search per theme cost three times as much.
    automaton, words, index, coded = _theme_gates(codebook)
    rows = []
    if automaton is None:
        return rows
    for sentence in sentences:
        text = sentence["text"]
        found = {k for k, _, _ in automaton.find_matches_as_indexes(text, overlapping=True)}
        if not found:
            continue
        by_theme: dict[int, list[tuple[int, str]]] = {}
        for k in found:
            for theme_no, place in index[words[k]]:
                by_theme.setdefault(theme_no, []).append((place, words[k]))
        for theme_no in sorted(by_theme):
            theme, label_en, genre = coded[theme_no]
            hits = [keyword for _, keyword in sorted(by_theme[theme_no])]
            if genre and all(k in genre for k in hits):
                continue
            rows.append((sentence["doc_id"], sentence["sent_id"], theme, label_en, "、".join(hits), text))
    return rows


THEME_SHARE_COLUMNS = ["doc_id", "org_label", "theme", "theme_en", "n_sentences", "n_sentences_total", "share"]


def theme_share_rows(doc_id: str, label: str, coded: dict[str, int], n_covered: int, total: int,
                     codebook: dict) -> list[tuple]:
    """One report's theme shares from its counts of coded sentences per theme."""
    rows = [(doc_id, label, theme, spec.get("label_en", ""), coded.get(theme, 0), total, coded.get(theme, 0) / total)
            for theme, spec in codebook.items()]
    rows.append((doc_id, label, NO_THEME, "no theme", total - n_covered, total, (total - n_covered) / total))
    return rows


COOCCURRENCE_COLUMNS = ["source", "target", "n_sentences", "pmi"]


def top_terms(totals: dict[str, int], top_n: int = 60, min_count: int = 2) -> list[str]:
    """The ``top_n`` most frequent terms (ties broken alphabetically) seen at least ``min_count`` times."""
    ranked = sorted((t for t, n in totals.items() if n >= min_count), key=lambda t: (-totals[t], t))
    return sorted(ranked[:top_n])


class CooccurrenceCounter:
    """Sentence counts of every pair of vocabulary terms, added to batch by batch.

    A term counts once per sentence however often it occurs there. Batches must hold
    whole sentences (a sentence split across two batches would lose its pairs).
    """

    def __init__(self, vocab):
        self.vocab = sorted(vocab)  # code-point order, so that pairs read (source < target)
        self.vocabulary = Vocabulary(dict.fromkeys(self.vocab, 0))
        self.matrix = np.zeros((len(self.vocab), len(self.vocab)), dtype=np.int64)
        self.n_sentences = 0

    def add(self, sent_ids, terms) -> None:
        """Add the tokens of whole sentences (two aligned sequences)."""
        from scipy.sparse import coo_matrix

        sentence_codes = pc.dictionary_encode(_large_strings(sent_ids)).indices.to_numpy().astype(np.int64)
        n_batch = int(sentence_codes.max()) + 1 if len(sentence_codes) else 0
        self.n_sentences += n_batch
        term_codes = self.vocabulary.positions(terms)
        present = term_codes >= 0
        if not present.any():
            return
        width = len(self.vocab)
        pairs = np.unique(sentence_codes[present] * width + term_codes[present])  # each term once per sentence
        indicator = coo_matrix((np.ones(len(pairs), dtype=np.int64), (pairs // width, pairs % width)),
                               shape=(n_batch, width)).tocsr()
        self.matrix += (indicator.T @ indicator).toarray()

    def table(self, min_count: int = 2) -> pd.DataFrame:
        """Pairs seen in at least ``min_count`` sentences: count and PMI, strongest first."""
        sentence_freq = np.diag(self.matrix)
        rows = [(self.vocab[i], self.vocab[j], int(self.matrix[i, j]),
                 math.log2(int(self.matrix[i, j]) * self.n_sentences / (int(sentence_freq[i]) * int(sentence_freq[j]))))
                for i, j in zip(*np.nonzero(np.triu(self.matrix, k=1) >= max(min_count, 1)))]
        table = pd.DataFrame(rows, columns=COOCCURRENCE_COLUMNS)
        return table.sort_values(["n_sentences", "pmi", "source", "target"],
                                 ascending=[False, False, True, True]).reset_index(drop=True)


NETWORK_MIN_SHARED = 3  # sentences a pair must share to be drawn


def cooccurrence_graph(edges: pd.DataFrame, max_edges: int = 80):
    """A networkx graph of the most telling co-occurrence links (weight = shared sentences).

    Links are ranked by PMI times the log of the sentences they share, among pairs sharing at least
    NETWORK_MIN_SHARED sentences: ranked by shared sentences alone, the genre's own words (党员,
    党支部, 建设), which share sentences with everything, take every link."""
    import networkx as nx

    frame = edges[edges["n_sentences"].astype("int64") >= NETWORK_MIN_SHARED]
    if frame.empty:
        frame = edges
    score = frame["pmi"].astype("float64").clip(lower=0) * np.log1p(frame["n_sentences"].astype("float64"))
    frame = frame.assign(score=score.to_numpy()).sort_values(["score", "source", "target"],
                                                           ascending=[False, True, True], kind="stable")
    graph = nx.Graph()
    for row in frame.head(max_edges).itertuples(index=False):
        graph.add_edge(row.source, row.target, weight=int(row.n_sentences), pmi=float(row.pmi))
    return graph


SIMILARITY_COLUMNS = ["doc_a", "doc_b", "org_a", "org_b", "cosine"]


def similarity_from_counts(counts: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    if counts.empty:
        return pd.DataFrame(columns=SIMILARITY_COLUMNS)
    weights = tfidf_from_counts(counts).pivot_table(index="doc_id", columns="token", values="tfidf", fill_value=0.0)
    matrix = weights.to_numpy(dtype=float)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    cosine = (matrix / norms) @ (matrix / norms).T
    labels = org_labels(documents)
    docs = list(weights.index)
    rows = [(a, b, labels.get(a, a), labels.get(b, b), float(cosine[i, j]))
            for i, a in enumerate(docs) for j, b in enumerate(docs)]
    return pd.DataFrame(rows, columns=SIMILARITY_COLUMNS)


def cluster_order(similarity_table: pd.DataFrame) -> list[str]:
    """Reports ordered by average-linkage clustering on 1 - cosine (a dendrogram's leaf order)."""
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    square = similarity_table.pivot(index="doc_a", columns="doc_b", values="cosine")
    if len(square) < 3:
        return list(square.index)
    # A plain float array: the nullable Float64 column gives an object array, which scipy's linkage
    # does not reject but reads as garbage (a segmentation fault at 18 reports). NA rule: a pair
    # with no similarity is as far apart as possible (cosine 0).
    cosine = square.to_numpy(dtype="float64", na_value=0.0)
    distance = (1 - cosine).clip(min=0)
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
