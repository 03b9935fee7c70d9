"""The dev node writes no state history to disk, so a killed node leaves nothing behind.

By default anvil spills every state older than the ones it keeps in memory to
~/.foundry/anvil/tmp (about 300 KB a block, even an empty one) and removes them only on a clean
exit. Chaos kills the node, and CI runs left gigabytes there until the disk was full.
"""
import json
import os
import pathlib
import signal
import subprocess
import time
import urllib.request

import pytest

from conftest import ROOT, free_ports

PARTS = ROOT / "bin" / "lib" / "parts.sh"
ANVIL = ROOT / ".local" / "node" / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"


def rpc(port, method, params):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def test_should_leave_no_state_on_disk_when_the_node_is_killed(tmp_path):
    local = pathlib.Path(os.environ.get("OPENLEDGER_LOCAL_DIR", ROOT / ".local"))
    anvil = local / ANVIL.relative_to(ROOT / ".local")
    if not anvil.exists():
        pytest.skip("anvil is not installed (bin/openledger install)")
    home, run = tmp_path / "home", tmp_path / "run"
    home.mkdir()
    (port,) = free_ports(1)
    # evm_start as `up` runs it; launch() is replaced by one that prints the process id.
    script = (
        f"eval \"$(sed -n '/^evm_start()/,/^}}/p;/^anvil_bin()/p' '{PARTS}')\"; "
        "launch() { shift 2; setsid \"$@\" </dev/null >/dev/null 2>&1 & echo $!; }; evm_start"
    )
    env = dict(os.environ, HOME=str(home), OPENLEDGER_LOCAL_DIR=str(local), OPENLEDGER_RUN_DIR=str(run),
               OPENLEDGER_HOST="127.0.0.1", OPENLEDGER_EVM_PORT=str(port), OPENLEDGER_EVM_CHAIN_ID="1337")
    env.pop("OPENLEDGER_EVM_BLOCK_TIME", None)
    pid = int(subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True,
                             check=True).stdout.split()[-1])
    try:
        for _ in range(100):
            try:
                rpc(port, "eth_chainId", [])
                break
            except OSError:
                time.sleep(0.1)
        # Far more blocks than anvil keeps in memory: with the default, these spill to disk.
        for _ in range(3):
            assert "error" not in rpc(port, "anvil_mine", ["0x3e8"])
        assert int(rpc(port, "eth_blockNumber", [])["result"], 16) == 3000
    finally:
        os.kill(pid, signal.SIGKILL)
    written = [p for p in home.rglob("*") if p.is_file()]
    assert written == [], f"the dev node wrote {len(written)} files under its HOME"
