"""Unit names in running text: ``UnitFinder`` finds the organizations a sentence names (a run of Han
characters ending in a unit suffix: 党支部, 分公司, 海关 …) and resolves anaphors (该中心党委) and bare
types (支部) to the full names a report prints. The organization finder (``organization_finder``)
and the brands' owning units (``dangjian.extraction.brands``) both read names with it.
"""
from __future__ import annotations

import re

import ahocorasick_rs

from ..cues import CUES_FILE, alternation
from .words import word_over

# Numerals open counts (三个支部, 一机关一品牌), never a unit's name; numbers are read from them too.
CHINESE_NUMERALS = "零〇一二两三四五六七八九十百千万亿"
_HAN_RUN = re.compile(r"[\u4e00-\u9fff·*]+")

def _in_run(ch: str) -> bool:
    """Is ``ch`` a character of a Han run (``_HAN_RUN``)?"""
    return "\u4e00" <= ch <= "\u9fff" or ch == "·" or ch == "*"


_CLAUSE_OPENERS = frozenset("，,：:；;。！？!?")


def _opens_clause(text: str, start: int) -> bool:
    """Does ``text[start:]`` open a clause: at the start of the text or after a comma, colon or sentence end?"""
    return start == 0 or text[start - 1] in _CLAUSE_OPENERS
_CUE_AFTER_UNIT = re.compile(r"(?:品牌|特色工作法|工作法)")


