"""A model scored in one pass over its Datanets' arena rows: the brute-force answer, the same bits
as the per-Datanet path (golden answers written by it before the arena existed), any tiling."""

import json

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import many_datanets as md
from openledger_sidecar import backends
from openledger_sidecar.arenas import Arenas, score
from openledger_sidecar.backends import NumpyStore, backend
from openledger_sidecar.index import DatanetIndex
from openledger_sidecar.memory import MemoryBudget
from openledger_sidecar.scoring import OPEN, active_mask, merge, top_k
from openledger_sidecar.service import AttributionService, RequestError


def stores():
    try:
        import torch
    except ImportError:
        return [NumpyStore]
    found = [NumpyStore, backend("torch-cpu")]
    return found + ([backend("torch-cuda")] if torch.cuda.is_available() else [])


def module_of(store):
    if store is NumpyStore:
        return backends
    from openledger_sidecar import torch_backend

    return torch_backend


class small_tiles:
    """Tiles of one window (512 rows), so a pass has many tiles, some gathered, some in place."""

    def __init__(self, store):
        self.module = module_of(store)

    def __enter__(self):
        self.saved = self.module._CHUNK_ELEMENTS
        self.module._CHUNK_ELEMENTS = 1 << 9

    def __exit__(self, *exc):
        self.module._CHUNK_ELEMENTS = self.saved


def arena_indexes(store, s):
    """The scenario in one arena (the service's layout): {datanet: index}."""
    arenas = Arenas(store, MemoryBudget(1 << 34))
    indexes = {}

    def insert(d, ids, v, f):
        if d not in indexes:
            indexes[d] = arenas.new_index(d, "precomputed", v.shape[1], f"index({d})")
        indexes[d].insert_batch(ids, v, f, matches=False)

    md.apply(s, insert, lambda d, c, b: indexes[d].close(c, b), lambda d, c: indexes[d].reopen(c))
    return indexes


GOLDEN = json.loads(md.GOLDEN.read_text())


@pytest.mark.parametrize("tiles", ["default", "small"])
def test_should_give_the_per_datanet_paths_golden_bits_in_one_pass(tiles):
    s = md.scenario(GOLDEN["seed"])
    indexes = arena_indexes(NumpyStore, s)
    model = [indexes[d] for d in s["model"]]

    for k, threshold in md.SETTINGS:
        if tiles == "small":
            with small_tiles(NumpyStore):
                got = score(model, s["queries"], s["blocks"], k, threshold).matches(len(s["queries"]))
        else:
            got = score(model, s["queries"], s["blocks"], k, threshold).matches(len(s["queries"]))
        assert md.as_golden(got) == GOLDEN["answers"][f"{k}/{threshold}"]


def test_should_still_give_the_golden_bits_one_datanet_at_a_time():
    assert md.per_datanet_answers(md.scenario(GOLDEN["seed"])) == GOLDEN["answers"]


@pytest.mark.parametrize("store", stores(), ids=lambda s: s.backend)
def test_should_give_the_same_bits_as_per_datanet_queries_merged_on_every_backend(store):
    s = md.scenario(99)
    indexes = arena_indexes(store, s)
    alone = {d: DatanetIndex(md.DIM, capacity=4, store=store) for d in s["datanets"]}
    md.apply(s, lambda d, ids, v, f: alone[d].insert_batch(ids, v, f, matches=False),
             lambda d, c, b: alone[d].close(c, b), lambda d, c: alone[d].reopen(c))
    q, blocks = s["queries"], s["blocks"]

    for k, threshold in md.SETTINGS:
        merged = merge([alone[d].query_at(q, blocks, k, threshold) for d in s["model"]], len(q), k)
        one_pass = score([indexes[d] for d in s["model"]], q, blocks, k, threshold).matches(len(q))
        with small_tiles(store):
            tiled = score([indexes[d] for d in s["model"]], q, blocks, k, threshold).matches(len(q))
        one_by_one = [score([indexes[d] for d in s["model"]], q[i : i + 1], blocks[i : i + 1], k, threshold)
                      .matches(1)[0] for i in range(len(q))]
        assert one_pass == merged == tiled == one_by_one


# Small integer components: exact scores, so exact ties, which the tie-break must survive.
component = st.integers(-3, 3).map(float)


@st.composite
def histories(draw):
    """Datanets with interleaved inserts, closes, reopens, reorg retractions and re-inserts."""
    dim = draw(st.sampled_from([4, 8]))
    datanets = draw(st.integers(1, 7))
    ops, next_id = [], 1
    for _ in range(draw(st.integers(1, 14))):
        d = draw(st.integers(1, datanets))
        n = draw(st.integers(1, 700 if draw(st.booleans()) else 30))
        vectors = draw(st.lists(st.lists(component, min_size=dim, max_size=dim), min_size=1, max_size=4))
        ops.append(("insert", d, list(range(next_id, next_id + n)), [vectors[i % len(vectors)] for i in range(n)],
                    draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))))
        next_id += n
        for _ in range(draw(st.integers(0, 4))):
            c = draw(st.integers(1, next_id - 1))
            ops.append((draw(st.sampled_from(["close", "reopen", "retract"])), c, draw(st.integers(0, 14))))
    model = draw(st.lists(st.integers(1, datanets), min_size=1, max_size=datanets, unique=True))
    queries = draw(st.lists(st.lists(component, min_size=dim, max_size=dim), min_size=1, max_size=6))
    blocks = draw(st.lists(st.integers(0, 16), min_size=len(queries), max_size=len(queries)))
    return dim, ops, model, np.array(queries, np.float32), np.array(blocks, np.int64)


