"""Reading: every supported encoding and line ending gives the same tables; bad files fail clearly."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import dangjian
from dangjian.ingest.reading import ReadError, decode_bytes, read_report

from conftest import SEED_FILES, SEEDS, write_report

ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be", "cp950"]
CONTENT_TABLES = ["paragraphs", "sentences", "removed"]
FILE_FACTS = ["file", "sha256", "encoding", "line_endings"]  # what legitimately differs between savings


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_encoding_decodes_to_the_same_text(path, encoding, tmp_path):
    text = path.read_text(encoding="utf-8")
    if not _encodable(text, encoding):
        pytest.skip(f"{path.name} has characters {encoding} cannot encode")
    copy = write_report(tmp_path, path.name, text, encoding)
    raw = read_report(copy)
    assert raw.text == text
    expected = {"utf-16": "utf-16", "utf-8-sig": "utf-8-sig"}.get(encoding, encoding)
    assert raw.encoding == expected


def test_a_big5_seed_exists_to_test():
    # Big5 cannot encode pinyin tone marks or many simplified characters; at least one seed must be encodable.
    assert any(_encodable(p.read_text(encoding="utf-8"), "cp950") for p in SEED_FILES)


@pytest.mark.parametrize("encoding,newline", [("gb18030", "\r\n"), ("utf-16", "\r"), ("utf-8-sig", "\r\n"), ("cp950", "\n")])
def test_same_report_in_any_encoding_gives_identical_tables(encoding, newline, tmp_path, seed_corpus):
    written = []
    for path in SEED_FILES:
        text = path.read_text(encoding="utf-8")
        if _encodable(text, encoding):
            write_report(tmp_path, path.name, text.replace("\n", newline), encoding)
            written.append(path.stem)
    catalog = pd.read_csv(SEEDS / "catalog.csv", dtype=str, keep_default_na=False)
    catalog[catalog["file"].str[:-4].isin(written)].to_csv(tmp_path / "catalog.csv", index=False)
    corpus = dangjian.build_corpus(tmp_path)
    for name in CONTENT_TABLES:
        ours = getattr(corpus, name)
        reference = getattr(seed_corpus, name)
        reference = reference[reference["doc_id"].isin(written)].reset_index(drop=True)
        pd.testing.assert_frame_equal(ours.reset_index(drop=True), reference)
    docs = corpus.documents.drop(columns=FILE_FACTS)
    ref_docs = seed_corpus.documents[seed_corpus.documents["doc_id"].isin(written)].drop(columns=FILE_FACTS)
    pd.testing.assert_frame_equal(docs.reset_index(drop=True), ref_docs.reset_index(drop=True))
    assert set(corpus.documents["encoding"]) == {encoding}
    expected_endings = {"\r\n": "CRLF", "\r": "CR", "\n": "LF"}[newline]
    assert set(corpus.documents["line_endings"]) == {expected_endings}


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "empty file"),
        (b"  \r\n\t\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary file"),
        (b"\x7fELF" + bytes(200), "binary file"),
        ("党建品牌".encode("utf-8")[:-1] + b"\xff\xfe\xfa\xfb", "undecodable"),
        (b"\xef\xbb\xbf" + b"\xff\xff\xff", "does not decode as utf-8-sig"),
    ],
)
def test_bad_input_names_file_and_reason(data, reason):
    with pytest.raises(ReadError) as info:
        decode_bytes(data, "bad.txt")
    assert str(info.value).startswith("bad.txt: ")
    assert reason in info.value.reason


def test_gbk_bytes_of_rare_garbage_are_not_taken_for_text():
    # Decodes strictly as GB18030, but to characters no report uses.
    garbage = bytes([0x81, 0x40, 0x82, 0x41, 0x83, 0x42, 0xFE, 0x4F] * 20)
    with pytest.raises(ReadError, match="rare characters"):
        decode_bytes(garbage, "garbage.txt")


def test_one_bad_file_never_stops_the_others(seed_copy):
    (seed_copy / "999_empty.txt").write_bytes(b"")
    (seed_copy / "998_binary.txt").write_bytes(bytes(range(256)) * 8)
    corpus = dangjian.build_corpus(seed_copy)  # failed files are not catalogued, so no warning
    assert len(corpus.documents) == len(SEED_FILES)
    assert corpus.failures.set_index("file")["reason"].str.split(" ").str[0].to_dict() == {
        "998_binary.txt": "binary", "999_empty.txt": "empty"}


def test_a_file_of_only_furniture_fails_clearly(tmp_path):
    write_report(tmp_path, "nav.txt", "当前位置: 首页 -> 党群工作\n分享到:\n")
    corpus = dangjian.build_corpus(tmp_path)
    assert corpus.documents.empty
    assert corpus.failures.iloc[0]["file"] == "nav.txt"
    assert "no report text left" in corpus.failures.iloc[0]["reason"]


def test_cli_summarises_failures_and_exits_nonzero(seed_copy, tmp_path):
    (seed_copy / "997_bad.txt").write_bytes(b"\x00\x01\x02\x03" * 50)
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "dangjian.cli", "build", str(seed_copy), "--out", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "1 file(s) failed" in result.stderr and "997_bad.txt: binary file" in result.stderr
    assert "997_bad.txt: not listed in catalog.csv" not in result.stderr  # failed files are not catalogued
    assert (out / "documents.csv").exists() and (out / "failures.csv").exists()
    failures = pd.read_csv(out / "failures.csv", encoding="utf-8-sig")
    assert failures["file"].tolist() == ["997_bad.txt"]
