import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from openledger_sidecar.scoring import OPEN, active_mask, top_k


def reference(vectors, ids, query, k, threshold):
    """Brute force: every pair scored in Python, sorted by (score desc, id asc)."""
    scored = [(float(np.dot(query, v)), int(i)) for v, i in zip(vectors, ids)]
    kept = [s for s in scored if s[0] >= threshold]
    kept.sort(key=lambda s: (-s[0], s[1]))
    return [(i, s) for s, i in kept[:k]]


# Small integer components make exact ties frequent, which is what the tie-break must survive.
small = arrays(np.float32, st.tuples(st.integers(1, 40), st.just(8)), elements=st.integers(-3, 3).map(float))


@settings(max_examples=200, deadline=None)
@given(vectors=small, data=st.data())
def test_should_equal_brute_force_top_k_with_ties(vectors, data):
    n = len(vectors)
    ids = np.array(data.draw(st.permutations(list(range(100, 100 + n)))), dtype=np.int64)
    queries = data.draw(arrays(np.float32, (3, 8), elements=st.integers(-3, 3).map(float)))
    k = data.draw(st.integers(1, n + 2))
    threshold = float(data.draw(st.integers(-20, 5)))

    got = top_k(vectors, ids, queries, k, threshold)

    for q, matches in zip(queries, got):
        assert [(m.contribution_id, m.score) for m in matches] == reference(vectors, ids, q, k, threshold)


def test_should_filter_by_active_interval_at_a_block():
    active_from = np.array([1, 5, 5, 9])
    active_to = np.array([OPEN, 7, OPEN, OPEN])

    assert active_mask(active_from, active_to, 4).tolist() == [True, False, False, False]
    assert active_mask(active_from, active_to, 6).tolist() == [True, True, True, False]
    assert active_mask(active_from, active_to, 7).tolist() == [True, False, True, False]  # closed at 7
    assert active_mask(active_from, active_to, 9).tolist() == [True, False, True, True]


def test_should_score_only_active_contributions():
    vectors = np.eye(3, dtype=np.float32)
    ids = np.array([1, 2, 3])
    mask = active_mask(np.array([1, 1, 10]), np.array([OPEN, 3, OPEN]), 5)

    (matches,) = top_k(vectors, ids, np.ones((1, 3), np.float32), k=5, threshold=0.0, mask=mask)

    assert [m.contribution_id for m in matches] == [1]


def test_should_reject_mismatched_dimensions_with_a_clear_message():
    import pytest

    with pytest.raises(ValueError, match="dimension mismatch"):
        top_k(np.zeros((2, 4), np.float32), np.array([1, 2]), np.zeros((1, 3), np.float32), 1, 0.0)
