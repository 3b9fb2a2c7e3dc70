"""Where a report's organization stands, and one id per organization across a batch.

For each report, from its organization (``documents.organization``), headline and opening text:

- ``parent_group``: the enterprise group at the top of the unit's ownership chain, in its usual
  short name, from the shipped directory of groups (``data/enterprise_groups.yaml``);
- ``sector``: the GB/T 4754-2017 section letter of the unit's own main business, from the type of
  unit its name ends in (``data/sector_rules.tsv``), else its group's main business;
- ``region``: the province-level division where the unit sits, from the place names in its name,
  headline or text, through cpca's administrative-division gazetteer.

Each value comes with a ``<field>_source``: ``text: <phrase>`` (the phrase is printed in the
report), ``directory: <entry>``, ``catalog`` (set in the build from a checked catalog row) or
``inferred: <why>``. A value that cannot be found is empty, with source ``missing``.

``org_key`` turns a printed name into a merge key by stated rules, so that 国网慈溪市供电公司,
慈溪供电公司 and 慈溪市供电公司党委 are one organization (``org_id``); the ``organizations`` table
gathers a batch's reports per id.
"""
from __future__ import annotations

import csv
import hashlib
import importlib.resources
import re
import sys
import types
import warnings
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

import yaml

from .cleaning import to_simplified
from ..config import DATA_DIR
from ..rules import RuleFileError, read_yaml, read_rule_table

DIRECTORY_FILE = DATA_DIR / "enterprise_groups.yaml"
SECTOR_RULES_FILE = DATA_DIR / "sector_rules.tsv"
UNIT_PLACES_FILE = DATA_DIR / "unit_places.tsv"
SECTIONS_FILE = DATA_DIR / "gbt4754_sections.tsv"
LISTS = ("sasac", "central-finance", "central-other", "provincial")
MISSING = "missing"
# Sections whose units belong to no enterprise group: party and government organs, social
# organisations, schools, hospitals, nature reserves (the guide's rule for parent_group).
NO_GROUP_SECTIONS = frozenset("SPQN")
# Party bodies printed after a unit's name; dropped before the unit's type is read or its key made.
PARTY_SUFFIXES = ("机关党委", "机关党总支", "机关党支部", "党支部委员会", "党委员会", "党总支", "党支部", "党小组", "党工委",
                  "党委", "党组")
# A unit that names itself as its group: a group company, or a company or local bank at the top of
# its own chain (a branch says so: 分公司, 分行, 支行).
SELF_TOP = re.compile(r"(?:集团|集团公司|集团有限公司|集团有限责任公司|有限公司|有限责任公司|农商银行|农村商业银行)$")
NOT_TOP = re.compile("分公司|子公司|分行|支行|分局|项目")
# After its place, a name that is only one of these says no more than "a company of some group".
GENERIC_TYPES = frozenset({"公司", "分公司", "子公司", "分行", "支行", "局", "分局", "集团", "集团公司", "中心", "机关",
                           "电力", "电力公司", "省公司", "市公司", "县公司"})
TEXT_MENTION_MIN_CHARS = 3  # shorter prefixes (国网, 中建) count in text only at the start of a unit's name
SHORT_PREFIX_FOLLOWERS = ("集团", "公司", "系统", "所属", "旗下")
_HAN = re.compile("[\u4e00-\u9fff]")
# After a short prefix, a numbered bureau names one of the group's units (中建八局, 中交一公局, 中铁十局).
_NUMBERED_BUREAU = re.compile("[一二三四五六七八九十]+(?:局|公局|航局)")
PLACEMENT_SCAN_CHARS = 1_500  # the opening a report's groups and places are read from
REGION_SCAN_CHARS = 1_500  # the opening whose provinces and cities decide a region the name does not give
REGION_MIN_MENTIONS = 2  # places named in the text that make its region, when its name and headline name none


@dataclass(frozen=True)
class Group:
    short: str
    full: str
    list: str
    sector: str
    prefixes: tuple[str, ...]
    units: tuple[str, ...]
    patterns: tuple[re.Pattern, ...]
    unit_types: tuple[str, ...] = ()
    territory: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectorRule:
    keyword: str
    section: str
    strong: bool
    reason: str


