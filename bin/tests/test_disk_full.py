"""The chaos suite's disk-full fault shrinks a tmpfs to its use even while a part keeps writing to it.

The first soak's disk-full-kafka failed to inject: Kafka wrote more than the margin between reading
the use and remounting, and a tmpfs refuses a size below its use. Mounting needs root; skipped
where it cannot mount.
"""
import os
import subprocess
import sys
import time

import pytest

from conftest import ROOT

CHAOS = ROOT / "bin" / "lib" / "chaos.sh"


def chaos_functions(*names):
    """Bash that defines the named functions of chaos.sh, as the suite itself defines them."""
    ranges = ";".join(f"/^{n}()/,/^}}/p" for n in names)
    return f"eval \"$(sed -n '{ranges}' '{CHAOS}')\"; "


def can_mount():
    return subprocess.run(["bash", "-c", chaos_functions("chaos_can_mount") + "chaos_can_mount"],
                          capture_output=True).returncode == 0


def test_should_fill_the_disk_and_give_its_space_back_while_a_writer_races_it(tmp_path):
    if not can_mount():
        pytest.skip("mounting a tmpfs needs root")
    data = tmp_path / "run" / "kafka" / "data"
    data.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200m", "tmpfs", str(data)], check=True)
    # Four writers, a megabyte a file as fast as they can, each keeping its last 10: the use moves
    # all the time, faster than a df and a remount.
    writers = [subprocess.Popen([sys.executable, "-c", f"""
import itertools, os
for i in itertools.count():
    try:
        open(os.path.join({str(data)!r}, f"w{w}-{{i}}"), "wb").write(b"0" * 1000000)
    except OSError:
        pass
    try:
        os.remove(os.path.join({str(data)!r}, f"w{w}-{{i - 10}}"))
    except OSError:
        pass
"""]) for w in range(4)]
    try:
        time.sleep(1)
        script = (
            f"OPENLEDGER_RUN_DIR='{tmp_path / 'run'}'; cluster_mode() {{ return 1; }}; CHAOS_DISK_SIZE=200m; "
            + chaos_functions("chaos_disk_dir", "disk_full")
            + "disk_full kafka 1 &\n"
            f"sleep 0.5; df -k --output=avail '{data}' | tail -n 1; wait $!"
        )
        result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert int(result.stdout.split()[-1]) < 8 * 1024, "the disk was not full during the fault"
        size_kb = os.statvfs(data).f_blocks * os.statvfs(data).f_frsize // 1024
        assert size_kb == 200 * 1024, "the space did not come back"
    finally:
        for w in writers:
            w.kill()
            w.wait()
        subprocess.run(["umount", "-l", str(data)])
