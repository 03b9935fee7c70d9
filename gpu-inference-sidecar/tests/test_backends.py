"""Every backend gives the exact top-k of a brute-force reference, and the backends agree."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from openledger_sidecar.backends import SCORE_TOLERANCE, NumpyStore, backend
from openledger_sidecar.index import DatanetIndex
from openledger_sidecar.scoring import OPEN, active_mask, top_k


def reference(vectors, ids, froms, tos, query, block, k, threshold):
    """Brute force over the rows active at `block`, sorted by (score desc, id asc)."""
    mask = active_mask(froms, tos, block)
    return top_k(vectors, ids, query[None, :], k, threshold, mask)[0]


def build(store, vectors, ids, froms, tos):
    index = DatanetIndex(vectors.shape[1], capacity=4, store=store)
    index.insert_batch(ids, vectors, froms, matches=False)
    for c, to in zip(ids.tolist(), tos.tolist()):
        if to != OPEN:
            index.close(c, to)
    return index


def torch_stores():
    torch = pytest.importorskip("torch")
    stores = [backend("torch-cpu")]
    if torch.cuda.is_available():
        stores.append(backend("torch-cuda"))
    return stores


def all_stores():
    try:
        return [NumpyStore, *torch_stores()]
    except pytest.skip.Exception:
        return [NumpyStore]


# Small integer components make exact ties frequent, which is what the tie-break must survive.
small = arrays(np.float32, st.tuples(st.integers(1, 60), st.just(8)), elements=st.integers(-3, 3).map(float))


@pytest.mark.parametrize("store", all_stores(), ids=lambda s: s.backend)
@settings(max_examples=120, deadline=None)
@given(vectors=small, data=st.data())
def test_should_equal_brute_force_at_each_querys_block_with_ties(store, vectors, data):
    n = len(vectors)
    ids = np.array(data.draw(st.permutations(list(range(100, 100 + n)))), dtype=np.int64)
    froms = np.array(data.draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)), dtype=np.int64)
    tos = np.array([data.draw(st.sampled_from([OPEN, f + 1, f + 4])) for f in froms], dtype=np.int64)
    queries = data.draw(arrays(np.float32, (4, 8), elements=st.integers(-3, 3).map(float)))
    blocks = np.array(data.draw(st.lists(st.integers(0, 12), min_size=4, max_size=4)), dtype=np.int64)
    k = data.draw(st.integers(1, n + 2))
    threshold = float(data.draw(st.integers(-20, 5)))

    got = build(store, vectors, ids, froms, tos).query_at(queries, blocks, k, threshold)

    for q, b, matches in zip(queries, blocks, got):
        assert matches == reference(vectors, ids, froms, tos, q, int(b), k, threshold)


@pytest.mark.parametrize("store", all_stores(), ids=lambda s: s.backend)
def test_should_stay_exact_on_large_indexes_where_the_window_bound_prunes(store):
    rng = np.random.default_rng(7)
    n, dim = 20_000, 16
    vectors = rng.integers(-2, 3, (n, dim)).astype(np.float32)  # many exact ties
    ids = rng.permutation(n).astype(np.int64) + 1
    froms = rng.integers(0, 50, n)
    tos = np.where(rng.random(n) < 0.3, froms + rng.integers(1, 20, n), OPEN)
    queries = rng.integers(-2, 3, (40, dim)).astype(np.float32)
    blocks = rng.integers(0, 80, 40)
    index = build(store, vectors, ids, froms, tos)

    for k in (1, 10, 50):
        got = index.query_at(queries, blocks, k, threshold=-100.0)
        for q, b, matches in zip(queries, blocks, got):
            assert matches == reference(vectors, ids, froms, tos, q, int(b), k, -100.0)


def test_should_recompute_exactly_when_inactive_rows_hold_the_best_scores():
    vectors = np.zeros((2048, 4), np.float32)
    vectors[:, 0] = 1.0
    vectors[1024:, 0] = 0.5  # the only active rows score lower than every inactive one
    ids = np.arange(2048, dtype=np.int64)
    froms = np.where(ids < 1024, 100, 0)
    index = build(NumpyStore, vectors, ids, froms, np.full(2048, OPEN))

    (matches,) = index.query(np.array([[1, 0, 0, 0]], np.float32), block=5, k=3, threshold=0.0)

    assert [m.contribution_id for m in matches] == [1024, 1025, 1026]


def test_should_score_few_candidates_exactly_when_a_small_index_is_queried_at_threshold_zero(monkeypatch):
    """An index of fewer than k windows at threshold 0: the k-th best bounds the candidates (not
    every positive row, which gathered gigabytes), and the answer stays the brute-force one."""
    from openledger_sidecar import backends

    rng = np.random.default_rng(5)
    n, dim, k = 1500, 64, 10
    vectors = rng.integers(-2, 3, (n, dim)).astype(np.float32)  # exact scores, many ties
    ids = np.arange(1, n + 1, dtype=np.int64)
    froms, tos = np.zeros(n, np.int64), np.full(n, OPEN)
    queries = vectors[:32] + rng.integers(-1, 2, (32, dim)).astype(np.float32)
    index = build(NumpyStore, vectors, ids, froms, tos)
    pairs = []
    real_exact = backends.exact
    monkeypatch.setattr(backends, "exact", lambda q, v, r, c: pairs.append(len(r)) or real_exact(q, v, r, c))

    got = index.query(queries, 1, k, 0.0)

    assert sum(pairs) <= 32 * (k + 5)
    for q, matches in zip(queries, got):
        assert matches == reference(vectors, ids, froms, tos, q, 1, k, 0.0)


@pytest.mark.parametrize("dim", [256, 384])
def test_should_agree_across_backends_within_the_stated_tolerance(dim):
    stores = torch_stores()
    rng = np.random.default_rng(dim)
    vectors = rng.standard_normal((5000, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(1, 5001, dtype=np.int64)
    froms = rng.integers(0, 10, 5000)
    queries = vectors[rng.integers(0, 5000, 64)] + 0.05 * rng.standard_normal((64, dim)).astype(np.float32)
    blocks = rng.integers(0, 12, 64)
    expected = build(NumpyStore, vectors, ids, froms, np.full(5000, OPEN)).query_at(queries, blocks, 10, 0.0)

    for store in stores:
        got = build(store, vectors, ids, froms, np.full(5000, OPEN)).query_at(queries, blocks, 10, 0.0)
        for want, have in zip(expected, got):
            assert np.allclose([m.score for m in have], [m.score for m in want], atol=SCORE_TOLERANCE)
            # Same ranking wherever neighbouring scores are further apart than the tolerance.
            gaps = np.diff([m.score for m in want])
            if np.all(np.abs(gaps) > SCORE_TOLERANCE):
                assert [m.contribution_id for m in have] == [m.contribution_id for m in want]


def test_should_never_import_torch_on_the_numpy_path():
    code = (
        "import sys, numpy as np, pyarrow as pa\n"
        "from openledger_sidecar.__main__ import choose_backend\n"
        "from openledger_sidecar.service import AttributionService\n"
        "from openledger_sidecar.flight_server import SidecarFlightServer\n"
        "s = AttributionService()\n"
        "s.index(1, pa.RecordBatch.from_pylist([{'contribution_id': 1, 'active_from': 1, 'text': 'a b'}]))\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    src = str(Path(__file__).resolve().parents[1] / "src")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, env={**os.environ, "PYTHONPATH": src})


@pytest.mark.parametrize("store", all_stores(), ids=lambda s: s.backend)
def test_should_give_the_same_bits_whatever_the_batch_or_the_row_order(store):
    """Replays and re-seeds score in other batches and row orders: ranks and scores must not move."""
    rng = np.random.default_rng(11)
    n, dim = 3000, 64
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(1, n + 1, dtype=np.int64)
    froms = rng.integers(0, 5, n)
    queries = (vectors[rng.integers(0, n, 40)] + 0.3 * rng.standard_normal((40, dim))).astype(np.float32)
    blocks = np.full(40, 9, np.int64)
    order = rng.permutation(n)
    first = build(store, vectors, ids, froms, np.full(n, OPEN))
    reseeded = build(store, vectors[order], ids[order], froms[order], np.full(n, OPEN))

    batch = first.query_at(queries, blocks, 10, 0.0)
    alone = [first.query_at(queries[i : i + 1], blocks[i : i + 1], 10, 0.0)[0] for i in range(40)]
    again = reseeded.query_at(queries[::-1], blocks, 10, 0.0)[::-1]

    assert batch == alone == again
