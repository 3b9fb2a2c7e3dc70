"""Plots: one CJK font for matplotlib and wordcloud, the project style, and the
comparison charts (keyness bars, theme heatmap, co-occurrence network,
similarity heatmap) and word clouds, saved as PNG.

The font: a system CJK font when one is installed (Noto Sans CJK SC, Source
Han Sans, WenQuanYi …); otherwise Noto Sans SC from the PyPI package
``justmytype-intl-cjk``, so a fresh machine needs no root and no system fonts.
That package ships a variable font whose default instance is Thin, so a static
Regular (weight 400) instance is made once with fontTools and cached
(``DANGJIAN_CACHE`` or ~/.cache/dangjian).
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import DATA_DIR

STYLE_FILE = DATA_DIR / "dangjian.mplstyle"
SYSTEM_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                       "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC")
PROBE = "党建品牌创建两化一创魅力"
RANDOM_STATE = 42
WORDCLOUD_COLOURS = 64


def _cache_dir() -> Path:
    base = os.environ.get("DANGJIAN_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "dangjian")
    return Path(base)


def _covers(path: str, text: str = PROBE) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(path)
    except (OSError, RuntimeError):
        return False
    return all(font.get_char_index(ord(ch)) for ch in text)


def _system_cjk_font() -> Path | None:
    from matplotlib import font_manager

    by_name = {}
    for entry in font_manager.fontManager.ttflist:
        by_name.setdefault(entry.name, []).append(entry)
    for family in SYSTEM_CJK_FAMILIES:
        for entry in by_name.get(family, []):
            if entry.weight in (400, "normal", "regular") and _covers(entry.fname):
                return Path(entry.fname)
    return None


def _packaged_font() -> Path:
    from importlib.resources import files

    variable = Path(str(files("justmytype_intl_cjk") / "fonts" / "ofl" / "notosanssc" / "NotoSansSC[wght].ttf"))
    target = _cache_dir() / "NotoSansSC-Regular.ttf"
    if not target.exists():
        from fontTools.ttLib import TTFont
        from fontTools.varLib import instancer

        target.parent.mkdir(parents=True, exist_ok=True)
        static = instancer.instantiateVariableFont(TTFont(variable), {"wght": 400}, updateFontNames=True)
        partial = target.with_suffix(".partial")
        static.save(partial)
        partial.replace(target)  # atomic, so a parallel run never reads half a font
    return target


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """The CJK font file used by every chart and word cloud."""
    if override := os.environ.get("DANGJIAN_FONT"):
        return Path(override)
    return _system_cjk_font() or _packaged_font()


@lru_cache(maxsize=1)
def _register_font() -> str:
    """Add the CJK font to matplotlib's font list (once per process); return its family name."""
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def use_project_style() -> str:
    """Apply the project style and CJK font to matplotlib; return the font's family name."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import pyplot as plt

    family = _register_font()
    plt.style.use(str(STYLE_FILE))
    plt.rcParams["font.family"] = [family]
    return family


def _save(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return path


def word_cloud(frequencies: dict[str, float], path: Path, width: int = 1000, height: int = 580) -> Path:
    """A word cloud from filtered token counts (never raw text), fixed random_state."""
    from PIL import Image
    from wordcloud import WordCloud

    if not frequencies:
        raise ValueError(f"{path.name}: no tokens to draw")
    cloud = WordCloud(font_path=str(cjk_font_path()), width=width, height=height, background_color="white",
                      random_state=RANDOM_STATE, prefer_horizontal=1.0, collocations=False, max_words=120,
                      colormap="viridis")
    cloud.generate_from_frequencies(frequencies)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A palette of 64 colours (no dithering) keeps the words crisp and the file a third of full
    # colour's size: a page embeds up to TOP_GROUPS + 1 clouds.
    image = cloud.to_image().quantize(colors=WORDCLOUD_COLOURS, method=Image.Quantize.MEDIANCUT,
                                      dither=Image.Dither.NONE)
    image.save(path, optimize=True)
    return path


def keyness_bars(keyness: pd.DataFrame, order: list[str], path: Path, top_n: int = 10) -> Path:
    """Top distinctive terms (signed G²) of each group in ``order``, one panel each (``keyness`` has a
    ``group`` column, as ``groups.group_keyness`` gives)."""
    import matplotlib.pyplot as plt

    from .groups import as_float, wrapped

    use_project_style()
    panels = [(group, keyness[keyness["group"] == group]) for group in order]
    cols = min(3, len(panels)) or 1
    rows = int(np.ceil(len(panels) / cols)) or 1
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.2 * rows), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.axis("off")
    for ax, (group, part) in zip(axes.flat, panels):
        g2 = as_float(part["g2"])
        top = part.assign(g2=g2)[g2 > 0].nlargest(top_n, "g2").iloc[::-1]
        ax.barh(top["token"].astype(str).tolist(), as_float(top["g2"]), color="#b22222")
        ax.set_title(wrapped(group, 30), fontsize=13)
        ax.set_xlabel("keyness (G², vs. the other reports)")
        if top.empty:
            ax.text(0.5, 0.5, "no term stands out", ha="center", va="center", transform=ax.transAxes)
    fig.suptitle("Distinctive terms per group", fontsize=17)
    fig.tight_layout()
    return _save(fig, path)


def theme_heatmap(theme_shares: pd.DataFrame, order: list[str], path: Path) -> Path:
    """Group × theme: the share of each group's sentences that carry each theme (``groups.group_theme_shares``)."""
    import matplotlib.pyplot as plt

    from .groups import as_float, wrapped

    use_project_style()
    themes = list(dict.fromkeys(theme_shares["theme"]))
    table = (theme_shares.assign(share=as_float(theme_shares["share"]))
             .pivot_table(index="group", columns="theme", values="share", sort=False)
             .reindex(index=order, columns=themes))
    fig, ax = plt.subplots(figsize=(1.2 * len(table.columns) + 3, 0.75 * len(table) + 2.5))  # room for two-line labels
    values = table.to_numpy(dtype="float64", na_value=np.nan)  # NA: a group with no sentences, left blank
    image = ax.imshow(values, cmap="Reds", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(table.columns)), table.columns, rotation=40, ha="right")
    ax.set_yticks(range(len(table.index)), [wrapped(g, 24, 2) for g in table.index])
    for (i, j), value in np.ndenumerate(values):
        if not np.isnan(value):
            ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=10,
                    color="white" if value > 0.55 else "black")
    ax.set_xlabel("theme (codebook: data/themes.yaml)")
    ax.set_ylabel("group")
    ax.set_title("Share of sentences carrying each theme")
    fig.colorbar(image, ax=ax, label="share of sentences")
    return _save(fig, path)


