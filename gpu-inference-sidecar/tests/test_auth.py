"""The Flight port's shared token: every call checked, required off loopback, never logged."""

import json
import logging
import urllib.request

import pyarrow as pa
import pyarrow.flight as flight
import pytest

from conftest import running_sidecar
from openledger_sidecar import __main__ as entry
from openledger_sidecar.auth import TokenError, bearer, is_loopback, load_token
from openledger_sidecar.flight_server import SidecarFlightServer
from openledger_sidecar.state import SidecarState

TOKEN = "s3cret-token-for-tests-0123456789"


def connect(server):
    return flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")


def with_token(token):
    return flight.FlightCallOptions(headers=[bearer(token)])


def action(client, kind, body=None, options=None):
    payload = json.dumps(body).encode() if body is not None else b""
    results = list(client.do_action(flight.Action(kind, payload), options=options))
    return json.loads(results[0].body.to_pybytes())


def index_one(client, options, contribution_id=1, datanet_id=1):
    batch = pa.RecordBatch.from_pydict(
        {"contribution_id": [contribution_id], "active_from": [1], "text": ["some words to index"]})
    writer, reader = client.do_exchange(
        flight.FlightDescriptor.for_command(json.dumps({"op": "index", "datanet_id": datanet_id})), options=options)
    writer.begin(batch.schema)
    writer.write_batch(batch)
    writer.done_writing()
    table = reader.read_all()
    writer.close()
    return table


@pytest.fixture
def guarded():
    with running_sidecar(token=TOKEN) as parts:
        yield parts


def test_should_refuse_an_unauthenticated_reset_and_leave_every_index_untouched(guarded):
    state, server, _ = guarded
    client = connect(server)
    index_one(client, with_token(TOKEN))

    with pytest.raises(flight.FlightUnauthenticatedError, match=r"\[unauthenticated\]"):
        action(client, "reset")
    with pytest.raises(flight.FlightUnauthenticatedError):
        action(client, "ready", options=with_token("not-the-token-but-long-enough"))

    stats = action(client, "stats", options=with_token(TOKEN))
    assert state.ready is True
    assert [(i["datanet_id"], i["rows"]) for i in stats["indexes"]] == [(1, 1)]


@pytest.mark.parametrize("token", [None, "", "wrong-token-of-some-length", TOKEN + "x", TOKEN[:-1], "bearer " + TOKEN])
def test_should_refuse_every_kind_of_call_without_the_right_token(guarded, token):
    _, server, _ = guarded
    client = connect(server)
    options = None
    if token is not None:
        options = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {token}".encode())])
        if token.startswith("bearer "):  # the raw token without the scheme
            options = flight.FlightCallOptions(headers=[(b"authorization", TOKEN.encode())])

    calls = [
        lambda: action(client, "health", options=options),
        lambda: action(client, "reset", options=options),
        lambda: index_one(client, options),
        lambda: list(client.list_actions(options=options)),
        lambda: client.do_get(flight.Ticket(b"{}"), options=options).read_all(),
    ]
    for call in calls:
        with pytest.raises(flight.FlightUnauthenticatedError):
            call()


def test_should_serve_every_call_with_the_right_token_and_count_the_refused(guarded):
    state, server, http = guarded
    client = connect(server)
    options = with_token(TOKEN)

    indexed = index_one(client, options).to_pylist()
    action(client, "register_model", {"model_id": 3, "datanet_ids": [1]}, options)
    reset = action(client, "reset", options=options)
    with pytest.raises(flight.FlightUnauthenticatedError):
        action(client, "ready")
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{http.port}/metrics").read().decode()

    assert indexed[0]["contribution_id"] == 1
    assert reset["ready"] is False and state.ready is False
    assert "health" in [a.type for a in client.list_actions(options=options)]
    assert 'sidecar_flight_actions_total{action="do_action",outcome="unauthenticated"} 1.0' in metrics


def test_should_keep_the_http_health_endpoints_open_and_read_only(guarded):
    _, _, http = guarded
    with urllib.request.urlopen(f"http://127.0.0.1:{http.port}/healthz", timeout=5) as r:
        assert r.status == 200 and json.loads(r.read())["status"] == "ok"


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3", "sidecar"])
def test_should_refuse_to_bind_beyond_loopback_without_a_token(host):
    with pytest.raises(TokenError, match="OPENLEDGER_SIDECAR_TOKEN"):
        SidecarFlightServer(SidecarState(), host=host, port=0)


def test_should_refuse_to_start_beyond_loopback_without_a_token(monkeypatch, capsys):
    monkeypatch.delenv("OPENLEDGER_SIDECAR_TOKEN", raising=False)
    monkeypatch.delenv("OPENLEDGER_SIDECAR_TOKEN_FILE", raising=False)

    with pytest.raises(SystemExit) as stopped:
        entry._parse(["--host", "0.0.0.0"])

    assert stopped.value.code == 2
    assert "not loopback, and has no token" in capsys.readouterr().err
    assert entry._parse(["--host", "127.0.0.1"]).token is None  # the embedded default stays open


def test_should_take_the_token_from_a_file_or_the_environment_and_never_print_it(monkeypatch, tmp_path, capsys, caplog):
    file = tmp_path / "token"
    file.write_text(TOKEN + "\n")
    monkeypatch.delenv("OPENLEDGER_SIDECAR_TOKEN_FILE", raising=False)
    monkeypatch.setenv("OPENLEDGER_SIDECAR_TOKEN", "env-token-0123456789abcdef")
    caplog.set_level(logging.DEBUG)

    from_file = entry._parse(["--host", "0.0.0.0", "--token-file", str(file)])
    from_env = entry._parse(["--host", "0.0.0.0"])
    with pytest.raises(SystemExit):
        entry._parse(["--host", "0.0.0.0", "--token-file", str(tmp_path / "missing")])
    state = SidecarState()
    server = SidecarFlightServer(state, host="0.0.0.0", port=0, token=TOKEN)
    server.shutdown()

    assert from_file.token == TOKEN and from_env.token == "env-token-0123456789abcdef"
    printed = capsys.readouterr()
    assert TOKEN not in printed.out + printed.err + caplog.text
    assert "auth=token" in caplog.text


@pytest.mark.parametrize("bad", ["short", "has a space in it somewhere", "tab\tseparated-token-123", "ünïcode-token-0123456"])
def test_should_refuse_a_token_that_is_short_or_not_header_safe(bad, tmp_path):
    with pytest.raises(TokenError) as refused:
        load_token(environ={"OPENLEDGER_SIDECAR_TOKEN": bad})
    assert bad not in str(refused.value)
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(TokenError, match="is empty"):
        load_token(str(empty), environ={})


def test_should_call_only_localhost_and_loopback_literals_loopback():
    assert all(is_loopback(h) for h in ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST"])
    assert not any(is_loopback(h) for h in ["0.0.0.0", "::", "", "192.168.1.2", "sidecar", "localhost.evil.example"])