@lru_cache(maxsize=None)
def sections(path: Path = SECTIONS_FILE) -> dict[str, tuple[str, str, str]]:
    """GB/T 4754-2017 section letter → (Chinese name, English name, short English label)."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    if not rows or set(rows[0]) != {"section", "name_zh", "name_en", "short_en"}:
        raise RuleFileError(path, "needs the columns section, name_zh, name_en, short_en")
    table = {row["section"]: (row["name_zh"], row["name_en"], row["short_en"]) for row in rows}
    if any(not re.fullmatch("[A-T]", letter) for letter in table):
        raise RuleFileError(path, "a section is not one letter A–T")
    return table


def section_name(letter: str) -> str:
    """``D`` → ``D 电力、热力、燃气及水生产和供应业 (Electricity, heat, …)``; "" for no section."""
    if not letter:
        return ""
    zh, en, _ = sections().get(letter, ("", "", ""))
    return f"{letter} {zh} ({en})" if zh else letter


def section_label(letter: str) -> str:
    """``D`` → ``D Utilities``: a short label for charts and group names."""
    return f"{letter} {sections()[letter][2]}" if letter in sections() else letter


class Directory:
    """The enterprise groups of a directory file, matched against unit names and text."""

    def __init__(self, path: Path, source: str, compiled: str, groups: list[Group]):
        self.path, self.source, self.compiled, self.groups = path, source, compiled, groups
        self.by_short = {g.short: g for g in groups}
        # the patterns that may match inside running text (those anchored with ^ match names only)
        self._text_patterns = [(g, p) for g in groups for p in g.patterns if not p.pattern.startswith("^")]
        self.head_offices = frozenset(name for g in groups for name in (
            g.short, _without_company_form(g.full), *g.prefixes))
        self._names: dict[str, Group] = {}
        for group in groups:
            for name in (*group.prefixes, *group.units):
                owner = self._names.setdefault(to_simplified(name), group)
                if owner is not group:
                    raise RuleFileError(path, f"{name!r} is claimed by both {owner.short} and {group.short}")
        ordered = sorted(self._names, key=len, reverse=True)
        self._at_start = re.compile("|".join(map(re.escape, ordered)))
        # In running text a short prefix (国网, 枣矿) counts only where it starts a unit's name: before a
        # place (国网德州…) or a company word (枣矿集团); a longer name counts anywhere.
        self._mention_owner = {to_simplified(n): g for g in groups for n in (g.short, g.full, *g.prefixes, *g.units)}
        # an Aho-Corasick automaton finds every name in one pass over the text; a regex alternation of
        # a thousand names tries each of them at every character
        self._automaton_names = list(self._mention_owner)
        self._automaton = _automaton(self._automaton_names, overlapping=False)

    def _names_in(self, text: str):
        """(start, end, name) of the directory's names in ``text``, leftmost first and, where names
        overlap, the longest (as a regex alternation, longest first, would find them)."""
        names = self._automaton_names
        return [(start, end, names[k]) for k, start, end in self._automaton.find_matches_as_indexes(text)]

    def of_name(self, name: str) -> tuple[Group, str] | None:
        """The group whose prefix or subsidiary a unit's name starts with, and what it printed;
        else the first group whose pattern matches the name."""
        name = re.sub("^中共", "", to_simplified(name))
        if m := self._at_start.match(name):
            return self._names[m.group(0)], m.group(0)
        for group in self.groups:
            for pattern in group.patterns:
                if m := pattern.search(name):
                    return group, m.group(0)
        return None

    def by_territory(self, name: str, province: str) -> Group | None:
        """The group whose territory holds ``province`` and whose unit types ``name`` ends in (a
        供电局 in 广东 is 南方电网's, a 供电公司 in 山东 国家电网's)."""
        for group in self.groups:
            if province in group.territory and name.endswith(group.unit_types):
                return group
        return None

    def mentions(self, text: str, headline: bool = False) -> tuple[Counter, dict[str, str]]:
        """(group short name → count) of the groups a text names, and (group → the first phrase
        naming it); overlapping names count once, the longest. In a headline a short prefix also
        counts where it stands as a word, before a space or a mark (新山能 新聚力)."""
        counts: Counter = Counter()
        first: dict[str, str] = {}
        for _, end, name in self._names_in(text):  # text in simplified script, as the documents table holds it
            as_word = headline and (end == len(text) or not _HAN.match(text[end]))
            if len(name) < TEXT_MENTION_MIN_CHARS and not as_word and not (
                    text.startswith(SHORT_PREFIX_FOLLOWERS, end) or _NUMBERED_BUREAU.match(text, end)
                    or province_of_name(text[end:end + 3])):
                continue
            group = self._mention_owner[name]
            counts[group.short] += 1
            first.setdefault(group.short, name)
        for group, pattern in self._text_patterns:
            for m in pattern.finditer(text):
                counts[group.short] += 1
                first.setdefault(group.short, m.group(0))
        return counts, first


def _string_list(path: Path, entry: dict, key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleFileError(path, f"{entry.get('short', '?')}: {key} must be a list of names")
    return tuple(value)


@lru_cache(maxsize=None)
def load_directory(path: Path = DIRECTORY_FILE) -> Directory:
    """The enterprise-group directory, validated: every entry has a short and full name, a list,
    a GB/T 4754 section and at least one prefix; a prefix belongs to one group only; patterns compile."""
    try:
        data = read_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        raise RuleFileError(path, f"cannot be read ({exc})") from exc
    if not isinstance(data, dict) or not {"source", "compiled", "groups"} <= set(data):
        raise RuleFileError(path, "needs the keys source, compiled and groups")
    groups, seen = [], set()
    for entry in data["groups"]:
        if not isinstance(entry, dict):
            raise RuleFileError(path, f"an entry is not a mapping: {entry!r}")
        missing = {"short", "full", "list", "sector", "prefixes"} - set(entry)
        if missing:
            raise RuleFileError(path, f"{entry.get('short', entry)}: lacks {sorted(missing)}")
        if entry["short"] in seen:
            raise RuleFileError(path, f"{entry['short']}: listed twice")
        seen.add(entry["short"])
        if entry["list"] not in LISTS:
            raise RuleFileError(path, f"{entry['short']}: list must be one of {LISTS}")
        if entry["sector"] not in sections():
            raise RuleFileError(path, f"{entry['short']}: sector {entry['sector']!r} is not a GB/T 4754 section")
        prefixes = _string_list(path, entry, "prefixes")
        if not prefixes:
            raise RuleFileError(path, f"{entry['short']}: needs at least one prefix")
        try:
            patterns = tuple(re.compile(p) for p in _string_list(path, entry, "patterns"))
        except re.error as exc:
            raise RuleFileError(path, f"{entry['short']}: a pattern does not compile ({exc})") from exc
        territory = _string_list(path, entry, "territory")
        if bool(territory) != bool(entry.get("unit_types")):
            raise RuleFileError(path, f"{entry['short']}: unit_types and territory go together")
        groups.append(Group(entry["short"], entry["full"], entry["list"], entry["sector"], prefixes,
                            _string_list(path, entry, "units"), patterns, _string_list(path, entry, "unit_types"),
                            territory))
    return Directory(Path(path), str(data["source"]), str(data["compiled"]), groups)


@lru_cache(maxsize=None)
def load_sector_rules(path: Path = SECTOR_RULES_FILE) -> tuple[SectorRule, ...]:
    """The unit-type rules of the sector, validated: a keyword, a section, strong or weak, a reason."""
    rows = read_rule_table(path, ("keyword", "section", "strength", "reason"), key="keyword",
                           choices={"section": frozenset(sections()), "strength": frozenset({"strong", "weak"})})
    return tuple(SectorRule(row["keyword"], row["section"], row["strength"] == "strong", row["reason"]) for row in rows)


# ---- places -------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def load_unit_places(path: Path = UNIT_PLACES_FILE) -> dict[str, tuple[str, str]]:
    """Well-known units whose names print no place (大港油田, 南钢): unit → (province, reason)."""
    provinces = frozenset(province_short(a.name) for a in _cpca().ad_2_addr_dict.values() if a.rank == a.RANK_PROVINCE)
    rows = read_rule_table(path, ("unit", "province", "reason"), key="unit", choices={"province": provinces})
    return {row["unit"]: (row["province"], row["reason"]) for row in rows}


@lru_cache(maxsize=1)
def _unit_places_automaton():
    names = list(load_unit_places())
    return _automaton(names, overlapping=False), names


def known_units_in(text: str) -> list[tuple[str, str]]:
    """(province, unit as printed) for each well-known unit of ``unit_places.tsv`` the text names,
    leftmost first and, where names overlap, the longest."""
    places = load_unit_places()
    automaton, names = _unit_places_automaton()
    return [(places[names[k]][0], names[k]) for k, _, _ in automaton.find_matches_as_indexes(text)]

@lru_cache(maxsize=1)
def _cpca():
    """cpca, imported once.

    cpca opens its gazetteer with ``pkg_resources.resource_stream``, the only thing it takes from
    setuptools' pkg_resources: a module that setuptools 81 removed, that warns it is deprecated,
    and whose import cost a tenth of a second of every build's start. Unless the process has
    already imported it, cpca is handed a stand-in with that one function, built on the standard
    library's ``importlib.resources``, for the length of its import only.
    """
    had, previous = "pkg_resources" in sys.modules, sys.modules.get("pkg_resources")
    if previous is None:
        stand_in = types.ModuleType("pkg_resources")
        stand_in.resource_stream = lambda package, name: importlib.resources.files(package).joinpath(name).open("rb")
        sys.modules["pkg_resources"] = stand_in
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import cpca
    finally:
        if previous is None:
            sys.modules.pop("pkg_resources")
            if had:
                sys.modules["pkg_resources"] = previous
    return cpca


def place_words_holding(chars: str) -> frozenset[str]:
    """The gazetteer's place names (full and short: 成都市, 成都) that hold one of ``chars``."""
    cpca = _cpca()
    wanted, names = frozenset(chars), set()
    for address in cpca.ad_2_addr_dict.values():
        if wanted.isdisjoint(address.name):
            continue  # the short form is part of the full name: it holds none either
        for name in (address.name, _LEVEL_SUFFIX.sub("", address.name)):
            if len(name) >= 2 and not wanted.isdisjoint(name):
                names.add(name)
    return frozenset(names)


