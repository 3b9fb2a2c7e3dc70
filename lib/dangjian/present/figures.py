"""The series' charts and word clouds for one grouping of a corpus, as PNG files (``dangjian figures``).

At most ``top + 1`` groups are drawn (``groups.group_reports``), so the cost and size of the
figures stay bounded however many reports the batch holds: one word cloud for the whole batch
(its counts) and one per named group (its distinctive terms), one keyness panel per group, one
heatmap row per group.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import plots
from ..stats import textstats
from .groups import DEFAULT_GROUP_BY, DEFAULT_TOP_GROUPS, Grouping, group_keyness, group_reports, group_similarity, group_theme_shares, group_word_frequencies

WORDCLOUD_PATTERN = "wordcloud_*.png"


@dataclass
class Figures:
    """The drawn figures: ``charts`` by name (keyness, theme_heatmap, cooccurrence, similarity) and
    ``wordclouds`` by group (``textstats.ALL`` for the whole batch); ``skipped`` says why a chart is absent.
    ``data`` holds the per-group table each group chart was drawn from (keyness, theme_shares,
    similarity), so that a notebook quotes the numbers of the chart without computing them again."""

    grouping: Grouping
    charts: dict[str, Path] = field(default_factory=dict)
    data: dict[str, pd.DataFrame] = field(default_factory=dict)
    wordclouds: dict[str, Path] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def paths(self) -> list[Path]:
        return [*self.wordclouds.values(), *self.charts.values()]


def make_figures(corpus, out_dir: Path, grouping: Grouping | None = None) -> Figures:
    """Draw every figure of ``corpus`` under ``grouping`` (default: by organization, top 12) into ``out_dir``.

    Word clouds of an earlier run that this one did not draw are removed, so that the folder
    never shows a cloud of a group that is no longer in the batch.
    """
    out_dir = Path(out_dir)
    grouping = grouping or group_reports(corpus.documents, DEFAULT_GROUP_BY, DEFAULT_TOP_GROUPS)
    drawn = Figures(grouping)
    frequencies = corpus.frequencies
    order = grouping.shown_order
    if len(order) >= 2:
        drawn.data["keyness"] = group_keyness(frequencies, grouping)
    clouds = group_word_frequencies(frequencies, grouping, drawn.data.get("keyness"))
    for index, (group, counts) in enumerate(clouds.items()):
        name = "wordcloud_all.png" if group == textstats.ALL else f"wordcloud_{index:02d}.png"
        if counts:
            drawn.wordclouds[group] = plots.word_cloud(counts, out_dir / name)
    for stale in set(out_dir.glob(WORDCLOUD_PATTERN)) - set(drawn.wordclouds.values()):
        stale.unlink()
    if len(order) >= 2:
        drawn.charts["keyness"] = plots.keyness_bars(drawn.data["keyness"], order, out_dir / "keyness.png")
        drawn.data["similarity"] = similarity = group_similarity(frequencies, grouping)
        drawn.charts["similarity"] = plots.similarity_heatmap(similarity, textstats.cluster_order(similarity),
                                                              out_dir / "similarity.png")
    else:
        reason = "one group only: nothing to compare it with"
        drawn.skipped.update(keyness=reason, similarity=reason)
    drawn.data["theme_shares"] = group_theme_shares(corpus.theme_shares, grouping)
    if len(corpus.theme_shares):
        drawn.charts["theme_heatmap"] = plots.theme_heatmap(drawn.data["theme_shares"], order,
                                                            out_dir / "theme_heatmap.png")
    if len(corpus.cooccurrence):
        drawn.charts["cooccurrence"] = plots.cooccurrence_network(corpus.cooccurrence, frequencies,
                                                                  out_dir / "cooccurrence.png")
    else:
        drawn.skipped["cooccurrence"] = "no pair of frequent terms shares two sentences"
    for name in ("keyness", "similarity", "cooccurrence"):
        if name in drawn.skipped and (out_dir / f"{name}.png").exists():
            (out_dir / f"{name}.png").unlink()
    return drawn
