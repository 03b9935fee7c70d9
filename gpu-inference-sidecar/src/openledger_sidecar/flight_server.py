"""Thin Arrow Flight front of the sidecar: it validates requests and delegates to pure modules."""

from __future__ import annotations

import json
import logging

import pyarrow.flight as flight

from .state import SidecarState

log = logging.getLogger(__name__)


class SidecarFlightServer(flight.FlightServerBase):
    """Arrow Flight server; today it answers the `health` action, scoring arrives with issue 5."""

    ACTIONS = {"health": "Liveness and readiness of the sidecar as a JSON document"}

    def __init__(self, state: SidecarState, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(location=f"grpc+tcp://{host}:{port}")
        self._state = state
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
        body = json.dumps(self._state.health()).encode()
        self._state.flight_actions.labels(action=kind, outcome="ok").inc()
        return [flight.Result(body)]
