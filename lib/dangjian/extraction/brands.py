"""Brands and named initiatives: names presented as a brand, activity, work
method, carrier or program, told apart from slogans, goals, spirits, honours and
formulas by the words around them (cue lists in data/extraction_cues.yaml).

Decision order for a quoted name (first rule that applies wins):
1. too short (one character), generic (contains 品牌), a fixed formula (两化一创),
   an umbrella campaign (主题教育), a business project with a quantity
   (“年产8000吨…”) or a long description with 的 → not a brand;
2. a brand cue straight after the quote (“X”品牌, “X”党支部品牌, 创建“X”党建) → brand,
   or a method cue straight after it (“五心”工作法) → method;
3. the name is a numbered formula (“334”, “两个维护”) → not a brand, unless an activity
   or program cue follows directly (“双一献礼”活动, “三项工程”) → that kind;
4. a method / activity / program / carrier cue after the quote, with at most a few
   modifier characters between (“X”主题实践活动, “X”选拔赛, “X”平台) → that kind, unless
   the modifier is a verb or the cue names an honour (“X”示范项目);
5. a frame such as 以“X”为抓手 / 为载体 / 为主线 → the kind its head noun says;
6. a named combination of party work (“党建+公益”, “主题党日+e网情深”), whatever words follow it,
   unless a formula follows that it expands → method;
7. a slogan, goal, honour or metaphor marker after the quote (“X”作用, 以“X”为指引,
   “X”宗旨, “X”称号), or a spirit or idea (…精神, …思想) → not a brand;
8. the clause goes on to 等…活动 → activity, to 等…举措 / 做法 → method, or to 等…品牌 or a count of brands (三个子品牌) → brand,
   the names of a list whose items carry their units too (甲支部“A”、乙支部“B”等12个支部品牌);
   words naming brands open the list the name is in (三个支部品牌：“A”、“B”) → brand, or the kind its
   head noun says;
9. the name's own head noun (…之家, …服务队, …一课, …工作法) → carrier, program or method;
10. a creation verb straight before the quote (推出“X”, 成立了“X”) → the kind its head
    noun says, else brand;
11. a heading line that opens with the quote (“小拐杖”精准帮扶) → the kind its head noun says;
12. a unit + creation verb right before the quote (锦城公司党总支开展“X”) in a
    paragraph about brands → brand.
Quotes next to each other (“A”“B”和“C”) share the cue that follows the last one; a
quoted program that runs on into its head (“聚·新”堡垒工程) keeps the whole name. A name quoted
inside a quote (“…暨‘建证·先锋高速’党建开放日”) is a brand of its own when the outer quote is no initiative
itself and a cue follows the name inside it (rules of ``nested_decision_order``; rule
``nested_quote``); the unit before the outer quote runs the event, so it is not taken as the
name's owner. In an outer name that is an initiative (人才‘薪火’计划) the quoted word is part of it.

Unquoted names are listed in these cases only: carriers and programs a set-up verb introduces
(设置党员示范岗、责任区; 实施党建富民工程; 成立以青年党员为主的党员攻关小组, where 以…为主的
describes the members), party bodies named before a head that holds the party
word (彩虹共产党员服务队: ``named_bodies``), names listed with their units in brackets and a count of
brands (``listed_with_units``), short names listed after words naming brands and a colon
(三个支部品牌：红色引擎、匠心检修: ``listed_after_lead``), and carriers listed in a formula's expansion
(“一区两队一岗”(党员责任区、…)).
"""
from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

from ..cues import CUES_FILE, alternation, compiled, load_cues
from ..ingest.organization_finder import OrganizationFinder, organization_finder
from ..ingest.units import UnitFinder
from .common import COMMA, Quote, mask_quotes, normalise_name, quoted_spans
from .formulas import PLUS_CODE_PART, formula_patterns, is_fixed_formula, joined_formulas, looks_like_formula
from .metrics import load_units
from .named_bodies import NamedBodyFinder

COLUMNS = ["doc_id", "name", "kind", "unit", "unit_source", "pillar", "cue", "rule", "n_mentions", "sent_id", "start",
           "end"]
_SEPARATORS = {"", "、", "和", "及", "与"}
_ENUMERATORS = re.compile(r"^(?:[一二三四五六七八九十]+是|首先|其次|再次|最后)")
_CLAUSE_END = re.compile(r"[，,。；;]")
# a name quoted inside a quote, in single or double marks (the outer quote's own are “…”)
_NESTED_QUOTE = re.compile(r"[‘“「『](?P<name>[^‘’“”「」『』]{2,16})[’”」』]")
_OBJECT_END = re.compile(r"[，,。；;：:“”□《》（）()]")  # where the objects of a setting-up verb end
_LIST_JOINER = re.compile(r"([、和及与])")
_COUNT_PREFIX = re.compile(r"^[0-9一二两三四五六七八九十百]+(?:个|支|家|名)")
# a clause between clause marks, and the characters of a count (12, 两, 十二)
_CLAUSE = re.compile(r"[^，,。；;：:]+")
_COUNT_CHARS = "0-9一二两三四五六七八九十百"
# a unit in brackets after a name: “天涯蓝盾”(某某检察院), 乙(某某法院)
_UNIT_IN_BRACKETS = r"[(（](?P<unit>[^()（），,。；;、“”]{2,20})[)）]"
_BRACKETED_AFTER = re.compile(_UNIT_IN_BRACKETS)
_SECTION_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[）)])\s*")


