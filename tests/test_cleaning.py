"""Cleaning: furniture to the removed table with reasons, pinyin stripped, script converted."""
from __future__ import annotations

import pytest

from dangjian.ingest.cleaning import clean, detect_script, fold_whitespace, is_pinyin, strip_pinyin, to_simplified
from dangjian.ingest.reading import RawReport


def _raw(text: str, doc_id: str = "t") -> RawReport:
    return RawReport(doc_id, f"{doc_id}.txt", "0" * 64, "utf-8", "LF", text)


BODY = "今年以来,公司党委创建“党员服务站”品牌,推动党建工作与生产经营深度融合,取得明显成效。"


@pytest.mark.parametrize(
    "line,expected,pieces",
    [
        ("您當(dāng)前的位置", "您當前的位置", ["(dāng)"]),
        ("迸發(fā)黨建大能量", "迸發黨建大能量", ["(fā)"]),
        ("勇挑重?fù)?dān),沖在", "勇挑重,沖在", ["?fù)", "?dān)"]),   # damaged form in seed 001
        ("重?(fù)擔", "重?擔", ["(fù)"]),
        ("全角標（biāo）桿", "全角標桿", ["（biāo）"]),
        ("(张国臣)", "(张国臣)", []),
        ("各级党(总)支部", "各级党(总)支部", []),
        ("Political(讲政治)", "Political(讲政治)", []),
        ("2440项(件)", "2440项(件)", []),
        ("营运(GPS)系统", "营运(GPS)系统", []),
        ("公司(xyz)项目", "公司(xyz)项目", []),      # not a pinyin syllable
        ("效率(kpi)", "效率(kpi)", []),
        ("(dāng)前", "(dāng)前", []),                # not after a Han character
    ],
)
def test_strip_pinyin_keeps_genuine_parentheses(line, expected, pieces):
    stripped, removed = strip_pinyin(line)
    assert stripped == expected
    assert [piece for _, piece in removed] == pieces
    rebuilt = stripped
    for col, piece in removed:
        rebuilt = rebuilt[:col] + piece + rebuilt[col:]
    assert rebuilt == line


@pytest.mark.parametrize("word,ok", [("dāng", True), ("zhuǎn", True), ("lüè", True), ("de", True),
                                     ("xyz", False), ("kpi", False), ("a", False), ("GPS", False)])
def test_is_pinyin(word, ok):
    assert is_pinyin(word) is ok


def test_fold_whitespace():
    assert fold_whitespace("\u3000 提素质\u00a0\u00a0聚活力\t促生产 \u200b") == "提素质 聚活力 促生产"


def test_script_detection():
    simplified = "供电公司流动党小组迸发党建大能量,发挥党员先锋模范作用"
    traditional = "供電公司流動黨小組迸發黨建大能量,發揮黨員先鋒模範作用"
    assert detect_script(simplified, to_simplified(simplified))[0] == "simplified"
    assert detect_script(traditional, to_simplified(traditional))[0] == "traditional"
    mixed = traditional + simplified
    assert detect_script(mixed, to_simplified(mixed))[0] == "mixed"
    assert detect_script("POWER 5S", "POWER 5S")[0] == "none"


def test_furniture_goes_to_removed_with_reasons():
    text = "\n".join([
        "欢迎访问某某集团网站", "党群工作", "当前位置: 首页 -> 党群工作 -> 正文",
        "某公司党委深入推进党建品牌创建", "发布时间:2021-03-05 阅读次数:120",
        BODY, BODY.replace("党员服务站", "先锋领航员"),
        "文/李明", "上一篇:某某新闻", "下一篇:某某新闻", "分享到:",
    ])
    cleaned = clean(_raw(text))
    reasons = {row["text"]: row["reason"] for row in cleaned.removed}
    assert reasons == {
        "欢迎访问某某集团网站": "site welcome line",
        "党群工作": "navigation menu",
        "当前位置: 首页 -> 党群工作 -> 正文": "navigation trail",
        "发布时间:2021-03-05 阅读次数:120": "metadata line",
        "文/李明": "byline",
        "上一篇:某某新闻": "previous/next link",
        "下一篇:某某新闻": "previous/next link",
        "分享到:": "share widget",
    }
    assert [(line.role, line.text) for line in cleaned.lines][0] == ("title", "某公司党委深入推进党建品牌创建")
    assert len(cleaned.lines) == 3


