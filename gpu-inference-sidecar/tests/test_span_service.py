"""Span-match scoring through the service and the Flight server: the `method` of a score request."""

import json

import pyarrow as pa
import pyarrow.flight as flight
import pytest
from prometheus_client import generate_latest

from openledger_sidecar.service import AttributionService, RequestError

QUOTED = "the quick brown fox jumps over the lazy dog near the river bank at dawn"
OTHER = "a stitch in time saves nine and the early bird catches the worm every morning"


def exchange(client, command, batch):
    writer, reader = client.do_exchange(flight.FlightDescriptor.for_command(json.dumps(command)))
    writer.begin(batch.schema)
    writer.write_batch(batch)
    writer.done_writing()
    table = reader.read_all()
    writer.close()
    return table


def action(client, kind, body=None):
    payload = json.dumps(body).encode() if body is not None else b""
    return json.loads(list(client.do_action(flight.Action(kind, payload)))[0].body.to_pybytes())


def contributions(rows, closed=False):
    fields = [("contribution_id", pa.int64()), ("active_from", pa.int64()), ("text", pa.string())]
    if closed:
        fields.append(("active_to", pa.int64()))
    return pa.RecordBatch.from_pylist(rows, schema=pa.schema(fields))


def queries(rows):
    return pa.RecordBatch.from_pylist(rows, schema=pa.schema(
        [("inference_id", pa.int64()), ("block", pa.int64()), ("text", pa.string())]))


@pytest.fixture
def client(sidecar):
    _, server, _ = sidecar
    client = flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")
    exchange(client, {"op": "index", "datanet_id": 1}, contributions([
        {"contribution_id": 1, "active_from": 10, "text": OTHER},
        {"contribution_id": 2, "active_from": 10, "text": QUOTED},
    ]))
    action(client, "register_model", {"model_id": 7, "datanet_ids": [1]})
    return client


def test_should_rank_the_quoted_contribution_first_when_scored_by_span(client):
    table = exchange(client, {"op": "score", "model_id": 7, "k": 5, "threshold": 0.0, "method": "span"}, queries([
        {"inference_id": 100, "block": 20, "text": "as they say, the quick brown fox jumps over the lazy dog"},
    ]))

    rows = table.to_pylist()
    assert rows[0]["contribution_id"] == 2 and rows[0]["rank"] == 1 and rows[0]["points"] > 0
    assert [r["contribution_id"] for r in rows] == [2]  # "the" alone is shorter than a span
    assert 0.5 < rows[0]["score"] <= 1.0
    assert table.schema.field("score").type == pa.float32() and table.schema.field("points").type == pa.int64()
    assert table.schema.metadata[b"encoder_id"] == b"span-match" and table.schema.metadata[b"encoder_version"] == b"1"


def test_should_respect_active_intervals_when_scored_by_span(client):
    action(client, "close", {"datanet_id": 1, "contribution_id": 2, "at_block": 30})
    command = {"op": "score", "model_id": 7, "k": 5, "threshold": 0.0, "method": "span"}
    text = "the quick brown fox jumps over the lazy dog"

    before_start = exchange(client, command, queries([{"inference_id": 1, "block": 9, "text": text}])).to_pylist()
    active = exchange(client, command, queries([{"inference_id": 2, "block": 29, "text": text}])).to_pylist()
    closed = exchange(client, command, queries([{"inference_id": 3, "block": 30, "text": text}])).to_pylist()
    action(client, "reopen", {"datanet_id": 1, "contribution_id": 2})
    reopened = exchange(client, command, queries([{"inference_id": 4, "block": 30, "text": text}])).to_pylist()

    assert before_start == [] and closed == []
    assert [r["contribution_id"] for r in active] == [2]
    assert [r["contribution_id"] for r in reopened] == [2]


