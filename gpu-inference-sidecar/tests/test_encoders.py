import json
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openledger_sidecar.encoders import HashingEncoder, tokens

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
