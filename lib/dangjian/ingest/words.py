"""Words and their parts of speech, read with jieba's dictionary: the project's one entry to the
tagger (unit names, organization names, named bodies and metric subjects all read words with it)."""
from __future__ import annotations


def part_of_speech(text: str, hmm: bool) -> list[tuple[str, str]]:
    """(word, tag) pairs with jieba's dictionary tags. rjieba (jieba-rs) has jieba's dictionary
    and loads in a third of a second, where Python jieba's tagger takes two: a cost every build
    worker pays before its first report."""
    import rjieba

    return rjieba.tag(text, hmm)


def word_over(text: str, begin: int, stop: int, boundary: int) -> tuple[int, str, str]:
    """(end, word, tag) of the word of ``text[begin:stop]``, as jieba reads it, that reaches
    ``boundary`` (the first whose end is at or past it); (``boundary``, "", "") when none does.
    A word that ends past ``boundary`` runs across it."""
    at = begin
    for word, tag in part_of_speech(text[begin:stop], hmm=True):
        at += len(word)
        if at >= boundary:
            return at, word, tag
    return boundary, "", ""


BOUNDARY_CONTEXT = 6  # characters of context either side that the segmenter sees


def on_word_boundaries(sentence: str, start: int, end: int) -> bool:
    """Does [start, end) begin and end between two words, as jieba's dictionary segments the sentence there?"""
    import rjieba  # jieba's dictionary, loaded in a third of the time Python jieba takes

    offset = max(0, start - BOUNDARY_CONTEXT)
    position, boundaries = 0, {0}
    for word in rjieba.cut(sentence[offset:end + BOUNDARY_CONTEXT], False):
        position += len(word)
        boundaries.add(position)
    return start - offset in boundaries and end - offset in boundaries
