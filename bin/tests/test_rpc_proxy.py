"""The chaos suite's JSON-RPC fault proxy: passes through, then fails the way nodes fail."""
import http.client
import json
import pathlib
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from conftest import ROOT

PROXY = ROOT / "bin" / "lib" / "rpc_proxy.py"


class Node(BaseHTTPRequestHandler):
    head = 100

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Node.head += 1
        result = hex(Node.head) if body["method"] == "eth_blockNumber" else "0x" + "ab" * 200
        payload = json.dumps({"jsonrpc": "2.0", "id": body["id"], "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def proxy(tmp_path):
    node = HTTPServer(("127.0.0.1", 0), Node)
    threading.Thread(target=node.serve_forever, daemon=True).start()
    port, mode = free_port(), tmp_path / "mode"
    process = subprocess.Popen([sys.executable, str(PROXY), "127.0.0.1", str(port), "127.0.0.1",
                                str(node.server_address[1]), str(mode)], stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    yield port, mode
    process.kill()
    node.shutdown()


def call(port, method, timeout=5):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request("POST", "/", json.dumps({"jsonrpc": "2.0", "id": 7, "method": method, "params": []}),
              {"Content-Type": "application/json"})
    r = c.getresponse()
    return r.status, r.read()


def test_should_pass_requests_through_when_the_mode_is_ok(proxy):
    port, _ = proxy
    status, body = call(port, "eth_blockNumber")
    assert status == 200 and json.loads(body)["id"] == 7


def test_should_fail_like_a_node_in_each_mode(proxy):
    port, mode = proxy
    mode.write_text("http-500")
    assert call(port, "eth_chainId")[0] == 500
    mode.write_text("rate-limit")
    status, body = call(port, "eth_chainId")
    assert status == 429 and json.loads(body)["error"]["code"] == -32005
    mode.write_text("drop")
    with pytest.raises((http.client.IncompleteRead, http.client.HTTPException, ConnectionError)):
        call(port, "eth_getLogs")
    mode.write_text("timeout")
    with pytest.raises((socket.timeout, TimeoutError)):
        call(port, "eth_chainId", timeout=1)


def test_should_freeze_the_head_while_stale_and_follow_it_again_after(proxy):
    port, mode = proxy
    mode.write_text("stale-head")
    first = json.loads(call(port, "eth_blockNumber")[1])["result"]
    assert json.loads(call(port, "eth_blockNumber")[1])["result"] == first
    mode.write_text("ok")
    assert int(json.loads(call(port, "eth_blockNumber")[1])["result"], 16) > int(first, 16)
