"""hashing-ngram-v2's batch path (ngram_hashing) against its per-feature reference, bit for bit."""

import hashlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openledger_sidecar import ngram_hashing
from openledger_sidecar.encoders import STOP_WORDS, EncodeError, HashingEncoderV2, encode_each
from openledger_sidecar.ngram_hashing import DigestCache

DIMS = (8, 61, 2048)  # 8 and 61: many features per bucket, so the order of the sums is tested


def reference_batch(enc: HashingEncoderV2, texts: list[str]):
    """What encode_batch did before the fast path: each text by the reference, the first bad row named."""
    return encode_each(enc._reference_encode, texts, enc.dim)


def outcome(call, *args):
    """The result's bytes, or the error's type and message: what must be identical."""
    try:
        result = call(*args)
    except ValueError as e:
        return type(e), str(e), getattr(e, "row", None)
    return result.dtype, result.shape, result.tobytes()


PATHS = {"one by one": 1 << 40, "array passes": 0}  # SMALL_WORDS that sends every batch one way


def assert_same_as_reference(texts, dim, path="one by one"):
    fast, slow = HashingEncoderV2(dim), HashingEncoderV2(dim)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ngram_hashing, "SMALL_WORDS", PATHS[path])
        assert outcome(fast.encode_batch, texts) == outcome(reference_batch, slow, texts)
        for text in texts[:3]:
            assert outcome(fast.encode, text) == outcome(slow._reference_encode, text)


STOPS = sorted(STOP_WORDS)[:12]
MIXED = ["Straße", "STRASSE", "ﬁne", "ΟΔΥΣΣΕΥΣ", "москва", "東京", "١٢٣", "e\u0301", "é", "x²", "İstanbul", "a_b"]
words = st.one_of(st.sampled_from(STOPS), st.sampled_from(MIXED), st.text(st.characters(), min_size=1, max_size=8))
separators = st.sampled_from([" ", "  ", ", ", "\n", "_", "-", "\u3000", ". ", "\x1f"])
phrases = st.lists(st.tuples(words, separators), max_size=40).map(lambda ws: "".join(w + s for w, s in ws))
any_text = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=80),  # any code point, surrogates too
    phrases,
    phrases.map(lambda p: p * 30),  # long, every word and pair repeated
)


@settings(max_examples=300, deadline=None)
@given(st.lists(any_text, min_size=1, max_size=6), st.sampled_from(DIMS), st.sampled_from(sorted(PATHS)))
def test_should_equal_the_reference_bit_for_bit_on_any_texts(texts, dim, path):
    assert_same_as_reference(texts, dim, path)


@settings(max_examples=50, deadline=None)
@given(st.lists(phrases.filter(str.strip), min_size=1, max_size=30), st.sampled_from(DIMS))
def test_should_equal_the_reference_when_a_batch_is_encoded_in_several_passes(texts, dim):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ngram_hashing, "CHUNK_WORDS", 7)
        patch.setattr(ngram_hashing, "CHUNK_CELLS", 3 * dim)
        assert_same_as_reference(texts, dim, "array passes")


@pytest.mark.parametrize("texts, row", [([""], 0), (["ok words", " ... !!! "], 1), (["a", "b", "_ _", ""], 2)])
def test_should_name_the_same_first_row_without_words_as_the_reference(texts, row):
    with pytest.raises(EncodeError, match=f"row {row}: text has no words to encode") as raised:
        HashingEncoderV2().encode_batch(texts)
    assert raised.value.row == row
    with pytest.raises(ValueError, match="^text has no words to encode$"):
        HashingEncoderV2().encode(texts[row])


def test_should_keep_a_defined_direction_when_every_feature_cancels_like_the_reference():
    enc = HashingEncoderV2(8)  # found by search: its 6 features cancel in pairs over 3 buckets
    expected = np.zeros(8, np.float32)
    expected[0] = 1.0

    assert np.array_equal(enc._reference_encode("w10 w3 w6"), expected)
    assert np.array_equal(enc.encode("w10 w3 w6"), expected)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ngram_hashing, "SMALL_WORDS", 0)
        assert np.array_equal(enc.encode_batch(["x", "w10 w3 w6", "y z"])[1], expected)


def test_should_equal_the_reference_on_a_very_long_text_with_few_distinct_words():
    text = " ".join(["the", "parser", "of", "the", "file", "reads"] * 20_000)

    for path in PATHS:
        assert_same_as_reference([text, "short one"], 2048, path)


SQUEEZE = 0x800000000000000F  # digests squeezed to 4 bits and the sign: distinct features share them


class _FewDigests(DigestCache):
    def digests(self, keys):
        return super().digests(keys) & np.uint64(SQUEEZE)


class _CollidingEncoder(HashingEncoderV2):
    def __init__(self, dim):
        super().__init__(dim)
        self._digests = _FewDigests()

    def _digest(self, feature):  # the reference path hashes through here
        return super()._digest(feature) & SQUEEZE


@settings(max_examples=100, deadline=None)
@given(st.lists(phrases.filter(str.strip), min_size=1, max_size=4), st.sampled_from(DIMS), st.sampled_from(sorted(PATHS)))
def test_should_merge_features_of_one_digest_like_the_reference_dict(texts, dim, path):
    fast, slow = _CollidingEncoder(dim), _CollidingEncoder(dim)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ngram_hashing, "SMALL_WORDS", PATHS[path])
        patch.setattr(ngram_hashing, "digests", lambda keys, plain=ngram_hashing.digests: plain(keys) & np.uint64(SQUEEZE))
        assert outcome(fast.encode_batch, texts) == outcome(reference_batch, slow, texts)


def test_should_bound_the_digest_cache_and_keep_no_long_keys():
    cache = DigestCache(entries=100, max_key=10)
    keys = [f"k{i}".encode() for i in range(1000)] + [b"x" * 11]

    for start in range(0, len(keys), 37):
        part = keys[start : start + 37]
        expected = [int.from_bytes(hashlib.blake2b(k, digest_size=8).digest(), "little") for k in part]
        assert cache.digests(part).tolist() == expected
        assert len(cache) <= 200
    assert b"x" * 11 not in cache._young and b"x" * 11 not in cache._old
    assert cache.digests([b"k999", b"k0"]).tolist() == [
        int.from_bytes(hashlib.blake2b(k, digest_size=8).digest(), "little") for k in (b"k999", b"k0")
    ]
    one_big_call = DigestCache(entries=10)
    one_big_call.digests(keys)
    assert len(one_big_call) <= 20


def test_should_give_the_same_vector_whatever_the_cache_held_before():
    warm = HashingEncoderV2()
    warm.encode_batch(["the parser reads the file", "a file of sections"] * 3)

    assert np.array_equal(warm.encode("the file of the parser"), HashingEncoderV2().encode("the file of the parser"))


def test_should_time_both_paths_in_the_encoder_benchmark_on_a_few_texts():
    from openledger_sidecar import bench_encoder

    texts = ["the parser reads the file", "a mapping of sections", "stock markets fell", "cats sat on mats"] * 3
    assert np.array_equal(bench_encoder.ReferenceEncoderV2().encode_batch(texts), HashingEncoderV2().encode_batch(texts))
    for path in bench_encoder.PATHS:
        seconds, _ = bench_encoder.encode_pass(path, texts, 5)
        assert seconds > 0
        seconds, _ = bench_encoder.score_pass(path, texts[:8], texts[8:], 2, 3)
        assert seconds > 0
