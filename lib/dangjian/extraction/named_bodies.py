"""Party bodies named without quotation marks: 彩虹共产党员服务队, 青岛胶东空港党建联盟.

Some heads hold the party word themselves (共产党员服务队, 党建联盟: ``brands.named_body_heads``).
A name printed before one makes a brand wherever it stands, quoted or not. The name is the run of
noun words before the head: jieba's tags (``named_body_tags``), a bracket taken whole
(国家电网四川电力(成都高新连心桥)共产党员服务队). A verb, adverb, preposition, count or adjective ends
it going backwards (考察, 深化, 大型, 优秀), and so does a word of ``named_body_stops``.

What is no name: a bare head (建优共产党员服务队 is a verb and the head), places alone
(四川成都共产党员服务队 says where a team serves) and honours (优秀共产党员服务队 stops at 优秀 and
is bare). A unit printed first owns the body and is not part of its name
(国网庆阳供电公司连心桥(庆阳南梁)共产党员服务队 → 连心桥(庆阳南梁)共产党员服务队, owned by 国网庆阳供电公司).
"""
from __future__ import annotations

import re
from typing import NamedTuple

from ..cues import alternation
from ..ingest.words import part_of_speech
from ..ingest.organizations import places_in

_BRACKET = re.compile(r"[(（][^()（）]*[)）]")
# what ends the text a name is looked for in: clause marks, dashes, quotes and spaces
_NAME_CONTEXT_END = re.compile(r"[，,。；;：:、！？!?—“”‘’□《》\s]")
_OPENING_BRACKETS, _CLOSING_BRACKETS = "(（", ")）"
MIN_NAME_CHARS = 2  # characters of the name before the head


class NamedBody(NamedTuple):
    start: int   # offset of the name in the sentence
    name: str    # the name with its head
    unit: str    # the unit printed before the name, or ""


class NamedBodyFinder:
    def __init__(self, cues):
        c = cues["brands"]
        self.heads = re.compile(alternation(c["named_body_heads"]))
        self.tags = frozenset(c["named_body_tags"])
        self.stops = frozenset(c["named_body_stops"])
        self.unit_ends = re.compile(rf"(?:{alternation(cues['units']['suffixes'])})")
        # a unit that locates a body printed before its name: 国网浙江电力, 国家电网浙江电力(嘉兴南湖)
        self.locating_unit = re.compile(
            rf"(?:{alternation(cues['organizations']['suffixes'])})(?:{_BRACKET.pattern})?$")

    def located(self, names: set[str]) -> dict[str, str]:
        """Names of one report that are another of its names with a province or a unit printed before
        it, each to that name (the shortest, never a bare head such as 共产党员服务队):
        浙江义乌机场空港党建联盟 → 义乌机场空港党建联盟, 国网浙江电力红船共产党员服务队 → 红船共产党员服务队,
        when the report prints both. What is printed before says where the body is or whose it is;
        the shorter name is the one the report also uses alone."""
        located = {}
        for name in names:
            for rest in (n for n in names if len(n) < len(name) and name.endswith(n) and not self.heads.fullmatch(n)):
                if self._locates(name[:-len(rest)]):
                    located[name] = min(located.get(name, rest), rest, key=len)
        return located

    def _locates(self, lead: str) -> bool:
        """Is ``lead`` a unit (国网浙江电力) or a province (浙江, 浙江省)?"""
        if self.locating_unit.search(lead):
            return True
        places = places_in(lead, counties=False)
        return len(places) == 1 and lead in (places[0][0], places[0][0] + "省")

    def find(self, masked: str) -> list[NamedBody]:
        """The named bodies of a sentence whose quotes are masked (``mask_quotes``): a quoted name
        is the quote rules' to judge."""
        found = []
        for head in self.heads.finditer(masked):
            context_start = max((m.end() for m in _NAME_CONTEXT_END.finditer(masked, 0, head.start())), default=0)
            start = self._name_start(masked[context_start:head.start()]) + context_start
            unit, start = self._leading_unit(masked, start, head.start())
            prefix = masked[start:head.start()]
            if len(prefix) < MIN_NAME_CHARS or _only_places(prefix):
                continue
            found.append(NamedBody(start, masked[start:head.end()], unit))
        return found

    def _name_start(self, text: str) -> int:
        """Where the run of name words at the end of ``text`` starts (len(text) when none)."""
        words, at = [], 0
        for word, tag in part_of_speech(text, hmm=True):
            words.append((at, word, tag))
            at += len(word)
        start, depth = len(text), 0
        for at, word, tag in reversed(words):
            if word in _CLOSING_BRACKETS:
                depth += 1
            elif word in _OPENING_BRACKETS:
                if not depth:
                    break
                depth -= 1
            elif not depth and (tag not in self.tags or word in self.stops):
                break
            start = at
        return start if not depth else len(text)

    def _leading_unit(self, masked: str, start: int, head_start: int) -> tuple[str, int]:
        """A unit printed at the start of the name (国网庆阳供电公司连心桥…) and where the name
        proper starts after it; ("", start) when the name opens with none."""
        ends = [m.end() for m in self.unit_ends.finditer(masked, start, head_start)
                if head_start - m.end() >= MIN_NAME_CHARS and not _inside_brackets(masked[start:m.end()])]
        return (masked[start:ends[-1]], ends[-1]) if ends else ("", start)


def _inside_brackets(text: str) -> bool:
    return sum(text.count(b) for b in _OPENING_BRACKETS) > sum(text.count(b) for b in _CLOSING_BRACKETS)


def _only_places(prefix: str) -> bool:
    """Is the name before the head nothing but place names (四川成都)?"""
    return sum(len(printed) for _, printed in places_in(prefix)) >= len(prefix)