_LEVEL_SUFFIX = re.compile("(?:市|省|特别行政区|自治区)$")


def province_short(name: str) -> str:
    """湖南省 → 湖南, 广西壮族自治区 → 广西, 内蒙古自治区 → 内蒙古, 上海市 → 上海."""
    return name[:3] if name.startswith(("内蒙古", "黑龙江")) else name[:2]


def places_in(text: str, counties: bool = True) -> list[tuple[str, str]]:
    """(province short name, place as printed) for each place name cpca's gazetteer finds in
    ``text``, in order, the longest where names overlap (a name of several places, 浙江宁波, counts
    each). Without ``counties``, only provinces and cities are looked for."""
    if not text:
        return []
    automaton, names, provinces = _place_automaton(counties)
    # every match, overlapping ones too, by where it ends and, ending at one place, the longest first
    hits = sorted(automaton.find_matches_as_indexes(text, overlapping=True), key=itemgetter(2, 1))
    found, at = [], 0
    for k, start, stop in hits:
        name, province, end = names[k], provinces[k], stop - 1
        if found and start < at:
            if start == found[-1][2] and len(name) > len(found[-1][1]):
                found[-1] = (province, name, start)  # the full name after its short form
                at = end + 1
            continue
        found.append((province, name, start))
        at = end + 1
    return [(province, name) for province, name, _ in found if province]


