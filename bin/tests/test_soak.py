"""The soak's bounds and plot (bin/lib/soak.py) on made-up runs: flat, leaking, falling behind."""
import json
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import soak  # noqa: E402

MIB = 2**20


def run(seconds=3600, rss_mb=lambda t: 500, backlog=lambda t: 100, ckpt_mb=lambda t: 5.0, ckpt_ms=lambda t: 300):
    """One sample every 2 s; stages and a new checkpoint every 10 s, as the sampler records them."""
    samples = []
    for i in range(0, seconds, 2):
        s = {"t": 1000.0 + i, "lag": 0.5, "pending": {"src": 10.0},
             "rss": {"flink": rss_mb(i) * MIB, "kafka": 400 * MIB}}
        if i % 10 == 0:
            s["stages"] = {"paid": 10 * i + backlog(i), "attributed": 10 * i, "accrued": 10 * i}
            s["ckpt"] = {"pipeline": {"id": i // 10, "ms": ckpt_ms(i), "bytes": ckpt_mb(i) * MIB, "completed": i // 10, "failed": 0}}
        samples.append(s)
    return samples


def failing(checks):
    return [name for name, ok, _ in checks if ok is False]


def test_should_hold_every_bound_when_the_run_is_flat():
    checks = soak.bounds(run(), rate=100)
    assert checks and not failing(checks)
    names = " ".join(name for name, _, _ in checks)
    for wanted in ("rss flink", "rss kafka", "rss all", "paid, not yet accrued", "checkpoint ms pipeline", "checkpoint MB pipeline", "follower lag"):
        assert wanted in names


def test_should_hold_when_a_fault_restarts_a_process_once():
    # A restart drops the RSS and it climbs back to where it was: no trend.
    checks = soak.bounds(run(rss_mb=lambda t: 150 if 2000 <= t < 2100 else 700), rate=100)
    assert not failing(checks)


def test_should_fail_rss_when_a_process_leaks():
    checks = soak.bounds(run(rss_mb=lambda t: 300 + t / 3), rate=100)
    assert failing(checks) == ["rss all (MB, max)", "rss flink (MB, max)"]


def test_should_fail_backlog_when_the_pipeline_falls_further_behind():
    checks = soak.bounds(run(backlog=lambda t: 5 * t), rate=100)
    assert failing(checks) == ["paid, not yet accrued (mean)"]


def test_should_hold_backlog_when_one_hang_piles_up_and_drains():
    checks = soak.bounds(run(backlog=lambda t: 6500 if 2500 <= t < 2600 else 50), rate=100)
    assert not failing(checks)


def test_should_fail_checkpoint_size_when_state_grows_with_history():
    checks = soak.bounds(run(ckpt_mb=lambda t: 1 + t / 60), rate=100)
    assert failing(checks) == ["checkpoint MB pipeline (max)"]


def test_should_fail_checkpoint_duration_when_it_keeps_growing():
    checks = soak.bounds(run(ckpt_ms=lambda t: 100 + 3 * t), rate=100)
    assert failing(checks) == ["checkpoint ms pipeline (p90)"]


def test_should_count_each_checkpoint_once_when_samples_repeat_it():
    points = soak.series(run(seconds=100))["checkpoint ms pipeline"]
    assert len(points) == 10


def test_should_fail_when_too_few_samples():
    assert failing(soak.bounds(run(seconds=4), rate=1)) == ["samples"]


def test_should_draw_four_panels_with_fault_bands_when_plotting(tmp_path):
    samples = run(seconds=600)
    faults_file = tmp_path / "faults.tsv"
    faults_file.write_text("1100\t1165\thang-sidecar\tstopped\n1300\t1310\tkill-flink\tSIGKILL\n")
    faults = soak.load_faults(str(faults_file))
    assert faults == [(1100.0, 1165.0, "hang-sidecar"), (1300.0, 1310.0, "kill-flink")]
    root = ET.fromstring(soak.svg(samples, faults, "test <run>"))
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}polyline")) == 2 + 2 + 1 + 1  # RSS of two parts, backlog and pending, ckpt ms, ckpt MB
    assert [r.find(f"{ns}title").text for r in root.findall(f"{ns}rect") if r.find(f"{ns}title") is not None] == ["hang-sidecar", "kill-flink"] * 4


def test_should_exit_non_zero_and_write_the_plot_when_a_bound_fails(tmp_path, capsys):
    samples_file = tmp_path / "samples.jsonl"
    samples_file.write_text("\n".join(json.dumps(s) for s in run(rss_mb=lambda t: 300 + t)))
    plot = tmp_path / "soak.svg"
    assert soak.report(str(samples_file), str(tmp_path / "none.tsv"), "100", str(plot)) == 1
    assert "FAIL" in capsys.readouterr().out
    assert plot.read_text().startswith("<svg")


def test_should_leave_the_drain_out_when_the_load_end_is_given():
    # Under load the backlog climbs; in the drain after it, it falls to nothing. The drain must
    # not hide the climb.
    samples = run(seconds=7200, backlog=lambda t: 5 * t if t < 3600 else 0)
    assert failing(soak.bounds(samples, rate=100, end=1000.0 + 3600)) == ["paid, not yet accrued (mean)"]


def test_should_count_the_warm_up_from_the_load_start_when_begin_is_given():
    # Ten idle minutes of start-up, then a leak: from the first sample the leak's start would be
    # the run's first half; from the load's start it is in the warm-up neither.
    samples = run(seconds=4200, rss_mb=lambda t: 300 if t < 600 else 300 + (t - 600) / 3)
    assert failing(soak.bounds(samples, rate=100, begin=1000.0 + 600)) == ["rss all (MB, max)", "rss flink (MB, max)"]


def test_should_report_the_dev_node_unbounded_when_it_grows_with_the_chain():
    samples = run()
    for i, s in enumerate(samples):
        s["rss"]["evm"] = (4000 + i) * MIB  # anvil keeps every block in memory
    checks = soak.bounds(samples, rate=100)
    assert failing(checks) == []
    evm = [c for c in checks if c[0] == "rss evm (MB, max)"][0]
    assert evm[1] is None and "not bounded" in evm[2]
    total = [c for c in checks if c[0] == "rss all (MB, max)"][0]
    assert total[2].startswith("900 -> 900")  # flink + kafka, the dev node left out
