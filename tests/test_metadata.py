"""Metadata: found in the text, with its source and real precision; never invented."""
from __future__ import annotations

import pytest

from dangjian.ingest import organization_finder as names
from dangjian.ingest.cleaning import clean
from dangjian.ingest.metadata import extract_metadata
from dangjian.ingest.organization_finder import organization_finder
from dangjian.ingest.reading import RawReport

BODY = "今年以来,公司党委创建“党员服务站”品牌,推动党建工作与生产经营深度融合,取得明显成效。"

SEED_METADATA = {
    "000_ce110ae9294085c3": ("【两化一创】公司“两化一创”党建品牌创建活动持续深入推进——提素质 聚活力 促生产", "title_line",
                             "2019-11-01", "day", "metadata_line", "罗勇", "byline"),
    "001_57cd1fc90f496598": ("供电公司流动党小组迸发党建大能量", "title_line", "2020-09-17", "day", "metadata_line",
                             "电宣", "byline_parentheses"),
    "002_397705a4c0484a79": ("", "missing", "2020-04-02", "day", "metadata_line", "吾名", "byline_header"),
    "003_b66003c7998dd4ec": ("2022国企党建经验交流:党建铸魂强堡垒,聚焦特色亮品牌", "document_site_blurb",
                             "2022", "year", "title", "", "missing"),
    "004_8632e91d8c1b8053": ("党建领航促发展----准能集团设备维修中心党建工作纪实", "title_line", "2021-09-27", "day",
                             "metadata_line", "张国臣", "byline_parentheses"),
}
FIELDS = ["title", "title_source", "date", "date_precision", "date_source", "author", "author_source"]


def test_seed_metadata(seed_corpus):
    found = {row.doc_id: tuple(getattr(row, f) for f in FIELDS) for row in seed_corpus.documents.itertuples()}
    assert found == SEED_METADATA


def _meta(text: str):
    return extract_metadata(clean(RawReport("t", "t.txt", "", "utf-8", "LF", text)))


@pytest.mark.parametrize(
    "text,date,precision,source",
    [
        ("某公司党建工作纪实\n日期:2019年11月\n" + BODY, "2019-11", "month", "metadata_line"),
        ("某公司党建工作纪实\n发布时间:2021/3/5\n" + BODY, "2021-03-05", "day", "metadata_line"),
        ("某公司党建工作纪实\n" + BODY, "", "", "missing"),
        ("2023年度党建品牌创建工作总结\n" + BODY, "2023", "year", "title"),
        ("某公司党建工作纪实\n发布日期:2024-07浏览量:12次\n" + BODY, "2024-07", "month", "metadata_line"),
        ("某公司:党建工作纪实\n05.03.2021  08:15\n" + BODY, "2021-03-05", "day", "metadata_line"),
        # an e-paper viewer's day of reading, contradicted by the article's own labelled day
        ("电子报\n2030-01-15\n某医院支部入选标杆党支部\n日期:03-02\n" + BODY, "", "", "missing"),
        ("电子报\n2030-03-02\n某医院支部入选标杆党支部\n日期:03-02\n" + BODY, "2030-03-02", "day", "metadata_line"),
    ],
)
def test_date_keeps_its_real_precision(text, date, precision, source):
    meta = _meta(text)
    assert (meta.date, meta.date_precision, meta.date_source) == (date, precision, source)


def test_no_title_no_author_means_empty_not_guessed():
    meta = _meta(BODY + "\n" + BODY)
    assert (meta.title, meta.title_source, meta.author, meta.author_source) == ("", "missing", "", "missing")


def test_empty_author_label_is_not_an_author():
    meta = _meta("某公司党建工作纪实\n作者:来源:阅读次数:日期:2019年11月01日\n" + BODY)
    assert (meta.author, meta.author_source) == ("", "missing")
    assert meta.date == "2019-11-01"


def test_labelled_author_wins_over_closing_byline():
    meta = _meta("某公司党建工作纪实\n作者:王芳 来源:本站\n" + BODY + "\n(李明)")
    assert (meta.author, meta.author_source) == ("王芳", "metadata_line")


@pytest.mark.parametrize("name, kept", [
    ("推进华能山东公司", "华能山东公司"),  # a verb swept in before a proper noun is dropped
    ("带领宝钢集团公司", "宝钢集团公司"),
    ("国网德州供电公司", "国网德州供电公司"),  # 供电 is a verb inside the name: kept
    ("普惠金融服务中心", "普惠金融服务中心"),
])
def test_leading_verb_is_dropped_only_before_a_proper_noun(name, kept):
    assert names.without_leading_verb(name) == kept


@pytest.mark.parametrize("title, place", [
    ("上海加强园区党建工作", "上海"),
    ("浙江湖州以村社联建带动乡村振兴", "湖州"),  # the last place; 以 is read as a preposition
    ("四川成都在基层治理中探索新路", "成都"),
    ("南通市委组织部召开会议", ""),  # no verb or 以 after the place
    ("", ""),
])
def test_headline_place(title, place):
    assert names.leading_place(title) == place


@pytest.mark.parametrize("body, organization", [
    # the headline's full name, printed shorter (without 市) in the text: the shorter form
    (["国网德州供电公司党委书记讲话指出，要创建党建品牌。"], "国网德州供电公司"),
    # not printed shorter: the name as found
    (["公司党委书记讲话指出，要创建党建品牌。"], "国网德州市供电公司"),
    (["德州市供电公司员工、国网德州供电公司党员都参加了活动。"], "国网德州供电公司"),
])
def test_organization_takes_its_shortest_printed_form(body, organization):
    name, source = organization_finder().find("国网德州市供电公司创建“红色电网”党建品牌", body, [])
    assert (name, source) == (organization, "headline")


@pytest.mark.parametrize(
    "head,title",
    [
        # the author unit printed under the headline is a byline
        ("某某油田采油厂作业区:以组织力提升促进党建创新\n某某油田采油厂作业区党总支\n2030年07月31日 来源:某网",
         "某某油田采油厂作业区:以组织力提升促进党建创新"),
        # a headline that names a branch is still a headline
        ("当前报纸名称:某某日报\n入选全省临床科室标杆党支部\n日期:03-02", "入选全省临床科室标杆党支部"),
        ("您好,欢迎进入某某协会官网!\n某某煤矿荣获“先进集体”称号!\n发布时间:2030-05-12", "某某煤矿荣获“先进集体”称号!"),
        ("某某港口“两大赛道”激活基层党建\n(资料图片仅供参考)", "某某港口“两大赛道”激活基层党建"),
        ("张大明 李 强 王 芳\n" + BODY, ""),
    ],
)
def test_headline_is_not_a_byline_caption_or_welcome(head, title):
    assert _meta(head + "\n" + BODY).title == title
