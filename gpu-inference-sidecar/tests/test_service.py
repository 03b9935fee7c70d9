"""The service: encoders per model, precomputed vectors, re-seeding, memory budget, metrics."""

import json

import numpy as np
import pyarrow as pa
import pyarrow.flight as flight
import pytest

from openledger_sidecar.flight_server import SidecarFlightServer
from openledger_sidecar.memory import CapacityError
from openledger_sidecar.service import AttributionService, RequestError


def rows(**columns):
    return pa.RecordBatch.from_pydict(columns)


def vector_batch(ids, froms, vectors):
    return pa.RecordBatch.from_pydict(
        {"contribution_id": ids, "active_from": froms, "vector": [list(map(float, v)) for v in vectors]},
        schema=pa.schema([("contribution_id", pa.int64()), ("active_from", pa.int64()), ("vector", pa.list_(pa.float32()))]),
    )


def test_should_index_and_score_precomputed_vectors_and_refuse_text_for_them():
    service = AttributionService()
    service.index(5, vector_batch([1, 2], [1, 1], [[3, 0, 0, 0], [0, 0, 2, 0]]), encoder="precomputed")
    service.register_model(9, [5], encoder="precomputed")

    result = service.score(9, 1, 0.5, pa.RecordBatch.from_pydict(
        {"inference_id": [70], "block": [2], "vector": [[0.1, 0.0, 5.0, 0.0]]}))

    assert result.to_pylist()[0]["contribution_id"] == 2
    assert result.schema.metadata[b"encoder_id"] == b"precomputed"
    with pytest.raises(RequestError, match="takes vectors, not text"):
        service.score(9, 1, 0.5, rows(inference_id=[1], block=[2], text=["some words"]))
    with pytest.raises(RequestError, match="row 0: vector of 3 dims, expected 4"):
        service.index(5, vector_batch([3], [1], [[1, 2, 3]]), encoder="precomputed")


def test_should_keep_one_index_per_datanet_and_encoder_and_account_memory_per_model():
    service = AttributionService(hashing_dim=64)
    texts = rows(contribution_id=[1, 2], active_from=[1, 1], text=["red apples", "green pears"])
    service.index(1, texts)
    service.index(2, rows(contribution_id=[3], active_from=[1], text=["blue plums"]))
    service.index(1, vector_batch([1], [1], [[1, 0]]), encoder="precomputed")
    service.register_model(10, [1, 2])
    service.register_model(11, [1], encoder="precomputed")

    stats = service.stats()

    assert [(i["datanet_id"], i["encoder"], i["rows"]) for i in stats["indexes"]] == [
        (1, "hashing-ngram", 2), (1, "precomputed", 1), (2, "hashing-ngram", 1)]
    by_model = {m["model_id"]: m["bytes"] for m in stats["models"]}
    sizes = {(i["datanet_id"], i["encoder"]): i["bytes"] for i in stats["indexes"]}
    assert by_model[10] == sizes[(1, "hashing-ngram")] + sizes[(2, "hashing-ngram")]
    assert by_model[11] == sizes[(1, "precomputed")]
    # The budget holds the arenas (one per encoder space, each row once) and one span index, all texts.
    arenas = {(a["encoder"], a["dim"]): a for a in stats["arenas"]}
    assert sorted(arenas) == [("hashing-ngram", 64), ("precomputed", 2)]
    assert arenas[("hashing-ngram", 64)]["rows"] == 3 and arenas[("hashing-ngram", 64)]["datanets"] == 2
    assert stats["memory_used_bytes"] == sum(a["bytes"] for a in arenas.values()) + stats["span"]["bytes"]
    assert sum(sizes.values()) <= sum(a["bytes"] for a in arenas.values())


