"""Who each report is about and where it stands: the directory, the rules, the ids, the catalog
loop and the grouping that follows. Every sentence here is invented for the test."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

import dangjian
from dangjian.present import groups
from dangjian.ingest.catalog import CATALOG_COLUMNS, CatalogError, read_catalog
from dangjian.ingest.organization_finder import organization_finder
from dangjian.ingest.organizations import (LISTS, RuleFileError, load_directory, load_sector_rules, org_id, org_key, place,
                                    sections)

from conftest import SEEDS, write_report


# ---- the directory and the rule files -----------------------------------------------------------

def test_the_directory_loads_and_every_entry_has_its_fields():
    directory = load_directory()
    assert directory.source and re.fullmatch(r"\d{4}-\d{2}-\d{2}", directory.compiled)
    assert len(directory.groups) >= 120
    for group in directory.groups:
        assert group.short and group.full and group.list in LISTS, group
        assert group.sector in sections(), group
        assert group.prefixes and all(p.strip() for p in group.prefixes), group
    shorts = {g.short for g in directory.groups}
    assert {"国家电网", "南方电网", "中国建筑", "中国交建", "中国中铁", "中国铁建", "国家能源集团", "中国石油", "中国石化",
            "国铁集团", "中国移动"} <= shorts
    assert len([g for g in directory.groups if g.list == "sasac"]) >= 95  # every central enterprise on the list


@pytest.mark.parametrize("entry,reason", [
    ("- {short: 甲, full: 甲集团, list: sasac, sector: D}", "lacks"),
    ("- {short: 甲, full: 甲集团, list: city, sector: D, prefixes: [甲]}", "list must be"),
    ("- {short: 甲, full: 甲集团, list: sasac, sector: Z, prefixes: [甲]}", "not a GB/T 4754 section"),
    ("- {short: 甲, full: 甲集团, list: sasac, sector: D, prefixes: [甲]}\n  - {short: 乙, full: 乙集团, list: sasac, "
     "sector: D, prefixes: [甲]}", "claimed by both"),
    ("- {short: 甲, full: 甲集团, list: sasac, sector: D, prefixes: [甲], patterns: ['(']}", "does not compile"),
])
def test_a_bad_directory_names_the_file_and_the_reason(tmp_path, entry, reason):
    path = tmp_path / "groups.yaml"
    path.write_text(f"source: test\ncompiled: '2026-01-01'\ngroups:\n  {entry}\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match=f"groups.yaml: .*{reason}"):
        load_directory(path)


def test_every_sector_rule_has_a_section_and_a_reason():
    rules = load_sector_rules()
    assert all(rule.section in sections() and rule.reason for rule in rules)
    assert len({rule.keyword for rule in rules}) == len(rules)


# ---- parent group, sector, region ---------------------------------------------------------------

@pytest.mark.parametrize("name,group,sector,region", [
    ("国网慈溪市供电公司", "国家电网", "D", "浙江"),           # prefix; the place in the name
    ("中建三局某某项目部", "中国建筑", "E", ""),
    ("中交一公局某某大桥项目党支部", "中国交建", "E", ""),
    ("中铁十二局某标段项目部", "中国铁建", "E", ""),          # 十一局 and up are 中国铁建's, not 中国中铁's
    ("中铁电气化局", "中国中铁", "E", ""),                    # 局 is weak: the group's business decides
    ("中国铁路西安局集团有限公司宝鸡机务段", "国铁集团", "G", "陕西"),
    ("准能集团某某车间", "国家能源集团", "D", ""),            # a known subsidiary
    ("某某市中级人民法院", "", "S", ""),                     # organs have no group
    ("某某县人民医院", "", "Q", ""),
    ("佛山供电局", "南方电网", "D", "广东"),                 # the grids divide the provinces
    ("甲乙农村商业银行", "甲乙农商银行", "J", ""),            # a local bank heads its own chain
])
def test_placement_from_the_name(name, group, sector, region):
    placed = place(name, "", "")
    assert (placed.parent_group, placed.sector, placed.region) == (group, sector, region)
    assert placed.parent_group_source != "missing" if group else placed.parent_group_source == "missing"
    if sector:
        assert placed.sector_source.startswith(("inferred: ", "directory: "))


@pytest.mark.parametrize("name,text,group,region", [
    # a branch of a group the directory does not list, whose group company the text prints
    ("长河地铁运营分公司", "长河地铁集团有限公司运营分公司是长河地铁集团有限公司人员最多的单位。", "长河地铁集团", ""),
    # a numbered bureau names its group in the text
    ("", "近日,中建八局党建品牌推进会召开,某某项目获得表彰。", "中国建筑", ""),
    # a well-known unit whose name prints no place
    ("大庆油田公司第九采油厂", "", "中国石油", "黑龙江"),
    # ... placed before a place that only names a work area
    ("中国石油辽河油田公司某某采油厂海南作业区", "", "中国石油", "辽宁"),
    # ... or named in the opening of a branch's report, the only place it names
    ("某某研究所党支部", "大港油田公司某某研究所党支部以党建品牌为抓手,推动科研攻关。", "中国石油", "天津"),
])
def test_placement_from_printed_parents_and_known_units(name, text, group, region):
    placed = place(name, "", text)
    assert (placed.parent_group, placed.region) == (group, region)


def test_a_bad_unit_places_file_names_the_file_and_the_reason(tmp_path):
    from dangjian.ingest.organizations import load_unit_places
    path = tmp_path / "unit_places.tsv"
    path.write_text("unit\tprovince\treason\n某油田\t火星\tinvented\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match="unit_places.tsv: line 2: province '火星' is not one of"):
        load_unit_places.__wrapped__(path)
    assert all(reason for _, reason in load_unit_places().values())


def test_placement_from_the_text_names_its_phrase():
    text = ("今年以来,某某煤矿党委认真落实山东能源集团党建工作部署。煤矿地处山东省某某市,"
            "山东能源集团党委对此给予肯定。")
    placed = place("某某煤矿", "", text)
    assert placed.parent_group == "山东能源集团" and placed.parent_group_source == "text: 山东能源集团"
    assert placed.sector == "B" and placed.region == "山东"


def test_a_group_named_once_among_others_is_not_the_parent():
    text = "某某公司党委组织党员学习。中国石油和中国石化的同志前来交流。"
    assert place("某某公司", "", text).parent_group == ""


def test_a_head_office_sits_in_no_province():
    text = "国家电网公司党组在四川成都召开会议,四川、成都两地的代表参加。"
    assert place("国家电网公司", "", text).region == ""


# ---- which organization ---------------------------------------------------------------------------

@pytest.mark.parametrize("title,body,expected", [
    # a clause that ends in 局 is no organization; the unit in the first sentence is
    ("坚持高质量发展新格局", "某某县供电公司党委坚持以党建引领发展,开展多项活动,取得了较好的成效。" * 2, "某某县供电公司"),
    # the body that awards is not the unit the report is about
    ("某某煤矿:党建引领谱新篇", "某某煤矿党委被某某能源集团评为先进基层党组织,党员干劲十足,活动丰富多彩。", "某某煤矿"),
    # a bare place opening the headline is its administration as printed, or nothing
    ("甲乙以村企联建破解发展瓶颈", "甲乙市地处平原,近年来甲乙市坚持示范带动,村企联建成效明显,群众得到实惠。", ""),
    # a bare unit type is not an organization
    ("省公司党建工作纪实", "省公司党委以党建引领发展,各单位积极响应,开展活动多次,效果良好。", ""),
    # the body that hosts a contest is not the unit the report is about; a name cut at a quotation is none
    ("", "近日,某某工程局2030年“五型”红旗党支部评选决赛在某市举办。某某项目获得“强履约”型红旗示范党支部优秀奖。", ""),
    # the unit the report defines a short name for
    ("", "地铁建设事关民生。长河地铁集团有限公司运营分公司(以下简称长河地铁运营分公司)担负起运营管理的使命,"
         "长河地铁集团有限公司给予支持。", "长河地铁运营分公司"),
])
def test_organization_is_a_unit_s_name_or_empty(title, body, expected):
    name, _ = organization_finder().find(title, [body], [])
    assert name == expected


def test_a_branch_named_after_its_group_s_opening_is_the_subject():
    body = ["2030年,大庆油田公司发展进入新阶段,开启了转型升级高质量发展的新征程。",
            "大庆油田公司勘探开发研究院地质研究所党支部以“红色引擎”品牌为抓手,推动党建与科研深度融合。"]
    assert organization_finder().find("", body, [])[0].endswith("勘探开发研究院地质研究所党支部")


def test_an_opening_that_names_a_sub_unit_of_the_headline_s_unit_is_the_subject():
    title = "东岭煤矿掘进一线党旗红"
    body = ["东岭煤矿掘进二队党支部持续推动党建与生产深度融合,走出了一条强基兴队之路,获评先进。"]
    assert organization_finder().find(title, body, []) == ("东岭煤矿掘进二队党支部", "first_sentence")
    # a subject that is another unit, not one inside the headline's, leaves the headline's unit
    body = ["西山煤业公司党委持续推动党建与生产深度融合,东岭煤矿走出了一条强基兴矿之路,获评先进。"]
    assert organization_finder().find(title, body, [])[0] == "东岭煤矿"


def test_a_name_cut_at_its_start_becomes_the_full_printed_name():
    body = ["石河子市人民医院党委书记介绍,市人民医院以党建引领医院发展,开展了多项服务活动。",
            "市人民医院党委组织党员志愿服务,获得群众好评,石河子市人民医院党建品牌影响力提升。"]
    assert organization_finder().find("", body, [])[0] == "石河子市人民医院"


def test_a_place_name_with_a_function_character_stays_in_the_name():
    body = ["成都海关以探索责任清单为抓手,构建党建工作新机制,推动党建与业务深度融合,效果明显。"]
    assert organization_finder().find("", body, [])[0] == "成都海关"


# ---- one organization, one id ---------------------------------------------------------------------

def test_printed_variants_of_one_unit_merge():
    keys = {org_key("国网慈溪市供电公司", "国家电网"), org_key("慈溪供电公司", ""), org_key("慈溪市供电公司党委", "")}
    assert keys == {"慈溪供电公司"}
    assert org_key("國網慈溪市供電公司", "国家电网") == "慈溪供电公司"  # traditional script too


def test_generic_names_keep_their_group_so_two_groups_units_do_not_merge():
    assert org_key("江西公司", "国家能源集团") != org_key("江西公司", "中国移动")
    assert org_key("某某煤矿", "甲集团") == org_key("某某煤矿", "")  # a proper name needs no group
    assert org_id("") == "" and org_id("慈溪供电公司").startswith("org-")


def _batch(folder, texts: dict[str, str]):
    for name, text in texts.items():
        write_report(folder, name, text)


CIXI = {
    "a.txt": "国网慈溪市供电公司打造党建品牌\n国网慈溪市供电公司党委创建“红色电力”党建品牌,开展服务活动12次。\n",
    "b.txt": "慈溪供电公司:党员服务队走进社区\n慈溪供电公司党委组建党员服务队,服务群众300余户。\n",
    "c.txt": "慈溪市供电公司党委开展主题党日\n慈溪市供电公司党委组织党员学习,参加党员80名。\n",
}


def test_reports_of_one_unit_share_an_org_id_and_the_catalog_splits_them(tmp_path):
    _batch(tmp_path, CIXI)
    with pytest.warns(dangjian.corpus.CatalogWarning):
        corpus = dangjian.build_corpus(tmp_path)
    ids = corpus.documents.set_index("doc_id")["org_id"]
    assert ids["a"] == ids["b"] == ids["c"] != ""
    (row,) = corpus.organizations.itertuples()
    assert row.n_reports == 3 and row.merged_by == "same key: 慈溪供电公司" and "国网慈溪市供电公司" in row.forms
    assert row.parent_group == "国家电网" and row.sector == "D" and row.region == "浙江"
    # a checked row with its own id splits c off; an id shared by two checked rows joins them
    pd.DataFrame([{"file": "c.txt", "status": "checked", "org_id": "cixi-other"}],
                 columns=CATALOG_COLUMNS).to_csv(tmp_path / "catalog.csv", index=False)
    with pytest.warns(dangjian.corpus.CatalogWarning):
        split = dangjian.build_corpus(tmp_path)
    assert set(split.organizations["org_id"]) == {ids["a"], "cixi-other"}
    assert split.documents.set_index("doc_id").at["c", "org_id"] == "cixi-other"


# ---- the catalog loop --------------------------------------------------------------------------

def _catalog(folder):
    return subprocess.run([sys.executable, "-m", "dangjian.cli", "catalog", str(folder)], capture_output=True,
                          text=True)


def test_catalog_round_trip_keeps_checked_rows(tmp_path):
    _batch(tmp_path, dict(list(CIXI.items())[:2]))
    run = _catalog(tmp_path)
    assert run.returncode == 0, run.stderr
    assert "2 report(s) added" in run.stdout
    catalog = read_catalog(tmp_path)
    assert list(catalog["status"]) == ["inferred", "inferred"]
    assert catalog.set_index("file").at["a.txt", "parent_group_source"].startswith("directory: 国网")
    # the analyst corrects a row and checks it, and adds a column of their own
    catalog.loc[catalog["file"] == "a.txt", ["status", "region", "region_source"]] = ["checked", "浙江", "checked by hand"]
    catalog["my_note"] = ["keep me", ""]
    catalog.to_csv(tmp_path / "catalog.csv", index=False, encoding="utf-8-sig")
    checked_before = catalog[catalog["file"] == "a.txt"].reset_index(drop=True)
    _batch(tmp_path, {"c.txt": CIXI["c.txt"]})
    run = _catalog(tmp_path)
    assert run.returncode == 0, run.stderr
    assert "1 report(s) added, 1 inferred row(s) refreshed, 1 checked row(s) kept" in run.stdout
    after = read_catalog(tmp_path)
    assert list(after["file"]) == ["a.txt", "b.txt", "c.txt"]
    pd.testing.assert_frame_equal(after[after["file"] == "a.txt"].reset_index(drop=True)[checked_before.columns],
                                  checked_before)
    assert after.set_index("file").at["a.txt", "my_note"] == "keep me"
    # the build takes the checked value and says so
    corpus = dangjian.build_corpus(tmp_path)
    docs = corpus.documents.set_index("doc_id")
    assert docs.at["a", "region_source"] == "catalog" and docs.at["b", "region_source"] != "catalog"


def test_an_unchecked_edit_is_not_used_and_the_build_says_so(tmp_path):
    _batch(tmp_path, dict(list(CIXI.items())[:1]))
    assert _catalog(tmp_path).returncode == 0
    catalog = read_catalog(tmp_path)
    catalog["region"] = "江苏"
    catalog.to_csv(tmp_path / "catalog.csv", index=False)
    with pytest.warns(dangjian.corpus.CatalogWarning, match="status inferred.*a.txt \\(region\\)"):
        corpus = dangjian.build_corpus(tmp_path)
    assert corpus.documents.at[0, "region"] == "浙江"


def test_a_bad_catalog_names_the_file_the_row_and_the_reason(tmp_path):
    shutil.copy(SEEDS / "000_ce110ae9294085c3.txt", tmp_path)
    (tmp_path / "catalog.csv").write_text("file,status,sector\n000_ce110ae9294085c3.txt,checked,construction\n",
                                          encoding="utf-8")
    with pytest.raises(CatalogError, match="catalog.csv, line 2 .*sector 'construction' is not a GB/T 4754"):
        read_catalog(tmp_path)
    (tmp_path / "catalog.csv").write_text("file,status\n000_ce110ae9294085c3.txt,maybe\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="status 'maybe'"):
        read_catalog(tmp_path)


# ---- grouping where reports meet -----------------------------------------------------------------

def _documents(rows):
    columns = ["doc_id", "org_id", "org_label", "organization", "parent_group", "sector", "region", "date", "n_chars",
               "n_sentences"]
    return pd.DataFrame(rows, columns=columns).astype({"n_chars": "Int64", "n_sentences": "Int64"})


def test_a_batch_of_singletons_is_grouped_coarser_than_organization():
    rows = [(f"d{i:02d}", f"org-{i:02d}", "", f"单位{i:02d}公司", ["国家电网", "中国建筑", ""][i % 3],
             ["D", "E", "S"][i % 3], "", "", 100, 5) for i in range(30)]
    grouping = groups.group_reports(_documents(rows), groups.AUTO, top=12)
    assert grouping.by in ("parent_group", "sector") and grouping.by != "organization"
    pooled = int((grouping.table["shown"] == groups.OTHER).sum())
    assert pooled < len(rows) / 2
    text = groups.describe(grouping)
    assert "chosen for this batch because" in text and "--group-by organization" in text


def test_a_small_batch_is_grouped_by_organization_and_merged_ids_are_one_group():
    rows = [("a", "org-1", "", "甲公司", "", "D", "", "", 10, 1), ("b", "org-1", "", "甲公司党委", "", "D", "", "", 10, 1),
            ("c", "org-2", "", "乙公司", "", "E", "", "", 10, 1)]
    grouping = groups.group_reports(_documents(rows), groups.AUTO, top=12)
    assert grouping.by == "organization" and grouping.of() == {"a": "甲公司", "b": "甲公司", "c": "乙公司"}
    assert groups.group_values(_documents(rows), "sector").to_dict() == {"a": "D Utilities", "b": "D Utilities",
                                                                        "c": "E Construction"}


def test_the_gazetteer_loads_without_setuptools_pkg_resources():
    """cpca opens its data through pkg_resources, which setuptools 81 removed: the stand-in must do."""
    code = ("import sys; sys.modules['pkg_resources'] = None\n"
            "from dangjian.ingest.organizations import places_in, province_of_name\n"
            "assert places_in('浙江宁波') == [('浙江', '浙江'), ('浙江', '宁波')], places_in('浙江宁波')\n"
            "assert province_of_name('国网慈溪市供电公司') == '浙江'\n"
            "assert sys.modules['pkg_resources'] is None\n")
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
