"""The build as a whole: outputs, determinism, catalog, load_corpus, progress."""
from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest

import dangjian
from dangjian.ingest.catalog import CATALOG_COLUMNS, CURATED_COLUMNS
from dangjian.writer import EXCEL_TABLES
from dangjian import build as build_module, corpus as corpus_module, writer as writer_module
from dangjian.ingest.cleaning import fold_whitespace, strip_pinyin, to_simplified
from dangjian.ingest.reading import read_report

from conftest import SEED_FILES, SEEDS, write_report


def _build(seeds, out, *flags):
    return subprocess.run([sys.executable, "-m", "dangjian.cli", "build", str(seeds), "--out", str(out), *flags],
                          capture_output=True, text=True)


def test_two_builds_write_byte_identical_files(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert _build(SEEDS, first).returncode == 0
    assert _build(SEEDS, second).returncode == 0
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert {f"{t}.parquet" for t in dangjian.Corpus.TABLES} | {f"{t}.csv" for t in EXCEL_TABLES} == set(names)
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_csv_all_writes_every_table_as_csv_too(tmp_path):
    assert _build(SEEDS, tmp_path / "lean").returncode == 0
    assert _build(SEEDS, tmp_path / "all", "--csv", "all").returncode == 0
    names = {p.name for p in (tmp_path / "all").iterdir()}
    assert {f"{t}.{ext}" for t in dangjian.Corpus.TABLES for ext in ("csv", "parquet")} == names
    for path in (tmp_path / "lean").iterdir():  # the lean build's files are the same bytes
        assert path.read_bytes() == (tmp_path / "all" / path.name).read_bytes(), path.name
    tokens = pd.read_csv(tmp_path / "all" / "tokens.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert tokens["token"].tolist() == pd.read_parquet(tmp_path / "all" / "tokens.parquet")["token"].tolist()
    assert "tokens.csv" not in {p.name for p in (tmp_path / "lean").iterdir()}


def test_write_corpus_writes_what_the_build_writes(tmp_path, seed_corpus):
    dangjian.write_corpus(seed_corpus, tmp_path / "written")
    assert _build(SEEDS, tmp_path / "built").returncode == 0
    for path in sorted((tmp_path / "built").iterdir()):
        assert path.read_bytes() == (tmp_path / "written" / path.name).read_bytes(), path.name


def test_csv_has_bom_and_round_trips(tmp_path, seed_corpus):
    dangjian.write_corpus(seed_corpus, tmp_path, csv="all")
    raw = (tmp_path / "sentences.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    back = pd.read_csv(tmp_path / "sentences.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back["text"].tolist() == seed_corpus.sentences["text"].tolist()


def test_load_corpus_reads_built_tables_or_builds(tmp_path, seed_corpus):
    dangjian.write_corpus(seed_corpus, tmp_path)
    loaded = dangjian.load_corpus(tmp_path)
    for name in dangjian.Corpus.TABLES:
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(seed_corpus, name), check_dtype=False)
    fresh = dangjian.load_corpus()  # default: the project's seeds/
    assert fresh.documents["doc_id"].tolist() == [p.stem for p in SEED_FILES]
    assert fresh.text("003_b66003c7998dd4ec").startswith("**党委以习近平")


def test_documents_columns_and_counts(seed_corpus):
    docs = seed_corpus.documents.set_index("doc_id")
    assert list(seed_corpus.documents.columns) == corpus_module.COLUMNS["documents"]
    for doc_id, row in docs.iterrows():
        assert row["n_chars"] == len(row["text"])
        assert row["n_paragraphs"] == (seed_corpus.paragraphs["doc_id"] == doc_id).sum()
        assert row["n_sentences"] == (seed_corpus.sentences["doc_id"] == doc_id).sum()
    assert docs.loc["001_57cd1fc90f496598", "n_pinyin_removed"] == 114
    assert docs.loc["004_8632e91d8c1b8053", "org_label"] == "Zhunneng maintenance centre"


def test_unlisted_report_builds_with_inferred_placement_empty_curated_columns_and_a_warning(seed_copy):
    text = (SEEDS / "004_8632e91d8c1b8053.txt").read_text(encoding="utf-8")
    write_report(seed_copy, "005_new.txt", text)
    with pytest.warns(corpus_module.CatalogWarning, match="005_new.txt: not listed in catalog.csv"):
        corpus = dangjian.build_corpus(seed_copy)
    docs = corpus.documents.set_index("doc_id")
    row = docs.loc["005_new"]
    assert all(row[c] == "" for c in CURATED_COLUMNS) and row["catalog_status"] == "unlisted"
    assert row["title"]  # parsed facts still there
    assert row["organization"] == "准能集团设备维修中心" and row["organization_source"] == "headline"
    assert row["parent_group"] == "国家能源集团" and row["parent_group_source"].startswith("directory: 准能集团")
    # the checked catalog row of the same text wins over the inferences, and says so
    listed = docs.loc["004_8632e91d8c1b8053"]
    assert listed["region"] == "内蒙古" and listed["region_source"] == "catalog" and listed["sector"] == "B"
    assert row["org_id"] == listed["org_id"]  # one unit, one id


def test_catalog_covers_every_seed_and_quotes_its_report():
    catalog = pd.read_csv(SEEDS / "catalog.csv", dtype=str, keep_default_na=False)
    assert sorted(catalog["file"]) == [p.name for p in SEED_FILES]
    for row in catalog.itertuples():
        raw = read_report(SEEDS / row.file).text
        variants = {raw, strip_pinyin(raw)[0], to_simplified(strip_pinyin(raw)[0])}
        variants = {fold_whitespace(v.replace("\n", " ")) for v in variants} | variants
        assert row.status == "checked"
        for column in CATALOG_COLUMNS:
            if not column.endswith("_source"):
                continue
            value, fact = getattr(row, column), getattr(row, column[: -len("_source")])
            assert bool(value) == bool(fact), f"{row.file}: {column} must be set exactly when the fact is"
            if not value:
                continue
            assert value.startswith(("text: ", "inferred")), f"{row.file}: {column} = {value!r}"
            if value.startswith("text: "):
                quote = re.split(r" \(", value[len("text: "):])[0]
                for fragment in quote.split("…"):
                    assert any(fragment in v for v in variants), f"{row.file}: {fragment!r} not in the report"


def test_progress_bar_on_a_terminal_only(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert type(build_module.progress([1], 1, "x")).__name__ == "tqdm"
    monkeypatch.setenv("CI", "true")
    assert build_module.progress([1], 1, "x") == [1]
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert build_module.progress([1], 1, "x") == [1]


def test_cli_on_an_empty_folder_fails_clearly(tmp_path):
    result = _build(tmp_path, tmp_path / "out")
    assert result.returncode == 1 and "no reports" in result.stderr
    result = _build(tmp_path / "missing", tmp_path / "out")
    assert result.returncode == 2 and "no such folder" in result.stderr


def test_many_unlisted_reports_give_one_warning(seed_copy, recwarn):
    text = (SEEDS / "004_8632e91d8c1b8053.txt").read_text(encoding="utf-8")
    for i in range(4):
        write_report(seed_copy, f"10{i}_new.txt", text)
    dangjian.build_corpus(seed_copy)
    catalog_warnings = [w for w in recwarn if issubclass(w.category, corpus_module.CatalogWarning)]
    assert len(catalog_warnings) == 1
    assert str(catalog_warnings[0].message).startswith("4 reports are not listed in catalog.csv")
    assert "100_new.txt" in str(catalog_warnings[0].message)


def test_build_leaves_the_arrow_allocator_as_it_found_it(tmp_path):
    import pyarrow as pa

    before = pa.default_memory_pool().backend_name
    build_module.build(SEEDS, tmp_path / "out")
    assert pa.default_memory_pool().backend_name == before
    writer_module.release_memory()  # a no-op where the C library has no malloc_trim


def test_the_segmenter_loaded_in_the_background_is_the_one_pass_2_uses():
    """Pass 2 takes the segmenter that a thread loaded during pass 1 and adds the corpus's names to
    it; a failure in that thread is raised where the segmenter is taken, not lost."""
    build_module.WORKER.segmenter_loading = build_module.SegmenterInBackground("rjieba")
    build_module.init_pass2("rjieba", ("红色引擎党建品牌",), {})
    segmenter = build_module.WORKER.segmenter
    assert build_module.WORKER.segmenter_loading is None and segmenter.n_extra == 1
    assert ("红色引擎党建品牌", "nz") in [tuple(p) for p in segmenter.pairs("打造红色引擎党建品牌")]
    failing = build_module.SegmenterInBackground("no-such-backend")
    with pytest.raises(ValueError, match="no-such-backend"):
        failing.take()


def _square(x):
    return x * x


@pytest.mark.parametrize("workers", [1, 2])
def test_the_local_pool_says_when_its_workers_exist(workers):
    """``when_forked`` runs once, after the first task ran here and the workers (if any) were forked,
    so that a thread it starts is never copied into a worker."""
    import multiprocessing

    from dangjian.parallel import LocalPool

    seen = []
    results = LocalPool(workers).map(_square, range(5), lambda: None, (), ahead=2, first_here=True,
                                     when_forked=lambda: seen.append(len(multiprocessing.active_children())))
    assert next(results) == 0 and seen == []
    assert list(results) == [1, 4, 9, 16]
    assert seen == [workers if workers > 1 else 0]
