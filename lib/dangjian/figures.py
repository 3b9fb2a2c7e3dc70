"""Every chart and word cloud of a corpus, written as PNG files (``dangjian figures``)."""
from __future__ import annotations

from pathlib import Path

from . import plots, textstats


def make_figures(corpus, out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    frequencies = corpus.frequencies
    paths = []
    for doc_id, group in frequencies.groupby("doc_id", sort=True):
        name = "wordcloud_all.png" if doc_id == textstats.ALL else f"wordcloud_{doc_id}.png"
        paths.append(plots.word_cloud(dict(zip(group["token"], group["n"].astype(float))), out_dir / name))
    paths.append(plots.keyness_bars(corpus.keyness, out_dir / "keyness.png"))
    paths.append(plots.theme_heatmap(corpus.theme_shares, out_dir / "theme_heatmap.png"))
    paths.append(plots.cooccurrence_network(corpus.cooccurrence, frequencies, out_dir / "cooccurrence.png"))
    order = textstats.cluster_order(corpus.similarity)
    paths.append(plots.similarity_heatmap(corpus.similarity, order, out_dir / "similarity.png"))
    return paths
