"""Sizes a client controls are checked against limits and the memory budget before any allocation."""

import json

import numpy as np
import pyarrow as pa
import pyarrow.flight as flight
import pytest

from conftest import running_sidecar
from openledger_sidecar.limits import Limits
from openledger_sidecar.service import AttributionService, RequestError


class AllocationSpy:
    """Wraps np.zeros: records every size asked for, and fails (without allocating) past `cap`."""

    def __init__(self, monkeypatch, cap_elements):
        self.sizes = []
        self._zeros = np.zeros
        self._cap = cap_elements
        monkeypatch.setattr(np, "zeros", self)

    def __call__(self, shape, *args, **kwargs):
        size = int(np.prod(shape, dtype=object))
        self.sizes.append(size)
        if size >= self._cap:
            raise AssertionError(f"np.zeros({shape}) allocated before validation")
        return self._zeros(shape, *args, **kwargs)


def exchange(client, command, batch):
    writer, reader = client.do_exchange(flight.FlightDescriptor.for_command(json.dumps(command)))
    writer.begin(batch.schema)
    writer.write_batch(batch)
    writer.done_writing()
    try:
        return reader.read_all().to_pylist()
    finally:
        writer.close()


def vectors(ids, vectors_, column_type=pa.list_(pa.float32())):
    return pa.RecordBatch.from_arrays(
        [pa.array(ids, pa.int64()), pa.array([1] * len(ids), pa.int64()), pa.array(vectors_, column_type)],
        names=["contribution_id", "active_from", "vector"])


def forged_width(width):
    """Two rows whose list offsets claim the first vector is `width` floats long, over 4 real values:
    what a hostile client can put on the wire (nothing checks offsets before the server does)."""
    offsets = pa.py_buffer(np.array([0, width, 4], np.int32).tobytes())
    column = pa.Array.from_buffers(pa.list_(pa.float32()), 2, [None, offsets],
                                   children=[pa.array([1.0, 2.0, 3.0, 4.0], pa.float32())])
    return pa.RecordBatch.from_arrays([pa.array([1, 2], pa.int64()), pa.array([1, 1], pa.int64()), column],
                                      names=["contribution_id", "active_from", "vector"])


def test_should_refuse_a_forged_2_31_wide_vector_over_flight_before_allocating(monkeypatch):
    with running_sidecar() as (_, server, _):
        spy = AllocationSpy(monkeypatch, cap_elements=1 << 24)
        client = flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")

        with pytest.raises(flight.FlightServerError, match=r"\[bad-request\] record batch is malformed"):
            exchange(client, {"op": "index", "datanet_id": 1, "encoder": "precomputed"}, forged_width(2**31 - 1))
        stats = json.loads(list(client.do_action(flight.Action("stats", b"")))[0].body.to_pybytes())

    assert max(spy.sizes, default=0) < 1 << 24
    assert stats["indexes"] == [] and stats["memory_used_bytes"] == 0


def test_should_refuse_a_huge_width_in_the_service_before_allocating(monkeypatch):
    service = AttributionService()
    spy = AllocationSpy(monkeypatch, cap_elements=1 << 24)

    with pytest.raises(RequestError, match=r"vector width 2147483647 is outside 1..4096 \(--max-dim\)"):
        service.index(1, forged_width(2**31 - 1), encoder="precomputed")

    assert max(spy.sizes, default=0) < 1 << 24 and service.budget.used == 0


def test_should_refuse_a_precomputed_width_over_max_dim_over_flight():
    with running_sidecar() as (_, server, _):
        client = flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")
        with pytest.raises(flight.FlightServerError, match=r"\[bad-request\] vector width 4097 .*--max-dim"):
            exchange(client, {"op": "index", "datanet_id": 1, "encoder": "precomputed"},
                     vectors([1], [[1.0] * 4097]))
        exchange(client, {"op": "index", "datanet_id": 1, "encoder": "precomputed"}, vectors([1], [[1.0] * 4096]))


