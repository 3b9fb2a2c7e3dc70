"""Structure: sections, run-in leads, sentence splitting and offsets."""
from __future__ import annotations

import pytest

from dangjian.ingest.cleaning import KeptLine
from dangjian.ingest.structure import build_structure, split_sentences


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("一句。两句！三句？四句;五句", ["一句。", "两句！", "三句？", "四句;", "五句"]),
        ("他说:“第一句。第二句。”然后走了。", ["他说:“第一句。第二句。”", "然后走了。"]),
        ("“哪里有项目,哪里就有党员;哪里有战斗,哪里就有堡垒”。公司发挥优势。",
         ["“哪里有项目,哪里就有党员;哪里有战斗,哪里就有堡垒”。", "公司发挥优势。"]),
        ("学习《关于。加强》文件。再学。", ["学习《关于。加强》文件。", "再学。"]),
        ("勇挑重??,冲在最前沿。", ["勇挑重??,冲在最前沿。"]),
        ("为什么? 因为要创建。", ["为什么?", "因为要创建。"]),
        ("未闭合的“引号。后面还有句子。", ["未闭合的“引号。", "后面还有句子。"]),
        ("结尾没有标点", ["结尾没有标点"]),
    ],
)
def test_split_sentences(text, expected):
    assert _sentences(text) == expected


def _lines(*texts):
    return [KeptLine(i, t, t, "title" if i == 1 else "body") for i, t in enumerate(texts, start=1)]


def test_sections_leads_and_offsets():
    text, paragraphs, sentences = build_structure(_lines(
        "某公司党建工作纪实",
        "导语一句话说明情况,并且说得比较长一些,超过三十个字符的长度,所以不是引语。第二句。",
        "一、加强宣传引导,为高目标创建凝心聚力。",
        "党建提素质,使党组织成为“摇篮”。四分公司党总支创建“人才薪火计划”品牌。",
        "突出思想引领,为高质量发展“铸魂”",
        "坚持用党的创新理论武装人。",
    ))
    assert [p.role for p in paragraphs] == ["title", "body", "heading", "body", "heading", "body"]
    assert [p.section for p in paragraphs] == ["", "", "一、加强宣传引导,为高目标创建凝心聚力",
                                               "一、加强宣传引导,为高目标创建凝心聚力",
                                               "突出思想引领,为高质量发展“铸魂”", "突出思想引领,为高质量发展“铸魂”"]
    assert paragraphs[3].lead == "党建提素质,使党组织成为“摇篮”"
    assert paragraphs[1].lead == ""
    for p in paragraphs:
        assert text[p.start:p.end] == p.text
    for s in sentences:
        assert text[s.start:s.end] == s.text


def test_seed_offsets_point_at_their_text(seed_corpus):
    texts = seed_corpus.documents.set_index("doc_id")["text"]
    for table in (seed_corpus.paragraphs, seed_corpus.sentences):
        for row in table.itertuples():
            assert texts[row.doc_id][row.start:row.end] == row.text


def test_sentences_cover_each_paragraph(seed_corpus):
    sentences = seed_corpus.sentences.groupby("para_id")["text"].apply("".join)
    for row in seed_corpus.paragraphs.itertuples():
        assert sentences[row.para_id].replace(" ", "") == row.text.replace(" ", "")


def test_ids_are_unique_and_stable(seed_corpus):
    assert seed_corpus.sentences["sent_id"].is_unique and seed_corpus.paragraphs["para_id"].is_unique
    first = seed_corpus.sentences.iloc[0]
    assert first["sent_id"] == "000_ce110ae9294085c3-s0001" and first["para_id"] == "000_ce110ae9294085c3-p001"


def test_seed_sections(seed_corpus):
    headings = seed_corpus.paragraphs.query("role == 'heading'").groupby("doc_id").size().to_dict()
    assert headings == {"002_397705a4c0484a79": 3, "003_b66003c7998dd4ec": 2, "004_8632e91d8c1b8053": 3}


def test_split_sentences_invariants_on_random_text():
    """Spans are ordered, disjoint, trimmed, and leave only whitespace between them; the
    scanner jumps from mark to mark, so unusual mixes of marks are where it could slip."""
    import random

    alphabet = list("“”‘’「」『』《》()（）【】。！？；;!? \t党建品牌a")
    rng = random.Random(20261121)
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        spans = split_sentences(text)
        previous_end = 0
        for start, end in spans:
            assert previous_end <= start < end <= len(text), (text, spans)
            assert not text[start].isspace() and not text[end - 1].isspace(), (text, spans)
            assert not text[previous_end:start].strip(), (text, spans)
            previous_end = end
        assert not text[previous_end:].strip(), (text, spans)