class BrandRules:
    def __init__(self, cues: dict):
        c = cues["brands"]
        self.c = c
        self.formulas = formula_patterns(cues)
        mod = rf"(?P<mod>[^，,。；;、“”□]{{0,{c['max_modifier_chars']}}}?)"
        self.brand_cue = re.compile(rf"^(?:的)?(?P<cue>{alternation(c['brand_cue'])})")
        kinds = ("method", "activity", "program", "carrier")
        self.kind_cues = {kind: re.compile(rf"^(?P<etc>等)?{mod}(?P<cue>{alternation(c[kind + '_cue'])})") for kind in kinds}
        # matches where any of the kind cues matches: most quotes have none, and one test rules out four
        self.any_kind_cue = re.compile(rf"^等?{mod}(?:{alternation([w for k in kinds for w in c[k + '_cue']])})")
        self.brand_frame = re.compile(rf"^(?:{alternation(c['brand_frame_after'])})")
        self.umbrella = set(c["umbrella_campaigns"])
        self.honours = re.compile(alternation(c["honours_after"]))
        self.object_trailing = re.compile(rf"(?:{alternation(c['object_trailing'])})$")
        self.modifier_verbs = re.compile(alternation(c["modifier_verbs"]))
        self.not_after = re.compile(rf"^(?:{alternation(c['not_after'])})")
        self.external_before = tuple(c["external_before"])
        self.verb_before = re.compile(
            rf"(?P<verb>{alternation(c['creation_verbs'])})(?:的|了|起)?[^，,。；;“”]{{0,{c['max_verb_gap']}}}$")
        self.enumerated = {kind: re.compile(rf"等[^，,。；;]{{0,{c['enumerated_gap']}}}(?P<cue>{alternation(words)})")
                           for kind, words in c["enumerated_closers"].items()}
        self.verbs = alternation(c["creation_verbs"])
        self.direct_verb = re.compile(rf"(?:{alternation(c['direct_verbs'])})(?:了|起|出)?$")
        # a list's closing words after the name: 等…品牌, or a count of brands (三个子品牌); the items of a
        # list whose names carry their units (、乙支部“B”) may stand between
        listed_item = r"、[^，,。；;、：:“”]{0,16}“[^“”]+”"
        self.listed_brand = re.compile(
            rf"^(?:{listed_item})*(?:等[^，,。；;]{{0,{c['listed_brand_gap']}}}?|[{_COUNT_CHARS}]+[个项][^，,。；;]{{0,6}}?)品牌")
        # a list that words naming brands open (三个支部品牌：甲支部“A”、“B”): masked text from the lead to the quote
        leads, colon_leads = alternation(c["brand_list_leads"]), alternation(c["brand_list_colon_leads"])
        self.brand_list = re.compile(
            rf"品牌(?:(?:{leads})[：:]?|(?:{colon_leads})?[：:])"
            r"(?:[^，,。；;：:“”□]{0,16}“□+”[、和及与]?)*[^，,。；;：:“”□]{0,16}$")
        # the same words and a colon before names printed without quotes (三个支部品牌：红色引擎、匠心检修)
        self.unquoted_list_lead = re.compile(rf"品牌(?:{leads}|{colon_leads})?[：:]\s*")
        self.unquoted_list_item = re.compile(rf"[\u4e00-\u9fff·A-Za-z0-9]{{2,{c['max_unquoted_listed_chars']}}}")
        self.not_in_unquoted_names = frozenset(c["not_in_unquoted_names"])
        self.heads = [(kind, tuple(c[kind + "_heads"])) for kind in ("carrier", "program", "method", "activity")]
        # the head-noun rule reads carrier, program and method heads; activity heads serve kind_by_head only
        self.head_noun_kinds = [(kind, heads) for kind, heads in self.heads if kind != "activity"]
        self.setup = re.compile(rf"(?:{alternation(c['setup_verbs'])})(?:了|起)?")
        self.composition = re.compile(rf"^[以由][^，,。；;的]{{1,12}}?(?:{alternation(c['object_composition_ends'])})")
        self.carrier_heads = tuple(c["carrier_heads"])
        self.unquoted_heads = tuple(h for h in c["carrier_heads"] if h not in c["unquoted_not_heads"]) \
            + tuple(c["unquoted_program_heads"])
        # what closes a list of names with their units: (两个|4个)特色品牌 …
        self.listed_cue = re.compile(rf"[{_COUNT_CHARS}]*[个项]?(?:{alternation([w for w in c['brand_cue'] if w not in c['brand_cue_needs_verb']])})")
        self.listed_item = re.compile(rf"(?P<name>[^，,。；;：:、()（）\s]{{2,{c['max_name_chars']}}}?){_UNIT_IN_BRACKETS}")
        self.party_heads = tuple(c["unquoted_party_heads"] + c["unquoted_program_heads"])
        self.decision_order = self._decision_order(c["decision_order"])
        self.nested_order = self._rules_named(c["nested_decision_order"], "nested_decision_order")
        self.tail = re.compile(rf"^[\u4e00-\u9fff]{{1,4}}?(?:{alternation(c['tail_heads'])})(?=$|\s|[，,。；;：:])")
        # a carrier named by a quoted word and its head noun (“初心”广场, “犍伴”心灵成长工作室): the name is both
        self.carrier_tail = re.compile(rf"^[\u4e00-\u9fff]{{0,6}}?(?:{alternation(c['carrier_heads'])})"
                                       rf"(?=$|\s|[，,。；;：:、]|以及|和|及|与|等)")
        # An Arabic number with a unit of the metrics lexicon: “年产8000吨…”项目 is a business project.
        self.quantity = re.compile(rf"[0-9]+(?:\.[0-9]+)?[万亿]?(?:{alternation(load_units().index)})")
        self.generic = re.compile(alternation(c["generic_parts"]) or "(?!)")
        self.not_names = tuple(c["not_name_endings"])
        self.honour_names = tuple(c["honour_name_endings"])
        self.party_words = tuple(c["plus_party_words"])
        self.cue_continuations = tuple(c["cue_continuations"])

    def _decision_order(self, names) -> list[tuple[str, object]]:
        """The rules of ``decision_order``, each a method ``_<name>``; every rule named once."""
        if missing := sorted(RULES - set(names)):
            raise ValueError(f"{CUES_FILE.name}: brands.decision_order leaves out {missing}")
        return self._rules_named(names, "decision_order")

    def _rules_named(self, names, key: str) -> list[tuple[str, object]]:
        """The rules ``brands.<key>`` names, each a method ``_<name>``, none twice."""
        if unknown := [n for n in names if n not in RULES]:
            raise ValueError(f"{CUES_FILE.name}: brands.{key} names no rule {unknown}; the rules: {sorted(RULES)}")
        if len(set(names)) != len(names):
            raise ValueError(f"{CUES_FILE.name}: brands.{key} names a rule twice")
        return [(n, getattr(self, "_" + n)) for n in names]

    def classify(self, name: str, after: str, before: str, masked_after: str, owner_then_verb,
                 brand_paragraph: bool, heading_lead: str | None = None,
                 masked_before: str | None = None, nested: bool = False) -> tuple[str, str, str] | None:
        """(kind, cue, rule) for a quoted name, or None when it is not a brand or initiative.

        The rules of ``decision_order`` (extraction_cues.yaml) are tried in that order; the first
        that decides (accepts with a kind and cue, or rejects) wins, and ``rule`` names it.
        ``owner_then_verb`` is a bool or a function returning it (only the last rule needs it, and
        finding the owning unit is the costly part). ``heading_lead``: in a heading line, what stands
        before the quote (``heading_lead``); None in running text. ``masked_before``: ``before`` with the
        content of its quotes masked (``mask_quotes``); ``before`` itself when not given. ``nested``: the
        name is quoted inside another quote, and only the rules of ``nested_decision_order`` apply.
        """
        quote = _Quote(name, after, before, masked_after, _CLAUSE_END.split(masked_after, maxsplit=1)[0],
                       owner_then_verb, brand_paragraph, heading_lead, before if masked_before is None else masked_before)
        for rule_name, rule in (self.nested_order if nested else self.decision_order):
            verdict = rule(quote)
            if verdict is REJECT:
                return None
            if verdict is not None:
                return verdict[0], verdict[1], rule_name
        return None

    # ---- the rules, each returning (kind, cue), REJECT, or None to pass to the next --------------

    def _generic_or_fixed(self, q):
        name = q.name
        if len(name) < 2 or self.generic.search(name) or is_fixed_formula(name, self.formulas) or name in self.umbrella:
            return REJECT
        return None

    def _honour_name(self, q):
        return REJECT if q.name.endswith(self.honour_names) else None  # 中央企业先进集体: a title awarded

    def _predicate_inside(self, q):
        # 人民电业为人民: a slogan, subject and predicate
        return REJECT if _PREDICATE_INSIDE.search(q.name) and not looks_like_formula(q.name, False, self.formulas) else None

    def _names_party_work(self, name: str) -> bool:
        """Does ``name`` hold a party word (党建, 支部, 先锋 …: ``plus_party_words``)?"""
        return any(word in name for word in self.party_words)

    def _party_plus(self, name: str) -> bool:
        """Is a “A+B” name a party-building combination: a part names party work, or is a code (N, X)?"""
        return self._names_party_work(name) or bool(PLUS_CODE_PART.search(name))

    def _plus_business_line(self, q):
        # 江海联运+铁路直达, 低偿+无偿: a business line or a way of charging, whatever follows it
        return REJECT if _PLUS_NAME.match(q.name) and not self._party_plus(q.name) else None

    def _external_goal(self, q):
        # 助力“交通强国”建设: a goal set elsewhere, not the unit's brand
        return REJECT if q.before.rstrip().endswith(self.external_before) else None

    def _project_or_description(self, q):
        # “年产8000吨…”项目, a long description: a business project, not an initiative
        if self.quantity.search(q.name) or (len(q.name) > self.c["max_name_chars"] and "的" in q.name):
            return REJECT
        return None

    def _headline_unit(self, q):
        # 某某煤业:“联盟联建”链通发展动力源: a heading that names a unit and then its initiative
        return (self.kind_by_head(q.name), "unit: heading") if q.heading_lead else None

    def _headline_program(self, q):
        # “聚·新”堡垒工程  夯实党建基础: a heading that opens with a program's name
        return ("program", "heading") if q.heading_lead == "" and self.tail.match(q.after) else None

    def _headline_opening(self, q):
        # “小拐杖”精准帮扶: a heading that opens with a quoted name introduces that initiative
        return (self.kind_by_head(q.name), "heading") if q.heading_lead == "" else None

    def _brand_cue(self, q):
        if (m := self.brand_cue.match(q.after)) and (m.group("cue") not in self.c["brand_cue_needs_verb"]
                                                     or self.verb_before.search(q.before)):
            return "brand", m.group("cue")
        return None

    def _method_cue(self, q):
        # “五心”工作法: a direct method cue beats the formula shape
        if (m := self.kind_cues["method"].match(q.after)) and not (m.group("mod") or m.group("etc")):
            return "method", m.group("cue")
        return None

    def _numbered_name(self, q):
        """A numbered name is a brand only when a cue follows it directly (“双一献礼”活动); else a formula."""
        if not looks_like_formula(q.name, False, self.formulas):
            return None
        for kind in ("activity", "program"):
            m = self.kind_cues[kind].match(q.after)
            if m and not (m.group("mod") or m.group("etc")) and not is_fixed_formula(q.name, self.formulas) \
                    and len(q.name) >= self.c["cue_min_name_chars"].get(m.group("cue"), 0):
                return kind, m.group("cue")
        return REJECT

    def _kind_cue(self, q):
        """The kind cue after the name with the shortest modifier between (“X”主题实践活动, “X”工作室)."""
        if not self.any_kind_cue.match(q.after):
            return None
        c, name, best = self.c, q.name, None
        for kind, pattern in self.kind_cues.items():
            m = pattern.match(q.after)
            if not m or self.modifier_verbs.search(m.group("mod").replace("党组织", "")) \
                    or looks_like_formula(m.group("mod"), True, self.formulas):
                continue
            padded = bool(m.group("mod") or m.group("etc"))
            if padded and len(name) < c["min_chars_with_modifier"]:
                continue
            if len(name) < c["cue_min_name_chars"].get(m.group("cue"), 0) or self.honours.search(m.group("mod") + m.group("cue")):
                continue  # “共同体”建设; “智慧型机场”示范项目 is an honour
            if kind == "carrier" and _LIST_MARK.search(name):
                continue
            if "的" in m.group("mod") and m.group("cue") in self.c["cues_refusing_de"]:
                continue  # “X”大讨论的具体举措: the name qualifies a noun, the cue belongs to that noun
            if q.after.startswith(self.cue_continuations, m.end("cue")):
                continue  # 两大赛道: the cue 大赛 is the start of 赛道, a contest's track
            if best is None or len(m.group("mod")) < best[0]:
                best = (len(m.group("mod")), kind, m.group("cue"))
        return (best[1], best[2]) if best else None

    def _brand_frame(self, q):
        return (self.kind_by_head(q.name), m.group(0)) if (m := self.brand_frame.match(q.after)) else None

    def _not_after(self, q):
        if self.not_after.match(q.after) or self.honours.match(q.after) or q.name.endswith(self.not_names):
            return REJECT
        return None

    def _plus_combination(self, q):
        # “党建+公益”: a named combination (but “A+B+C+D”四位一体 expands a formula)
        if _PLUS_NAME.match(q.name) and not looks_like_formula(q.after[:6], True, self.formulas) and self._party_plus(q.name):
            return "method", "+"
        return None

    def _enumerated(self, kind: str, q):
        """A name in a list that 等 and a kind's closer end within the clause (“A”“B”等志愿服务活动)."""
        return (kind, f"等…{m.group('cue')}") if (m := self.enumerated[kind].search(q.clause)) else None

    def _enumerated_activity(self, q):
        return self._enumerated("activity", q)

    def _enumerated_measure(self, q):
        # 建立“心连心”服务站、配置“电管家”等便民举措: the measures a unit took, named as a list
        return self._enumerated("method", q)

    def _listed_brand(self, q):
        return ("brand", "等…品牌") if self.listed_brand.match(q.after[:len(q.clause)]) else None

    def _brand_list(self, q):
        """A name in a list that words naming brands open: 三个支部品牌：“A”、“B”; 子品牌包括“A”“B”."""
        if "品牌" in q.masked_before and self.brand_list.search(q.masked_before):
            return self.kind_by_head(q.name), "品牌：…"
        return None

    def _head_noun(self, q):
        for kind, heads in self.head_noun_kinds:
            if q.name.endswith(heads) and "、" not in q.name:
                return kind, "head noun"
        return None

    def _direct_verb(self, q):
        if (m := self.direct_verb.search(q.before)) and len(q.name) <= self.c["max_name_chars"] \
                and not _LIST_MARK.search(q.name):
            return self.kind_by_head(q.name), m.group(0)
        return None

    def _owner_then_verb(self, q):
        if not (q.brand_paragraph and (verb := self.verb_before.search(q.before))):
            return None  # the owner is looked for only when the verb and the paragraph could decide
        owner_then_verb = q.owner_then_verb() if callable(q.owner_then_verb) else q.owner_then_verb
        return ("brand", verb.group("verb")) if owner_then_verb else None

    def nested_names(self, quoted: str, before: str, brand_paragraph: bool) -> list[tuple[str, str, str, int, int]]:
        """(name, kind, cue, start, end) of the names quoted inside the quoted text ``quoted`` that the
        rules of ``nested_decision_order`` accept, offsets in ``quoted``; ``before``: the sentence up
        to ``quoted``. The cue names the outer event (开放日), so the kind is the name's head noun's."""
        found = []
        for inner in _NESTED_QUOTE.finditer(quoted):
            name, rest = normalise_name(inner.group("name")), quoted[inner.end():]
            verdict = self.classify(name, rest, before + quoted[:inner.start("name")], rest, False, brand_paragraph,
                                    nested=True)
            if verdict is not None:
                found.append((name, self.kind_by_head(name), verdict[1], inner.start("name"), inner.end("name")))
        return found

    def kind_by_head(self, name: str) -> str:
        """The kind a name's own head noun says (…服务队 → carrier, …工作法 → method), else brand."""
        for kind, heads in self.heads:
            if name.endswith(heads):
                return kind
        return "brand"

    def listed_with_units(self, masked: str) -> list[tuple[int, int, str]]:
        """(start, end, unit) of each name in a list of names that each carry their unit in brackets and
        that a count of brands closes, as contest results list them: “甲”(某某检察院)、乙(某某法院)两个特色
        品牌. Every item of the list must be a name and its bracket (the first too), quoted or not."""
        found = []
        for clause in _CLAUSE.finditer(masked):
            parts = clause.group(0).split("、")
            last = self.listed_item.match(parts[-1])
            if len(parts) < 2 or not last or not self.listed_cue.match(parts[-1], last.end()):
                continue
            items = [self.listed_item.fullmatch(part) for part in parts[:-1]] + [last]
            if not all(items):
                continue
            offset = clause.start()
            for part, item in zip(parts, items):
                found.append((offset + item.start("name"), offset + item.end("name"), item.group("unit")))
                offset += len(part) + 1
        return found

    def listed_after_lead(self, masked: str) -> list[tuple[int, int, int]]:
        """(lead, start, end) of each name printed without quotes in a list that words naming brands and a
        colon open: 三个支部品牌：红色引擎、匠心检修、安全卫士 (``lead`` is where those words start). The list
        runs to the clause's end (a closing 等… dropped); it must hold two names or more, and every item
        must be a short name holding none of ``not_in_unquoted_names`` (的, 以, 为 …: a description)."""
        found = []
        for lead in self.unquoted_list_lead.finditer(masked):
            clause = _CLAUSE_END.split(masked[lead.end():], maxsplit=1)[0].rstrip()
            parts = _LIST_CLOSER.sub("", clause).split("、")
            if len(parts) < 2 or not all(self.unquoted_list_item.fullmatch(part)
                                         and self.not_in_unquoted_names.isdisjoint(part) for part in parts):
                continue
            offset = lead.end()
            for part in parts:
                found.append((lead.start(), offset, offset + len(part)))
                offset += len(part) + 1
        return found

    def unquoted_objects(self, sentence: str, masked: str) -> list[tuple[int, str]]:
        """(start, name) of carriers and programs set up without quotation marks: 设置党员示范岗、责任区、
        先锋队; 创建基层创先争优示范点、党员先锋岗和精益管理责任区; 实施党建富民工程. Only listed objects
        ending in a carrier head or a program head (``unquoted_program_heads``)."""
        found = []
        for verb in self.setup.finditer(masked):
            start = verb.end()
            clause = _OBJECT_END.split(masked[start:], maxsplit=1)[0]
            offset = start
            for item in _LIST_JOINER.split(clause):
                if item in "、和及与":
                    offset += len(item)
                    continue
                trimmed = self.object_trailing.sub("", item)
                name = _COUNT_PREFIX.sub("", self.composition.sub("", trimmed))  # 8个示范点
                if name.endswith(self.unquoted_heads) and 2 < len(name) <= self.c["max_carrier_chars"] \
                        and "的" not in name and (not name.endswith(self.party_heads) or self._names_party_work(name)):
                    # 党的建设新的伟大工程: a name holding 的 is a description
                    found.append((offset + len(trimmed) - len(name), name))
                offset += len(item)
        return found


