"""The streaming build: parallel equals serial, and the streamed statistics equal their naive definitions."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from dangjian.stats import textstats
from dangjian.build import build, grouped_batches
from dangjian.writer import schema_of

import oracles
from conftest import SEED_FILES


@pytest.fixture(scope="module")
def replicated(tmp_path_factory):
    """Twelve reports (the seeds, some twice under new names) without a catalog."""
    folder = tmp_path_factory.mktemp("many")
    for copy in range(3):
        for path in SEED_FILES[: 4 if copy else 5]:
            shutil.copy(path, folder / f"{copy}_{path.name}")
    return folder


def test_parallel_build_writes_the_same_bytes_as_serial(replicated, tmp_path):
    with pytest.warns(UserWarning):
        serial = build(replicated, tmp_path / "serial", workers=1)
    with pytest.warns(UserWarning):
        parallel = build(replicated, tmp_path / "parallel", workers=2)
    assert serial.rows == parallel.rows and serial.rows["documents"] == 13
    for path in sorted((tmp_path / "serial").iterdir()):
        assert path.read_bytes() == (tmp_path / "parallel" / path.name).read_bytes(), path.name


def test_batches_never_split_a_group(tmp_path, seed_corpus):
    path = tmp_path / "t.parquet"
    seed_corpus.tokens.to_parquet(path)
    batches = list(grouped_batches(path, ["sent_id", "token"], "sent_id", batch_rows=7))
    assert sum(b.num_rows for b in batches) == len(seed_corpus.tokens)
    seen = set()
    for batch in batches:
        ids = set(batch.column("sent_id").to_pylist())
        assert not ids & seen
        seen |= ids


def test_streamed_statistics_equal_their_definitions(seed_corpus):
    """Every statistic the build streams equals a naive version written from its definition (tests/oracles.py)."""
    c = seed_corpus
    labels = textstats.org_labels(c.documents)
    order = c.documents["doc_id"].tolist()
    codebook = textstats.load_codebook()
    themes = oracles.sentence_themes(c.sentences, codebook)
    expected = {
        "frequencies": oracles.frequencies(c.tokens, dict(zip(order, c.documents["n_chars"].astype(int))), labels),
        "keyness": oracles.keyness(c.tokens, order, labels),
        "similarity": oracles.similarity(c.tokens, labels),
        "cooccurrence": oracles.cooccurrence(c.tokens),
        "sentence_themes": themes,
        "theme_shares": oracles.theme_shares(themes, c.sentences, order, labels, codebook, textstats.NO_THEME),
    }
    for name, frame in expected.items():
        assert len(frame) > 10, name  # the seeds give each statistic something to check
        ours = getattr(c, name).reset_index(drop=True)
        pd.testing.assert_frame_equal(ours, frame[list(ours.columns)], check_dtype=False,
                                      check_exact=False, rtol=1e-9, obj=name)


def test_tables_survive_the_trip_between_processes(tmp_path, seed_corpus):
    import pyarrow as pa

    from dangjian.wire import compact, from_wire, to_wire
    from dangjian.writer import TableWriter

    tokens = pa.Table.from_pandas(seed_corpus.tokens, schema=schema_of("tokens"), preserve_index=False)
    sent = compact(tokens)
    assert pa.types.is_dictionary(sent.schema.field("sent_id").type)  # one id per sentence, not per token
    assert not pa.types.is_dictionary(sent.schema.field("start").type)
    assert len(to_wire(sent)) < len(to_wire(tokens)) * 0.8
    for name, table in (("direct", tokens), ("wired", from_wire(to_wire(sent)))):
        writer = TableWriter(tmp_path / name, ["tokens"], csv_tables=["tokens"])
        writer.append("tokens", table)
        writer.close()
    assert (tmp_path / "direct" / "tokens.csv").read_bytes() == (tmp_path / "wired" / "tokens.csv").read_bytes()
    assert pd.read_parquet(tmp_path / "wired" / "tokens.parquet").equals(
        pd.read_parquet(tmp_path / "direct" / "tokens.parquet"))
