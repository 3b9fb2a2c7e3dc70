"""Tokens: dictionary words stay whole, filters work, both backends agree on the seeds."""
from __future__ import annotations

import re

import pytest

from dangjian.stats import tokens as tk


def test_user_dict_file_is_clean():
    raw = tk.USER_DICT.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and raw.endswith(b"\n")
    entries = tk.read_user_dict()
    assert len(entries) >= 50
    assert all(freq >= 10_000 for _, freq, _ in entries)  # a low frequency lets jieba split the word
    assert len({w for w, _, _ in entries}) == len(entries)


@pytest.mark.parametrize("content", [b"\xef\xbb\xbf\xe4\xb8\x89\xe4\xbc\x9a 100 nz\n", "三会一课 100 nz\r\n".encode(),
                                     "三会一课 nz\n".encode()])
def test_a_broken_user_dict_is_refused(tmp_path, content):
    path = tmp_path / "userdict.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="userdict.txt"):
        tk.read_user_dict(path)


@pytest.mark.parametrize("backend", tk.BACKENDS)
def test_every_dictionary_entry_and_extracted_name_comes_out_whole(backend, seed_corpus):
    extra = tk.corpus_words(seed_corpus)
    segmenter = tk.Segmenter(backend, extra)
    words = [w for w, _, _ in tk.read_user_dict()] + [w for w in extra if tk._JIEBA_WORD.match(w) and len(w) > 1]
    broken = []
    for word in words:
        for context in (f"我们开展{word}的工作", f"通过{word}推动发展", word):
            if word not in [t for t, _, _, _ in segmenter.tag(context)]:
                broken.append((word, context))
    assert not broken


def test_filters_drop_noise_and_keep_dictionary_words(seed_corpus):
    tokens = set(seed_corpus.tokens["token"])
    for empty in ("工作", "开展", "通过", "进一步", "不断", "的", "哪里"):
        assert empty not in tokens
    for fragment in ("ng", "sh", "zh", "dāng", "fā"):
        assert fragment not in tokens
    dictionary = tk.Segmenter("rjieba", tk.corpus_words(seed_corpus)).words
    numbers = [t for t in tokens - dictionary if re.fullmatch(r"[0-9.]+|第?[一二三四五六七八九十]+[个期米]?", t)]
    assert not numbers
    for word in ("魅力GPS", "POWER", "三会一课", "流动党员之家", "党建品牌", "5S"):
        assert word in tokens, word


def test_backends_give_the_same_tokens_on_the_seeds(seed_corpus):
    fast = tk.tokenize(seed_corpus, "rjieba")
    slow = tk.tokenize(seed_corpus, "jieba")
    columns = ["doc_id", "sent_id", "token", "start", "end"]
    assert fast[columns].equals(slow[columns])
    assert tk.DEFAULT_BACKEND == "rjieba"  # allowed only because the line above holds


def test_tokens_point_at_the_text_and_record_settings(seed_corpus):
    texts = seed_corpus.documents.set_index("doc_id")["text"]
    for row in seed_corpus.tokens.itertuples():
        assert texts[row.doc_id][row.start:row.end] == row.token
    settings = seed_corpus.settings["tokens"]
    assert settings["backend"] == "rjieba" and settings["hmm"] is False and settings["n_extra_words"] > 0
    assert settings["user_dict_sha256"] == __import__("hashlib").sha256(tk.USER_DICT.read_bytes()).hexdigest()


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown backend"):
        tk.Segmenter("thulac")


class _NormalisingSegmenter(tk.Segmenter):
    """A backend that changes characters of a piece (党建品牌 → 黨建品牌), as some segmenters do."""

    def __init__(self):
        super().__init__("rjieba")
        inner = self.pairs
        self.pairs = lambda text: [(word.replace("党", "黨"), pos) for word, pos in inner(text)]


def test_offsets_stay_honest_when_the_backend_changes_the_text():
    segmenter = _NormalisingSegmenter()
    texts = ["党建品牌计划推进先锋岗建设", "基层组织战斗堡垒作用"]
    table = tk.token_table(["d", "d"], ["d-s1", "d-s2"], texts, [0, 20], segmenter).to_pylist()
    whole = texts[0].ljust(20, "\n") + texts[1]
    kept = {row["token"] for row in table}
    assert {"先锋岗", "战斗堡垒"} <= kept and not any("党" in t or "黨" in t for t in kept)
    for row in table:  # a piece the backend altered is dropped, never given wrong offsets
        assert whole[row["start"]:row["end"]] == row["token"], row
    assert [(t, s, e) for t, _, s, e in segmenter.tag(texts[1])][:2] == [("基层组织", 0, 4), ("战斗堡垒", 4, 8)]
    assert segmenter.tag(texts[0])[0][::2] == ("计划", 4)  # the altered piece is skipped, the rest located


def test_offsets_stay_honest_when_the_backend_drops_characters():
    """Pieces that leave out a character (a space) no longer tile the sentence: each is searched for."""
    segmenter = tk.Segmenter("rjieba")
    segmenter.pairs = lambda text: [(word, "n") for word in text.split(" ")]
    texts = ["党建品牌 先锋岗", "战斗堡垒"]
    table = tk.token_table(["d", "d"], ["d-s1", "d-s2"], texts, [0, 10], segmenter).to_pylist()
    assert [(row["token"], row["start"], row["end"]) for row in table] == [
        ("党建品牌", 0, 4), ("先锋岗", 5, 8), ("战斗堡垒", 10, 14)]


@pytest.mark.parametrize("backend", tk.BACKENDS)
def test_a_batch_segments_as_its_sentences_do_one_by_one(backend):
    """pieces() cuts a whole batch in one call; each sentence must come out as it would alone, and a
    text holding a line break (which the joined call would misread) falls back to one call each."""
    segmenter = tk.Segmenter(backend)
    texts = ["党建品牌创建工作", "", "3.5%的党员 参加了A+B活动", "“两化一创”", "第二行\n第三行", "…"]
    backend_pairs, calls = segmenter.pairs, []
    segmenter.pairs = lambda text: calls.append(text) or backend_pairs(text)
    for batch, n_calls in ((texts[:4] + texts[5:], 1), (texts, len(texts))):
        calls.clear()
        words, poses, per_sentence = segmenter.pieces(batch)
        assert len(calls) == n_calls  # one call for the batch; one per text when a text holds a break
        alone = [backend_pairs(text) for text in batch]
        assert per_sentence.tolist() == [len(pairs) for pairs in alone]
        assert list(zip(words.to_pylist(), poses.to_pylist())) == [tuple(p) for pairs in alone for p in pairs]
