"""The organization a report is about, and whether a piece of text is a unit's whole name.

``OrganizationFinder`` holds the ``organizations`` cues of a cue file (``dangjian.cues``) and reads
names with a ``UnitFinder`` built from them; ``organization_finder(cues)`` builds it once per cues
object. ``find`` tries the candidates in the order of their sources (``organization_source`` in
``dangjian.ingest.metadata``) and keeps the first that is a unit's name, in its shortest printed
form; the brands' owning units (``dangjian.extraction.brands``) use ``organization_name`` and
``is_bare`` to tell a whole name from a phrase or a bare type.
"""
from __future__ import annotations

import re
from functools import lru_cache
from itertools import combinations
from typing import Mapping

from ..cues import alternation, compiled, load_cues
from .organizations import core_name, load_directory, place_words_holding
from .units import CHINESE_NUMERALS, UnitFinder
from .words import part_of_speech

ORGANIZATION_SCAN_CHARS = 20_000
_CLAUSE_END = re.compile("[，,。；;！？!?\n]")
_VERB_TAGS = {"v", "vn", "vd", "d", "ad", "p", "c"}
_PROPER_TAGS = {"ns", "nt", "nr", "nz"}


def organization_finder(cues: Mapping | None = None) -> OrganizationFinder:
    """The organization finder of ``cues`` (the shipped cue file's when None), built once per cues object."""
    return compiled(cues or load_cues(), "organizations", OrganizationFinder)


