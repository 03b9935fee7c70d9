"""Process-wide state of the sidecar that both the Flight and the HTTP servers read.

It holds only what can be rebuilt: after a restart the sidecar is alive but not ready
until its owner (the Flink attribution job) re-seeds it.
"""

from __future__ import annotations

import threading
import time

from prometheus_client import CollectorRegistry, Counter, Gauge


class SidecarState:
    """Liveness, readiness and the metrics registry shared by the servers."""

    def __init__(self, ready: bool = True) -> None:
        self._lock = threading.Lock()
        self._ready = ready
        self.started_at = time.time()
        self.registry = CollectorRegistry()
        self.flight_actions = Counter(
            "sidecar_flight_actions",
            "Arrow Flight actions served, by action type and outcome",
            ["action", "outcome"],
            registry=self.registry,
        )
        self.ready_gauge = Gauge(
            "sidecar_ready", "1 when the sidecar can score, 0 until it is seeded", registry=self.registry
        )
        self.ready_gauge.set(1 if ready else 0)

    @property
    def ready(self) -> bool:
        with self._lock:
            return self._ready

    def set_ready(self, ready: bool) -> None:
        with self._lock:
            self._ready = ready
            self.ready_gauge.set(1 if ready else 0)

    def health(self) -> dict:
        """The health document served over both Flight and HTTP."""
        return {
            "status": "ok",
            "ready": self.ready,
            "uptime_s": round(time.time() - self.started_at, 3),
        }