@lru_cache(maxsize=2)
def _place_automaton(counties: bool):
    """An Aho-Corasick automaton of the gazetteer's place names of two characters or more (full and
    short forms: 浙江省, 浙江), each with its province's short name; a name two places share keeps
    the first, as cpca does."""
    cpca = _cpca()
    province_of: dict[str, str] = {}
    for code, address in cpca.ad_2_addr_dict.items():
        if address.rank == address.RANK_COUNTY and not counties:
            continue
        province = province_short(cpca.adcode_name(code[:2]) or "")
        for name in (address.name, re.sub("(?:市|省|特别行政区|自治区)$", "", address.name)):
            if len(name) >= 2:  # the gazetteer lists 重庆's 县 as a place
                province_of.setdefault(name, province)
    names = list(province_of)
    return _automaton(names, overlapping=True), names, [province_of[name] for name in names]


def _automaton(names: list[str], overlapping: bool):
    """An Aho-Corasick automaton of ``names`` (ahocorasick-rs, which reads a report's opening ten
    times faster than pyahocorasick): every match when ``overlapping``, else the leftmost and, of
    the names starting there, the longest."""
    import ahocorasick_rs

    kind = ahocorasick_rs.MatchKind.Standard if overlapping else ahocorasick_rs.MatchKind.LeftmostLongest
    return ahocorasick_rs.AhoCorasick(names, matchkind=kind)


