import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from openledger_sidecar.encoders import HashingEncoder
from openledger_sidecar.index import DatanetIndex


def unit(*xs):
    v = np.array(xs, np.float32)
    return v / np.linalg.norm(v)


def test_should_return_the_best_earlier_active_match_on_insert():
    index = DatanetIndex(dim=3)
    assert index.insert(1, unit(1, 0, 0), active_from=10).best_match is None
    index.insert(2, unit(0, 1, 0), active_from=11)

    inserted = index.insert(3, unit(1, 0.1, 0), active_from=12)

    assert inserted.best_match.contribution_id == 1
    assert inserted.best_match.score > 0.99


def test_should_ignore_later_or_closed_contributions_when_matching_duplicates():
    index = DatanetIndex(dim=3)
    index.insert(1, unit(1, 0, 0), active_from=10)
    index.close(1, at_block=15)

    assert index.insert(2, unit(1, 0, 0), active_from=20).best_match is None  # 1 closed at 15
    assert index.query(unit(1, 0, 0)[None, :], block=12, k=5, threshold=0.5)[0][0].contribution_id == 1


def test_should_reopen_when_the_closing_event_is_retracted():
    index = DatanetIndex(dim=3)
    index.insert(1, unit(1, 0, 0), active_from=1)
    index.close(1, at_block=5)
    index.reopen(1)

    assert [m.contribution_id for m in index.query(unit(1, 0, 0)[None, :], 9, 1, 0.0)[0]] == [1]


def test_should_grow_past_its_initial_capacity_and_account_memory():
    enc = HashingEncoder(dim=32)
    index = DatanetIndex(dim=32, capacity=2)
    before = index.nbytes
    for i in range(10):
        index.insert(i, enc.encode(f"fortune number {i} of the day"), active_from=i)

    assert len(index) == 10
    assert index.nbytes > before
    (matches,) = index.query(enc.encode("fortune number 7 of the day")[None, :], 100, 1, 0.0)
    assert matches[0].contribution_id == 7


def test_should_refuse_wrong_dimensions_and_double_inserts():
    index = DatanetIndex(dim=3)
    with pytest.raises(ValueError, match="index dimension is 3"):
        index.insert(1, np.zeros(4, np.float32), 1)
    index.insert(1, unit(1, 0, 0), 1)
    with pytest.raises(ValueError, match="already indexed"):
        index.insert(1, unit(1, 0, 0), 2)


small_vectors = arrays(np.float32, st.tuples(st.integers(1, 30), st.just(4)), elements=st.integers(-2, 2).map(float))


@settings(max_examples=150, deadline=None)
@given(vectors=small_vectors, data=st.data())
def test_should_match_each_insert_to_its_brute_force_best_earlier_active_contribution(vectors, data, monkeypatch_step):
    vectors = vectors[np.linalg.norm(vectors, axis=1) > 0]
    n = len(vectors)
    froms = data.draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    split = data.draw(st.integers(0, n))  # some already indexed, the rest in one batch
    index = DatanetIndex(dim=4, capacity=2)
    got = index.insert_batch(np.arange(split), vectors[:split], froms[:split])
    got += index.insert_batch(np.arange(split, n), vectors[split:], froms[split:])

    for i, inserted in enumerate(got):
        earlier = [(float(vectors[i] @ vectors[j]), j) for j in range(i) if froms[j] <= froms[i]]
        want = min(earlier, key=lambda s: (-s[0], s[1]), default=None)
        have = inserted.best_match
        assert (have.contribution_id, have.score) == (want[1], want[0]) if want else have is None


@pytest.fixture(scope="module")
def monkeypatch_step():
    """Small matching steps, so random batches cross step boundaries."""
    import openledger_sidecar.index as module

    saved, module._STEP = module._STEP, 3
    yield
    module._STEP = saved


def test_should_index_again_an_id_whose_interval_a_reorg_emptied():
    index = DatanetIndex(dim=3)
    index.insert(1, unit(1, 0, 0), active_from=10)
    index.close(1, at_block=10)  # reorged away: never active

    index.insert(1, unit(0, 1, 0), active_from=12)  # re-included on the new branch

    (matches,) = index.query(unit(0, 1, 0)[None, :], block=20, k=5, threshold=-1.0)
    assert [(m.contribution_id, round(m.score, 3)) for m in matches] == [(1, 1.0)]
    with pytest.raises(ValueError, match="already indexed"):
        index.insert(1, unit(1, 0, 0), active_from=30)