# 为, 是, 让 or 把 inside a name, after two characters or more, joins a subject to its predicate (a slogan)
_PREDICATE_INSIDE = re.compile(r"^[\u4e00-\u9fff]{2,}[为是让把][\u4e00-\u9fff]")
_PLUS_NAME = re.compile(r"^(?:[\u4e00-\u9fffA-Za-z]{2,8}|[NX])(?:[+＋](?:[\u4e00-\u9fffA-Za-z]{2,8}|[NX])){1,3}$")
_LIST_MARK = re.compile(r"[，,。；;！？!?、]")
_LIST_CLOSER = re.compile(r"等[^、]*$")  # …、安全卫士等12个: the list's last name ends before 等


class _Owner:
    """The unit owning a quoted name, found only when asked for."""

    def __init__(self, units, rules, sentence: str, position: int, quote_spans, before: str):
        self._args = units, sentence, position, quote_spans
        self._rules, self._before = rules, before
        self._unit = None

    @property
    def unit(self) -> str:
        if self._unit is None:
            units, sentence, position, quote_spans = self._args
            self._unit = units.owner_before(sentence, position, quote_spans)
        return self._unit

    def then_verb(self) -> bool:
        """Does the text before the quote end with the owner and a creation verb (锦城公司党总支开展“X”)?"""
        owner = self.unit
        return bool(owner) and bool(re.search(
            rf"{re.escape(owner)}(?:{self._rules.verbs})(?:的|了|起)?[^，,。；;]{{0,4}}$", self._before))


