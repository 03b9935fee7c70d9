"""The contracts' Foundry suite plumbing: the solcjs shim forge compiles with, and how
`bin/openledger test` counts forge's results in its closing summary."""
import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHIM = ROOT / "ledger-bridge" / "contracts" / "forge" / "solc.js"
LOCAL = pathlib.Path(os.environ.get("OPENLEDGER_LOCAL_DIR", ROOT / ".local"))
NODE = shutil.which("node")


def shim(*args, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([NODE, str(SHIM), *args], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.skipif(not (LOCAL / "node" / "node_modules" / "solc").is_dir(), reason="npm solc not installed")
def test_shim_should_answer_version_as_solc_does():
    out = shim("--version", env_extra={"OPENLEDGER_LOCAL_DIR": str(LOCAL)})
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "solc, the solidity compiler commandline interface"
    assert lines[1].startswith("Version: 0.8.37+commit.")


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_shim_should_say_how_to_install_when_solc_is_missing(tmp_path):
    out = shim("--version", env_extra={"OPENLEDGER_SOLC_MODULES": str(tmp_path)})
    assert out.returncode == 1
    assert f"npm solc not found under {tmp_path}" in out.stderr
    assert "bin/openledger install" in out.stderr


def summary(logs):
    """Runs test_summary from bin/openledger (the function alone) over a folder of suite logs."""
    script = (
        f'. "{ROOT}/bin/lib/common.sh"; '
        f"eval \"$(sed -n '/^test_summary() {{/,/^}}/p' \"{ROOT}/bin/openledger\")\"; "
        f'test_summary "{logs}" 0'
    )
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_summary_should_count_forge_closing_line_once(tmp_path):
    (tmp_path / "sidecar.log").write_text("12 passed, 1 skipped in 3.2s\n")
    (tmp_path / "bin.log").write_text("30 passed in 9.1s\n")
    (tmp_path / "maven.log").write_text("[INFO] Tests run: 5, Failures: 0, Errors: 0, Skipped: 0\n")
    (tmp_path / "forge.log").write_text(
        "Suite result: ok. 14 passed; 0 failed; 0 skipped; finished in 2.23ms (1.25ms CPU time)\n"
        "Suite result: ok. 55 passed; 0 failed; 2 skipped; finished in 6.0s (6.1s CPU time)\n"
        "Ran 2 test suites in 6.05s (11.34s CPU time): 69 tests passed, 0 failed, 2 skipped (71 total tests)\n"
    )
    assert summary(tmp_path) == "openledger: 116 passed, 0 failed, 3 skipped"


def test_summary_should_count_forge_failures(tmp_path):
    for name in ("sidecar.log", "bin.log", "maven.log"):
        (tmp_path / name).write_text("")
    (tmp_path / "forge.log").write_text(
        "Ran 1 test suite in 6.19ms (1.32ms CPU time): 1 tests passed, 1 failed, 0 skipped (2 total tests)\n"
    )
    assert summary(tmp_path) == "openledger: 1 passed, 1 failed, 0 skipped"
