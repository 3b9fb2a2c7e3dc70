"""Structure: paragraphs (with their section) and sentences, with offsets.

The document's normalised text is its kept paragraphs, simplified, joined by
"\n". Every paragraph and sentence carries [start, end) offsets into that text,
so ``documents.text[start:end] == text`` for every row.

Paragraph roles: ``title`` (from the cleaner), ``heading`` (一、… / （一）… /
1、… numbering, or a short line with no sentence-internal punctuation), and
``body``. A body paragraph's ``section`` is the latest heading above it; its
``lead`` is a short run-in opening sentence (党建提素质,使党组织成为…“摇篮”。),
which these reports use as an inline heading.

Sentences end at 。！？；; and at a paragraph's end, never inside quotes or
brackets (“…”, 「…」, 《…》, (…)), except that a quote closing right after a
sentence mark (“…。”) ends the sentence with it; an ASCII ? or ! ends one only before a space,
a closing quote or the paragraph end, because converter sites print ? for a
character they could not encode.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .cleaning import KeptLine

HEADING_MAX_CHARS = 30            # an unnumbered heading is a short line ...
NUMBERED_HEADING_MAX_CHARS = 45   # ... a numbered one may be longer
LEAD_MAX_CHARS = 30
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[）)]|\d{1,2}\s*[、．]|第[一二三四五六七八九十]+[部分章节])")
_INTERNAL_STOP = re.compile(r"[。！？；;!?]")
_OPENERS = {"“": "”", "‘": "’", "「": "」", "『": "』", "《": "》", "(": ")", "（": "）", "【": "】"}
_CLOSERS = set(_OPENERS.values())
_ENDERS = set("。！？；;")
_ASCII_ENDERS = set("!?")
_MARKS = re.compile("[" + re.escape("".join(sorted(set(_OPENERS) | _CLOSERS | _ENDERS | _ASCII_ENDERS))) + "]")


@dataclass
class Paragraph:
    para_no: int
    line_no: int
    role: str
    section: str
    lead: str
    text: str
    text_original: str
    start: int
    end: int


@dataclass
class Sentence:
    para_no: int
    sent_no: int
    text: str
    start: int
    end: int


def paragraph_role(line: KeptLine) -> str:
    if line.role in ("title", "heading"):  # the cleaner's title, or a heading the file's format states
        return line.role
    text = line.text
    if _NUMBERED.match(text) and len(text) <= NUMBERED_HEADING_MAX_CHARS:
        return "heading"
    # Unnumbered headings in this genre never carry sentence punctuation.
    if len(text) <= HEADING_MAX_CHARS and not _INTERNAL_STOP.search(text):
        return "heading"
    return "body"


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return [start, end) spans of the sentences of one paragraph, whitespace trimmed."""
    spans = []
    stack: list[str] = []
    start = 0
    resume = 0  # after a sentence ends at j, scanning resumes at j
    n = len(text)
    # Only quote, bracket and sentence marks change the state, so the scan jumps from one to the next.
    for mark in _MARKS.finditer(text):
        i = mark.start()
        if i < resume:
            continue
        ch = text[i]
        if ch in _OPENERS and not (ch in "“‘" and stack and stack[-1] == _OPENERS[ch]):
            stack.append(_OPENERS[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
            # “…。” closes a quoted sentence: the sentence ends after the quote.
            if not stack and i > 0 and text[i - 1] in _ENDERS:
                j = i + 1
                while j < n and text[j] in _CLOSERS:
                    j += 1
                spans.append((start, j))
                start = resume = j
                continue
        elif ch in _CLOSERS and ch in stack:
            while stack and stack.pop() != ch:
                pass
        is_end = ch in _ENDERS or (ch in _ASCII_ENDERS and (i + 1 == n or text[i + 1].isspace() or text[i + 1] in _CLOSERS))
        if is_end and stack and all(closer not in text[i + 1:] for closer in stack):
            stack.clear()  # an opener that never closes must not swallow the paragraph
        if is_end and not stack:
            j = i + 1
            while j < n and (text[j] in _CLOSERS or text[j] in _ENDERS):
                j += 1
            spans.append((start, j))
            start = resume = j
    if start < n:
        spans.append((start, n))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


def build_structure(lines: list[KeptLine]) -> tuple[str, list[Paragraph], list[Sentence]]:
    """Return (normalised text, paragraphs, sentences) for one cleaned report."""
    paragraphs: list[Paragraph] = []
    sentences: list[Sentence] = []
    offset = 0
    section = ""
    for para_no, line in enumerate(lines, start=1):
        role = paragraph_role(line)
        if role == "heading":
            section = line.text.rstrip("。")
        spans = split_sentences(line.text)
        lead = ""
        if role == "body" and len(spans) > 1:
            first = line.text[spans[0][0]:spans[0][1]]
            if len(first) <= LEAD_MAX_CHARS:
                lead = first.rstrip("。；;！？!?")
        paragraphs.append(Paragraph(para_no, line.line_no, role, section if role != "title" else "", lead,
                                    line.text, line.original, offset, offset + len(line.text)))
        for s, e in spans:
            sentences.append(Sentence(para_no, len(sentences) + 1, line.text[s:e], offset + s, offset + e))
        offset += len(line.text) + 1
    text = "\n".join(line.text for line in lines)
    return text, paragraphs, sentences