def _is_unit_name(text: str, units: UnitFinder, names: OrganizationFinder) -> bool:
    """Is ``text`` a unit's whole name (三亚市城郊检察院), by the organizations' rules?"""
    return names.organization_name(text, text, endings=units.suffixes, verb_first=True) == text


_HEADLINE_LEAD = re.compile(r"\s*([\u4e00-\u9fff·]{2,12})[:：]\s*")


def heading_lead(row, quote_open: int, units: UnitFinder, names: OrganizationFinder) -> str | None:
    """What stands before a quote in a heading line (a paragraph of one sentence that no full stop
    ends): "" when the quote opens it (“聚·新”堡垒工程), the unit when a unit's name or a place or
    organization jieba knows comes before a colon (沈阳地铁:“活力党建”助力…); None in running text
    and before anything else."""
    line = row.text
    if line != row.para_text or line.rstrip().endswith(("。", "；", ";")):
        return None
    if not _SECTION_NUMBER.sub("", line[:quote_open].lstrip()).strip():
        return ""  # the quote opens the heading, after its number if it has one (二、“X”…)
    if not (m := _HEADLINE_LEAD.fullmatch(line, 0, quote_open)):
        return None
    lead = m.group(1)
    return lead if _is_unit_name(lead, units, names) or names.is_proper_name(lead) else None


