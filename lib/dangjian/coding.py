"""How often the theme coding and the approach evidence are right: precision against sentences
labelled by hand (``tests/gold/themes.csv`` and ``approach.csv`` for the seeds).

A labelled pair is (sentence, theme) or (sentence, cue), with ``correct`` 1 or 0 under the rule
the README states: a sentence carries a theme when it says something about that theme's matter,
not when the keyword is only a name, an actor or a figure of speech; a direction cue is right
when the sentence says that the unit launches (top_down) or declares (bottom_up) brands; a stage
is right when the sentence tells of that stage of making brands.

Each rule is also scored without its guard (the genre words of themes, the brand words of the
direction cues), so the table shows what the guard does. Every pair the code finds must be
labelled: an unlabelled pair is counted and shown, never silently scored.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .stats import compare, textstats

LABEL_FILES = {"themes": "themes.csv", "approach": "approach.csv"}
SCORE_COLUMNS = ["evidence", "rule", "found", "labelled", "correct", "precision", "unlabelled"]


def read_labels(folder: Path | str) -> dict[str, pd.DataFrame]:
    """The labelled pairs of a gold folder: {"themes": sent_id, theme, correct; "approach": sent_id, cue, correct}."""
    labels = {}
    for kind, name in LABEL_FILES.items():
        path = Path(folder) / name
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        key = "theme" if kind == "themes" else "cue"
        missing = {"sent_id", key, "correct"} - set(table.columns)
        if missing:
            raise ValueError(f"{path}: lacks the columns {sorted(missing)}")
        if bad := sorted(set(table["correct"]) - {"0", "1"}):
            raise ValueError(f"{path}: correct must be 0 or 1, not {bad}")
        if table.duplicated(["sent_id", key]).any():
            raise ValueError(f"{path}: a pair is labelled twice")
        labels[kind] = table.assign(correct=table["correct"].astype(int))
    return labels


def theme_pairs(corpus, genre_rule: bool = True, codebook: dict | None = None) -> set[tuple[str, str]]:
    """(sent_id, theme) for each theme the coding gives a sentence; without ``genre_rule`` a genre word
    alone codes a sentence too."""
    codebook = codebook or textstats.load_codebook()
    if not genre_rule:
        codebook = {theme: {k: v for k, v in spec.items() if k != "genre_words"} for theme, spec in codebook.items()}
    records = corpus.sentences[["doc_id", "sent_id", "text"]].to_dict("records")
    return {(sent_id, theme) for _, sent_id, theme, *_ in textstats.code_theme_rows(records, codebook)}


def cue_pairs(corpus, brand_rule: bool = True, cues: dict | None = None) -> set[tuple[str, str]]:
    """(sent_id, cue) for each direction cue (top_down, bottom_up) and stage (stage:申报 …) a sentence
    carries; without ``brand_rule`` a direction cue counts in a sentence that names no brand."""
    cues = cues or compare.load_approach_cues()
    sentences = corpus.sentences[["sent_id", "text"]]
    hits = {**compare.direction_hits(sentences, cues, about_brands_only=brand_rule),
            **{f"stage:{stage}": hit for stage, hit in compare.stage_hits(sentences, cues).items()}}
    return {(sent_id, cue) for cue, hit in hits.items() for sent_id in sentences.loc[hit, "sent_id"]}


def _score(found: set, labels: pd.DataFrame, key: str) -> tuple[int, int, int, int]:
    known = {(row.sent_id, getattr(row, key)): row.correct for row in labels.itertuples()}
    labelled = [known[pair] for pair in found if pair in known]
    return len(found), len(labelled), sum(labelled), len(found) - len(labelled)


def coding_scores(corpus, folder: Path | str) -> pd.DataFrame:
    """Precision of the theme coding, the direction cues and the stages, each with and without its guard."""
    labels = read_labels(folder)
    themes, approach = labels["themes"], labels["approach"]
    guarded, unguarded = cue_pairs(corpus), cue_pairs(corpus, brand_rule=False)
    stages = {pair for pair in guarded if pair[1].startswith("stage:")}  # the brand rule leaves stages alone
    rows = []
    for rule, pairs in (("a genre word needs a second cue", theme_pairs(corpus)),
                        ("any keyword", theme_pairs(corpus, genre_rule=False))):
        rows.append(("themes", rule, *_score(pairs, themes, "theme")))
    for rule, pairs in (("in a sentence about brands", guarded - stages), ("in any sentence", unguarded - stages)):
        rows.append(("direction cues", rule, *_score(pairs, approach, "cue")))
    rows.append(("stages", "any keyword", *_score(stages, approach, "cue")))
    table = pd.DataFrame(rows, columns=[c for c in SCORE_COLUMNS if c != "precision"])
    table.insert(5, "precision", (table["correct"] / table["labelled"]).round(3))
    return table


def coding_markdown(scores: pd.DataFrame) -> str:
    lines = ["| evidence | rule | found | labelled | correct | precision | unlabelled |", "|---|---|---:|---:|---:|---:|---:|"]
    for row in scores.itertuples():
        lines.append(f"| {row.evidence} | {row.rule} | {row.found} | {row.labelled} | {row.correct} | "
                     f"{row.precision:.3f} | {row.unlabelled} |")
    return "\n".join(lines)