def test_should_refuse_an_index_past_the_memory_budget_and_keep_serving():
    service = AttributionService(memory_limit=64 * 1024 * (4 * 8 + 24), hashing_dim=8)
    service.index(1, rows(contribution_id=[1], active_from=[1], text=["first words"]))
    many = list(range(2, 70_000))

    with pytest.raises(CapacityError, match=r"index\(datanet=2, encoder=hashing-ngram\) needs .* MiB"):
        service.index(2, vector_batch(many, [1] * len(many), np.ones((len(many), 8))), encoder="hashing-ngram")
    service.register_model(1, [1])
    (match,) = service.score(1, 1, 0.0, rows(inference_id=[5], block=[3], text=["first words"])).to_pylist()

    assert match["contribution_id"] == 1
    assert [i["datanet_id"] for i in service.stats()["indexes"]] == [1]  # the refused index holds nothing


def test_should_re_seed_closed_intervals_without_searching_for_duplicates():
    service = AttributionService()
    seed = pa.RecordBatch.from_pydict(
        {"contribution_id": [1, 2], "active_from": [1, 1], "active_to": [4, None], "text": ["same text", "same text"]},
        schema=pa.schema([("contribution_id", pa.int64()), ("active_from", pa.int64()),
                          ("active_to", pa.int64()), ("text", pa.string())]))

    answer = service.index(3, seed, matches=False).to_pylist()
    service.register_model(1, [3])
    before = service.score(1, 5, 0.0, rows(inference_id=[1], block=[3], text=["same text"])).to_pylist()
    after = service.score(1, 5, 0.0, rows(inference_id=[2], block=[4], text=["same text"])).to_pylist()

    assert [a["match_id"] for a in answer] == [None, None]
    assert [r["contribution_id"] for r in before] == [1, 2]
    assert [r["contribution_id"] for r in after] == [2]


def test_should_name_the_batch_row_whose_text_cannot_be_encoded():
    service = AttributionService()
    batch = pa.RecordBatch.from_pydict(
        {"contribution_id": [1, 2, 3], "active_from": [1, 1, 1],
         "vector": [None, [1.0] * 384, None], "text": ["fine words", None, "!!!"]})

    with pytest.raises(RequestError, match="row 2: text has no words"):
        service.index(1, batch)


def test_should_map_capacity_errors_to_tagged_flight_errors_and_expose_metrics(sidecar):
    state, _, http_server = sidecar
    service = AttributionService(memory_limit=2 * 1024 * (4 * 8 + 24), hashing_dim=8)
    server = SidecarFlightServer(state, port=0, service=service)
    import threading
    import urllib.request

    threading.Thread(target=server.serve, daemon=True).start()
    client = flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")
    many = list(range(1, 5000))
    batch = vector_batch(many, [1] * len(many), np.ones((len(many), 8)))
    writer, reader = client.do_exchange(flight.FlightDescriptor.for_command(
        json.dumps({"op": "index", "datanet_id": 1, "encoder": "precomputed"})))
    writer.begin(batch.schema)
    writer.write_batch(batch)
    writer.done_writing()
    with pytest.raises(flight.FlightServerError, match=r"\[capacity\].*needs"):
        reader.read_all()
    stats = json.loads(list(client.do_action(flight.Action("stats", b"")))[0].body.to_pybytes())
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{http_server.port}/metrics").read().decode()
    server.shutdown()

    assert stats["backend"] == "numpy" and stats["indexes"] == []
    assert 'sidecar_flight_actions_total{action="index",outcome="capacity"} 1.0' in metrics
    assert "sidecar_memory_bytes" in metrics and "sidecar_batch_seconds_bucket" in metrics


def test_should_forget_everything_on_reset():
    service = AttributionService()
    service.index(1, rows(contribution_id=[1], active_from=[1], text=["some words"]))
    service.register_model(1, [1])

    service.reset()

    assert service.stats()["indexes"] == [] and service.stats()["memory_used_bytes"] == 0
    with pytest.raises(RequestError, match="unknown model"):
        service.score(1, 1, 0.0, rows(inference_id=[1], block=[1], text=["some words"]))
