"""Shared pieces of extraction: quoted spans, Chinese numbers, sentence records."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from ..ingest.units import CHINESE_NUMERALS


_QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』"}
_QUOTE_MARKS = re.compile("[“”「」『』]")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_DIGIT_RUN = re.compile("[一二两三四五六七八九][一二两三四五六七八九]")


def chinese_to_number(text: str) -> int | None:
    """五十 → 50, 一千六百一十八 → 1618, 十 → 10, 百 → 100; 几 counts as 0 (十几 → 10). None if not a numeral."""
    text = text.replace("几", "")
    if not text or any(ch not in CHINESE_NUMERALS for ch in text):
        return None
    if _DIGIT_RUN.search(text):
        return None  # 六一 (Children's Day), 一二: digits side by side are a name, not a number
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        else:  # 万, 亿
            section += digit or 0
            total += (section or 1) * _BIG_UNITS[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


class Quote(NamedTuple):
    """A quotation (a named tuple: extraction makes one per quote of every sentence, and a frozen
    dataclass cost five times as much to build)."""
    open: int    # index of the opening mark in the sentence
    close: int   # index of the closing mark
    inner: str   # the text between

    @property
    def name_start(self) -> int:
        return self.open + 1


@lru_cache(maxsize=8192)
def quoted_spans(text: str) -> tuple[Quote, ...]:
    """Top-level “…” / 「…」 spans of a sentence; nested quotes stay inside.

    Cached: every extractor asks for the same sentences' quotes.
    """
    quotes, stack = [], []
    for mark in _QUOTE_MARKS.finditer(text):  # only quote marks change the state
        i, ch = mark.start(), mark.group()
        if ch in _QUOTE_PAIRS:
            stack.append((ch, i, []))
        elif stack and ch == _QUOTE_PAIRS[stack[-1][0]]:
            _, start, _ = stack.pop()
            (stack[-1][2] if stack else quotes).append(Quote(start, i, text[start + 1:i]))
    if not stack:
        return tuple(quotes)
    # A quote never closed (its closing mark lost to garbled text) holds nothing: the quotes closed
    # after it are top-level.
    for _, _, inside in stack:
        quotes += inside
    return tuple(sorted(quotes))


@lru_cache(maxsize=8192)
def mask_quotes(text: str) -> str:
    """The sentence with its quoted content (``quoted_spans``) replaced by □, so punctuation inside
    quotes is ignored. Cached like ``quoted_spans``: brands and reconciliation both ask for it."""
    quotes = quoted_spans(text)
    if not quotes:
        return text
    parts, kept_from = [], 0
    for q in quotes:
        parts += [text[kept_from:q.open + 1], "□" * (q.close - q.open - 1)]
        kept_from = q.close
    parts.append(text[kept_from:])
    return "".join(parts)


_NESTED_QUOTES = str.maketrans({"“": "‘", "「": "‘", "『": "‘", '"': "‘", "”": "’", "」": "’", "』": "’"})
_SPACES = re.compile(r"\s+")
# Punctuation the extractors split on, named once for all of them.
COMMA = re.compile(r"[，,]")
CLAUSE_MARK = re.compile(r"[，,。；;：:]")


def normalise_name(name: str) -> str:
    """Inner quotes become ‘…’ (the Chinese convention for nested quotes); whitespace is folded."""
    return _SPACES.sub(" ", name.translate(_NESTED_QUOTES)).strip()


@dataclass(frozen=True)
class SentenceRecord:
    doc_id: str
    sent_id: str
    text: str
    start: int
    para_start: int
    para_text: str
    lead: str
    section: str


def records_from_rows(paragraphs: list[dict], sentences: list[dict]) -> list[SentenceRecord]:
    """Sentence records from paragraph and sentence rows (dicts with the tables' columns)."""
    para = {p["para_id"]: p for p in paragraphs}

    def text(value) -> str:
        return value if isinstance(value, str) else ""

    return [SentenceRecord(s["doc_id"], s["sent_id"], s["text"], int(s["start"]), int(para[s["para_id"]]["start"]),
                           para[s["para_id"]]["text"], text(para[s["para_id"]]["lead"]),
                           text(para[s["para_id"]]["section"]))
            for s in sentences]


def sentence_records(corpus) -> list[SentenceRecord]:
    """Sentences with their paragraph's text, lead and section, in document order, as plain records.

    Extraction loops over sentences; plain records keep pandas out of the inner loop.
    """
    columns = ["para_id", "start", "text", "lead", "section"]
    paragraphs = corpus.paragraphs[columns].to_dict("records")
    sentences = corpus.sentences.sort_values(["doc_id", "sent_no"])[["doc_id", "sent_id", "para_id", "text", "start"]]
    return records_from_rows(paragraphs, sentences.to_dict("records"))