def separate_labels(layout: dict, chars: dict, char_width: float = 0.042, height: float = 0.075,
                    rounds: int = 200) -> dict:
    """Node positions moved apart until no two labels' boxes overlap (a box is ``chars`` characters
    wide, in units of the layout's span), each pair pushed along the axis where it overlaps least;
    so that 党支部 does not sit on 支部."""
    nodes = list(layout)
    xy = np.array([layout[n] for n in nodes], dtype="float64")
    if len(nodes) < 2:
        return layout
    span = np.ptp(xy, axis=0).clip(min=1e-9)
    xy = (xy - xy.min(axis=0)) / span  # the unit square
    half_w = np.array([chars[n] * char_width / 2 + 0.02 for n in nodes])
    for _ in range(rounds):
        moved = False
        for i in range(len(nodes)):
            dx = xy[:, 0] - xy[i, 0]
            dy = xy[:, 1] - xy[i, 1]
            over_x = half_w + half_w[i] - np.abs(dx)
            over_y = height - np.abs(dy)
            clash = (over_x > 0) & (over_y > 0)
            clash[i] = False
            for j in np.flatnonzero(clash):
                if over_x[j] < over_y[j]:
                    step = over_x[j] / 2 + 1e-3
                    sign = 1.0 if dx[j] >= 0 else -1.0
                    xy[j, 0] += sign * step
                    xy[i, 0] -= sign * step
                else:
                    step = over_y[j] / 2 + 1e-3
                    sign = 1.0 if dy[j] >= 0 else -1.0
                    xy[j, 1] += sign * step
                    xy[i, 1] -= sign * step
                moved = True
        if not moved:
            break
    return {n: xy[k] for k, n in enumerate(nodes)}


def cooccurrence_network(edges: pd.DataFrame, frequencies: pd.DataFrame, path: Path, max_edges: int = 60) -> Path:
    """The strongest within-sentence co-occurrence links; node size = frequency, edge width = shared sentences."""
    import matplotlib.pyplot as plt
    import networkx as nx

    from ..stats.textstats import ALL, cooccurrence_graph

    if edges.empty:
        raise ValueError(f"{path.name}: no pair of terms shares two sentences")
    family = use_project_style()
    graph = cooccurrence_graph(edges, max_edges)
    overall = frequencies[frequencies["doc_id"] == ALL]
    counts = dict(zip(overall["token"], overall["n"].to_numpy(dtype="int64")))
    layout = nx.kamada_kawai_layout(graph) if graph.number_of_nodes() > 2 else nx.spring_layout(graph, seed=RANDOM_STATE)
    layout = separate_labels(layout, {node: len(str(node)) for node in graph.nodes})
    fig, ax = plt.subplots(figsize=(13, 10))
    widths = [0.4 + 0.5 * graph[a][b]["weight"] for a, b in graph.edges]
    nx.draw_networkx_edges(graph, layout, ax=ax, width=widths, edge_color="#999999", alpha=0.6)
    sizes = [40 + 12 * min(int(counts.get(node, 1)), 400) for node in graph.nodes]
    nx.draw_networkx_nodes(graph, layout, ax=ax, node_size=sizes, node_color="#f4a582", edgecolors="#b2182b")
    nx.draw_networkx_labels(graph, layout, ax=ax, font_family=family, font_size=11,
                            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.75})
    ax.set_title("Terms that share sentences (most telling links: PMI × log shared sentences)")
    ax.axis("off")
    return _save(fig, path)


def similarity_heatmap(similarity: pd.DataFrame, order: list[str], path: Path) -> Path:
    """Cosine similarity of the groups' TF-IDF vectors (``groups.group_similarity``), in ``order``."""
    import matplotlib.pyplot as plt

    from .groups import wrapped

    use_project_style()
    square = (similarity.assign(cosine=similarity["cosine"].astype("Float64"))
              .pivot(index="doc_a", columns="doc_b", values="cosine").loc[order, order])
    size = max(6.5, 0.55 * len(order) + 3)
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    values = square.to_numpy(dtype="float64", na_value=0.0)  # NA: no shared vocabulary, cosine 0
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=1)
    names = [wrapped(name, 24, 2) for name in order]
    ax.set_xticks(range(len(order)), names, rotation=35, ha="right")
    ax.set_yticks(range(len(order)), names)
    for (i, j), value in np.ndenumerate(values):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=9 if len(order) > 8 else 11,
                color="white" if value > 0.6 else "black")
    ax.set_title("Similarity of the groups (cosine, TF-IDF)")
    fig.colorbar(image, ax=ax, label="cosine similarity")
    return _save(fig, path)
