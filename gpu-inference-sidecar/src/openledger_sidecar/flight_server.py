"""Thin Arrow Flight front of the sidecar: it authenticates and validates requests and delegates
to pure modules.

Errors carry a stable tag at the start of their message, which the Java client maps to typed
exceptions: `[bad-request]` (the caller must fix the input; every limit of `limits.Limits` is one),
`[capacity]` (the device budget is full), `[not-ready]` (re-seed, then retry; sent as UNAVAILABLE
like an unreachable server), `[unauthenticated]` (no or a wrong token, see `auth`). Nothing a
client sends raises anything else: a malformed command, an oversized batch or a number out of
range is a `[bad-request]`.
"""

from __future__ import annotations

import json
import logging
import time

import pyarrow as pa
import pyarrow.flight as flight

from .auth import BearerTokenMiddlewareFactory, require_token_off_loopback
from .limits import LimitError, Limits, check_finite, check_int64
from .memory import CapacityError
from .service import DEFAULT_ENCODER, EMBEDDING, METHODS, AttributionService, RequestError
from .state import SidecarState

log = logging.getLogger(__name__)


def bad_request(message: str) -> flight.FlightServerError:
    return flight.FlightServerError(f"[bad-request] {message}")


def _command(
    raw: bytes | None,
    required: dict[str, type],
    optional: dict[str, type] | None = None,
    limits: Limits | None = None,
    what: str = "command",
) -> dict:
    """A JSON command with the required fields of the required types, or a clear Flight error.

    Its size is checked before it is parsed; integers must fit int64 (ids, blocks) and floats be
    finite, so nothing a client sends fails later in NumPy with an unmapped error.
    """
    if raw is None:
        raise bad_request(f"{what} must be a JSON object in a command descriptor")
    try:
        (limits or Limits()).check_command_size(raw, what)
        doc = json.loads(raw)
    except LimitError as e:
        raise bad_request(str(e)) from e
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        raise bad_request(f"{what} is not JSON: {type(e).__name__}: {str(e)[:200]}") from e
    if not isinstance(doc, dict):
        raise bad_request(f"{what} must be a JSON object")
    fields = {**required, **(optional or {})}
    for name, kind in fields.items():
        if name not in doc and name not in required:
            continue
        value = doc.get(name)
        ok = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True  # JSON 0 and 1 are fine thresholds
        if not ok:
            raise bad_request(f"{what} field '{name}' must be {kind.__name__}")
        try:
            if kind is int:
                check_int64(name, value)
            elif kind is float:
                doc[name] = check_finite(name, value)
        except LimitError as e:
            raise bad_request(str(e)) from e
    return doc


def _next_chunk(reader):
    """The next chunk of a DoExchange, None at its end; an undecodable message is the caller's."""
    try:
        return reader.read_chunk()
    except StopIteration:
        return None
    except pa.ArrowException as e:
        raise LimitError(f"record batch could not be read: {str(e)[:200]}") from e


