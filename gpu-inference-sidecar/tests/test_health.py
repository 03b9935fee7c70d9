import json
import urllib.error
import urllib.request

import pyarrow.flight as flight
import pytest


def _get(port: int, path: str):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_should_answer_health_action_over_flight(sidecar):
    _, server, _ = sidecar
    client = flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")
    results = list(client.do_action(flight.Action("health", b"")))
    doc = json.loads(results[0].body.to_pybytes())
    assert doc["status"] == "ok"
    assert doc["ready"] is True
    assert ("health" in [a.type for a in client.list_actions()])


def test_should_reject_unknown_action_with_clear_message(sidecar):
    _, server, _ = sidecar
    client = flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")
    with pytest.raises(flight.FlightError, match="unknown action 'explode'"):
        list(client.do_action(flight.Action("explode", b"")))
    # the server keeps serving after a bad request
    assert list(client.do_action(flight.Action("health", b"")))


def test_should_serve_healthz_readyz_and_metrics_over_http(sidecar):
    state, server, http = sidecar
    status, body = _get(http.port, "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    assert _get(http.port, "/readyz")[0] == 200
    state.set_ready(False)
    assert _get(http.port, "/readyz")[0] == 503
    flight.connect(f"grpc+tcp://127.0.0.1:{server.port}").do_action(flight.Action("health", b""))
    status, body = _get(http.port, "/metrics")
    assert status == 200
    assert b"sidecar_ready 0.0" in body
    assert b'sidecar_flight_actions_total{action="health",outcome="ok"}' in body


def test_should_answer_404_for_unknown_path(sidecar):
    _, _, http = sidecar
    assert _get(http.port, "/nope")[0] == 404
