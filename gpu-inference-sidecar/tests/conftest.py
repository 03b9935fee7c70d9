import contextlib
import threading

import pytest

from openledger_sidecar.flight_server import SidecarFlightServer
from openledger_sidecar.http_server import SidecarHttpServer
from openledger_sidecar.state import SidecarState


@contextlib.contextmanager
def running_sidecar(**server_options):
    """A sidecar with both servers on free ports (port 0), stopped on exit; options go to the
    Flight server (token, service, limits)."""
    state = SidecarState()
    flight_server = SidecarFlightServer(state, port=0, **server_options)
    http_server = SidecarHttpServer(state, port=0).start()
    thread = threading.Thread(target=flight_server.serve, daemon=True)
    thread.start()
    try:
        yield state, flight_server, http_server
    finally:
        http_server.stop()
        flight_server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def sidecar():
    """A sidecar with both servers on free ports (port 0), stopped after the test."""
    with running_sidecar() as parts:
        yield parts
