"""Comparison of the organizations' brand-creation approaches, for the notebooks.

Every finding is a row with the sentence that supports it (``sent_id`` and
``evidence``), so that a cell of the comparison matrix can always be quoted.
Cue words are in data/approaches.yaml.
"""
from __future__ import annotations

import re

import pandas as pd
import yaml

from .config import DATA_DIR
from .extraction.common import alternation
from .textstats import NO_THEME, org_labels

APPROACHES_FILE = DATA_DIR / "approaches.yaml"
EVIDENCE_COLUMNS = ["doc_id", "org_label", "dimension", "value", "sent_id", "evidence"]
DIMENSIONS = ["approach", "process stages", "owning level", "main themes", "distinctive terms", "metrics", "formulas"]


def load_approach_cues(path=APPROACHES_FILE) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _first_hits(sentences: pd.DataFrame, keywords: list[str]):
    pattern = re.compile(alternation(keywords))
    return sentences[sentences["text"].str.contains(pattern)]


def process_stages(corpus, cues: dict | None = None) -> pd.DataFrame:
    """Which stages of brand creation (申报, 遴选, 培育 …) each report names, with the first sentence naming each."""
    cues = cues or load_approach_cues()
    labels = org_labels(corpus.documents)
    rows = []
    for doc_id, sentences in corpus.sentences.groupby("doc_id", sort=True):
        for stage, keywords in cues["stages"].items():
            hits = _first_hits(sentences, keywords)
            if len(hits):
                first = hits.iloc[0]
                rows.append((doc_id, labels[doc_id], stage, len(hits), first["sent_id"], first["text"]))
    return pd.DataFrame(rows, columns=["doc_id", "org_label", "stage", "n_sentences", "sent_id", "evidence"])


def creation_direction(corpus, cues: dict | None = None) -> pd.DataFrame:
    """Top-down campaign, bottom-up declaration, or both, from the report's own words."""
    cues = cues or load_approach_cues()
    labels = org_labels(corpus.documents)
    rows = []
    for doc_id, sentences in corpus.sentences.groupby("doc_id", sort=True):
        top = _first_hits(sentences, cues["direction"]["top_down"])
        bottom = _first_hits(sentences, cues["direction"]["bottom_up"])
        if len(top) and len(bottom):
            direction = "both: launched top-down, brands declared bottom-up"
        elif len(top):
            direction = "top-down campaign"
        elif len(bottom):
            direction = "bottom-up declaration"
        else:
            direction = "not stated"
        evidence = top if len(top) else bottom
        rows.append((doc_id, labels[doc_id], direction, len(top), len(bottom),
                     evidence.iloc[0]["sent_id"] if len(evidence) else "",
                     evidence.iloc[0]["text"] if len(evidence) else "",
                     bottom.iloc[0]["text"] if len(bottom) and len(top) else ""))
    return pd.DataFrame(rows, columns=["doc_id", "org_label", "direction", "n_top_down", "n_bottom_up", "sent_id",
                                       "evidence", "evidence_bottom_up"])


def owning_level(unit: str, cues: dict | None = None) -> str:
    cues = cues or load_approach_cues()
    for suffix, level in sorted(cues["levels"].items(), key=lambda kv: len(kv[0]), reverse=True):
        if unit.endswith(suffix):
            return level
    return "not stated"


def owning_levels(brands: pd.DataFrame) -> pd.DataFrame:
    """Brands and initiatives per owning level (党总支, 党支部, 项目党支部 …) and report."""
    cues = load_approach_cues()
    table = brands.assign(level=[owning_level(u if isinstance(u, str) else "", cues) for u in brands["unit"]])
    return (table.groupby(["doc_id", "level"]).size().rename("n").reset_index()
            .sort_values(["doc_id", "n", "level"], ascending=[True, False, True]).reset_index(drop=True))