@lru_cache(maxsize=8192)
def _county_province(county: str) -> str:
    """The province of a county or district printed exactly so (丰台区), or ""."""
    found = [p for p, printed in places_in(county) if printed == county]
    return found[0] if found else ""


@lru_cache(maxsize=8192)
def parse_place(name: str) -> tuple[str, str]:
    """(province short name, the rest of the name after its places) of a unit's name:
    国网慈溪市供电公司 → (浙江, 供电公司), 江西公司 → (江西, 公司); ("", name) when it names no place."""
    cpca = _cpca()
    province, end = "", 0
    for match in cpca.matcher.iter(name):
        address = match.get_match_addr(None)
        if not address or len(match.origin_value) < 2:  # the gazetteer lists 重庆's 县 as a place
            continue
        province = province or province_short(cpca.adcode_name(address.adcode[:2]) or "")
        end = match.end_index + 1
    return (province, name[end:]) if province else ("", name)


def province_of_name(name: str) -> str:
    """The province a unit's name places it in (国网慈溪市供电公司 → 浙江), or ""."""
    return parse_place(name)[0]


# ---- one report -------------------------------------------------------------------------------

def core_name(name: str) -> str:
    """A unit's name without the party body printed after it (慈溪市供电公司党委 → 慈溪市供电公司)."""
    name = to_simplified(name or "").strip()
    changed = True
    while changed:
        changed = False
        for suffix in PARTY_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                name, changed = name[:-len(suffix)], True
                break
    return name


@lru_cache(maxsize=8192)
def sector_hit(name: str) -> SectorRule | None:
    """The sector rule of the unit type a name ends in: the keyword that ends last, the longest of those."""
    best = None
    for rule in load_sector_rules():
        at = name.rfind(rule.keyword)
        if at < 0:
            continue
        key = (at + len(rule.keyword), len(rule.keyword))
        if best is None or key > best[0]:
            best = (key, rule)
    return best[1] if best else None


@dataclass(frozen=True)
class Placement:
    parent_group: str = ""
    parent_group_source: str = MISSING
    sector: str = ""
    sector_source: str = MISSING
    region: str = ""
    region_source: str = MISSING


def _without_company_form(name: str) -> str:
    return re.sub("(?:股份有限公司|有限责任公司|有限公司|集团公司|公司|集团)$", "", name)


def is_head_office(name: str) -> bool:
    """Is ``name`` a group of the directory itself (国家电网公司, 中国中铁), which sits in no one province?"""
    heads = load_directory().head_offices
    return bool(name) and (name in heads or _without_company_form(name) in heads)


