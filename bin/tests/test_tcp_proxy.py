"""The chaos suite's TCP fault proxy: passes bytes through, then partitions or resets the link."""
import socket
import subprocess
import sys
import threading
import time

import pytest

from conftest import ROOT

PROXY = ROOT / "bin" / "lib" / "tcp_proxy.py"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Echo:
    """An upstream that echoes every byte back, upper-cased (so an answer is not the request)."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self.echo, args=(conn,), daemon=True).start()

    @staticmethod
    def echo(conn):
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data.upper())


@pytest.fixture
def proxy(tmp_path):
    echo = Echo()
    port = free_port()
    mode = tmp_path / "mode"
    mode.write_text("ok")
    process = subprocess.Popen(
        [sys.executable, str(PROXY), "127.0.0.1", str(port), "127.0.0.1", str(echo.port), str(mode)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    yield port, mode
    process.terminate()
    process.wait(5)
    echo.server.close()


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.settimeout(2)
    return s


def test_should_forward_bytes_both_ways_when_ok(proxy):
    port, _ = proxy
    with connect(port) as s:
        s.sendall(b"hello kafka")
        assert s.recv(100) == b"HELLO KAFKA"


def test_should_hold_every_byte_back_while_partitioned_and_close_held_connections_after(proxy):
    port, mode = proxy
    with connect(port) as s:
        s.sendall(b"before")
        assert s.recv(100) == b"BEFORE"
        mode.write_text("partition")
        time.sleep(0.4)
        s.sendall(b"during")
        with pytest.raises(socket.timeout):
            s.recv(100)  # nothing gets through, and no close either
        mode.write_text("ok")
        time.sleep(0.4)
        assert s.recv(100) == b""  # the stream lost bytes: closed, so the client reconnects
    with connect(port) as s:
        s.sendall(b"after")
        assert s.recv(100) == b"AFTER"


def test_should_accept_but_not_forward_a_new_connection_while_partitioned(proxy):
    port, mode = proxy
    mode.write_text("partition")
    time.sleep(0.4)
    with connect(port) as s:
        s.sendall(b"knock")
        with pytest.raises(socket.timeout):
            s.recv(100)


def test_should_close_every_connection_when_reset(proxy):
    port, mode = proxy
    with connect(port) as s:
        mode.write_text("reset")
        time.sleep(0.4)
        assert s.recv(100) == b""
    with connect(port) as s:
        assert s.recv(100) == b""  # a new one is closed as it arrives