def test_should_refuse_rows_times_width_past_the_budget_before_allocating(monkeypatch):
    service = AttributionService(memory_limit=8 << 20)
    rows, width = 2048, 1024  # 8 MiB of values: 24 MiB to serve, over the 8 MiB budget
    batch = vectors(list(range(rows)), np.ones((rows, width), np.float32).tolist())
    with running_sidecar(service=service) as (_, server, _):
        spy = AllocationSpy(monkeypatch, cap_elements=rows * width)
        client = flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")

        with pytest.raises(flight.FlightServerError,
                           match=r"\[capacity\] index\(datanet=1, encoder=precomputed\) needs 24.0 MiB for a batch "
                                 r"of 2048 rows x 1024 dims"):
            exchange(client, {"op": "index", "datanet_id": 1, "encoder": "precomputed"}, batch)

    assert max(spy.sizes, default=0) < rows * width
    assert service.budget.used == 0 and service.stats()["indexes"] == []


def test_should_hold_a_batch_in_the_budget_while_it_is_served_and_give_it_back():
    service = AttributionService(hashing_dim=8)
    seen = []
    original = service._vectors
    service._vectors = lambda *args: (seen.append(service.budget.used), original(*args))[1]

    service.index(1, pa.RecordBatch.from_pydict({"contribution_id": [1], "active_from": [1], "text": ["a few words"]}))

    assert seen[0] > 0  # the batch's arrays were reserved before they were made
    stats = service.stats()  # the arena of the index and the span index of the same texts share it
    assert service.budget.used == stats["arenas"][0]["bytes"] + stats["span"]["bytes"]


def test_should_refuse_an_oversized_command_and_action_body():
    padding = "x" * (64 << 10)
    with running_sidecar() as (_, server, _):
        client = flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")
        batch = pa.RecordBatch.from_pydict({"contribution_id": [1], "active_from": [1], "text": ["words"]})
        with pytest.raises(flight.FlightServerError, match=r"\[bad-request\] exchange command is \d+ bytes, over the "
                                                            r"limit of 65536 \(max_command_bytes\)"):
            exchange(client, {"op": "index", "datanet_id": 1, "pad": padding}, batch)
        body = json.dumps({"model_id": 1, "datanet_ids": [1], "pad": padding}).encode()
        with pytest.raises(flight.FlightServerError, match=r"\[bad-request\] register_model command is \d+ bytes"):
            list(client.do_action(flight.Action("register_model", body)))


def test_should_refuse_batches_over_the_row_and_byte_limits_before_the_service_sees_them():
    service = AttributionService(hashing_dim=8)
    called = []
    service.index = lambda *args: called.append(args)
    limits = Limits(max_batch_rows=10, max_batch_bytes=4096)
    with running_sidecar(service=service, limits=limits) as (_, server, _):
        client = flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")
        many = pa.RecordBatch.from_pydict({"contribution_id": list(range(11)), "active_from": [1] * 11,
                                           "text": ["w"] * 11})
        big = pa.RecordBatch.from_pydict({"contribution_id": [1], "active_from": [1], "text": ["w" * 5000]})
        with pytest.raises(flight.FlightServerError, match=r"batch of 11 rows, over the limit of 10 \(--max-batch-rows\)"):
            exchange(client, {"op": "index", "datanet_id": 1}, many)
        with pytest.raises(flight.FlightServerError, match=r"bytes, over the limit of 4096 \(--max-batch-bytes\)"):
            exchange(client, {"op": "index", "datanet_id": 1}, big)
    assert called == []


def test_should_refuse_texts_over_max_text_bytes_and_answers_over_max_matches():
    service = AttributionService(hashing_dim=8, limits=Limits(max_text_bytes=100, max_matches=50))
    long_text = pa.RecordBatch.from_pydict({"contribution_id": [1, 2], "active_from": [1, 1],
                                            "text": ["fine", "w " * 60]})
    with pytest.raises(RequestError, match=r"row 1: text of 120 bytes, over the limit of 100 \(max_text_bytes\)"):
        service.index(1, long_text)
    service.index(1, pa.RecordBatch.from_pydict({"contribution_id": [1], "active_from": [1], "text": ["fine"]}))
    service.register_model(1, [1])
    queries = pa.RecordBatch.from_pydict({"inference_id": list(range(11)), "block": [1] * 11, "text": ["fine"] * 11})
    with pytest.raises(RequestError, match=r"11 queries x k=5 may answer 55 matches, over the limit of 50"):
        service.score(1, 5, 0.0, queries)
    assert len(service.score(1, 4, 0.0, queries)) == 11


