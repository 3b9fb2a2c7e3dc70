"""Comparison of brand-creation approaches between groups of reports, for the notebooks.

Every function takes a ``groups.Grouping`` (default: by organization, top 12 groups, the rest
pooled as "other") and treats each shown group as one body of sentences: a group of three
reports names a stage when any of its reports does. Every finding is a row with the sentence
that supports it (``sent_id`` and ``evidence``), so that a cell of the comparison matrix can
always be quoted. Cue words are in data/approaches.yaml.
"""
from __future__ import annotations

import re

import pandas as pd

from ..config import DATA_DIR
from ..rules import read_yaml_like
from ..cues import alternation
from ..present.groups import Grouping, group_keyness, group_reports, group_theme_shares
from .textstats import NO_THEME

APPROACHES_FILE = DATA_DIR / "approaches.yaml"
EVIDENCE_COLUMNS = ["group", "dimension", "value", "sent_id", "evidence"]
DIMENSIONS = ["approach", "process stages", "owning level", "main themes", "distinctive terms", "metrics", "formulas"]
NONE_FOUND = "none found"


def load_approach_cues(path=APPROACHES_FILE) -> dict:
    """The approach cues, validated against the shipped file (``read_yaml_like``): the stages and
    the levels are the analyst's to choose, the direction cues are fixed."""
    return read_yaml_like(path, APPROACHES_FILE, free=("stages", "levels"))


def _grouping(corpus, grouping: Grouping | None) -> Grouping:
    return grouping or group_reports(corpus.documents)


def _grouped_sentences(corpus, grouping: Grouping) -> pd.DataFrame:
    """Sentences with their shown group, in group order and then document order."""
    sentences = corpus.sentences[["doc_id", "sent_id", "text"]]
    return sentences.assign(group=sentences["doc_id"].map(grouping.of()))


def _hits(sentences: pd.DataFrame, keywords: list[str]) -> pd.Series:
    return sentences["text"].str.contains(re.compile(alternation(keywords)), regex=True).fillna(False).astype(bool)


def process_stages(corpus, grouping: Grouping | None = None, cues: dict | None = None) -> pd.DataFrame:
    """Which stages of brand creation (申报, 遴选, 培育 …) each group names, with the first sentence naming each."""
    cues = cues or load_approach_cues()
    grouping = _grouping(corpus, grouping)
    sentences = _grouped_sentences(corpus, grouping)
    rows = []
    for stage, hit in stage_hits(sentences, cues).items():
        hits = sentences[hit]
        for group, part in hits.groupby("group", sort=False):
            rows.append((group, stage, len(part), part["doc_id"].nunique(), part.iloc[0]["sent_id"],
                         part.iloc[0]["text"]))
    table = pd.DataFrame(rows, columns=["group", "stage", "n_sentences", "n_reports", "sent_id", "evidence"])
    return grouping.in_order(table, "stage", list(cues["stages"]))


def direction_hits(sentences: pd.DataFrame, cues: dict, about_brands_only: bool = True) -> dict[str, pd.Series]:
    """Per direction (top_down, bottom_up), which sentences carry one of its cues. A cue counts only in a
    sentence that also names the making of brands (``brand_words``: 启动 alone also starts an emergency
    response); ``about_brands_only=False`` drops that rule, to measure what it does."""
    about = _hits(sentences, cues["direction"]["brand_words"]) if about_brands_only else True
    return {direction: _hits(sentences, cues["direction"][direction]) & about for direction in DIRECTIONS}


def stage_hits(sentences: pd.DataFrame, cues: dict) -> dict[str, pd.Series]:
    """Per stage of brand creation (申报, 遴选 …), which sentences name it."""
    return {stage: _hits(sentences, keywords) for stage, keywords in cues["stages"].items()}


DIRECTIONS = ("top_down", "bottom_up")


