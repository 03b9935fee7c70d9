"""Thin Arrow Flight front of the sidecar: it validates requests and delegates to pure modules."""

from __future__ import annotations

import json
import logging

import pyarrow.flight as flight

from .service import AttributionService, RequestError
from .state import SidecarState

log = logging.getLogger(__name__)


def _command(raw: bytes, required: dict[str, type]) -> dict:
    """A JSON command with the required fields of the required types, or a clear Flight error."""
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise flight.FlightServerError(f"command is not JSON: {e}") from e
    if not isinstance(doc, dict):
        raise flight.FlightServerError("command must be a JSON object")
    for name, kind in required.items():
        if not isinstance(doc.get(name), kind) or isinstance(doc.get(name), bool) and kind is not bool:
            raise flight.FlightServerError(f"command field '{name}' must be {kind.__name__}")
    return doc


class SidecarFlightServer(flight.FlightServerBase):
    """Arrow Flight server: DoExchange `index` and `score`, and a few JSON actions."""

    ACTIONS = {
        "health": "Liveness and readiness of the sidecar as a JSON document",
        "register_model": '{"model_id": int, "datanet_ids": [int]}: the Datanets a model scores against',
        "close": '{"datanet_id": int, "contribution_id": int, "at_block": int}: end an active interval',
        "ready": "the owner has re-seeded the sidecar: it may score",
    }

    def __init__(
        self,
        state: SidecarState,
        host: str = "127.0.0.1",
        port: int = 0,
        service: AttributionService | None = None,
    ) -> None:
        super().__init__(location=f"grpc+tcp://{host}:{port}")
        self._state = state
        self._service = service or AttributionService()
        log.info("flight server listening host=%s port=%d", host, self.port)

    def list_actions(self, context):
        return list(self.ACTIONS.items())

    def do_action(self, context, action):
        kind = action.type
        if kind not in self.ACTIONS:
            self._state.flight_actions.labels(action="unknown", outcome="error").inc()
            raise flight.FlightServerError(
                f"unknown action '{kind}'; known actions: {sorted(self.ACTIONS)}"
            )
        body = action.body.to_pybytes() if action.body else b""
        if kind == "register_model":
            doc = _command(body, {"model_id": int, "datanet_ids": list})
            try:
                self._service.register_model(doc["model_id"], doc["datanet_ids"])
            except RequestError as e:
                raise flight.FlightServerError(str(e)) from e
        elif kind == "close":
            doc = _command(body, {"datanet_id": int, "contribution_id": int, "at_block": int})
            self._service.close(doc["datanet_id"], doc["contribution_id"], doc["at_block"])
        elif kind == "ready":
            self._state.set_ready(True)
        self._state.flight_actions.labels(action=kind, outcome="ok").inc()
        return [flight.Result(json.dumps(self._state.health()).encode())]

    def do_exchange(self, context, descriptor, reader, writer):
        doc = _command(descriptor.command, {"op": str})
        op = doc["op"]
        try:
            if op == "index":
                doc = _command(descriptor.command, {"op": str, "datanet_id": int})
                handle = lambda batch: self._service.index(doc["datanet_id"], batch)  # noqa: E731
                schema = None
            elif op == "score":
                if not self._state.ready:
                    raise flight.FlightUnavailableError("not ready: waiting to be re-seeded by its owner")
                doc = _command(descriptor.command, {"op": str, "model_id": int, "k": int, "threshold": float})
                handle = lambda batch: self._service.score(doc["model_id"], doc["k"], doc["threshold"], batch)  # noqa: E731
            else:
                raise flight.FlightServerError(f"unknown op '{op}'; known: index, score")
            started = False
            for chunk in reader:
                result = handle(chunk.data)
                if not started:
                    writer.begin(result.schema)
                    started = True
                writer.write_batch(result)
            self._state.flight_actions.labels(action=op, outcome="ok").inc()
        except RequestError as e:
            self._state.flight_actions.labels(action=op, outcome="error").inc()
            raise flight.FlightServerError(str(e)) from e
