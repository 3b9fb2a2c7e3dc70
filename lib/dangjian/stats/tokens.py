"""Tokens: segment the normalised simplified text with jieba (or its Rust port
rjieba), keep party-building vocabulary whole, and filter what carries no meaning.

Both backends use the same dictionary: jieba's own, plus the project user
dictionary (data/userdict.txt) and the brand and formula names extracted from
the corpus, so that 三会一课 or 魅力GPS stay one token. Filters, in order:
stopwords (data/stopwords.txt), tokens without a Han or Latin letter or digit
(punctuation), numbers (2019, 15, 五十, and numbers fused with a measure
word such as 十几米 or 一期, and ordinals such as 第一), stray Latin fragments (ng, sh, POWER
unless the dictionary holds it) and single characters. A dictionary word is
never filtered. The settings are recorded on the table (``tokens.attrs``).

The HMM new-word guesser is off in both backends: on these reports it invents
fragments (工中, 得响, 将党, 入脑入) and the two backends' HMMs disagree, while
with it off they give the same tokens (tested), so the fast one can be the default.
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..config import DATA_DIR
from ..rules import RuleFileError, read_word_list

USER_DICT = DATA_DIR / "userdict.txt"
STOPWORDS = DATA_DIR / "stopwords.txt"
COLUMNS = ["doc_id", "sent_id", "token", "pos", "start", "end"]
BACKENDS = ("rjieba", "jieba")
DEFAULT_BACKEND = "rjieba"  # same tokens as jieba on the seeds after filtering (tests/test_tokens.py)
EXTRA_WORD_FREQ = 200_000   # high enough that an added name always beats jieba's own split
# jieba's default cut treats only these characters as word material; names with
# other characters (‘’, 、, spaces) cannot stay whole and are not added.
_JIEBA_WORD = re.compile(r"^[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+$")
_HAS_CONTENT = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
# Numbers, also fused with a measure word by the segmenter (十几米, 三十多米, 一期, 2019年).
_NUMBER = re.compile(r"^[0-9.%+\-]+$|^第?[0-9零〇一二两三四五六七八九十百千万亿几多余]+"
                     r"[个项件次期名人米元年月日号批组套本位条天周届余多分大级]?$")
_LATIN = re.compile(r"^[A-Za-z]+$")


@dataclass(frozen=True)
class TokenSettings:
    backend: str
    user_dict_sha256: str
    stopwords_sha256: str
    n_extra_words: int
    min_chars: int = 2
    filters: tuple = ("stopwords", "punctuation", "numbers", "latin_fragments", "single_characters")
    dictionary_words_exempt: bool = True
    hmm: bool = False


def read_user_dict(path: Path = USER_DICT) -> list[tuple[str, int, str]]:
    """(word, freq, pos) entries; raises if the file has a BOM, CR, or a bad line."""
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf") or b"\r" in raw:
        raise RuleFileError(path, "must be UTF-8 without BOM, with LF line endings")
    entries = []
    for number, line in enumerate(raw.decode("utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        parts = line.split(" ")
        if len(parts) != 3 or not parts[1].isdigit():
            raise RuleFileError(path, f"line {number}: expected 'word freq pos', got {line!r}")
        entries.append((parts[0], int(parts[1]), parts[2]))
    return entries


@lru_cache(maxsize=4)
def read_stopwords(path: Path = STOPWORDS) -> frozenset[str]:
    return frozenset(read_word_list(path))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dictionary_words(names) -> list[str]:
    """The names that can be dictionary words (jieba keeps only these characters together)."""
    return sorted({w for w in names if _JIEBA_WORD.match(w) and len(w) >= 2})


class Segmenter:
    """One backend with the project dictionary and extra words loaded.

    ``pairs(text)`` is the backend's own (word, pos) segmentation, HMM off; ``tag`` adds offsets.
    """

    def __init__(self, backend: str = DEFAULT_BACKEND, extra_words: tuple[str, ...] = ()):
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; choose from {BACKENDS}")
        self.backend = backend
        self.words: frozenset[str] = frozenset()
        self.n_extra = 0
        if backend == "rjieba":
            import rjieba

            engine = rjieba.Jieba()
            self._add_word = engine.add_word
            self.pairs = lambda text: engine.tag(text, False)
        else:
            import jieba
            import jieba.posseg

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            self._add_word = tokenizer.add_word
            tagger = jieba.posseg.POSTokenizer(tokenizer)
            self.pairs = lambda text: [(p.word, p.flag) for p in tagger.cut(text, HMM=False)]
        self._load(read_user_dict())
        self.add_words(extra_words)

    def _load(self, entries: list[tuple[str, int, str]]) -> None:
        for word, freq, pos in entries:
            self._add_word(word, freq, pos)
        self.words = self.words | {word for word, _, _ in entries}

    def add_words(self, extra_words: tuple[str, ...]) -> None:
        """Add names extracted from the corpus (brands, formulas) to the dictionary, so that they come
        out whole; ``Segmenter(backend, words)`` is ``Segmenter(backend)`` followed by this."""
        extra = dictionary_words(extra_words)
        self._load([(word, EXTRA_WORD_FREQ, "nz") for word in extra])
        self.n_extra += len(extra)

    def pieces(self, texts: list[str]) -> tuple[pa.Array, pa.Array, np.ndarray]:
        """The words and tags of all ``texts`` end to end (two string arrays), and how many
        pieces each text has.

        One backend call for the whole batch, the texts joined by line breaks: a break ends a
        segmentation block, so each text is cut as it would be alone, and comes back as a piece of
        its own. A call per sentence cost half as much again, in the backend's set-up per call.
        Where the breaks do not come back one piece each (a text holding a line break), the
        texts are segmented one by one.
        """
        if texts and not any("\n" in text for text in texts):
            words, poses = _word_and_tag_arrays(self.pairs("\n".join(texts)))
            is_break = pc.equal(words, "\n")
            breaks = np.flatnonzero(is_break.to_numpy(zero_copy_only=False))
            if len(breaks) == len(texts) - 1:
                kept = pc.invert(is_break)
                return words.filter(kept), poses.filter(kept), np.diff(np.r_[-1, breaks, len(words)]) - 1
        tagged = [self.pairs(text) for text in texts]
        words, poses = _word_and_tag_arrays(list(chain.from_iterable(tagged)))
        return words, poses, np.fromiter(map(len, tagged), dtype=np.int64, count=len(tagged))

    def tag(self, text: str) -> list[tuple[str, str, int, int]]:
        """(token, pos, start, end) for every piece of ``text`` that can be located in it."""
        pairs = self.pairs(text)
        words = [word for word, _ in pairs]
        starts, located = piece_starts(words, [text], np.array([len(words)]))
        return [(word, pos, start, start + len(word))
                for (word, pos), start, ok in zip(pairs, starts.tolist(), located.tolist()) if ok]


def _word_and_tag_arrays(pairs: list) -> tuple[pa.Array, pa.Array]:
    # itemgetter, not zip(*pairs): unpacking a million pairs as arguments costs a second a batch
    return (pa.array(list(map(itemgetter(0), pairs)), type=pa.large_string()),
            pa.array(list(map(itemgetter(1), pairs)), type=pa.large_string()))


def keep_token(token: str, words: frozenset[str], stopwords: frozenset[str], min_chars: int = 2) -> bool:
    if token in words:
        return True
    if token in stopwords or not _HAS_CONTENT.search(token) or _NUMBER.match(token):
        return False
    if _LATIN.match(token) or len(token) < min_chars:
        return False
    return not token.isspace()


def token_table(doc_ids, sent_ids, texts, starts, segmenter: Segmenter, min_chars: int = 2) -> pa.Table:
    """The kept tokens of sentences (aligned sequences) as an Arrow table with the tokens table's columns.

    The segmenter runs once per batch (``Segmenter.pieces``); offsets, filtering and the repeated
    ids are computed on whole arrays, because per-token Python costs four times the segmentation.
    """
    words, poses, per_sentence = segmenter.pieces(texts)
    lengths = pc.utf8_length(words).to_numpy()
    sentence_of = np.repeat(np.arange(len(texts)), per_sentence)
    start, located = piece_starts(words, texts, per_sentence, lengths)
    # The filter is decided once per distinct word, then spread over the pieces by dictionary code.
    stopwords = read_stopwords()
    encoded = pc.dictionary_encode(words)
    verdict = np.fromiter((keep_token(w, segmenter.words, stopwords, min_chars) for w in encoded.dictionary.to_pylist()),
                          dtype=bool, count=len(encoded.dictionary))
    keep = verdict[encoded.indices.to_numpy()] & located
    kept = np.flatnonzero(keep)
    offsets = np.asarray(starts, dtype=np.int64)[sentence_of[kept]] + start[kept]
    return pa.table({
        "doc_id": pa.array(doc_ids, type=pa.large_string()).take(sentence_of[kept]),
        "sent_id": pa.array(sent_ids, type=pa.large_string()).take(sentence_of[kept]),
        "token": words.filter(keep),
        "pos": poses.filter(keep),
        "start": offsets, "end": offsets + lengths[kept],
    })


def piece_starts(words, texts, per_sentence: np.ndarray, lengths: np.ndarray | None = None):
    """Where each piece starts in its sentence, and whether it was located at all.

    ``words`` (a list or a string array) are the pieces of every sentence in ``texts``,
    ``per_sentence`` of them each. Usually the pieces tile their sentence and the offsets
    are running sums; where the backend normalised something, each piece is searched for
    instead and one that cannot be found is marked not located, so offsets stay honest.
    """
    if lengths is None:
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    first = np.cumsum(per_sentence) - per_sentence            # index of each sentence's first piece
    through = np.r_[0, np.cumsum(lengths)]                     # characters of the pieces before each index
    before = through[:-1]                                      # characters of all sentences before each piece
    start = before - np.repeat(before[first[per_sentence > 0]], per_sentence[per_sentence > 0])
    located = np.ones(len(words), dtype=bool)
    if _tile(words, texts, through[first + per_sentence] - through[first]):
        return start, located
    words = words.to_pylist() if isinstance(words, pa.Array) else words
    bounds = np.cumsum(per_sentence).tolist()
    for text, a, b in zip(texts, [0, *bounds[:-1]], bounds):
        if b > a and "".join(words[a:b]) != text:
            for k, piece_start in zip(range(a, b), _found(words[a:b], text)):
                start[k], located[k] = piece_start, piece_start >= 0
    return start, located


def _tile(words, texts, piece_chars: np.ndarray) -> bool:
    """Do the pieces tile their sentences exactly? True when every sentence has as many characters as
    its pieces (``piece_chars``) and all pieces, end to end, are the same bytes as all sentences end
    to end: checked on whole buffers, where a join per sentence cost as much as finding the offsets."""
    if not np.array_equal(piece_chars, np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))):
        return False
    return _utf8(words).equals(_utf8(texts))


def _utf8(strings) -> pa.Buffer:
    """The UTF-8 bytes of strings end to end."""
    array = strings if isinstance(strings, pa.Array) else pa.array(strings, type=pa.large_string())
    array = array.cast(pa.large_string())
    _, offsets, data = array.buffers()
    if not len(array) or data is None:
        return pa.py_buffer(b"")
    offsets = np.frombuffer(offsets, dtype=np.int64)[array.offset:array.offset + len(array) + 1]
    return data.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))


def _found(words: list[str], text: str):
    """The start of each piece, searched for in order after the previous one; -1 for a piece not found."""
    offset = 0
    for word in words:
        start = text.find(word, offset)
        if start >= 0:
            offset = start + len(word)
        yield start


def tokenize_sentences(sentences: pd.DataFrame, segmenter: Segmenter, min_chars: int = 2) -> pd.DataFrame:
    table = token_table(sentences["doc_id"].tolist(), sentences["sent_id"].tolist(), sentences["text"].tolist(),
                        sentences["start"].tolist(), segmenter, min_chars)
    return table.to_pandas()


def corpus_words(corpus) -> tuple[str, ...]:
    """Brand and formula names extracted from the corpus, for the dictionary."""
    names = set()
    if getattr(corpus, "brands", None) is not None and len(corpus.brands):
        names |= set(corpus.brands["name"])
    if getattr(corpus, "formulas", None) is not None and len(corpus.formulas):
        names |= set(corpus.formulas["formula"])
    return tuple(sorted(names))


def settings_for(backend: str, n_extra_words: int, min_chars: int = 2) -> dict:
    return asdict(TokenSettings(backend, _sha(USER_DICT), _sha(STOPWORDS), n_extra_words, min_chars))


def tokenize(corpus, backend: str = DEFAULT_BACKEND, min_chars: int = 2) -> pd.DataFrame:
    """The ``tokens`` table of a corpus (corpus → tokens, as in quanteda), settings in ``.attrs``."""
    segmenter = Segmenter(backend, corpus_words(corpus))
    table = tokenize_sentences(corpus.sentences, segmenter, min_chars)
    table.attrs["settings"] = settings_for(backend, segmenter.n_extra, min_chars)
    return table
