"""Charts and word clouds: a CJK font on a fresh machine, no missing glyphs, no empty images, repeatable."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from PIL import Image

from dangjian.present import plots
from dangjian.present.figures import make_figures


@pytest.fixture(scope="module")
def figure_dir(tmp_path_factory, request):
    corpus = request.getfixturevalue("seed_corpus")
    out = tmp_path_factory.mktemp("figures")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning from matplotlib: fail on it
        paths = make_figures(corpus, out).paths()
    return out, paths


def test_the_cjk_font_covers_the_corpus_characters(seed_corpus):
    from matplotlib.ft2font import FT2Font

    font = FT2Font(str(plots.cjk_font_path()))
    chars = set("".join(seed_corpus.tokens["token"])) | set("".join(seed_corpus.theme_shares["theme"]))
    missing = [ch for ch in chars if not font.get_char_index(ord(ch))]
    assert not missing


def test_every_figure_is_written_and_not_empty(figure_dir, seed_corpus):
    out, paths = figure_dir
    names = {p.name for p in paths}
    assert {"keyness.png", "theme_heatmap.png", "cooccurrence.png", "similarity.png", "wordcloud_all.png"} <= names
    assert {f"wordcloud_{i:02d}.png" for i in range(1, len(seed_corpus.documents) + 1)} <= names  # one per organization
    for path in paths:
        pixels = np.asarray(Image.open(path).convert("L"), dtype=float)
        assert pixels.shape[0] > 300 and pixels.shape[1] > 300, path.name
        assert pixels.std() > 10, f"{path.name} looks blank"


def test_figures_are_repeatable(figure_dir, seed_corpus, tmp_path):
    out, paths = figure_dir
    again = make_figures(seed_corpus, tmp_path).paths()
    for first, second in zip(paths, again):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_a_missing_glyph_would_fail(tmp_path):
    import matplotlib.pyplot as plt

    plots.use_project_style()
    fig, ax = plt.subplots()
    ax.set_title("\U0001F600 \u0F00")  # characters no CJK font holds
    with pytest.raises(UserWarning, match="missing from font"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.savefig(tmp_path / "x.png")
    plt.close(fig)


def test_word_cloud_refuses_empty_counts(tmp_path):
    with pytest.raises(ValueError, match="no tokens"):
        plots.word_cloud({}, tmp_path / "empty.png")
