import threading

import pytest

from openledger_sidecar.flight_server import SidecarFlightServer
from openledger_sidecar.http_server import SidecarHttpServer
from openledger_sidecar.state import SidecarState


@pytest.fixture
def sidecar():
    """A sidecar with both servers on free ports (port 0), stopped after the test."""
    state = SidecarState()
    flight_server = SidecarFlightServer(state, port=0)
    http_server = SidecarHttpServer(state, port=0).start()
    thread = threading.Thread(target=flight_server.serve, daemon=True)
    thread.start()
    yield state, flight_server, http_server
    http_server.stop()
    flight_server.shutdown()
    thread.join(timeout=5)