def creation_direction(corpus, grouping: Grouping | None = None, cues: dict | None = None) -> pd.DataFrame:
    """Top-down campaign, bottom-up declaration, or both, from the reports' own words, per group."""
    cues = cues or load_approach_cues()
    grouping = _grouping(corpus, grouping)
    sentences = _grouped_sentences(corpus, grouping)
    hits = direction_hits(sentences, cues)
    top_hit, bottom_hit = hits["top_down"], hits["bottom_up"]
    rows = []
    for group in grouping.shown_order:
        in_group = sentences["group"] == group
        top, bottom = sentences[in_group & top_hit], sentences[in_group & bottom_hit]
        if len(top) and len(bottom):
            direction = "both: launched top-down, brands declared bottom-up"
        elif len(top):
            direction = "top-down campaign"
        elif len(bottom):
            direction = "bottom-up declaration"
        else:
            direction = "not stated"
        evidence = top if len(top) else bottom
        rows.append((group, direction, len(top), len(bottom),
                     evidence.iloc[0]["sent_id"] if len(evidence) else "",
                     evidence.iloc[0]["text"] if len(evidence) else "",
                     bottom.iloc[0]["text"] if len(bottom) and len(top) else ""))
    return pd.DataFrame(rows, columns=["group", "direction", "n_top_down", "n_bottom_up", "sent_id",
                                       "evidence", "evidence_bottom_up"])


def owning_level(unit: str, cues: dict | None = None) -> str:
    cues = cues or load_approach_cues()
    for suffix, level in sorted(cues["levels"].items(), key=lambda kv: len(kv[0]), reverse=True):
        if unit.endswith(suffix):
            return level
    return "not stated"


def owning_levels(brands: pd.DataFrame, grouping: Grouping) -> pd.DataFrame:
    """Brands and initiatives per shown group and owning level (党总支, 党支部, 项目党支部 …), most first."""
    cues = load_approach_cues()
    units = brands["unit"].astype(object)
    table = pd.DataFrame({"group": brands["doc_id"].map(grouping.of()).to_numpy(),
                          "level": [owning_level(u if isinstance(u, str) else "", cues) for u in units]})
    counts = table.groupby(["group", "level"]).size().rename("n").reset_index()
    counts = counts.sort_values(["n", "level"], ascending=[False, True])
    return grouping.in_order(counts)


def naming(brands: pd.DataFrame, grouping: Grouping) -> pd.DataFrame:
    """How each group names its brands: length, Latin letters or digits, four-character phrases, punctuation."""
    named = brands[brands["kind"] == "brand"].copy()
    named["group"] = named["doc_id"].map(grouping.of())
    named["length"] = named["name"].str.len().astype("float64")
    named["latin_or_digits"] = named["name"].str.contains(r"[A-Za-z0-9]").astype(bool)
    named["four_characters"] = named["name"].str.fullmatch(r"[\u4e00-\u9fff]{4}").astype(bool)
    named["punctuation"] = named["name"].str.contains(r"[、,，·‘’]").astype(bool)
    table = (named.groupby("group", sort=False)
             .agg(n_brands=("name", "size"), mean_length=("length", "mean"),
                  latin_or_digits=("latin_or_digits", "sum"), four_characters=("four_characters", "sum"),
                  with_punctuation=("punctuation", "sum"),
                  examples=("name", lambda s: "、".join(list(dict.fromkeys(s.astype(str)))[:4])))
             .reset_index())
    return grouping.in_order(table)


