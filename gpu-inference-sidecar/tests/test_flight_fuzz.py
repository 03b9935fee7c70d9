"""Property tests: whatever bytes a client puts in a Flight command, action or batch, the sidecar
answers with one of its documented errors (or a result) and keeps serving.

Documented: `[bad-request]` as FlightServerError, `[capacity]` as FlightServerError, `[not-ready]`
as FlightUnavailableError. Anything else (an internal error, a crash, a hang) fails the property.
Thousands of cheap examples in all; the whole file runs in well under 30 s here.
"""

import json

import pyarrow as pa
import pyarrow.flight as flight
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import running_sidecar
from openledger_sidecar.flight_server import SidecarFlightServer, _command
from openledger_sidecar.service import AttributionService

DOCUMENTED = ("[bad-request]", "[capacity]", "[not-ready]")
FIELDS = ["op", "datanet_id", "model_id", "encoder", "matches", "k", "threshold", "contribution_id", "at_block",
          "datanet_ids"]
ENCODERS = ["hashing-ngram", "precomputed", "nope"]  # never minilm: loading a transformer per example is slow
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20)
    | st.sampled_from(["index", "score", *ENCODERS]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
commands = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6).map(lambda d: json.dumps(d).encode())
raw = st.binary(max_size=300) | commands | st.text(max_size=100).map(str.encode)


@pytest.fixture(scope="module")
def client():
    service = AttributionService(memory_limit=64 << 20, hashing_dim=8)
    with running_sidecar(service=service) as (_, server, _):
        with flight.connect(f"grpc+tcp://127.0.0.1:{server.port}") as c:
            yield c


def documented(error: BaseException) -> bool:
    return isinstance(error, (flight.FlightServerError, flight.FlightUnavailableError)) and str(error).startswith(
        DOCUMENTED)


@settings(SETTINGS, max_examples=3000)
@given(raw)
def test_should_parse_any_command_bytes_into_a_dict_or_a_bad_request(data):
    try:
        doc = _command(data, {"op": str}, {"k": int, "threshold": float, "matches": bool})
    except flight.FlightServerError as e:
        assert str(e).startswith("[bad-request]")
    else:
        assert isinstance(doc, dict) and isinstance(doc["op"], str)


@settings(SETTINGS, max_examples=800)
@given(command=raw)
def test_should_answer_any_exchange_command_with_a_result_or_a_documented_error(client, command):
    batch = pa.RecordBatch.from_pydict({"contribution_id": [1], "active_from": [1], "inference_id": [1], "block": [1],
                                        "text": ["some words"]})
    try:
        writer, reader = client.do_exchange(flight.FlightDescriptor.for_command(command))
        writer.begin(batch.schema)
        writer.write_batch(batch)
        writer.done_writing()
        reader.read_all()
        writer.close()
    except flight.FlightError as e:
        assert documented(e), repr(e)


@settings(SETTINGS, max_examples=800)
@given(kind=st.sampled_from(list(SidecarFlightServer.ACTIONS)) | st.text(max_size=20), body=raw)
def test_should_answer_any_action_with_json_or_a_documented_error(client, kind, body):
    try:
        results = list(client.do_action(flight.Action(kind, body)))
        assert isinstance(json.loads(results[0].body.to_pybytes()), dict)
    except flight.FlightError as e:
        assert documented(e), repr(e)


@settings(SETTINGS, max_examples=300)
@given(ticket=raw)
def test_should_answer_any_ticket_with_a_bad_request(client, ticket):
    with pytest.raises(flight.FlightServerError, match=r"^\[bad-request\]"):
        client.do_get(flight.Ticket(ticket)).read_all()


ANY_TYPE = st.sampled_from([pa.int64(), pa.int32(), pa.uint64(), pa.float64(), pa.string(), pa.binary(),
                             pa.list_(pa.float32()), pa.list_(pa.int8()), pa.large_list(pa.float64()),
                             pa.list_(pa.string()), pa.null()])
# Per op, its columns with the type they should have: most examples get that type, the rest any.
COLUMNS = {
    "index": {"contribution_id": pa.int64(), "active_from": pa.int64(), "active_to": pa.int64(), "text": pa.string(),
              "vector": pa.list_(pa.float32())},
    "score": {"inference_id": pa.int64(), "block": pa.int64(), "text": pa.string(), "vector": pa.list_(pa.float32())},
}


def _value(kind):
    if pa.types.is_null(kind):
        return st.none()
    if pa.types.is_integer(kind):
        low, high = (0, 2**64 - 1) if kind == pa.uint64() else (-(2 ** (kind.bit_width - 1)), 2 ** (kind.bit_width - 1) - 1)
        plain = st.integers(0, 20) | st.integers(low, high)
    elif pa.types.is_floating(kind):
        plain = st.floats(-2, 2) | st.floats()
    elif pa.types.is_string(kind):
        plain = st.sampled_from(["a stitch in time", "early bird", "!!!", ""]) | st.text(max_size=20)
    elif pa.types.is_binary(kind):
        plain = st.binary(max_size=20)
    else:
        plain = st.lists(_value(kind.value_type), min_size=0, max_size=9)
    return plain


@st.composite
def batches(draw, op):
    rows = draw(st.integers(0, 4))
    names = [n for n in COLUMNS[op] if draw(st.integers(0, 19)) > 0]  # each column present 95% of the time
    arrays = []
    for name in names:
        kind = COLUMNS[op][name] if draw(st.integers(0, 7)) > 0 else draw(ANY_TYPE)
        values = [None if draw(st.integers(0, 19)) == 0 else draw(_value(kind)) for _ in range(rows)]  # 1 in 20 null
        arrays.append(pa.array(values, kind))
    return pa.RecordBatch.from_arrays(arrays, names=names) if names else pa.RecordBatch.from_pydict({"x": [1] * rows})


@settings(SETTINGS, max_examples=500)
@given(data=st.data(), op=st.sampled_from(["index", "score"]), encoder=st.sampled_from(ENCODERS),
       matches=st.booleans(), k=st.integers(0, 5))
def test_should_answer_any_batch_with_a_result_or_a_documented_error(client, data, op, encoder, matches, k):
    batch = data.draw(batches(op))
    list(client.do_action(flight.Action("ready", b"")))  # earlier examples may have said reset
    if encoder != "nope":
        list(client.do_action(flight.Action("register_model", json.dumps(
            {"model_id": 1, "datanet_ids": [1], "encoder": encoder}).encode())))
    command = {"op": op, "datanet_id": 1, "encoder": encoder, "matches": matches, "model_id": 1, "k": k,
               "threshold": 0.0}
    try:
        writer, reader = client.do_exchange(flight.FlightDescriptor.for_command(json.dumps(command)))
        writer.begin(batch.schema)
        writer.write_batch(batch)
        writer.done_writing()
        reader.read_all()
        writer.close()
    except flight.FlightError as e:
        assert documented(e), repr(e)


def test_should_still_serve_after_the_fuzzing(client):
    assert json.loads(list(client.do_action(flight.Action("health", b"")))[0].body.to_pybytes())["status"] == "ok"