def place(organization: str, title: str, text: str) -> Placement:
    """Parent group, sector and region of a report's organization, each with its source."""
    directory = load_directory()
    core = core_name(organization)
    by_name = directory.of_name(core) if core else None
    hit = sector_hit(core) if core else None

    group, group_source = "", MISSING
    if by_name:
        group, group_source = by_name[0].short, f"directory: {by_name[1]} → {by_name[0].short}"
    elif not (hit and hit.section in NO_GROUP_SECTIONS):
        window = f"{title}\n{text[:PLACEMENT_SCAN_CHARS]}"
        counts, first = directory.mentions(window)
        in_title, first_in_title = directory.mentions(title, headline=True) if title else (Counter(), {})
        counts.update({g: n for g, n in in_title.items() if g not in counts})
        first = {**first_in_title, **first}
        if counts:
            # the group named most (a headline mention weighs three); named once, only when it is the
            # only group the text names
            best, n = max(counts.items(), key=lambda item: (item[1] + 2 * in_title.get(item[0], 0), item[0]))
            if n >= 2 or in_title.get(best) or len(counts) == 1:
                group, group_source = best, f"text: {first.get(best, best)}"
        province = province_of_name(core)
        if not group and core and province and (owner := directory.by_territory(core, province)):
            group = owner.short
            group_source = f"inferred: a {core[-3:]} in {province} belongs to {owner.short} (the grids divide the provinces)"
        if not group and core and (parent := _printed_parent(core, window)):
            group, group_source = parent
        if not group and core and SELF_TOP.search(core) and not NOT_TOP.search(core):
            group = re.sub("农村商业银行$", "农商银行", re.sub("(?:股份有限公司|有限责任公司|有限公司)$", "", core)) or core
            group_source = "inferred: the unit is a company or group at the top of its own chain"

    sector, sector_source = "", MISSING
    known = directory.by_short.get(group)
    if hit and (hit.strong or not known):
        sector, sector_source = hit.section, f"inferred: {hit.keyword} → {hit.section} ({hit.reason})"
    elif known:
        sector, sector_source = known.sector, f"directory: {known.short} (main business {known.sector})"

    region, region_source = find_region(organization, core, title, text, directory.by_short.get(group))
    return Placement(group, group_source, sector, sector_source, region, region_source)


PARENT_MIN_SHARED_CHARS = 3  # a parent printed in the text shares at least this much of the unit's name


def _printed_parent(core: str, window: str) -> tuple[str, str] | None:
    """(group, source) when the text prints a group company whose name the unit's name begins with
    (沈阳地铁运营分公司 under 沈阳地铁集团有限公司): a branch or subsidiary of a group the directory does
    not list."""
    if not NOT_TOP.search(core):
        return None
    for k in range(len(core) - 1, PARENT_MIN_SHARED_CHARS - 1, -1):
        if m := re.search(f"{re.escape(core[:k])}(?:集团|控股集团)(?:股份有限公司|有限责任公司|有限公司|公司)?", window):
            return core[:k] + "集团", f"text: {m.group(0)}"
    return None


def find_region(organization: str, core: str, title: str, text: str, group: Group | None) -> tuple[str, str]:
    """The province of a unit and its source, from (in order) the places in its name, a county or
    district its name opens with (丰台法院), its provincial group, its headline, and the places its
    text names: two or more mentions of one province and more than of any other, or a single
    province printed once in full (山东省). A group's head office sits in no one province."""
    # a well-known unit the name opens with places it, before any place a sub-unit's name prints
    # (某油田公司某采油厂海南作业区: 海南 names the work area, not the province)
    if (found := known_units_in(core)) and not province_of_name(core[:core.index(found[0][1])]):
        return found[0][0], f"directory: {found[0][1]} (in {found[0][0]}, unit_places.tsv)"
    if province := province_of_name(core):
        return province, f"text: {organization}"
    for suffix in ("区", "县"):
        county = core[:2] + suffix
        if len(core) > 3 and (province := _county_province(county)):
            return province, f"inferred: {core[:2]} in the name is {county} of {province}"
    if group and group.list == "provincial" and (province := province_of_name(group.full)):
        return province, f"directory: {group.short} (a {province} provincial group)"
    if title and (found := places_in(title)):
        return found[0][0], f"text: {found[0][1]}"
    if not text or is_head_office(core):
        return "", MISSING
    known = known_units_in(text[:REGION_SCAN_CHARS])
    found = places_in(text[:REGION_SCAN_CHARS], counties=False) + known
    provinces = Counter(province for province, _ in found)
    if not provinces:
        return "", MISSING
    (top, n), *rest = provinces.most_common()
    if n >= REGION_MIN_MENTIONS and all(n > other for _, other in rest):
        return top, f"inferred: {n} of the {sum(provinces.values())} places named in the text lie in {top}"
    printed = found[0][1]
    full = printed if printed.endswith(("省", "市", "自治区")) else None
    if not full and (m := re.search(f"{re.escape(printed)}(?:省|市|自治区)", text)):
        full = m.group(0)
    if len(provinces) == 1 and n == 1 and full:
        return top, f"text: {full}"
    if len(provinces) == 1 and known:
        return top, f"directory: {known[0][1]} (in {top}, unit_places.tsv), the only place the opening names"
    return "", MISSING