def owning_unit(units: UnitFinder, names: OrganizationFinder, mention: str, doc_text: str, row) -> str:
    """The unit a mention before a brand names, as a whole printed name, or "" (the guide's owning
    unit): an anaphor (该中心党委) or a bare type (党支部) becomes the full name it stands for; a
    collective (各党支部, 基层党支部), a bare type nothing resolves, and a phrase read as a name
    (实施支部, 扎实做好中心, 行动支部) are no owner; a clause after a name is cut off (江西公司党委积极贯彻… →
    江西公司党委); a name cut at its start (院党委) becomes the fullest name the report prints."""
    unit = units.resolve(mention, doc_text, row.start, row.para_start)
    if not unit or unit.endswith(units.collective_endings):
        return ""
    name = names.organization_name(unit, doc_text, endings=units.all_suffixes, verb_first=unit.endswith(units.suffixes))
    if not name and names.is_bare(unit):
        return unit  # 公司党委, 项目党支部: a unit type alone, which the report's organization may complete
    if name and (body := next((b for b in PARTY_BODIES if unit.startswith(name + b)), None)):
        name += body  # 江西公司党委积极贯彻…: the clause is cut off, the party body kept
    if name.endswith("支部") and not name.endswith("党支部") and not name[:-2].endswith(units.branch_heads):
        return ""  # 行动支部, 选优配强支部: a phrase ending in 支部
    return name


