"""Read-only HTTP endpoints for operators: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .state import SidecarState

log = logging.getLogger(__name__)


def _handler_for(state: SidecarState):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server naming)
            if self.path == "/healthz":
                self._send(200, "application/json", json.dumps(state.health()).encode())
            elif self.path == "/readyz":
                code = 200 if state.ready else 503
                self._send(code, "application/json", json.dumps({"ready": state.ready}).encode())
            elif self.path == "/metrics":
                self._send(200, CONTENT_TYPE_LATEST, generate_latest(state.registry))
            else:
                self._send(404, "application/json", b'{"error":"not found"}')

        def _send(self, code: int, content_type: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):  # keep access logs quiet
            log.debug("http %s", fmt % args)

    return Handler


class SidecarHttpServer:
    """Serves /healthz, /readyz and /metrics on a background thread."""

    def __init__(self, state: SidecarState, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = ThreadingHTTPServer((host, port), _handler_for(state))
        self._thread = threading.Thread(target=self._server.serve_forever, name="http", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> "SidecarHttpServer":
        self._thread.start()
        log.info("http server listening port=%d", self.port)
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
