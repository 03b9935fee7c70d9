import hashlib
import json
import math
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openledger_sidecar.encoders import STOP_WEIGHT, STOP_WORDS, HashingEncoder, HashingEncoderV2, make_encoder, tokens

GOLDEN = json.loads((pathlib.Path(__file__).parent / "golden_hashing_v1.json").read_text())


@pytest.mark.parametrize("case", GOLDEN["vectors"], ids=lambda c: c["text"][:20])
def test_should_reproduce_the_checked_in_golden_vectors(case):
    vector = HashingEncoder(dim=case["dim"]).encode(case["text"])

    expected = np.zeros(case["dim"], np.float32)
    for index, value in case["nonzero"]:
        expected[index] = value
    np.testing.assert_allclose(vector, expected, atol=1e-6)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1).filter(lambda t: tokens(t)))
def test_should_give_unit_vectors_deterministically(text):
    a = HashingEncoder(dim=128).encode(text)
    b = HashingEncoder(dim=128).encode(text)

    assert a.dtype == np.float32
    assert np.array_equal(a, b)
    assert abs(float(np.linalg.norm(a)) - 1.0) < 1e-5


def test_should_normalize_case_and_unicode_forms():
    enc = HashingEncoder()
    assert np.array_equal(enc.encode("Café au LAIT"), enc.encode("café au lait"))
    assert np.array_equal(enc.encode("ﬁne"), enc.encode("fine"))  # NFKC folds the ligature


def test_should_refuse_text_without_words():
    with pytest.raises(ValueError, match="no words"):
        HashingEncoder().encode("  ... !!! ")


def test_should_score_a_text_closest_to_itself():
    enc = HashingEncoder()
    corpus = ["the cat sat on the mat", "stock markets fell sharply", "a cat on a mat sat"]
    vectors = enc.encode_batch(corpus)

    scores = vectors @ enc.encode("the cat sat on the mat")

    assert int(np.argmax(scores)) == 0
    assert scores[0] == pytest.approx(1.0, abs=1e-5)


# --- hashing-ngram-v2 ------------------------------------------------------------------------

GOLDEN_V2 = json.loads((pathlib.Path(__file__).parent / "golden_hashing_v2.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", GOLDEN_V2["vectors"], ids=lambda c: c["text"][:20])
def test_should_reproduce_the_v2_golden_vectors_bit_for_bit(case):
    vector = HashingEncoderV2().encode(case["text"])

    expected = np.zeros(GOLDEN_V2["dim"], np.float32)
    for index, value in case["nonzero"]:
        expected[index] = value
    assert np.array_equal(vector, expected)


def reference_v2(text: str, dim: int = 2048) -> np.ndarray:
    """The documented formula, written out plainly (what another implementation would follow)."""
    words = tokens(text)
    counts, weights = {}, {}
    for i, w in enumerate(words):
        features = [("w\x1f" + w, STOP_WEIGHT if w in STOP_WORDS else 1.0)]
        for j in range(i + 1, min(i + 4, len(words))):
            both_stop = w in STOP_WORDS and words[j] in STOP_WORDS
            features.append((f"p\x1f{w} {words[j]}", STOP_WEIGHT if both_stop else 1.0))
        for f, weight in features:
            counts[f] = counts.get(f, 0) + 1
            weights.setdefault(f, weight)
    buckets = {}
    for f, count in counts.items():
        h = int.from_bytes(hashlib.blake2b(f.encode(), digest_size=8).digest(), "little")
        value = weights[f] * math.sqrt(count)
        buckets[h % dim] = buckets.get(h % dim, 0.0) + (value if h >> 63 == 0 else -value)
    norm = math.sqrt(math.fsum(v * v for v in buckets.values()))
    out = np.zeros(dim, np.float32)
    for b, v in buckets.items():
        out[b] = v / norm
    return out


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1).filter(lambda t: tokens(t)))
def test_should_follow_the_documented_v2_formula_deterministically(text):
    a = HashingEncoderV2().encode(text)

    assert a.dtype == np.float32
    assert np.array_equal(a, HashingEncoderV2().encode(text))
    assert np.array_equal(a, reference_v2(text))
    assert abs(float(np.linalg.norm(a)) - 1.0) < 1e-5


def test_should_weigh_stop_words_less_and_match_pairs_across_a_dropped_word_in_v2():
    enc = HashingEncoderV2()
    source = enc.encode("the parser reads the configuration file and returns a mapping of sections")

    with_stop_words_changed = enc.encode("a parser reads this configuration file or returns the mapping of sections")
    with_content_changed = enc.encode("the lexer reads the settings document and returns a mapping of sections")

    assert float(source @ with_stop_words_changed) > float(source @ with_content_changed)
    # "parser configuration" is a pair 3 apart in one text and a bigram in the other.
    shared = enc.features(tokens("parser reads the configuration")).keys() & enc.features(tokens("parser configuration")).keys()
    assert len(shared) == 3  # parser, configuration, and the pair


def test_should_keep_v1_and_v2_apart_as_encoders_with_their_own_ids():
    v1, v2 = make_encoder("hashing-ngram"), make_encoder("hashing-ngram-v2")

    assert (v1.encoder_id, v1.version, v1.dim) == ("hashing-ngram", "1", 384)
    assert (v2.encoder_id, v2.version, v2.dim) == ("hashing-ngram-v2", "2", 2048)
    assert np.array_equal(make_encoder("hashing-ngram-v2", hashing_dim=64).encode("x y"), v2.encode("x y"))
