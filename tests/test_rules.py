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
