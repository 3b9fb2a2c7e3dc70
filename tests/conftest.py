from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import dangjian
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