class SidecarFlightServer(flight.FlightServerBase):
    """Arrow Flight server: DoExchange `index` and `score`, and a few JSON actions.

    With a `token` every call must present it (see `auth`); without one it serves loopback only:
    a non-loopback `host` without a token is a `TokenError` before the port is bound.
    """

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
        token: str | None = None,
        limits: Limits | None = None,
    ) -> None:
        require_token_off_loopback(host, token)  # before the port is bound
        self._state = state
        self._service = service or AttributionService(limits=limits)
        self._limits = limits or self._service.limits
        middleware = {}
        if token is not None:
            refused = lambda method: state.flight_actions.labels(action=method, outcome="unauthenticated").inc()  # noqa: E731
            middleware["auth"] = BearerTokenMiddlewareFactory(token, refused)
        super().__init__(location=f"grpc+tcp://{host}:{port}", middleware=middleware)
        state.watch(self._service)
        log.info(
            "flight server listening host=%s port=%d backend=%s auth=%s",
            host, self.port, self._service.backend, "token" if token is not None else "none (loopback)",
        )

    def list_actions(self, context):
        return list(self.ACTIONS.items())

    def do_get(self, context, ticket):
        raise bad_request("the sidecar serves no DoGet: use DoExchange with op 'index' or 'score'")

    def do_put(self, context, descriptor, reader, writer):
        raise bad_request("the sidecar takes no DoPut: use DoExchange with op 'index' or 'score'")

    def do_action(self, context, action):
        kind = action.type
        if kind not in self.ACTIONS:
            self._state.flight_actions.labels(action="unknown", outcome="error").inc()
            raise bad_request(f"unknown action '{kind[:100]}'; known actions: {sorted(self.ACTIONS)}")
        body = action.body.to_pybytes() if action.body else b""
        command = lambda required, optional=None: _command(body, required, optional, self._limits, f"{kind} command")  # noqa: E731
        try:
            reply = self._state.health()
            if kind == "register_model":
                doc = command({"model_id": int, "datanet_ids": list}, {"encoder": str})
                self._service.register_model(doc["model_id"], doc["datanet_ids"], doc.get("encoder", DEFAULT_ENCODER))
            elif kind in ("close", "reopen") and not self._state.ready:
                raise flight.FlightUnavailableError(f"[not-ready] {kind} waits until the owner has re-seeded")
            elif kind == "close":
                doc = command({"datanet_id": int, "contribution_id": int, "at_block": int})
                self._service.close(doc["datanet_id"], doc["contribution_id"], doc["at_block"])
            elif kind == "reopen":
                doc = command({"datanet_id": int, "contribution_id": int})
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
        except flight.FlightServerError:
            self._state.flight_actions.labels(action=kind, outcome="error").inc()
            raise
        except flight.FlightUnavailableError:
            self._state.flight_actions.labels(action=kind, outcome="not-ready").inc()
            raise
        self._state.flight_actions.labels(action=kind, outcome="ok").inc()
        return [flight.Result(json.dumps(reply).encode())]

    def do_exchange(self, context, descriptor, reader, writer):
        raw = descriptor.command if descriptor.descriptor_type == flight.DescriptorType.CMD else None
        doc = _command(raw, {"op": str}, None, self._limits, "exchange command")
        op = doc["op"] if doc["op"] in ("index", "score") else "unknown"
        observed = op  # the latency histogram's label: span scoring apart from embedding
        try:
            if op == "index":
                doc = _command(raw, {"op": str, "datanet_id": int}, {"encoder": str, "matches": bool}, self._limits)
                encoder, matches = doc.get("encoder", DEFAULT_ENCODER), doc.get("matches", True)
                if matches and not self._state.ready:
                    # A duplicate search against a half-seeded index would miss matches: only
                    # re-seeding (matches false) is taken until the owner says ready.
                    raise flight.FlightUnavailableError("[not-ready] index with matches waits until re-seeded")
                handle = lambda batch: self._service.index(doc["datanet_id"], batch, encoder, matches)  # noqa: E731
            elif op == "score":
                if not self._state.ready:
                    raise flight.FlightUnavailableError("[not-ready] waiting to be re-seeded by its owner")
                doc = _command(raw, {"op": str, "model_id": int, "k": int, "threshold": float}, {"method": str}, self._limits)
                self._limits.check_matches(1, doc["k"])  # k alone, before any batch arrives
                method = doc.get("method", EMBEDDING)
                if method not in METHODS:  # before any batch arrives
                    raise bad_request(f"unknown method '{method[:100]}'; known: {', '.join(METHODS)}")
                handle = lambda batch: self._service.score(doc["model_id"], doc["k"], doc["threshold"], batch, method)  # noqa: E731
                observed = "score" if method == EMBEDDING else f"score_{method}"  # latency per method
            else:
                raise bad_request(f"unknown op '{doc['op'][:100]}'; known: index, score")
            started, batches = False, 0
            while (chunk := _next_chunk(reader)) is not None:
                if chunk.data is None:
                    continue
                self._limits.check_batch(chunk.data, batches)  # before the service allocates for it
                batches += 1
                began = time.perf_counter()
                try:
                    result = handle(chunk.data)
                finally:  # refused batches count too: their latency is what the caller saw
                    self._state.observe(observed, chunk.data.num_rows, time.perf_counter() - began)
                if not started:
                    writer.begin(result.schema)
                    started = True
                writer.write_batch(result)
            self._state.flight_actions.labels(action=op, outcome="ok").inc()
        except (RequestError, LimitError) as e:
            self._state.flight_actions.labels(action=op, outcome="error").inc()
            raise bad_request(str(e)) from e
        except flight.FlightServerError:
            self._state.flight_actions.labels(action=op, outcome="error").inc()
            raise
        except CapacityError as e:
            self._state.flight_actions.labels(action=op, outcome="capacity").inc()
            log.warning("refused for capacity op=%s reason=%s", op, e)
            raise flight.FlightServerError(f"[capacity] {e}") from e
