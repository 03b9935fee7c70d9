"""Entry point: `python -m openledger_sidecar --flight-port 8815 --http-port 8816`."""

from __future__ import annotations

import argparse
import logging
import os
import signal

from .flight_server import SidecarFlightServer
from .http_server import SidecarHttpServer
from .state import SidecarState

log = logging.getLogger("openledger_sidecar")


def _parse(argv=None) -> argparse.Namespace:
    env = os.environ.get
    p = argparse.ArgumentParser(prog="openledger_sidecar", description=__doc__)
    p.add_argument("--host", default=env("SIDECAR_HOST", "127.0.0.1"), help="bind address")
    p.add_argument("--flight-port", type=int, default=int(env("SIDECAR_FLIGHT_PORT", "8815")))
    p.add_argument("--http-port", type=int, default=int(env("SIDECAR_HTTP_PORT", "8816")))
    p.add_argument("--log-level", default=env("SIDECAR_LOG_LEVEL", "INFO"))
    args = p.parse_args(argv)
    for name in ("flight_port", "http_port"):
        if not 0 <= getattr(args, name) <= 65535:
            p.error(f"--{name.replace('_', '-')} must be a TCP port (0-65535)")
    return args


def main(argv=None) -> None:
    args = _parse(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="ts=%(asctime)s level=%(levelname)s logger=%(name)s msg=%(message)s",
    )
    state = SidecarState(ready=False)  # holds nothing yet: ready once its owner re-seeds it
    http = SidecarHttpServer(state, args.host, args.http_port).start()
    server = SidecarFlightServer(state, args.host, args.flight_port)

    def _stop(signum, _frame):
        log.info("stopping signal=%d", signum)
        http.stop()
        server.shutdown()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server.serve()
    log.info("stopped")


if __name__ == "__main__":
    main()
