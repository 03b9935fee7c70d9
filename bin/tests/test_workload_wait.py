"""The demo's, chaos's and the soak's workload: its end and exit status are known from the file it
writes, not from bash's memory of its PID.

The 200-fault chaos run warned "the workload exited non-zero" for a workload that had finished
well: after ten minutes of faults starting processes, bash no longer knew its PID ("not a child of
this shell": PIDs wrap at 32768 here, and a later child taking it drops the status bash kept).
"""
import subprocess

from conftest import ROOT

COMMON = ROOT / "bin" / "lib" / "common.sh"


def run(script, tmp_path):
    return subprocess.run(
        ["bash", "-c", f"set -u; . '{COMMON}'; OPENLEDGER_RUN_DIR='{tmp_path}'; {script}"],
        capture_output=True, text=True, timeout=60,
    )


def test_should_succeed_when_the_workload_did(tmp_path):
    result = run("workload_start \"$OPENLEDGER_RUN_DIR/w.log\" true; workload_wait && echo ok", tmp_path)
    assert result.stdout.strip() == "ok", result.stderr


def test_should_fail_when_the_workload_did(tmp_path):
    result = run("workload_start \"$OPENLEDGER_RUN_DIR/w.log\" sh -c 'exit 3'; workload_wait || echo failed", tmp_path)
    assert result.stdout.strip() == "failed", result.stderr


def test_should_know_the_outcome_when_bash_has_forgotten_the_pid(tmp_path):
    # The status bash kept is consumed here, as a reused PID drops it: only the file tells now.
    script = (
        "workload_start \"$OPENLEDGER_RUN_DIR/w.log\" sh -c 'sleep 0.2; echo done'; "
        "running=$(workload_running && echo yes); wait; "
        "wait \"$WORKLOAD_PID\" 2>/dev/null; echo \"bash: $?\"; "
        "echo \"running: $running\"; workload_wait && echo ok"
    )
    result = run(script, tmp_path)
    assert result.stdout.split("\n")[:3] == ["bash: 127", "running: yes", "ok"], (result.stdout, result.stderr)
    assert (tmp_path / "w.log").read_text() == "done\n"
