"""One loader for every rule table: each shipped table loads through it, and a broken one is
refused with an error that names the file, the line and the reason."""
from __future__ import annotations

import re

import pytest

from dangjian.config import DATA_DIR
from dangjian.extraction.metrics import load_units
from dangjian.ingest.cleaning import load_rules
from dangjian.ingest.organizations import load_sector_rules, load_unit_places
from dangjian.ingest.reading.webpage import load_markup_rules
from dangjian.rules import RuleFileError, read_rule_table


def test_every_shipped_rule_table_loads_with_a_reason_per_entry():
    assert all(rule.reason.strip() and isinstance(rule.pattern, re.Pattern) for rule in load_rules())
    assert all(rule.reason.strip() and rule.where in ("tag", "class_id") for rule in load_markup_rules())
    assert load_units().index.is_unique and set(load_units()["kind"]) <= {"count", "measure"}
    assert all(rule.reason.strip() for rule in load_sector_rules())
    assert all(reason.strip() for _, reason in load_unit_places().values())
    # every .tsv in data/ is one of them
    assert {p.name for p in DATA_DIR.glob("*.tsv")} == {"furniture.tsv", "html_furniture.tsv", "measure_words.tsv",
                                                        "sector_rules.tsv", "unit_places.tsv", "cjk_radicals.tsv",
                                                        "gbt4754_sections.tsv"}


@pytest.mark.parametrize("body,message", [
    ("rule_id\tzone\treason\n", "needs the columns rule_id, zone, reason, pattern (missing: pattern)"),
    ("rule_id\tzone\treason\tpattern\nr1\tany\t\t^x$\n", "line 2: reason empty"),
    ("rule_id\tzone\treason\tpattern\nr1\tmiddle\tmenu\t^x$\n", "line 2: zone 'middle' is not one of"),
    ("rule_id\tzone\treason\tpattern\nr1\tany\tmenu\t^(x$\n", "line 2: pattern does not compile"),
    ("rule_id\tzone\treason\tpattern\nr1\tany\tmenu\t^x$\nr1\thead\tmenu\t^y$\n", "line 3: r1 is listed twice"),
])
def test_a_broken_rule_table_is_refused_naming_file_line_and_reason(tmp_path, body, message):
    path = tmp_path / "my_rules.tsv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(RuleFileError, match=f"^my_rules.tsv: {re.escape(message)}"):
        read_rule_table(path, ("rule_id", "zone", "reason", "pattern"), key="rule_id",
                        choices={"zone": frozenset({"any", "head", "tail"})}, patterns=("pattern",))


def test_a_rule_table_keeps_quote_marks_and_the_analysts_own_file_is_used(tmp_path):
    path = tmp_path / "furniture.tsv"
    path.write_text('rule_id\tzone\treason\tpattern\tnote\nquoted\tany\ta "quoted" menu\t^“首页”$\t\n', encoding="utf-8")
    (rule,) = load_rules(path)
    assert rule.reason == 'a "quoted" menu' and rule.pattern.pattern == "^“首页”$"


def _edited_cues(tmp_path, old: str, new: str):
    from dangjian.cues import CUES_FILE

    text = CUES_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "my_cues.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old,new,message", [
    ("  max_verb_gap: 4", "  max_verb_gap: four", "brands.max_verb_gap: must be a number, not str"),
    ("  max_verb_gap: 4", "  max_verb_gapp: 4", "brands: lacks max_verb_gap"),
    ('  program_cue: ["计划",', '  program_cue: ["项目", "计划",', "brands.program_cue: lists 项目 twice"),
    ('  program_cue: ["计划",', '  program_cue: ["", "计划",', "brands.program_cue: must be a list of words"),
    ("  multipliers: {万: 10000,", "  multipliers: {万: lots,", "metrics.multipliers.万: must be a number"),
    ('  brand_counts_word: "品牌"', '  brand_counts_word: "品牌"\n  brand_count_words: ["品牌"]',
     "reconciliation: has unknown brand_count_words (a misspelt key?)"),
    ("metrics:\n", "metrics: [\n", "cannot be read"),
])
def test_a_broken_cue_file_is_refused_naming_the_file_and_the_key(tmp_path, old, new, message):
    from dangjian.cues import load_cues

    with pytest.raises(RuleFileError, match=f"^my_cues.yaml: .*{re.escape(message)}"):
        load_cues(_edited_cues(tmp_path, old, new))