def naming(brands: pd.DataFrame) -> pd.DataFrame:
    """How brands are named: length, Latin letters or digits, four-character phrases, carrier nouns."""
    named = brands[brands["kind"] == "brand"].copy()
    named["length"] = named["name"].str.len()
    named["latin_or_digits"] = named["name"].str.contains(r"[A-Za-z0-9]")
    named["four_characters"] = named["name"].str.fullmatch(r"[\u4e00-\u9fff]{4}")
    named["punctuation"] = named["name"].str.contains(r"[、,，·‘’]")
    return (named.groupby("doc_id")
            .agg(n_brands=("name", "size"), mean_length=("length", "mean"),
                 latin_or_digits=("latin_or_digits", "sum"), four_characters=("four_characters", "sum"),
                 with_punctuation=("punctuation", "sum"), examples=("name", lambda s: "、".join(s.head(4))))
            .reset_index())


def comparison_matrix(corpus) -> pd.DataFrame:
    """One evidence-backed cell per organization and dimension (long form: pivot on ``dimension`` to read)."""
    labels = org_labels(corpus.documents)
    sentence = dict(zip(corpus.sentences["sent_id"], corpus.sentences["text"]))
    rows = []
    for row in creation_direction(corpus).itertuples():
        rows.append((row.doc_id, row.org_label, "approach", row.direction, row.sent_id, row.evidence))
    stages = process_stages(corpus)
    for doc_id, group in stages.groupby("doc_id"):
        rows.append((doc_id, labels[doc_id], "process stages", "、".join(group["stage"]), group.iloc[0]["sent_id"],
                     group.iloc[0]["evidence"]))
    brands = corpus.brands
    levels = owning_levels(brands)
    for doc_id, group in levels.groupby("doc_id"):
        top = group.iloc[0]
        example = brands[(brands["doc_id"] == doc_id)].iloc[0]
        rows.append((doc_id, labels[doc_id], "owning level", f"{top['level']} ({int(top['n'])} of {int(group['n'].sum())})",
                     example["sent_id"], sentence[example["sent_id"]]))
    shares = corpus.theme_shares[corpus.theme_shares["theme"] != NO_THEME]
    themes = corpus.sentence_themes
    for doc_id, group in shares.groupby("doc_id"):
        top = group.astype({"share": float}).nlargest(2, "share")
        evidence = themes[(themes["doc_id"] == doc_id) & (themes["theme"] == top.iloc[0]["theme"])].iloc[0]
        value = "、".join(f"{t} {s:.0%}" for t, s in zip(top["theme"], top["share"].astype(float)))
        rows.append((doc_id, labels[doc_id], "main themes", value, evidence["sent_id"], evidence["text"]))
    keyness = corpus.keyness
    tokens = corpus.tokens
    for doc_id, group in keyness.groupby("doc_id"):
        top = group.astype({"g2": float}).nlargest(3, "g2")["token"].tolist()
        first = tokens[(tokens["doc_id"] == doc_id) & (tokens["token"] == top[0])].iloc[0]
        rows.append((doc_id, labels[doc_id], "distinctive terms", "、".join(top), first["sent_id"],
                     sentence[first["sent_id"]]))
    metrics = corpus.metrics
    for doc_id, group in metrics.groupby("doc_id"):
        counts = group["category"].value_counts()
        value = "; ".join(f"{n} {c}" for c, n in counts.items())
        first = group.iloc[0]
        rows.append((doc_id, labels[doc_id], "metrics", f"{len(group)} ({value})", first["sent_id"],
                     sentence[first["sent_id"]]))
    formulas = corpus.formulas.drop_duplicates(["doc_id", "formula"])
    for doc_id, group in formulas.groupby("doc_id"):
        first = group.iloc[0]
        rows.append((doc_id, labels[doc_id], "formulas", "、".join(group["formula"]), first["sent_id"],
                     sentence[first["sent_id"]]))
    table = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    for doc_id in labels:  # every organization has every dimension, "none found" when nothing was
        for dimension in DIMENSIONS:
            if not ((table["doc_id"] == doc_id) & (table["dimension"] == dimension)).any():
                table.loc[len(table)] = (doc_id, labels[doc_id], dimension, "none found", "", "")
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    return table.sort_values(["doc_id", "dimension"], key=lambda c: c.map(order) if c.name == "dimension" else c
                             ).reset_index(drop=True)