class OrganizationFinder:
    """The ``organizations`` cues of one cue file, compiled, and the readers that use them."""

    def __init__(self, cues: Mapping):
        org = cues["organizations"]
        self.finder = UnitFinder({"units": {**cues["units"], "suffixes": org["suffixes"], "stop_chars": org["stop_chars"],
                                            "subject_suffixes": [], "bare_units": []}}, kept_words=place_words_holding(org["stop_chars"]))
        self.generic = frozenset(org["generic"])
        self.destination = re.compile(f"(?:{alternation(org['destination_verbs'])})(?:{alternation(org['generic'])})$")
        self.first_chars = org["first_sentence_chars"]
        self.not_first = tuple(org["not_first"])
        self.count_start = re.compile(org["count_start"])
        self.continuations = tuple(org["not_unit_end"])
        self.subject_markers = tuple(org["subject_markers"])
        self.suffixes = tuple(org["suffixes"])
        # an institution's ending (局, 村 …) may stand inside a longer word: 中央政治局常委, 村民
        self.institution_endings = tuple(cues["units"]["subject_suffixes"])
        self.bare_words = tuple(sorted(org["bare_words"], key=len, reverse=True))  # longest first
        self.phrase_words = tuple(org["phrase_words"])
        self.cut_starts = tuple(org["cut_starts"])
        self.giver_after = tuple(org["giver_after"])
        self.giver_before = tuple(org["giver_before"])
        self.not_first_tags = frozenset(org["not_first_tags"])
        self.place_suffixes = tuple(org["place_suffixes"])
        self.most_mentioned_min = org["most_mentioned_min"]
        self.host_events = tuple(org["host_events"])
        self.host_verbs = tuple(org["host_verbs"])
        # a phrase word or subject marker: where a clause begins inside a name read too long
        self.clause_start = re.compile("|".join(map(re.escape, self.phrase_words + self.subject_markers)))
        # asked of the same names again and again within a report (and across reports: 公司党委)
        self.is_bare = lru_cache(maxsize=8192)(self.is_bare)
        self.clause_like = lru_cache(maxsize=8192)(self.clause_like)

    def find(self, title: str, body_lines: list[str], byline_lines: list[str]) -> tuple[str, str]:
        """The organization the report is about, in its shortest printed form, and where it was found
        (see ``organization_source``): the first candidate, in the order of the sources, that is a
        unit's name. A name cut at its start (市人民医院, 省公司) becomes the fullest name the text prints
        ending in it; a bare unit type (院党委, 项目党支部) and a clause read as a name are passed over.
        Empty rather than wrong."""
        opening = _opening(body_lines)
        window = title + "\n" + opening
        candidates = self._candidates(title, body_lines, byline_lines, opening)
        for name, source in candidates:
            if name := self.organization_name(name, window, source):
                if source == "headline":  # the first-sentence candidates come later from the same generator
                    name, source = self._sub_unit_opening(name, candidates, window) or (name, source)
                if _shorter_form_printed(name, window):
                    name = shortest_form(name, self._units_in(window))
                return name, source
        return "", "missing"

    def _sub_unit_opening(self, headline_unit: str, candidates, window: str) -> tuple[str, str] | None:
        """The first sentence's subject when it is a sub-unit of the headline's unit, printed with that
        unit first (headline 漳村煤矿…, opening 漳村煤矿综掘一队党支部持续推动…): the report is about the
        sub-unit, the headline names where it is."""
        for name, source in candidates:
            if source == "first_sentence" and name.startswith(headline_unit) and name != headline_unit \
                    and (name := self.organization_name(name, window, source)) and name != headline_unit:
                return name, source  # not the headline's unit with its party body (…中心党委 → …中心)
        return None

    def is_bare(self, name: str) -> bool:
        """Is ``name`` made only of generic words (公司党委, 省公司, 项目党支部, **党委)?"""
        words, rest = self.bare_words, name
        while rest:
            word = next((w for w in words if rest.endswith(w)), None)
            if word is None:
                return False
            rest = rest[:-len(word)]
        return True

    def clause_like(self, name: str, verb_first: bool = False) -> bool:
        """Does ``name`` hold a word no unit name holds, or begin with a word of two or more characters
        that is a verb, adverb, preposition, conjunction or adjective (a clause cut in the middle)?
        With ``verb_first`` a verb may begin a name (安装分公司: a unit named for its trade)."""
        if any(word in name for word in self.phrase_words):
            return True
        pairs = part_of_speech(name, hmm=True)
        tags = self.not_first_tags - {"v"} if verb_first else self.not_first_tags
        # a one-character first word is often part of a proper name jieba does not know (准能集团)
        return bool(pairs) and len(pairs[0][0]) >= 2 and pairs[0][1] in tags

    def possessor(self, sentence: str, position: int) -> str:
        """The unit printed right before ``position``, with the clause before it cut off (…积极贯彻集团公司
        “某某”品牌 → 集团公司, 紧密结合集团“建证”… → 集团): a quote's owner named as its possessor; else ""."""
        for start, end, original in self.finder.mentions(sentence[:position]):
            if end != position:
                continue
            original = original[self.finder.word_across(sentence, start):]  # 近年来…: read from 来
            cuts = list(self.clause_start.finditer(original))
            name = original[cuts[-1].end():] if cuts else original
            return name if len(name) >= 2 and not self.clause_like(name) else ""
        return ""

    def without_clause_opening(self, name: str) -> str:
        """近年来检修车间党支部 → 检修车间党支部, 其中运行部党支部 → 运行部党支部: the words that open a
        clause (``clause_opening_tags``) cut off a name. When a verb follows them (目前已形成机关党支部) the
        unit after it may be its object: "". ``name`` itself when no such word opens it or nothing of
        two characters or more would be left."""
        pairs = part_of_speech(name, hmm=True)
        dropped = 0
        for word, tag in pairs:
            if not (self.finder.opens_clause(word, tag) and (len(word) >= 2 or tag == "d")):
                if dropped and tag == "v":
                    return ""
                break
            dropped += len(word)
        return name[dropped:] if dropped and len(name) - dropped >= 2 else name

    def is_proper_name(self, text: str) -> bool:
        """Is ``text`` a place's or organization's name that jieba knows, nouns only (沈阳地铁), though
        no unit suffix ends it?"""
        pairs = part_of_speech(text, hmm=True)
        return bool(pairs) and pairs[0][1] in {"ns", "nt"} and all(tag[0] == "n" or tag == "j" for _, tag in pairs)

    def organization_name(self, name: str, window: str, source: str = "", endings: tuple[str, ...] = (),
                          verb_first: bool = False) -> str:
        """``name`` if it is a unit's name; for a name cut at its start (市人民医院, 省公司), the fullest name
        ``window`` prints ending in it; else "". A headline's place may end in 市 or 县 (渭南市).
        ``endings``: unit types a name may also end in, beside the organizations' own; ``verb_first``:
        a verb may begin the name (安装分公司), where the words before it have already been cut off."""
        endings = self.suffixes + endings + (self.place_suffixes if source == "headline_place" else ())
        if not (name := self.without_clause_opening(name)):
            return ""
        # 盐城市局开展全市…党支部: the name is what stands before the clause's verb
        if cut := self.clause_start.search(name, 2):
            head = name[:cut.start()]
            name = head if head.endswith(self.suffixes) else name
        if not name or not name.endswith(endings) or self.clause_like(name, verb_first) or self.destination.search(name) \
                or (name[0] in CHINESE_NUMERALS and len(name) < 5):
            return ""  # a short name opening with a numeral is a formula's piece (一机关一品牌)
        if not name.startswith(self.cut_starts):
            # a bare type (公司党委, 项目党支部) is left empty: the fuller names a report prints for it are
            # as often its sub-units (三华劳务公司党委) as itself
            return "" if self.is_bare(name) else name
        fuller: dict[str, int] = {}
        at = window.find(name)
        while at != -1:
            span = window[max(0, at - 12):at + len(name)]
            for _, end, original in self.finder.mentions(span):
                if end == len(span) and len(original) > len(name) and original.endswith(name):
                    form = without_leading_verb(original.lstrip("各该本全"))
                    if not (self.is_bare(form) or form.startswith(self.cut_starts) or form.startswith(self.not_first)
                            or self.clause_like(form, verb_first)):
                        fuller[form] = fuller.get(form, 0) + 1
            at = window.find(name, at + 1)
        return max(fuller, key=lambda form: (fuller[form], len(form))) if fuller else ""

    def _candidates(self, title: str, body_lines: list[str], byline_lines: list[str], text: str):
        """(name, source) of the possible organizations, most telling first. ``text`` is the body's opening
        (``_opening``): the organization a report is about is named there, and scanning a bounded window
        keeps a long report's cost linear (counting every name over the whole text would not be)."""
        first_chars = self.first_chars

        def by_mentions(names: list[str]) -> list[tuple[str, int]]:
            """(name, times ``text`` prints it), most printed first; a stable sort keeps ties in the
            order of their first mention."""
            counts = {name: text.count(name) for name in dict.fromkeys(names)}
            return sorted(counts.items(), key=lambda item: -item[1])

        for name, _ in by_mentions(self._units_in(title)):
            yield name, "headline"
        for line in byline_lines:
            stripped = re.sub(r"^[（(]|\s*(?:供稿|供图|撰稿)?[）)]$|\s*(?:供稿|供图)$", "", line).strip()
            if (names := self._units_in(re.sub("[“”‘’]", "", stripped))) and names[0] == re.sub("[“”‘’]", "", stripped):
                yield stripped, "byline_unit"
        body = [line for line in body_lines if len(line) > 20]
        for paragraph in body[:2]:
            # the unit the report defines a short name for (…运营分公司(以下简称某某运营分公司)) is its subject
            for m in _DEFINED_SHORT_NAME.finditer(paragraph[:first_chars * 2]):
                if (names := self._units_in(m.group(1))) and names[-1] == m.group(1):
                    yield m.group(1), "defined_short_name"
        subjects = [name for paragraph in body[:2] if (name := self._subject(paragraph[:first_chars]))]
        if len(subjects) == 2 and subjects[1].endswith(_BRANCH_ENDINGS) and not subjects[0].endswith(_BRANCH_ENDINGS) \
                and _is_group_level(subjects[0]):
            subjects.reverse()  # the opening sets its group's scene; the next paragraph names the branch it is about
        for name in subjects:
            yield name, "first_sentence"
        if place := leading_place(title):
            suffix = "|".join(map(re.escape, self.place_suffixes))
            if m := re.search(f"{re.escape(place)}(?:{suffix})", title + "\n" + text):
                yield m.group(0), "headline_place"
        for name, n in by_mentions(self._units_in(text)):
            if n >= self.most_mentioned_min:
                yield name, "most_mentioned"

    def _unit_mentions(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, name) of the organization names in ``text``."""
        found = []
        for start, end, original in self.finder.mentions(text):
            if not (name := self._name_of_mention(original[self.finder.word_across(text, start):])):
                continue
            if text.startswith(self.continuations, end):
                continue  # 中心城市, 中心工作: the suffix begins a longer noun
            if name.endswith(self.institution_endings) and self.finder.ends_mid_word(text, start, end):
                continue  # 时任中共中央政治局常委: a title
            if text.startswith(self.giver_after, end) or text[max(0, start - 3):start].endswith(self.giver_before):
                continue  # the body that awards or reports (被…评为, …授予), not the unit the report is about
            if start and text[start - 1] in "”\"’":
                continue  # “强履约”型…党支部: a name cut at a quotation, the quoted word before it being part of a title
            clause_end = _CLAUSE_END.search(text, end, end + 80)
            clause = text[end:clause_end.start() if clause_end else end + 80]
            if clause.endswith(self.host_verbs) and any(word in clause for word in self.host_events):
                continue  # the body that hosts a contest (…评选决赛在某地举办)
            found.append((start, end, name))
        return found

    def _name_of_mention(self, original: str) -> str:
        """The unit name a mention as printed stands for (its leading 各该本全 and a verb swept in dropped),
        or "" when its own words say it names no unit (a generic word, a count, a word no name opens with)."""
        if original.startswith(self.not_first) or self.count_start.match(original):
            return ""
        name = without_leading_verb(original.lstrip("各该本全"))
        if name and name not in self.generic and len(name) >= 3 and not name.startswith(self.not_first) \
                and not self.count_start.match(name):
            return name
        return ""

    def _units_in(self, text: str) -> list[str]:
        return [name for _, _, name in self._unit_mentions(text)]

    def _subject(self, text: str) -> str:
        """The first organization named as the subject of a clause (集团公司党委以…, 该中心党委着力…),
        else the first named at all."""
        mentions = self._unit_mentions(text)
        # A unit printed straight after another is its sub-unit, named with its parent first
        # (某油田公司某研究所党支部): the sub-unit is the subject.
        mentions = [m for k, m in enumerate(mentions) if not (k + 1 < len(mentions) and mentions[k + 1][0] == m[1])]
        for _, end, name in mentions:
            if text.startswith(self.subject_markers, end):
                return name
        return mentions[0][2] if mentions else ""



@lru_cache(maxsize=4096)
def without_leading_verb(name: str) -> str:
    """驱动南钢集团 → 南钢集团: a verb that the unit pattern swept in, found by jieba's part-of-speech
    dictionary; dropped only when a proper noun follows, so that 供电公司 stays whole."""
    if len(name) < 5:
        return name
    pairs = part_of_speech(name, hmm=True)  # 南钢 is in no dictionary; the HMM keeps it one proper noun
    if len(pairs) > 2 and pairs[0][1] in _VERB_TAGS and pairs[1][1] in _PROPER_TAGS:
        return name[len(pairs[0][0]):]
    return name


def _is_subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(ch in chars for ch in short)


_ADMIN_LEVELS = "省市县区"


def shortest_form(name: str, mentions: list[str]) -> str:
    """The shortest printed form of ``name`` (the annotation guide's choice) that differs from it only
    by administrative-level characters a place name often goes without (德州市供电公司 → 德州供电公司,
    printed as the start of 德州供电公司党委书记)."""
    forms = set()
    for mention in mentions:
        forms.update(mention[:end] for end in range(4, len(mention) + 1))
    shorter = [m for m in forms if len(m) < len(name) and m[-1] == name[-1] and _is_subsequence(m, name)
               and all(ch in _ADMIN_LEVELS for ch in _dropped(m, name))]
    return min(shorter, key=lambda m: (len(m), m)) if shorter else name


def _dropped(short: str, long: str) -> str:
    """The characters of ``long`` that ``short`` (a subsequence of it) leaves out, matched greedily."""
    out, i = [], 0
    for ch in long:
        if i < len(short) and short[i] == ch:
            i += 1
        else:
            out.append(ch)
    return "".join(out)


def _opening(lines: list[str], limit: int = ORGANIZATION_SCAN_CHARS) -> str:
    """The first ``limit`` characters of the lines joined by newlines, joining no more lines than that needs."""
    taken, size = [], 0
    for line in lines:
        if size >= limit:
            break
        taken.append(line)
        size += len(line) + 1
    return "\n".join(taken)[:limit]



def _shorter_form_printed(name: str, text: str) -> bool:
    """Does ``text`` print ``name`` without some of its administrative-level characters?

    ``shortest_form`` can only return such a form, so when none is printed the report's unit
    mentions need not be found again (most names have no 省市县区 at all).
    """
    levels = [i for i, ch in enumerate(name) if ch in _ADMIN_LEVELS]
    if len(levels) > 6:
        return True  # too many forms to try; let shortest_form look
    for k in range(1, len(levels) + 1):
        for dropped in combinations(levels, k):
            if "".join(ch for i, ch in enumerate(name) if i not in dropped) in text:
                return True
    return False


_DEFINED_SHORT_NAME = re.compile(r"[（(]\s*(?:以下)?简称[:：]?\s*[“\"]?([^）)”\"]{3,30})[”\"]?\s*[）)]")
_BRANCH_ENDINGS = ("党支部", "党总支", "党支部委员会", "党总支委员会")


def _is_group_level(name: str) -> bool:
    """Is ``name`` an enterprise group or one of its well-known units in the shipped directory?"""
    core = core_name(name)
    found = load_directory().of_name(core) if core else None
    return bool(found) and len(core) <= len(found[1]) + 4


def leading_place(title: str) -> str:
    """A place that a headline opens with as its subject (陕西渭南以村企联建… → 渭南, 上海加强… → 上海):
    the last of the place names (jieba's ``ns``) that start the headline, when a verb or 以 follows."""
    if not title:
        return ""
    # HMM off: the places are dictionary words, and jieba-rs's HMM can glue a preposition (以) to
    # an unknown word after it, hiding the preposition the rule looks for
    pairs = part_of_speech(title[:20], hmm=False)
    places = []
    for word, tag in pairs:
        if tag == "ns":
            places.append(word)
            continue
        break
    rest = pairs[len(places):]
    if places and rest and (rest[0][1].startswith("v") or rest[0][0] in ("以", "在", "把", "将")) and len(places[-1]) >= 2:
        return places[-1]
    return ""