def test_rules_match_traditional_furniture_and_keep_original_text():
    text = "您當(dāng)前的位置:首頁 黨群縱橫\n" + "黨建品牌創建活動持續深入推進,黨員服務站品牌成效明顯,職工群眾滿意。\n(電 宣)"
    cleaned = clean(_raw(text))
    assert [row["reason"] for row in cleaned.removed] == ["navigation trail", "byline"]
    assert cleaned.removed[0]["text"] == "您當(dāng)前的位置:首頁 黨群縱橫"  # the whole line, as it was
    (line,) = cleaned.lines
    assert line.original.startswith("黨建品牌創建活動")
    assert line.text.startswith("党建品牌创建活动")
    assert cleaned.script == "traditional" and cleaned.n_converted > 0


def test_doc_site_blurb_is_removed_anywhere():
    text = "下面是小编为大家整理的国企党建经验交流(精选文档),供大家参考。\n" + BODY
    cleaned = clean(_raw(text))
    assert cleaned.removed[0]["reason"] == "document-site blurb"


def test_short_tail_lines_without_a_rule_are_kept():
    text = BODY + "\n特此通报"
    cleaned = clean(_raw(text))
    assert [line.text for line in cleaned.lines] == [BODY, "特此通报"]
    assert cleaned.removed == []


def test_head_line_before_a_date_is_a_byline_header():
    cleaned = clean(_raw("吾名\n|\n2020-04-02\n|\n" + BODY))
    assert [(r["text"], r["reason"]) for r in cleaned.removed] == [
        ("吾名", "byline header"), ("|", "separator"), ("2020-04-02", "metadata line"), ("|", "separator")]


EXPECTED_SEED_REMOVALS = {
    "000_ce110ae9294085c3": {"navigation menu": 2, "navigation trail": 1, "metadata line": 1, "byline": 1,
                             "previous/next link": 2},
    "001_57cd1fc90f496598": {"navigation trail": 1, "metadata line": 1, "byline": 1, "pinyin annotation": 114},
    "002_397705a4c0484a79": {"byline header": 1, "separator": 2, "metadata line": 1},
    "003_b66003c7998dd4ec": {"document-site blurb": 1},
    "004_8632e91d8c1b8053": {"site welcome line": 1, "navigation menu": 1, "navigation trail": 1,
                             "metadata line": 1, "byline": 1, "share widget": 1},
}


def test_seed_removals_per_reason(seed_corpus):
    counts = seed_corpus.removed.groupby(["doc_id", "reason"]).size()
    found = {doc: counts[doc].to_dict() for doc in counts.index.get_level_values(0).unique()}
    assert found == EXPECTED_SEED_REMOVALS


def test_no_pinyin_or_traditional_left_in_normalised_text(seed_corpus):
    for text in seed_corpus.documents["text"]:
        assert not __import__("re").search(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔù]{1,6}[)）]", text)
        assert to_simplified(text) == text


def test_scripts_of_seeds(seed_corpus):
    scripts = seed_corpus.documents.set_index("doc_id")["script"].to_dict()
    assert scripts == {"000_ce110ae9294085c3": "simplified", "001_57cd1fc90f496598": "traditional",
                       "002_397705a4c0484a79": "traditional", "003_b66003c7998dd4ec": "simplified",
                       "004_8632e91d8c1b8053": "simplified"}


def test_a_trail_introduced_as_where_you_are_is_furniture():
    text = "您所在的位置:首页 > 基层动态\n" + BODY
    cleaned = clean(_raw(text))
    assert [(row["text"], row["reason"]) for row in cleaned.removed] == [("您所在的位置:首页 > 基层动态", "navigation trail")]