class _Quote(NamedTuple):
    name: str
    after: str
    before: str
    masked_after: str
    clause: str  # masked_after up to the clause's end: what a list's closing words must stand in
    owner_then_verb: object
    brand_paragraph: bool
    heading_lead: str | None
    masked_before: str


REJECT = object()  # a rule's verdict: not a brand, and no later rule is tried
RULES = frozenset({"generic_or_fixed", "honour_name", "predicate_inside", "plus_business_line", "external_goal",
                   "project_or_description", "headline_unit", "headline_program", "brand_cue", "method_cue", "numbered_name", "kind_cue", "brand_frame",
                   "not_after", "plus_combination", "enumerated_activity", "enumerated_measure", "listed_brand", "brand_list", "head_noun",
                   "direct_verb",
                   "headline_opening", "owner_then_verb"})


def pillar_of(lead: str, section: str) -> str:
    """The framing a brand is listed under: the run-in lead's first clause, else the section heading."""
    if lead:
        return _ENUMERATORS.sub("", COMMA.split(lead)[0]).strip()
    return _SECTION_NUMBER.sub("", section).strip()


def _split_parts(group, formulas) -> list:
    """Quotes whose text is several numbered formulas joined (``joined_formulas``) stand for one name each."""
    out = []
    for q in group:
        parts = joined_formulas(q.inner, formulas)
        # Each part becomes a quote whose marks are the opening quote or comma before it and the comma or
        # closing quote after it, so that name_start and close keep pointing into the sentence.
        out += [Quote(q.open + offset, q.open + offset + len(part) + 1, part) for offset, part in parts] or [q]
    return out


def _groups(sentence: str, quotes) -> list[list]:
    groups: list[list] = []
    for q in quotes:
        if groups and sentence[groups[-1][-1].close + 1:q.open].strip() in _SEPARATORS:
            groups[-1].append(q)
        else:
            groups.append([q])
    return groups