@pytest.mark.parametrize("store", stores(), ids=lambda s: s.backend)
@settings(max_examples=60, deadline=None)
@given(history=histories(), k=st.integers(1, 12), threshold=st.integers(-8, 4), tiny=st.booleans())
def test_should_equal_brute_force_over_the_models_datanets(store, history, k, threshold, tiny):
    dim, ops, model, queries, blocks = history
    arenas = Arenas(store, MemoryBudget(1 << 34))
    indexes, rows, where = {}, [], {}  # rows: [datanet, id, vector, from, to]; where: id -> (datanet, row)
    for op in ops:
        if op[0] == "insert":
            _, d, ids, vectors, froms = op
            index = indexes.setdefault(d, arenas.new_index(d, "precomputed", dim, f"index({d})"))
            index.insert_batch(np.array(ids, np.int64), np.array(vectors, np.float32), np.array(froms, np.int64), False)
            for c, v, f in zip(ids, vectors, froms):
                where[c] = (d, len(rows))
                rows.append([d, c, v, f, OPEN])
        else:
            kind, c, b = op
            d, r = where[c]
            if kind == "close":
                indexes[d].close(c, b)
                rows[r][4] = b
            elif kind == "reopen":
                indexes[d].reopen(c)
                rows[r][4] = OPEN
            else:  # reorged away, then included again on the new branch with another vector
                indexes[d].close(c, rows[r][3])
                rows[r][4] = rows[r][3]
                vector = rows[r][2][::-1]
                indexes[d].insert_batch(np.array([c], np.int64), np.array([vector], np.float32), np.array([b]), False)
                where[c] = (d, len(rows))
                rows.append([d, c, vector, b, OPEN])
    chosen = [indexes[d] for d in model if d in indexes]
    in_model = np.array([r[0] in model for r in rows])
    vectors = np.array([r[2] for r in rows], np.float32)
    ids, froms, tos = (np.array([r[i] for r in rows], np.int64) for i in (1, 3, 4))

    if tiny:
        with small_tiles(store):
            got = score(chosen, queries, blocks, k, float(threshold)).matches(len(queries))
    else:
        got = score(chosen, queries, blocks, k, float(threshold)).matches(len(queries))

    for q, b, matches in zip(queries, blocks, got):
        mask = in_model & active_mask(froms, tos, int(b))
        assert matches == top_k(vectors, ids, q[None, :], k, float(threshold), mask)[0]


def test_should_answer_the_service_score_from_columns_over_many_datanets():
    service = AttributionService()
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((600, 16)).astype(np.float32)
    for d in range(1, 13):
        part = np.arange(d - 1, 600, 12)  # interleaved: each Datanet's rows are scattered in the arena
        service.index(d, pa.RecordBatch.from_pydict(
            {"contribution_id": part + 1, "active_from": np.zeros(len(part), np.int64),
             "vector": pa.array(list(vectors[part]), pa.list_(pa.float32()))}), encoder="precomputed", matches=False)
    service.register_model(1, [2, 3, 5, 7, 11], encoder="precomputed")
    queries = vectors[[1, 2, 4, 6, 10, 0]]
    batch = pa.RecordBatch.from_pydict({"inference_id": [10, 20, 30, 40, 50, 60], "block": [1] * 6,
                                        "vector": pa.array(list(queries), pa.list_(pa.float32()))})

    answer = service.score(1, 3, 0.0, batch)

    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(1, 601)
    mask = np.isin((ids - 1) % 12 + 1, [2, 3, 5, 7, 11])
    want = top_k(unit, ids, unit[[1, 2, 4, 6, 10, 0]], 3, 0.0, mask)
    assert answer.schema.field("rank").type == pa.int32() and answer.schema.metadata[b"backend"] == b"numpy"
    assert [(r["inference_id"], r["rank"], r["contribution_id"]) for r in answer.to_pylist()] == [
        (iid, rank, m.contribution_id) for iid, matches in zip([10, 20, 30, 40, 50, 60], want)
        for rank, m in enumerate(matches, start=1)]
    assert np.allclose(answer.column("score").to_numpy(), [m.score for ms in want for m in ms], atol=1e-5)


def test_should_refuse_a_model_over_datanets_of_different_widths():
    service = AttributionService()
    for d, width in ((1, 4), (2, 6)):
        service.index(d, pa.RecordBatch.from_pydict({"contribution_id": [d], "active_from": [0],
                                                     "vector": [[1.0] * width]}), encoder="precomputed")
    service.register_model(1, [1, 2], encoder="precomputed")

    with pytest.raises(RequestError, match=r"\[4, 6\] dims"):
        service.score(1, 1, 0.0, pa.RecordBatch.from_pydict({"inference_id": [1], "block": [1], "vector": [[1.0] * 4]}))