def test_should_report_the_span_index_and_span_latency_on_metrics(sidecar, client):
    state, _, _ = sidecar
    exchange(client, {"op": "score", "model_id": 7, "k": 1, "threshold": 0.0, "method": "span"},
             queries([{"inference_id": 1, "block": 20, "text": QUOTED}]))

    text = generate_latest(state.registry).decode()

    assert 'sidecar_span_index{kind="contributions"} 2.0' in text
    assert 'sidecar_batch_seconds_count{op="score_span"} 1.0' in text


def test_should_refuse_a_score_request_with_an_unknown_method(client):
    for method in ("bm25", 3):
        with pytest.raises(flight.FlightError, match="bad-request"):
            exchange(client, {"op": "score", "model_id": 7, "k": 1, "threshold": 0.0, "method": method},
                     queries([{"inference_id": 1, "block": 20, "text": "x"}]))
    assert action(client, "health")["status"] == "ok"


def test_should_score_by_embedding_unchanged_when_method_is_embedding_or_absent(client):
    text = [{"inference_id": 5, "block": 20, "text": "early bird catches the worm"}]
    plain = exchange(client, {"op": "score", "model_id": 7, "k": 2, "threshold": 0.0}, queries(text))
    named = exchange(client, {"op": "score", "model_id": 7, "k": 2, "threshold": 0.0, "method": "embedding"}, queries(text))

    assert plain.to_pylist() == named.to_pylist()
    assert plain.schema.names == ["inference_id", "rank", "contribution_id", "score"]
    assert plain.schema.metadata[b"encoder_id"] == b"hashing-ngram"
    assert plain.to_pylist()[0]["contribution_id"] == 1


def test_should_apply_the_threshold_to_the_covered_share_when_scored_by_span(client):
    text = "the quick brown fox jumps and then many other words nobody wrote in any contribution here"
    command = {"op": "score", "model_id": 7, "k": 5, "threshold": 0.5, "method": "span"}
    assert exchange(client, command, queries([{"inference_id": 1, "block": 20, "text": text}])).to_pylist() == []


def test_should_mirror_re_seeded_closed_intervals_and_reset_in_the_span_index():
    service = AttributionService()
    service.index(3, contributions([
        {"contribution_id": 1, "active_from": 1, "text": QUOTED, "active_to": 5},
        {"contribution_id": 2, "active_from": 1, "text": OTHER, "active_to": None},
    ], closed=True), matches=False)
    service.register_model(1, [3])
    ask = queries([{"inference_id": 1, "block": 4, "text": QUOTED}, {"inference_id": 2, "block": 6, "text": QUOTED}])

    rows = service.score(1, 3, 0.0, ask, "span").to_pylist()
    assert [(r["inference_id"], r["contribution_id"]) for r in rows] == [(1, 1)]
    assert service.stats()["span"]["contributions"] == 2

    service.reset()
    service.register_model(1, [3])
    assert service.score(1, 3, 0.0, ask, "span").num_rows == 0
    assert service.stats()["span"]["contributions"] == 0
    with pytest.raises(RequestError, match="unknown method"):
        service.score(1, 3, 0.0, ask, "nope")


def test_should_index_a_datanet_for_a_second_encoder_without_adding_its_texts_twice():
    service = AttributionService()
    texts = contributions([{"contribution_id": 1, "active_from": 1, "text": QUOTED}])
    vectors = pa.RecordBatch.from_pylist(
        [{"contribution_id": 1, "active_from": 1, "text": QUOTED, "vector": [1.0, 0.0, 0.0]}],
        schema=pa.schema([("contribution_id", pa.int64()), ("active_from", pa.int64()), ("text", pa.string()),
                          ("vector", pa.list_(pa.float32()))]))
    service.index(3, texts, "hashing-ngram", matches=False)
    service.index(3, vectors, "precomputed", matches=False)
    service.close(3, 1, 5)

    assert service.stats()["span"]["rows"] == 1
    service.register_model(1, [3])
    ask = queries([{"inference_id": 1, "block": 4, "text": QUOTED}, {"inference_id": 2, "block": 5, "text": QUOTED}])
    assert [r["inference_id"] for r in service.score(1, 1, 0.0, ask, "span").to_pylist()] == [1]
