"""`stop_tree` stops the processes a script started, by recorded PID and start time, never by name."""
import subprocess
import time

from conftest import ROOT

COMMON = ROOT / "bin" / "lib" / "common.sh"


def start_time(pid):
    stat = open(f"/proc/{pid}/stat").read()
    return stat.rsplit(")", 1)[1].split()[19]


def alive(pid):
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def bash(script):
    return subprocess.run(["bash", "-c", f". '{COMMON}'; {script}"], capture_output=True, text=True, timeout=30)


def test_should_stop_the_tree_it_started_and_not_a_same_named_process():
    ours = subprocess.Popen(["bash", "-c", "sleep 300 & sleep 300 & wait"])
    theirs = subprocess.Popen(["sleep", "300"])  # the same program, not ours to stop
    try:
        time.sleep(0.5)
        children = [int(p) for p in subprocess.run(["ps", "-o", "pid=", "--ppid", str(ours.pid)],
                                                  capture_output=True, text=True).stdout.split()]
        assert len(children) == 2
        result = bash(f"stop_tree {ours.pid} {start_time(ours.pid)}")
        assert result.returncode == 0, result.stderr
        ours.wait(timeout=10)
        time.sleep(0.3)
        assert not any(alive(c) for c in children)
        assert alive(theirs.pid)
    finally:
        theirs.kill()
        ours.kill()


def test_should_leave_a_process_alone_when_its_start_time_says_the_pid_was_reused():
    other = subprocess.Popen(["sleep", "300"])
    try:
        result = bash(f"stop_tree {other.pid} 1")  # a recorded start time that is not this process's
        assert result.returncode == 0, result.stderr
        time.sleep(0.3)
        assert alive(other.pid)
    finally:
        other.kill()