class UnitFinder:
    """Find the organization that owns something named at a position in a sentence."""

    def __init__(self, cues: dict, kept_words=frozenset()):
        """``kept_words``: words holding a stop character that do not stop a name (the place names
        成都, 犍为, 于都 in 成都海关, 犍为县)."""
        unit_cues = cues["units"]
        self.kept_words = frozenset(kept_words)
        if outside := [w for w in unit_cues["suffixes"] if not _HAN_RUN.fullmatch(w)]:
            raise ValueError(f"{CUES_FILE.name}: unit suffixes must be Han characters, not {outside}")
        self.suffixes = tuple(unit_cues["suffixes"])
        self.subject_suffixes = tuple(unit_cues["subject_suffixes"])
        # every ending a unit mention may have, the subject-only ones too
        self.all_suffixes = tuple(dict.fromkeys(self.suffixes + self.subject_suffixes))
        # leftmost-longest literal matching: what a longest-first regex alternation finds, three times faster
        self._suffix_automaton = ahocorasick_rs.AhoCorasick(
            list(self.all_suffixes), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
        self.stop_chars = set(unit_cues["stop_chars"])
        self.clause_opening_tags = frozenset(unit_cues["clause_opening_tags"])
        # A stop character inside a word that names a place or a unit type does not stop a name:
        # 成都 in 成都海关, 研究所 in …研究所党支部, 有限公司 in 某某有限公司南昌供电段. For each stop
        # character, (word, offset of the character in it), longest word first.
        words = self.kept_words | {w for w in self.all_suffixes if not self.stop_chars.isdisjoint(w)}
        self._kept_at: dict[str, list[tuple[str, int]]] = {}
        for word in sorted(words, key=len, reverse=True):
            for offset, ch in enumerate(word):
                if ch in self.stop_chars:
                    self._kept_at.setdefault(ch, []).append((word, offset))
        stops = "".join(map(re.escape, sorted(self.stop_chars)))
        self._back_to_stop = re.compile(f"(?:(?![{stops}])[\u4e00-\u9fff·*])*")
        self.anaphor_prefixes = tuple(unit_cues["anaphor_prefixes"])
        self.name_pronouns = self.anaphor_prefixes + tuple(unit_cues["name_pronouns"])
        # a one-character anaphor in the run before a mention (该, 本) belongs to it
        self._anaphor_chars = frozenset(a for a in self.anaphor_prefixes if len(a) == 1 and _in_run(a))
        markers = alternation(unit_cues["object_markers"])
        # (村(社区)党群服务中心: a bracket in a name ends the run the mention is read from)
        self.object_re = re.compile(rf"(?:{markers})(?:各|全体|所有)?\d*个?(?:[\u4e00-\u9fff]{{1,8}}[(（][^()（）]{{1,8}}[)）])?$")
        # a marker run into the name it governs (协助街区党支部: no stop character between them);
        # 组织部党支部 is a unit of its own, the 部 after the marker says so
        self.object_start = re.compile(rf"^(?:{markers})(?:各|全体|所有)?(?=[^部处科室])")
        # a unit, a marker and its object in one run (社区党委协助街区党支部): the unit before the marker
        self.object_inside = re.compile(rf"^.*?(?:{alternation(unit_cues['suffixes'])})(?={markers})")
        self.anaphor = re.compile(rf"^(?:{alternation(self.anaphor_prefixes)})(.+)$")
        self.bare = set(unit_cues["bare_units"])
        self.party_suffixes = tuple(unit_cues["party_suffixes"])
        self.branch_heads = tuple(unit_cues["branch_heads"])
        self.collective_endings = tuple(unit_cues["collective_endings"])
        self._memo: tuple[str | None, list] = (None, [])
        self._full_names: dict = {}

    def mentions(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, name) of every unit mention, the longest at each place.

        A mention is a run of Han characters (and · *) ending in a unit suffix,
        reaching back to the nearest stop character; a leading 该/本 is kept so
        that the anaphor can be resolved.
        """
        found = []
        anaphors, bare = self._anaphor_chars, self.bare
        kept_at, back = self._kept_at, self._back_to_stop.match
        # The suffixes are Han characters (checked in __init__), so a match never spans two runs and
        # one scan of the text finds what a scan of each run would: a call per run cost more than the
        # matching did.
        reversed_text, n = None, len(text)
        for _, suffix_start, suffix_end in self._suffix_automaton.find_matches_as_indexes(text):
            if reversed_text is None:
                reversed_text = text[::-1]
            start = suffix_start
            while True:
                # back over the run's characters that are no stop character, in one regex match on the
                # reversed text (a step per character in Python cost more than the rest of the search)
                start = n - back(reversed_text, n - start).end()
                if start == 0 or (ch := text[start - 1]) not in kept_at:
                    break
                # 成都 in 成都海关, 有限公司 in …有限公司南昌供电段: a word holding the stop character
                kept = next((begin for word, offset in kept_at[ch]
                             if (begin := start - 1 - offset) >= 0 and text.startswith(word, begin)
                             and begin + len(word) <= suffix_end), None)
                if kept is None:
                    break
                start = kept
            if start > 0 and text[start - 1] in anaphors:
                start -= 1
            if start == suffix_start and suffix_end - suffix_start <= 2 and text[suffix_start:suffix_end] not in bare:
                continue  # a bare short suffix (…为中心, 在公司) names no unit
            if start > 0 and start == suffix_start and text[start - 1] == "各":
                start -= 1  # 各支部: all branches, kept as the text says
            found.append((start, -suffix_end, text[start:suffix_end]))
        found.sort()  # by start, the longest first
        result = []
        for start, negative_end, name in found:  # drop mentions inside a longer one (重庆分公司 inside 重庆分公司党总支)
            if result and result[-1][0] <= start and -negative_end <= result[-1][1]:
                continue
            result.append((start, -negative_end, name))
        return result

    def owner_before(self, sentence: str, position: int, skip: list[tuple[int, int]] = ()) -> str:
        """The nearest unit before ``position`` that is not an object (组织各项目党支部) nor inside a quote."""
        for start, end, name in reversed(self._mentions_before(sentence, position)):
            if not any(s <= start < e for s, e in skip) and (owner := self._as_owner(sentence, start, end, name)):
                return owner
        return ""

    def subjects_before(self, text: str, position: int):
        """The units before ``position`` that open a clause (its subject: at the start of the text or
        after a comma, colon or sentence end), not objects, the last first."""
        for start, end, name in reversed(self.mentions(text[:position])):
            if _opens_clause(text, start) and (owner := self._as_owner(text, start, end, name)):
                yield owner

    def _as_owner(self, text: str, start: int, end: int, name: str) -> str:
        """The mention ``name`` at ``text[start:end]`` as an owner, or "" when it is an object or a cue."""
        if self.object_re.search(text[max(0, start - 10):start]) or self.object_start.match(name):
            return ""
        if _CUE_AFTER_UNIT.match(text, end, end + 5):
            return ""  # 党(总)支部品牌 is a cue, not an owner
        if head := self.object_inside.match(name):
            name = head.group(0)
        if len(name := name[self.word_across(text, start):]) < 2:
            return ""  # 其中心: the mention was the tail of a word
        if not name.endswith(self.suffixes):  # an institution (局, 村 …) owns only as a subject
            if not _opens_clause(text, start):
                return ""  # in mid-clause it is the object: 走访辖区内社区
            if self.ends_mid_word(text, start, end):
                return ""  # 中央政治局|常委, 村|民: its ending inside a longer word
        return name

    @staticmethod
    def ends_mid_word(text: str, start: int, end: int) -> bool:
        """Does a word of jieba's dictionary run on past ``end``, the mention ``text[start:end]`` read
        with what follows it (中共中央政治局常委: 中央政治局常委 runs past 局)?"""
        if end >= len(text) or not _in_run(text[end]):
            return False
        return word_over(text, start, end + 4, end)[0] > end

    def opens_clause(self, word: str, tag: str) -> bool:
        """Does a word of this part of speech open a clause rather than a name (``clause_opening_tags``,
        short of ``name_pronouns``)?"""
        return tag in self.clause_opening_tags and not word.startswith(self.name_pronouns)

    def word_across(self, text: str, start: int) -> int:
        """How many characters of the mention at ``start`` belong to a clause-opening word that began
        before it (其中 in 其中运行部党支部, a mention read from 中; 近年来 where 年 stops a name: 1); 0 when
        none does. A noun across the boundary (和平 in 和平里社区) is left alone."""
        if start == 0 or not _in_run(text[start - 1]):
            return 0  # the mention starts after a mark or a space: no word runs into it
        end, word, tag = word_over(text, max(0, start - 4), start + 6, start)
        return end - start if end > start and self.opens_clause(word, tag) else 0

    def _mentions_before(self, sentence: str, position: int) -> list[tuple[int, int, str]]:
        """``mentions(sentence[:position])``, from the whole sentence's mentions when ``position`` is a
        character no mention can span (a quote mark): a sentence with several quotes is scanned once."""
        if position >= len(sentence) or _HAN_RUN.match(sentence, position):
            return self.mentions(sentence[:position])
        memo = self._memo  # one tuple, so that threads sharing this finder never mix two sentences
        if memo[0] != sentence:
            memo = self._memo = (sentence, self.mentions(sentence))
        return [m for m in memo[1] if m[0] < position]

    def resolved_by_position(self, unit: str) -> bool:
        """Does ``resolve`` read the text before ``position`` for ``unit`` (a bare type or an anaphor)?
        Any other unit resolves to itself wherever it stands."""
        return unit in self.bare or bool(self.anaphor.match(unit))

    def resolve(self, unit: str, doc_text: str, position: int, paragraph_start: int) -> str:
        """该中心党委 → 准能集团设备维修中心党委 (the first full name before ``position``); a bare 支部 →
        the last full unit in the paragraph before ``position``.

        Takes the document and positions rather than slices of it: slicing the text before every
        mention made a long report's cost grow with the square of its length.
        """
        if unit in self.bare:
            previous = [m[2] for m in self.mentions(doc_text[paragraph_start:position]) if m[2] not in self.bare]
            same_kind = [name for name in previous if name.endswith(unit[-2:])]
            return (same_kind or previous or [unit])[-1]
        if m := self.anaphor.match(unit):
            rest = m.group(1)
            for head_len in range(len(rest), 1, -1):
                head = rest[:head_len]
                full = self._first_full_name(doc_text, head)
                if full is not None and full[0] < position:
                    return full[1] + rest[head_len:]
        return unit

    def _first_full_name(self, doc_text: str, head: str) -> tuple[int, str] | None:
        """(start, name) of the first full name ending in ``head`` in the document, found once per
        document and head."""
        key = (hash(doc_text), len(doc_text), head)
        if key not in self._full_names:
            found = None
            pattern = re.compile(rf"([\u4e00-\u9fff·]{{2,12}}?{re.escape(head)})(?![\u4e00-\u9fff]*该)")
            for match in pattern.finditer(doc_text):
                name = match.group(1)
                if not name.startswith(("该", "本")) and len(name) > len(head):
                    found = (match.start(1), name)
                    break
            if len(self._full_names) > 10_000:
                self._full_names.clear()
            self._full_names[key] = found
        return self._full_names[key]
