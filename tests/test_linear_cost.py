"""A report's cost grows linearly with its length.

Time ratios within one run, with a generous bound: a linear step makes the fourfold
report cost about four times as much, a quadratic one sixteen times. Before this test,
resolving 该…党委 sliced the text before every brand and a 1 MB report took 20 s.
"""
from __future__ import annotations

import time

import pytest

from dangjian.build import init_pass1, process_document

from conftest import SEED_FILES, write_report

LINEAR_BOUND = 8.0  # 4x the text: linear ≈ 4, quadratic ≈ 16


def _one_long_report(folder, name: str, copies: int):
    """The seeds' text repeated into one long report, with their brands, formulas, 该中心党委 anaphors and
    quoted names, so that every extraction step has work to do."""
    from dangjian.ingest.reading import read_report

    text = "\n".join(read_report(path).text for path in SEED_FILES)
    return write_report(folder, name, "\n".join([text] * copies))


def _seconds(path) -> float:
    best = float("inf")
    for _ in range(2):  # the faster of two runs: this shared machine's speed drifts
        started = time.perf_counter()
        rows = process_document(path)
        best = min(best, time.perf_counter() - started)
    assert "documents" in rows
    return best


@pytest.mark.filterwarnings("ignore")
def test_a_long_report_costs_linearly_more(tmp_path):
    init_pass1()
    short = _one_long_report(tmp_path, "short.txt", 8)
    long = _one_long_report(tmp_path, "long.txt", 32)
    process_document(short)  # warm up: patterns compiled, dictionaries loaded
    ratio = _seconds(long) / _seconds(short)
    print(f"\n4x longer report: {ratio:.2f}x the time")
    assert ratio < LINEAR_BOUND, f"a 4x longer report took {ratio:.1f}x as long: some step is worse than linear"