def comparison_matrix(corpus, grouping: Grouping | None = None) -> pd.DataFrame:
    """One evidence-backed cell per shown group and dimension (long form: pivot on ``dimension`` to read)."""
    grouping = _grouping(corpus, grouping)
    of = grouping.of()
    sentences = _grouped_sentences(corpus, grouping)
    sentence = dict(zip(corpus.sentences["sent_id"], corpus.sentences["text"]))
    rows = []
    for row in creation_direction(corpus, grouping).itertuples():
        if row.direction != "not stated":
            rows.append((row.group, "approach", row.direction, row.sent_id, row.evidence))
    stages = process_stages(corpus, grouping)
    for group, part in stages.groupby("group", sort=False):
        rows.append((group, "process stages", "、".join(part["stage"]), part.iloc[0]["sent_id"],
                     part.iloc[0]["evidence"]))
    brands = corpus.brands.assign(group=corpus.brands["doc_id"].map(of))
    levels = owning_levels(corpus.brands, grouping)
    for group, part in levels.groupby("group", sort=False):
        top = part.iloc[0]
        example = brands[brands["group"] == group].iloc[0]
        rows.append((group, "owning level", f"{top['level']} ({int(top['n'])} of {int(part['n'].sum())})",
                     example["sent_id"], sentence[example["sent_id"]]))
    shares = group_theme_shares(corpus.theme_shares, grouping)
    shares = shares[(shares["theme"] != NO_THEME) & (shares["n_sentences"] > 0)]
    themes = corpus.sentence_themes.assign(group=corpus.sentence_themes["doc_id"].map(of))
    for group, part in shares.groupby("group", sort=False):
        top = part.nlargest(2, "share")
        evidence = themes[(themes["group"] == group) & (themes["theme"] == top.iloc[0]["theme"])].iloc[0]
        value = "、".join(f"{t} {s:.0%}" for t, s in zip(top["theme"], top["share"]))
        rows.append((group, "main themes", value, evidence["sent_id"], evidence["text"]))
    keyness = group_keyness(corpus.frequencies, grouping)
    if len(keyness):
        keyness = keyness[keyness["g2"].astype("float64") > 0]
    for group, part in keyness.groupby("group", sort=False):
        top = part.nsmallest(3, "rank")["token"].tolist()
        in_group = sentences[sentences["group"] == group]
        first = in_group[in_group["text"].str.contains(top[0], regex=False)]
        if len(first):
            rows.append((group, "distinctive terms", "、".join(top), first.iloc[0]["sent_id"], first.iloc[0]["text"]))
    metrics = corpus.metrics.assign(group=corpus.metrics["doc_id"].map(of))
    for group, part in metrics.groupby("group", sort=False):
        counts = part["category"].value_counts()
        value = "; ".join(f"{n} {c}" for c, n in counts.items())
        first = part.iloc[0]
        rows.append((group, "metrics", f"{len(part)} ({value})", first["sent_id"], sentence[first["sent_id"]]))
    formulas = corpus.formulas.assign(group=corpus.formulas["doc_id"].map(of)).drop_duplicates(["group", "formula"])
    for group, part in formulas.groupby("group", sort=False):
        first = part.iloc[0]
        names = part["formula"].tolist()
        value = "、".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        rows.append((group, "formulas", value, first["sent_id"], sentence[first["sent_id"]]))
    table = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    found = set(zip(table["group"], table["dimension"]))
    missing = [(group, dimension, NONE_FOUND, "", "") for group in grouping.shown_order for dimension in DIMENSIONS
               if (group, dimension) not in found]  # every group has every dimension
    table = pd.concat([table, pd.DataFrame(missing, columns=EVIDENCE_COLUMNS)], ignore_index=True)
    return grouping.in_order(table, "dimension", DIMENSIONS)


def matrix_view(matrix: pd.DataFrame, grouping: Grouping, groups_as_rows_above: int = 6) -> pd.DataFrame:
    """The matrix to read: groups as columns while there are few, as rows beyond ``groups_as_rows_above``
    (so the table grows down, never off the page)."""
    wide = matrix.pivot(index="group", columns="dimension", values="value").reindex(
        index=grouping.shown_order, columns=DIMENSIONS)
    wide.index.name, wide.columns.name = "group", None
    if len(wide) <= groups_as_rows_above:
        wide = wide.T
        wide.index.name, wide.columns.name = "dimension", None
    return wide