@pytest.mark.parametrize("kind, body, message", [
    ("close", {"datanet_id": 1, "contribution_id": 1, "at_block": 2**70}, "'at_block' 1180591620717411303424 does not fit"),
    ("register_model", {"model_id": -2**64, "datanet_ids": [1]}, "'model_id' .* does not fit"),
    ("register_model", {"model_id": 1, "datanet_ids": [2**64]}, "does not fit a signed 64-bit integer"),
    ("register_model", {"model_id": 1, "datanet_ids": list(range(5000))}, "over the limit of 4096"),
])
def test_should_refuse_numbers_that_do_not_fit_as_bad_requests(kind, body, message):
    with running_sidecar() as (_, server, _):
        client = flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")
        with pytest.raises(flight.FlightServerError, match=r"\[bad-request\] .*" + message):
            list(client.do_action(flight.Action(kind, json.dumps(body).encode())))


@pytest.mark.parametrize("command, message", [
    ('{"op": "score", "model_id": 1, "k": 1, "threshold": 1e999}', "'threshold' must be a finite number"),
    ('{"op": "score", "model_id": 1, "k": 1, "threshold": NaN}', "'threshold' must be a finite number"),
    ('{"op": "score", "model_id": 1, "k": 1, "threshold": ' + "9" * 400 + "}", "'threshold' is too large"),
    ('{"op": "score", "model_id": 1, "k": 100000, "threshold": 0}', "k must be between 1 and 1000"),
    ('{"op": "index", "datanet_id": 1, "x": ' + "[" * 5000 + "]" * 5000 + "}", "is not JSON: RecursionError"),
    ('{"op": "drop-tables"}', "unknown op 'drop-tables'"),
])
def test_should_refuse_bad_commands_as_bad_requests(command, message):
    batch = pa.RecordBatch.from_pydict({"inference_id": [1], "block": [1], "text": ["words"]})
    with running_sidecar() as (state, server, http):
        client = flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")
        writer, reader = client.do_exchange(flight.FlightDescriptor.for_command(command.encode()))
        with pytest.raises(flight.FlightServerError, match=r"\[bad-request\] .*" + message):
            writer.begin(batch.schema)
            writer.write_batch(batch)
            writer.done_writing()
            reader.read_all()


def test_should_refuse_path_descriptors_doget_and_doput_as_bad_requests():
    with running_sidecar() as (_, server, _):
        client = flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")
        writer, reader = client.do_exchange(flight.FlightDescriptor.for_path("index"))
        with pytest.raises(flight.FlightServerError, match=r"\[bad-request\] exchange command must be a JSON object"):
            writer.done_writing()
            reader.read_all()
        with pytest.raises(flight.FlightServerError, match=r"\[bad-request\] the sidecar serves no DoGet"):
            client.do_get(flight.Ticket(b'{"op": "score"}')).read_all()


@pytest.mark.parametrize("columns, message", [
    ({"contribution_id": ["a"], "active_from": [1], "text": ["w"]}, "column 'contribution_id' must be integers"),
    ({"contribution_id": [None, 1], "active_from": [1, 1], "text": ["w", "w"]}, "column 'contribution_id' has nulls"),
    ({"contribution_id": pa.array([2**63], pa.uint64()), "active_from": [1], "text": ["w"]}, "past int64"),
    ({"contribution_id": [1], "active_from": [1], "text": [b"bytes"]}, "column 'text' must be strings"),
    ({"contribution_id": [1], "active_from": [1], "vector": [["a", "b"]]}, "column 'vector' must hold floats"),
    ({"contribution_id": [1], "active_from": [1], "vector": pa.array([[]], pa.list_(pa.float32()))}, "vector width 0 is outside"),
    ({"active_from": [1], "text": ["w"]}, "lacks column 'contribution_id'"),
])
def test_should_refuse_columns_of_the_wrong_shape(columns, message):
    service = AttributionService(hashing_dim=8)
    encoder = "precomputed" if "vector" in columns else "hashing-ngram"
    with pytest.raises(RequestError, match=message):
        service.index(1, pa.RecordBatch.from_pydict(columns), encoder=encoder)
    assert service.budget.used == 0


def test_should_refuse_limits_that_are_not_positive_and_a_hashing_dim_past_max_dim():
    with pytest.raises(ValueError, match="max_dim must be a positive integer"):
        Limits(max_dim=0)
    with pytest.raises(ValueError, match="hashing dim 512 is over the max dim 256"):
        AttributionService(hashing_dim=512, limits=Limits(max_dim=256))
