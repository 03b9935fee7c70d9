"""`bin/openledger up` is idempotent and `down` leaves no process of ours behind.

Runs a private stack (own run folder, random free ports) beside the one the test suite uses.
"""

import os
import pathlib
import socket
import subprocess

from conftest import ROOT

PARTS = ["kafka", "registry", "clickhouse", "evm", "sidecar"]


def openledger(env, *args, timeout=300):
    return subprocess.run(
        [str(ROOT / "bin" / "openledger"), *args],
        env=env, capture_output=True, text=True, timeout=timeout,
    )


def pids(run_dir):
    result = {}
    for part in PARTS:
        f = pathlib.Path(run_dir, "pids", f"{part}.pid")
        if f.exists():
            result[part] = int(f.read_text().split()[0])
    return result


def alive(pid):
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_should_start_each_part_once_and_stop_every_process_it_started(stack_env):
    run_dir = stack_env["OPENLEDGER_RUN_DIR"]
    try:
        first = openledger(stack_env, "up")
        assert first.returncode == 0, first.stdout + first.stderr
        started = pids(run_dir)
        assert sorted(started) == sorted(PARTS)
        assert all(alive(p) for p in started.values())

        second = openledger(stack_env, "up")
        assert second.returncode == 0, second.stdout + second.stderr
        for part in PARTS:
            assert f"{part} already running (pid {started[part]})" in second.stdout
        assert pids(run_dir) == started

        status = openledger(stack_env, "status")
        assert status.returncode == 1  # flink is not part of `up`, so status reports it stopped
        for part in PARTS:
            assert f"{part:<11} healthy" in status.stdout
    finally:
        down = openledger(stack_env, "down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert not any(alive(p) for p in started.values())
    assert pids(run_dir) == {}
    for var in ("OPENLEDGER_KAFKA_PORT", "OPENLEDGER_EVM_PORT", "OPENLEDGER_SIDECAR_HTTP_PORT"):
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", int(stack_env[var]))) != 0, f"{var} still answers"


def test_should_name_port_and_part_and_start_nothing_when_a_port_is_taken(stack_env):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        stack_env["OPENLEDGER_EVM_PORT"] = str(squatter.getsockname()[1])

        result = openledger(stack_env, "up", timeout=60)

    assert result.returncode != 0
    port = stack_env["OPENLEDGER_EVM_PORT"]
    assert f"port {port} needed by evm is already in use" in result.stderr
    assert "OPENLEDGER_EVM_PORT" in result.stderr
    assert pids(stack_env["OPENLEDGER_RUN_DIR"]) == {}


def test_should_stop_nothing_when_pid_file_names_a_process_we_did_not_start(stack_env, tmp_path):
    # A stale PID file whose PID now belongs to another process (start time differs) is ignored.
    stranger = subprocess.Popen(["sleep", "30"])
    try:
        pid_dir = pathlib.Path(stack_env["OPENLEDGER_RUN_DIR"], "pids")
        pid_dir.mkdir(parents=True)
        (pid_dir / "evm.pid").write_text(f"{stranger.pid} 1\n")

        down = openledger(stack_env, "down", timeout=60)

        assert down.returncode == 0, down.stderr
        assert stranger.poll() is None, "down killed a process it did not start"
        assert not (pid_dir / "evm.pid").exists()
    finally:
        stranger.kill()
        stranger.wait()


def test_should_reset_only_when_confirmed(stack_env):
    run_dir = pathlib.Path(stack_env["OPENLEDGER_RUN_DIR"])
    (run_dir / "kafka").mkdir(parents=True)

    refused = openledger(stack_env, "reset", timeout=60)
    assert refused.returncode != 0 and "confirm with: bin/openledger reset --yes" in refused.stderr
    assert run_dir.exists()

    done = openledger(stack_env, "reset", "--yes", timeout=60)
    assert done.returncode == 0, done.stderr
    assert not run_dir.exists()


def test_should_rebuild_only_when_confirmed_and_with_a_deployment(stack_env):
    run_dir = pathlib.Path(stack_env["OPENLEDGER_RUN_DIR"])

    refused = openledger(stack_env, "rebuild", timeout=60)
    assert refused.returncode != 0
    assert "confirm with: bin/openledger rebuild --yes" in refused.stderr

    no_deployment = openledger(stack_env, "rebuild", "--yes", timeout=60)
    assert no_deployment.returncode != 0 and "no deployment" in no_deployment.stderr
    assert not (run_dir / "pids").exists() or not any((run_dir / "pids").iterdir()), "started a part"


def test_should_refuse_cluster_mode_when_the_run_folder_holds_an_embedded_stack(stack_env):
    run_dir = pathlib.Path(stack_env["OPENLEDGER_RUN_DIR"])
    (run_dir / "kafka" / "data").mkdir(parents=True)

    refused = openledger(stack_env, "up", "--cluster", timeout=60)

    assert refused.returncode != 0
    assert "holds an embedded stack" in refused.stderr and "reset --yes" in refused.stderr
    assert not (run_dir / "cluster").exists()
    assert not (run_dir / "pids").exists() or not any((run_dir / "pids").iterdir()), "started a part"


def test_should_refuse_savepoint_and_resume_outside_the_cluster_mode(stack_env):
    for command in ("savepoint", "resume"):
        refused = openledger(stack_env, command, timeout=60)
        assert refused.returncode != 0
        assert "is for the cluster mode (bin/openledger up --cluster)" in refused.stderr, refused.stderr
