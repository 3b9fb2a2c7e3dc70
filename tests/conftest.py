from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import dangjian
import dangjian.ingest.catalog
from dangjian.config import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def seed_corpus() -> dangjian.Corpus:
    return dangjian.build_corpus(SEEDS)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of seeds/ (reports and catalog)."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def write_report(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


# Precision/recall per extraction table, filled by tests/test_extraction.py and
# printed at the end of every run so that CI logs show them.
SCORES: dict[str, str] = {}


def pytest_terminal_summary(terminalreporter):
    if SCORES:
        terminalreporter.section("extraction scores against tests/gold")
        for name, line in SCORES.items():
            terminalreporter.write_line(f"{name:16} {line}")


def corpus_from_text(tmp_path: Path, body: str, title: str = "某公司党建品牌创建工作纪实") -> dangjian.Corpus:
    """A one-report corpus from sentences of our own, for short cases in the genre."""
    write_report(tmp_path, "t.txt", f"{title}\n{body}\n")
    columns = dangjian.ingest.catalog.CATALOG_COLUMNS
    (tmp_path / "catalog.csv").write_text(",".join(columns) + "\nt.txt" + "," * (len(columns) - 1) + "\n",
                                          encoding="utf-8")
    return dangjian.build_corpus(tmp_path)