def brand_rows(texts: dict[str, str], records, cues: dict | None = None) -> list[dict]:
    """The brands table as rows; ``texts`` maps doc_id to the normalised text, ``records`` are its sentences."""
    cues = cues or load_cues()
    rules = compiled(cues, "brands", BrandRules)
    units = compiled(cues, "units", UnitFinder)
    names = organization_finder(cues)
    bodies = compiled(cues, "named_bodies", NamedBodyFinder)
    mentions, counts = [], Counter()  # (doc_id, name) → its quotes and mentions
    named: dict[tuple[str, str], str] = {}

    def mention(row, name: str, kind: str, unit: str, cue: str, rule: str, start: int, end: int) -> dict:
        """A brands row of one mention; ``start`` and ``end`` are offsets in the report's text."""
        return {"doc_id": row.doc_id, "name": name, "kind": kind, "unit": unit,
                "pillar": pillar_of(row.lead, row.section), "cue": cue, "rule": rule, "sent_id": row.sent_id,
                "start": start, "end": end}

    def unit_of(owner: str, row) -> str:
        """``owning_unit``, once per report and name where the name's position cannot matter (only a
        bare type or an anaphor is resolved from the text before it)."""
        if not owner:
            return ""
        if units.resolved_by_position(owner):
            return owning_unit(units, names, owner, texts[row.doc_id], row)
        key = (row.doc_id, owner)
        if key not in named:
            named[key] = owning_unit(units, names, owner, texts[row.doc_id], row)
        return named[key]

    for row in records:
        sentence = row.text
        quotes = quoted_spans(sentence)
        masked = mask_quotes(sentence)
        set_up = set()  # where the set-up verbs' objects start: a named body there is one already
        for offset, name in rules.unquoted_objects(sentence, masked):
            set_up.add(offset)
            counts[(row.doc_id, name)] += 1
            owner = units.owner_before(sentence, offset, [(q.open, q.close + 1) for q in quotes])
            unit = unit_of(owner, row)
            kind = rules.kind_by_head(name)
            mentions.append(mention(row, name, kind, unit, "set up", f"unquoted_{kind}",
                                    row.start + offset, row.start + offset + len(name)))
        for body in bodies.find(masked):
            if body.start in set_up:
                continue  # 组建彩虹共产党员服务队: a set-up verb's object already
            counts[(row.doc_id, body.name)] += 1
            mentions.append(mention(row, body.name, rules.kind_by_head(body.name), unit_of(body.unit, row),
                                    "named body", "named_body", row.start + body.start,
                                    row.start + body.start + len(body.name)))
        names_brands = "品牌" in masked  # the two list readers below need the word
        for start, end, bracket in (rules.listed_with_units(masked) if names_brands else ()):
            if sentence[start] == "“" and sentence[end - 1] == "”" and sentence.count("“", start, end) == 1:
                start, end = start + 1, end - 1  # “乐于奉献 检在心中”(乐东县检察院): the quotes only mark the name
            name = normalise_name(sentence[start:end])
            counts[(row.doc_id, name)] += 1
            unit = unit_of(bracket, row) if _is_unit_name(bracket, units, names) else ""
            mentions.append(mention(row, name, rules.kind_by_head(name), unit, "listed with units",
                                    "listed_with_units", row.start + start, row.start + end))
        for lead, start, end in (rules.listed_after_lead(masked) if names_brands else ()):
            name = sentence[start:end]
            counts[(row.doc_id, name)] += 1
            unit = unit_of(units.owner_before(sentence, lead), row)
            mentions.append(mention(row, name, rules.kind_by_head(name), unit, "品牌：…", "listed_after_lead",
                                    row.start + start, row.start + end))
        if not quotes:
            continue
        quote_spans = [(q.open, q.close + 1) for q in quotes]
        brand_paragraph = "品牌" in row.para_text
        for group in _groups(sentence, quotes):
            # “天涯蓝盾”(某某检察院)特色品牌: the unit in brackets after a name stands between it and its cue
            cue_at, bracketed_unit = group[-1].close + 1, ""
            if bracket := _BRACKETED_AFTER.match(sentence, cue_at):
                cue_at = bracket.end()
                if _is_unit_name(inside := bracket.group("unit"), units, names):
                    bracketed_unit = inside  # the whole bracket is a unit's name: the brand's owner
            after = sentence[cue_at:]
            masked_after = masked[cue_at:]
            lead = heading_lead(row, group[0].open, units, names)
            possessor = None  # the unit printed right before the group, looked for once a name is kept
            for q in _split_parts(group, rules.formulas):
                name = normalise_name(q.inner)
                counts[(row.doc_id, name)] += 1
                before = sentence[:group[0].open]
                owner = _Owner(units, rules, sentence, q.open, quote_spans, before)
                result = rules.classify(name, after, before, masked_after, owner.then_verb, brand_paragraph,
                                        lead, masked[:group[0].open])
                if result is None:
                    # “…进工地暨‘建证·先锋高速’党建开放日”: a title that is no initiative itself quotes the
                    # brand it shows (in one that is, 人才‘薪火’计划, the quoted word is part of the name)
                    for inner, kind, cue, start, end in rules.nested_names(q.inner, sentence[:q.name_start], brand_paragraph):
                        counts[(row.doc_id, inner)] += 1
                        # no owner: the unit before the outer quote runs the event it names, not the brand
                        mentions.append(mention(row, inner, kind, "", cue, "nested_quote",
                                                row.start + q.name_start + start, row.start + q.name_start + end))
                    continue
                kind, cue, rule = result
                start, end = row.start + q.name_start, row.start + q.close
                if len(group) == 1 and ((kind == "program" and (tail := rules.tail.match(after)))
                                        or (tail := rules.carrier_tail.match(after))):
                    name = f"‘{name}’{tail.group(0)}"  # “聚·新”堡垒工程
                    start, end = row.start + q.open, row.start + q.close + 1 + tail.end()
                    counts[(row.doc_id, name)] += 1
                if possessor is None:
                    possessor = names.possessor(sentence, group[0].open)
                unit = lead if rule == "headline_unit" else unit_of(bracketed_unit or possessor or owner.unit, row)
                if not unit and row.start > row.para_start:
                    subjects = units.subjects_before(row.para_text, row.start - row.para_start)
                    unit = next((found for subject in subjects if (found := unit_of(subject, row))), "")
                mentions.append(mention(row, name, kind, unit, cue, rule, start, end))
    located = _located_names(mentions, bodies)
    grouped: dict[tuple[str, str], list[dict]] = {}
    for mention in mentions:
        if short := located.get((mention["doc_id"], mention["name"])):
            counts[(mention["doc_id"], short)] += counts.pop((mention["doc_id"], mention["name"]), 0)
            mention = {**mention, "name": short, "start": mention["end"] - len(short)}  # the name's own span
        grouped.setdefault((mention["doc_id"], mention["name"]), []).append(mention)
    rows = []
    for key, group in grouped.items():
        first = dict(group[0])
        # A later mention may name the owning party organization more fully (营运操作部 → 营运操作部党总支).
        full_party = [m["unit"] for m in group if m["unit"].endswith(units.party_suffixes) and m["unit"] not in units.bare]
        named = [m["unit"] for m in group if m["unit"]]
        if not first["unit"].endswith(units.party_suffixes) and full_party:
            first["unit"] = full_party[0]
        elif not first["unit"] and named:
            first["unit"] = named[0]
        first["n_mentions"] = counts[key]
        rows.append(first)
    rows.sort(key=lambda r: (r["doc_id"], r["start"]))
    return rows