# ---- one id per organization -------------------------------------------------------------------

def org_key(organization: str, parent_group: str = "") -> str:
    """The merge key of a printed unit name, by these rules, in order:

    1. converted to simplified script; the party body after the name dropped (…供电公司党委);
    2. a group prefix dropped when a place follows it (国网慈溪市供电公司 → 慈溪市供电公司);
    3. 省 and 市 inside the name dropped (慈溪市供电公司 → 慈溪供电公司);
    4. a name that after its place is only a generic type (江西公司, 湖北分行) keeps its parent
       group in the key, since every group has one.
    """
    core = core_name(organization)
    if not core:
        return ""
    if found := load_directory().of_name(core):
        rest = core.split(found[1], 1)[1] if core.startswith(found[1]) else ""
        if len(rest) >= 4 and province_of_name(rest):
            core = rest
    core = re.sub("(?<=[\u4e00-\u9fff])[省市](?=.)", "", core)
    province, rest = parse_place(core)
    generic = core in GENERIC_TYPES or (bool(province) and rest in GENERIC_TYPES)
    return f"{parent_group}/{core}" if generic and parent_group else core


def org_id(key: str) -> str:
    """A short stable id for a merge key ("" for no key)."""
    return "org-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8] if key else ""


# ---- the organizations table -------------------------------------------------------------------

ORGANIZATION_COLUMNS = ["org_id", "name", "forms", "parent_group", "sector", "sector_name", "region", "n_reports",
                        "doc_ids", "merged_by", "evidence"]
EVIDENCE_MAX_REPORTS = 10  # the evidence of a large organization names its first reports, then how many more


def _most_common(values: list[str]) -> str:
    """The most common non-empty value, ties to the first seen."""
    counts = Counter(v for v in values if v)
    return max(counts, key=lambda v: (counts[v], -values.index(v))) if counts else ""


def organizations_table(rows: list[dict]) -> list[dict]:
    """One row per org_id from per-report rows (doc_id, org_id, organization, organization_source,
    parent_group, parent_group_source, sector, region, catalog_status), in order of first report.

    ``name`` is the form most reports print (ties: the first); ``forms`` every printed form, most
    printed first; parent group, sector and region the most common value among the reports;
    ``merged_by`` says which rule put several reports together; ``evidence`` where each report's
    organization came from."""
    by_id: dict[str, list[dict]] = {}
    for row in rows:
        if row.get("org_id"):
            by_id.setdefault(row["org_id"], []).append(row)
    table = []
    for oid, part in by_id.items():
        names = [r["organization"] or "" for r in part]
        forms = Counter(n for n in names if n)
        from_catalog = any(r.get("catalog_status") == "checked" and r.get("org_id_source") == "catalog" for r in part)
        merged_by = ("one report" if len(part) == 1 else
                     "catalog org_id" if from_catalog else "same key: " + org_key(part[0]["organization"],
                                                                                 part[0]["parent_group"]))
        evidence = [f"{r['doc_id']}: {r['organization']} ({r['organization_source']})"
                    for r in part[:EVIDENCE_MAX_REPORTS]]
        if len(part) > EVIDENCE_MAX_REPORTS:
            evidence.append(f"and {len(part) - EVIDENCE_MAX_REPORTS} more")
        sector = _most_common([r["sector"] or "" for r in part])
        table.append({"org_id": oid, "name": _most_common(names),
                      "forms": " | ".join(sorted(forms, key=lambda f: (-forms[f], names.index(f)))),
                      "parent_group": _most_common([r["parent_group"] or "" for r in part]),
                      "sector": sector, "sector_name": section_name(sector),
                      "region": _most_common([r["region"] or "" for r in part]), "n_reports": len(part),
                      "doc_ids": " ".join(r["doc_id"] for r in part), "merged_by": merged_by,
                      "evidence": "; ".join(evidence)})
    return table
