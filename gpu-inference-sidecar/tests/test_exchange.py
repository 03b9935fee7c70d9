import json

import pyarrow as pa
import pyarrow.flight as flight
import pytest


def exchange(client, command, batch):
    writer, reader = client.do_exchange(flight.FlightDescriptor.for_command(json.dumps(command)))
    writer.begin(batch.schema)
    writer.write_batch(batch)
    writer.done_writing()
    table = reader.read_all()
    writer.close()
    return table.to_pylist()


def action(client, kind, body=None):
    payload = json.dumps(body).encode() if body is not None else b""
    return json.loads(list(client.do_action(flight.Action(kind, payload)))[0].body.to_pybytes())


@pytest.fixture
def client(sidecar):
    _, server, _ = sidecar
    return flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")


def contributions(rows):
    return pa.RecordBatch.from_pylist(rows, schema=pa.schema(
        [("contribution_id", pa.int64()), ("active_from", pa.int64()), ("text", pa.string())]))


def queries(rows):
    return pa.RecordBatch.from_pylist(rows, schema=pa.schema(
        [("inference_id", pa.int64()), ("block", pa.int64()), ("text", pa.string())]))


def test_should_index_report_duplicates_and_score_planted_queries_at_rank_one(client):
    first = exchange(client, {"op": "index", "datanet_id": 1}, contributions([
        {"contribution_id": 1, "active_from": 10, "text": "a stitch in time saves nine"},
        {"contribution_id": 2, "active_from": 11, "text": "the early bird catches the worm"},
    ]))
    duplicate = exchange(client, {"op": "index", "datanet_id": 1}, contributions([
        {"contribution_id": 3, "active_from": 12, "text": "A stitch in time saves nine!"},
    ]))
    action(client, "register_model", {"model_id": 7, "datanet_ids": [1]})

    results = exchange(client, {"op": "score", "model_id": 7, "k": 2, "threshold": 0.2}, queries([
        {"inference_id": 100, "block": 11, "text": "early bird catches the worm"},
    ]))

    assert first[0]["match_id"] is None
    assert duplicate[0]["match_id"] == 1 and duplicate[0]["match_score"] > 0.99
    assert results[0]["inference_id"] == 100 and results[0]["rank"] == 1
    assert results[0]["contribution_id"] == 2


def test_should_not_score_before_being_re_seeded(sidecar):
    state, server, _ = sidecar
    state.set_ready(False)
    client = flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")
    action(client, "register_model", {"model_id": 1, "datanet_ids": [1]})

    with pytest.raises(flight.FlightUnavailableError, match="re-seeded"):
        exchange(client, {"op": "score", "model_id": 1, "k": 1, "threshold": 0.0}, queries([
            {"inference_id": 1, "block": 1, "text": "hello"}]))
    assert action(client, "ready")["ready"] is True


def test_should_answer_bad_requests_with_clear_errors_and_keep_serving(client):
    with pytest.raises(flight.FlightError, match="unknown model 99"):
        exchange(client, {"op": "score", "model_id": 99, "k": 1, "threshold": 0.0}, queries([
            {"inference_id": 1, "block": 1, "text": "x"}]))
    with pytest.raises(flight.FlightError, match="row 0: text has no words"):
        exchange(client, {"op": "index", "datanet_id": 1}, contributions([
            {"contribution_id": 1, "active_from": 1, "text": "..."}]))
    with pytest.raises(flight.FlightError, match="command is not JSON"):
        list(client.do_action(flight.Action("register_model", b"{nope")))
    with pytest.raises(flight.FlightError, match="field 'datanet_ids' must be list"):
        action(client, "register_model", {"model_id": 1, "datanet_ids": 3})

    assert action(client, "health")["status"] == "ok"


def test_should_take_only_re_seeding_while_not_ready(sidecar):
    state, server, _ = sidecar
    client = flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")
    action(client, "reset")
    assert state.ready is False

    seeded = exchange(client, {"op": "index", "datanet_id": 1, "matches": False}, contributions([
        {"contribution_id": 1, "active_from": 1, "text": "seeded words"}]))
    with pytest.raises(flight.FlightUnavailableError, match="not-ready"):
        exchange(client, {"op": "index", "datanet_id": 1}, contributions([
            {"contribution_id": 2, "active_from": 2, "text": "new words"}]))
    with pytest.raises(flight.FlightUnavailableError, match="not-ready"):
        action(client, "close", {"datanet_id": 1, "contribution_id": 1, "at_block": 5})
    action(client, "ready")
    action(client, "close", {"datanet_id": 1, "contribution_id": 1, "at_block": 5})

    assert seeded[0]["match_id"] is None