def _located_names(mentions: list[dict], bodies: NamedBodyFinder) -> dict[tuple[str, str], str]:
    """(doc_id, name) → the shorter name it is folded into (浙江义乌机场空港党建联盟 → 义乌机场空港党建联盟:
    ``NamedBodyFinder.located``), in each report that names a body."""
    with_bodies = {m["doc_id"] for m in mentions if m["rule"] == "named_body"}
    names_of: dict[str, set[str]] = {}
    for m in mentions:
        if m["doc_id"] in with_bodies:
            names_of.setdefault(m["doc_id"], set()).add(m["name"])
    return {(doc_id, long): short for doc_id, names in names_of.items()
            for long, short in bodies.located(names).items()}


def with_report_owner(brands: list[dict], organizations: dict[str, str], texts: dict[str, str],
                      cues: dict | None = None) -> list[dict]:
    """Fill in each brand's ``unit_source`` and, where the sentences leave it open, its owner from
    the report's organization (``documents.organization``): a report tells of its own unit's brands
    unless it says otherwise.

    - "sentence": a mention before the brand, in its sentence or its paragraph, names its owner.
    - "report": no mention does, or only a bare type that the organization is of (公司党委 in a
      report about 某某公司, 党支部 alone). The owner is the organization's party body where the
      report prints it (某某公司党委: the body that creates a party-building brand), else the
      organization itself; a bare type with a party body the report never prints for the
      organization stays as printed.
    - "": neither the sentences nor the report name an owner, or the report's organization is the
      brand itself, perhaps with a place before it (a report on 浙江某某空港党建联盟 is about the
      alliance: no brand owns itself).
    """
    is_bare = organization_finder(cues).is_bare
    for brand in brands:
        unit, organization = brand["unit"], organizations.get(brand["doc_id"], "")
        if organization.endswith(brand["name"]):
            organization = ""
        completed = ""
        if organization and not unit:
            completed = _party_body(organization, texts[brand["doc_id"]])
        elif organization and is_bare(unit) and _is_type_of(unit, organization):
            completed = _completed(unit, organization, texts[brand["doc_id"]])
        if completed:
            brand["unit"], brand["unit_source"] = completed, "report"
        else:
            brand["unit_source"] = "sentence" if unit else ""
    return brands


def _completed(bare: str, organization: str, text: str) -> str:
    """The organization's own form of a bare type printed for it (公司党委 → 某某公司党委), or ""."""
    body = _body_of(bare)
    if not body or not _kind_of(bare):
        return _party_body(organization, text)  # 公司 → 某某公司(党委); 党支部 alone → 某某公司(党委)
    form = _kind_of(organization) + body
    return form if form in text else ""


def _body_of(unit: str) -> str:
    return next((body for body in PARTY_BODIES if unit.endswith(body)), "")


def _kind_of(unit: str) -> str:
    """The unit without the party body printed after it (公司党委 → 公司, 党支部 → "")."""
    return unit[:len(unit) - len(_body_of(unit))]


def _is_type_of(bare: str, organization: str) -> bool:
    """Is the bare unit type (公司党委, 中心) the type of ``organization`` (某某公司, 某某中心)?"""
    return _kind_of(organization).endswith(_kind_of(bare))


def _party_body(organization: str, text: str) -> str:
    """The organization's party body where the report prints it (某某公司党委), else the organization."""
    if organization.endswith(PARTY_BODIES):
        return organization
    return next((organization + body for body in PARTY_BODIES if organization + body in text), organization)


PARTY_BODIES = ("党委", "党总支", "党支部", "党工委", "党小组", "总支", "支部")


def expansion_carriers(formulas: list[dict], brands: list[dict], records, cues: dict | None = None) -> list[dict]:
    """Carriers named as the items of a formula's expansion: “一区两队一岗”(党员责任区、党员攻坚队、
    党员服务队、党员先锋岗) sets up four carriers. One row per new name, at its place in the sentence."""
    rules = compiled(cues or load_cues(), "brands", BrandRules)
    known = {(b["doc_id"], b["name"]) for b in brands}
    by_sentence = {r.sent_id: r for r in records}
    rows = []
    for formula in formulas:
        if not formula["expansion"]:
            continue
        row = by_sentence.get(formula["sent_id"])
        if row is None:
            continue
        for item in re.split(r"[、，,]", formula["expansion"]):
            item = item.strip()
            at = row.text.find(item, formula["start"] - row.start)
            if (formula["doc_id"], item) in known or at < 0 or not item.endswith(rules.carrier_heads) \
                    or len(item) > rules.c["max_carrier_chars"]:
                continue
            known.add((formula["doc_id"], item))
            rows.append({"doc_id": formula["doc_id"], "name": item, "kind": "carrier", "unit": "",
                         "pillar": pillar_of(row.lead, row.section), "cue": "formula expansion", "rule": "formula_expansion",
                         "n_mentions": row.text.count(item), "sent_id": row.sent_id,
                         "start": row.start + at, "end": row.start + at + len(item)})
    return rows
