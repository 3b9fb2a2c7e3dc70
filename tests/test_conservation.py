"""Conservation: kept paragraphs + removed pieces give back the decoded text.

Apart from the normalisations the README lists: pinyin annotations removed
(they are in ``removed`` and are re-inserted here), script converted (checked
separately: text == OpenCC(text_original)) and whitespace folded.
"""
from __future__ import annotations

import pytest

from dangjian.ingest.cleaning import fold_whitespace, to_simplified
from dangjian.ingest.reading import read_report

from conftest import SEED_FILES


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_kept_plus_removed_rebuilds_the_decoded_text(path, seed_corpus):
    doc_id = path.stem
    decoded = read_report(path).text
    expected = {i: fold_whitespace(line) for i, line in enumerate(decoded.split("\n"), start=1)
                if fold_whitespace(line)}

    paragraphs = seed_corpus.paragraphs[seed_corpus.paragraphs["doc_id"] == doc_id]
    removed = seed_corpus.removed[seed_corpus.removed["doc_id"] == doc_id]
    whole_lines = removed[removed["col"].isna()]
    pieces = removed[removed["col"].notna()].sort_values(["line_no", "col"])

    rebuilt: dict[int, str] = {}
    for row in paragraphs.itertuples():
        line = row.text_original
        for piece in pieces[pieces["line_no"] == row.line_no].itertuples():
            line = line[:piece.col] + piece.text + line[piece.col:]
        rebuilt[row.line_no] = line
    for row in whole_lines.itertuples():
        assert row.line_no not in rebuilt, f"line {row.line_no} both kept and removed"
        rebuilt[row.line_no] = row.text
    assert rebuilt == expected
    assert "".join(rebuilt[i] for i in sorted(rebuilt)).replace(" ", "") == \
        "".join(decoded.split()).replace("\u200b", "")


def test_text_is_the_simplified_original(seed_corpus):
    for row in seed_corpus.paragraphs.itertuples():
        assert row.text == to_simplified(row.text_original)