def test_every_reader_of_the_cue_file_takes_another_file(tmp_path):
    """The organization finder and each extractor read the cue file they are given (here one edit
    per reader), and the shipped cues are untouched."""
    from dangjian.cues import load_cues
    from dangjian.extraction.common import SentenceRecord
    from dangjian.extraction.formulas import formula_rows
    from dangjian.extraction.metrics import metric_rows
    from dangjian.extraction.reconciliation import reconciliation_rows
    from dangjian.ingest.organization_finder import organization_finder

    def records(*texts):
        return [SentenceRecord("d", f"d-{k}", text, 0, 0, text, "", "") for k, text in enumerate(texts)]

    formula = records("坚持“四个意识”和十四五规划。")
    metric = records("共组建党员突击队12支。")
    count = records("共创建党建品牌3个。")
    title, body = "某某公司党委创建“红色引擎”品牌", ["某某公司党委以党建品牌创建为抓手，推动党建工作与生产经营深度融合。"]

    shipped = load_cues()
    assert {row["formula"] for row in formula_rows(formula, shipped)} == {"四个意识", "十四五"}
    assert [row["value"] for row in metric_rows(metric, (), shipped)] == [12]
    assert [row["stated"] for row in reconciliation_rows(count, [], [], shipped)] == [3]
    assert organization_finder(shipped).find(title, body, []) == ("某某公司", "headline")

    edited = load_cues(_edited_cues(tmp_path, 'lexicon: ["十四五", ', 'lexicon: ['))
    assert {row["formula"] for row in formula_rows(formula, edited)} == {"四个意识"}
    edited = load_cues(_edited_cues(tmp_path, '  not_in_clause_before: [', '  not_in_clause_before: ["突击队", '))
    assert metric_rows(metric, (), edited) == []
    edited = load_cues(_edited_cues(tmp_path, '    - "(?:党建品牌|品牌)(?P<n>', '    - "(?:党建品牌|品牌)共(?P<n>'))
    assert reconciliation_rows(count, [], [], edited) == []
    edited = load_cues(_edited_cues(tmp_path, '  not_first: ["充分",', '  not_first: ["某某", "充分",'))
    assert organization_finder(edited).find(title, body, []) == ("", "missing")  # no name opens with 某某 now
    assert organization_finder().find(title, body, []) == ("某某公司", "headline")


@pytest.mark.parametrize("loader,name,body,message", [
    ("codebook", "themes.yaml", "themes:\n  思想引领:\n    keywords: [思想, 学习, 思想]\n", "themes.思想引领.keywords: lists 思想 twice"),
    ("codebook", "themes.yaml", "themes:\n  思想引领:\n    keywords: [思想]\n    genre_words: [品牌]\n",
     "themes.思想引领: genre_words ['品牌'] are not among its keywords"),
    ("codebook", "themes.yaml", "themes:\n  思想引领:\n    keyword: [思想]\n", "themes.思想引领: must be a mapping with keywords"),
    ("approaches", "approaches.yaml", None, "direction: lacks top_down"),
    ("stopwords", "stopwords.txt", "# words\n的\n了\n的\n", "line 4: 的 is listed twice"),
    ("user_dict", "userdict.txt", "党建品牌 100\n", "line 1: expected 'word freq pos'"),
])
def test_word_lists_codebooks_and_approach_cues_are_validated_on_load(tmp_path, loader, name, body, message):
    from dangjian.stats.compare import APPROACHES_FILE, load_approach_cues
    from dangjian.stats.textstats import load_codebook
    from dangjian.stats.tokens import read_stopwords, read_user_dict

    if body is None:  # the shipped approach cues without one of their fixed lists
        body = re.sub(r"\n  top_down: \[[^\]]*\]", "", APPROACHES_FILE.read_text(encoding="utf-8"))
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    load = {"codebook": load_codebook, "approaches": load_approach_cues, "stopwords": read_stopwords,
            "user_dict": read_user_dict}[loader]
    with pytest.raises(RuleFileError, match=f"^{re.escape(name)}: {re.escape(message)}"):
        load(path)


def test_the_analyst_chooses_the_stages_of_the_approach_cues(tmp_path):
    from dangjian.stats.compare import APPROACHES_FILE, load_approach_cues

    path = tmp_path / "approaches.yaml"
    path.write_text(APPROACHES_FILE.read_text(encoding="utf-8").replace("stages:\n", "stages:\n  试点: [试点]\n", 1),
                    encoding="utf-8")
    assert "试点" in load_approach_cues(path)["stages"]
