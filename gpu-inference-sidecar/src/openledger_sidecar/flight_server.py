"""Thin Arrow Flight front of the sidecar: it validates requests and delegates to pure modules.

Errors carry a stable tag at the start of their message, which the Java client maps to typed
exceptions: `[bad-request]` (the caller must fix the input), `[capacity]` (the device budget is
full), `[not-ready]` (re-seed, then retry; sent as UNAVAILABLE like an unreachable server).
"""

from __future__ import annotations

import json
import logging
import time

import pyarrow.flight as flight

from .memory import CapacityError
from .service import DEFAULT_ENCODER, AttributionService, RequestError
from .state import SidecarState

log = logging.getLogger(__name__)


def bad_request(message: str) -> flight.FlightServerError:
    return flight.FlightServerError(f"[bad-request] {message}")


def _command(raw: bytes, required: dict[str, type], optional: dict[str, type] | None = None) -> dict:
    """A JSON command with the required fields of the required types, or a clear Flight error."""
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise bad_request(f"command is not JSON: {e}") from e
    if not isinstance(doc, dict):
        raise bad_request("command must be a JSON object")
    fields = {**required, **(optional or {})}
    for name, kind in fields.items():
        if name not in doc and name not in required:
            continue
        value = doc.get(name)
        ok = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True  # JSON 0 and 1 are fine thresholds
        if not ok:
            raise bad_request(f"command field '{name}' must be {kind.__name__}")
    return doc


class SidecarFlightServer(flight.FlightServerBase):
    """Arrow Flight server: DoExchange `index` and `score`, and a few JSON actions."""

    ACTIONS = {
        "health": "Liveness and readiness of the sidecar as a JSON document",
        "stats": "Backend, memory budget, rows and bytes per index, bytes per model",
        "register_model": '{"model_id": int, "datanet_ids": [int], "encoder"?: str}: what a model scores against',
        "close": '{"datanet_id": int, "contribution_id": int, "at_block": int}: end an active interval',
        "reopen": '{"datanet_id": int, "contribution_id": int}: undo a close retracted by a reorg',
        "ready": "the owner has re-seeded the sidecar: it may score",
        "reset": "forget every model and index and stop scoring until re-seeded (the owner restarts)",
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
        state.watch(self._service)
        log.info("flight server listening host=%s port=%d backend=%s", host, self.port, self._service.backend)

    def list_actions(self, context):
        return list(self.ACTIONS.items())

    def do_action(self, context, action):
        kind = action.type
        if kind not in self.ACTIONS:
            self._state.flight_actions.labels(action="unknown", outcome="error").inc()
            raise bad_request(f"unknown action '{kind}'; known actions: {sorted(self.ACTIONS)}")
        body = action.body.to_pybytes() if action.body else b""
        try:
            reply = self._state.health()
            if kind == "register_model":
                doc = _command(body, {"model_id": int, "datanet_ids": list}, {"encoder": str})
                self._service.register_model(doc["model_id"], doc["datanet_ids"], doc.get("encoder", DEFAULT_ENCODER))
            elif kind in ("close", "reopen") and not self._state.ready:
                raise flight.FlightUnavailableError(f"[not-ready] {kind} waits until the owner has re-seeded")
            elif kind == "close":
                doc = _command(body, {"datanet_id": int, "contribution_id": int, "at_block": int})
                self._service.close(doc["datanet_id"], doc["contribution_id"], doc["at_block"])
            elif kind == "reopen":
                doc = _command(body, {"datanet_id": int, "contribution_id": int})
                self._service.reopen(doc["datanet_id"], doc["contribution_id"])
            elif kind == "ready":
                self._state.set_ready(True)
                reply = self._state.health()
            elif kind == "reset":
                self._state.set_ready(False)
                self._service.reset()
                reply = self._state.health()
            elif kind == "stats":
                reply = self._service.stats()
        except RequestError as e:
            self._state.flight_actions.labels(action=kind, outcome="error").inc()
            raise bad_request(str(e)) from e
        except flight.FlightUnavailableError:
            self._state.flight_actions.labels(action=kind, outcome="not-ready").inc()
            raise
        self._state.flight_actions.labels(action=kind, outcome="ok").inc()
        return [flight.Result(json.dumps(reply).encode())]

    def do_exchange(self, context, descriptor, reader, writer):
        doc = _command(descriptor.command, {"op": str})
        op = doc["op"]
        try:
            if op == "index":
                doc = _command(descriptor.command, {"op": str, "datanet_id": int}, {"encoder": str, "matches": bool})
                encoder, matches = doc.get("encoder", DEFAULT_ENCODER), doc.get("matches", True)
                if matches and not self._state.ready:
                    # A duplicate search against a half-seeded index would miss matches: only
                    # re-seeding (matches false) is taken until the owner says ready.
                    raise flight.FlightUnavailableError("[not-ready] index with matches waits until re-seeded")
                handle = lambda batch: self._service.index(doc["datanet_id"], batch, encoder, matches)  # noqa: E731
            elif op == "score":
                if not self._state.ready:
                    raise flight.FlightUnavailableError("[not-ready] waiting to be re-seeded by its owner")
                doc = _command(descriptor.command, {"op": str, "model_id": int, "k": int, "threshold": float})
                handle = lambda batch: self._service.score(doc["model_id"], doc["k"], float(doc["threshold"]), batch)  # noqa: E731
            else:
                raise bad_request(f"unknown op '{op}'; known: index, score")
            started = False
            for chunk in reader:
                if chunk.data is None:
                    continue
                began = time.perf_counter()
                try:
                    result = handle(chunk.data)
                finally:  # refused batches count too: their latency is what the caller saw
                    self._state.observe(op, chunk.data.num_rows, time.perf_counter() - began)
                if not started:
                    writer.begin(result.schema)
                    started = True
                writer.write_batch(result)
            self._state.flight_actions.labels(action=op, outcome="ok").inc()
        except RequestError as e:
            self._state.flight_actions.labels(action=op, outcome="error").inc()
            raise bad_request(str(e)) from e
        except CapacityError as e:
            self._state.flight_actions.labels(action=op, outcome="capacity").inc()
            log.warning("refused for capacity op=%s reason=%s", op, e)
            raise flight.FlightServerError(f"[capacity] {e}") from e
