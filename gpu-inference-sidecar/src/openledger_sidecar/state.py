"""Process-wide state of the sidecar that both the Flight and the HTTP servers read.

It holds only what can be rebuilt: after a restart the sidecar is alive but not ready
until its owner (the Flink attribution job) re-seeds it.
"""

from __future__ import annotations

import threading
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily

_ROWS = (1, 8, 32, 128, 512, 2048, 8192, 32768)
_SECONDS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class _ServiceCollector:
    """Index sizes, memory per model and device memory, read from the service at scrape time."""

    def __init__(self, service) -> None:
        self._service = service

    def collect(self):
        stats = self._service.stats()
        rows = GaugeMetricFamily("sidecar_index_rows", "Contributions held per index", labels=["datanet", "encoder"])
        nbytes = GaugeMetricFamily("sidecar_index_bytes", "Bytes held per index", labels=["datanet", "encoder"])
        for i in stats["indexes"]:
            rows.add_metric([str(i["datanet_id"]), i["encoder"]], i["rows"])
            nbytes.add_metric([str(i["datanet_id"]), i["encoder"]], i["bytes"])
        model = GaugeMetricFamily("sidecar_model_bytes", "Bytes of the indexes a model scores against", labels=["model"])
        for m in stats["models"]:
            model.add_metric([str(m["model_id"])], m["bytes"])
        memory = GaugeMetricFamily(
            "sidecar_memory_bytes", "Index memory budget and use on the device", labels=["backend", "kind"]
        )
        memory.add_metric([stats["backend"], "limit"], stats["memory_limit_bytes"])
        memory.add_metric([stats["backend"], "used"], stats["memory_used_bytes"])
        for kind, value in stats.get("device", {}).items():
            memory.add_metric([stats["backend"], f"device_{kind}"], value)
        span = GaugeMetricFamily(
            "sidecar_span_index", "The span-match index: contributions, tokens, segments and bytes", labels=["kind"]
        )
        for kind in ("contributions", "tokens", "segments", "bytes"):
            span.add_metric([kind], stats.get("span", {}).get(kind, 0))
        yield from (rows, nbytes, model, memory, span)


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
        self.batch_rows = Histogram(
            "sidecar_batch_rows", "Rows per record batch received", ["op"], buckets=_ROWS, registry=self.registry
        )
        self.batch_seconds = Histogram(
            "sidecar_batch_seconds", "Time to answer one record batch", ["op"], buckets=_SECONDS, registry=self.registry
        )
        self.ready_gauge = Gauge(
            "sidecar_ready", "1 when the sidecar can score, 0 until it is seeded", registry=self.registry
        )
        self.ready_gauge.set(1 if ready else 0)

    def watch(self, service) -> None:
        """Exposes the service's index and memory figures on /metrics."""
        self.registry.register(_ServiceCollector(service))

    def observe(self, op: str, rows: int, seconds: float) -> None:
        self.batch_rows.labels(op=op).observe(rows)
        self.batch_seconds.labels(op=op).observe(seconds)

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
