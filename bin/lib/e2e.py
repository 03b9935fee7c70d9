"""`bin/openledger bench e2e`: samples the parts' metrics during the run, then reports
throughput, latency percentiles and the bottleneck from ClickHouse and the workload's report.

Latencies are measured from the moment each inference's transaction was sent (the dev node mines
its block as it arrives) to the moment each stage's record was appended to its Kafka topic (the
`_timestamp_ms` the loader stores: LogAppendTime on every topic the project creates).
"""
import json
import os
import re
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import progress  # noqa: E402


def scrape(url):
    try:
        return urllib.request.urlopen(url, timeout=2).read().decode()
    except Exception:
        return ""


def sample(out_path):
    """Every 2 s: busy and back-pressured ms/s per Flink task, and the follower's head lag."""
    host = os.environ.get("OPENLEDGER_HOST", "127.0.0.1")
    flink = f"http://{host}:{os.environ.get('OPENLEDGER_FLINK_METRICS_PORT', '9249')}/metrics"
    follower = f"http://{host}:{os.environ.get('OPENLEDGER_FOLLOWER_METRICS_PORT', '9464')}/metrics"
    pattern = re.compile(r'^flink_taskmanager_job_task_(busyTimeMsPerSecond|backPressuredTimeMsPerSecond)\{[^}]*task_name="([^"]*)"[^}]*\} (\S+)$')
    with open(out_path, "a") as out:
        while True:
            s = {"t": time.time(), "busy": {}, "backpressured": {}, "lag": None}
            for line in scrape(flink).splitlines():
                m = pattern.match(line)
                if m:
                    kind = "busy" if m.group(1).startswith("busy") else "backpressured"
                    s[kind][m.group(2)[:60]] = float(m.group(3))
            for line in scrape(follower).splitlines():
                if line.startswith("follower_head_lag_blocks "):
                    s["lag"] = float(line.split()[1])
            out.write(json.dumps(s) + "\n")
            out.flush()
            time.sleep(2)


def rows(sql):
    text = progress.query(sql, "TabSeparated").decode()
    return [line.split("\t") for line in text.splitlines() if line]


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def report(workload_path, samples_path):
    w = json.load(open(workload_path))
    sent = {}
    for b, ms in w["sent"]:  # parallel senders may share a block: its first send counts
        sent[int(b)] = min(int(ms), sent.get(int(b), int(ms)))
    paid = {int(i): (int(b), int(ms)) for i, b, ms in rows(
        "SELECT inference_id, block_number, _timestamp_ms FROM openledger.inference_paid FINAL WHERE removed = 0")}
    attributed = {int(i): int(ms) for i, ms in rows(
        "SELECT inference_id, _timestamp_ms FROM openledger.attribution_results FINAL WHERE removed = 0")}
    accrued = {int(i): int(ms) for i, ms in rows(
        "SELECT inference_id, min(_timestamp_ms) FROM openledger.payout_accruals FINAL WHERE removed = 0 GROUP BY inference_id")}
    settled_at = {b: int(ms) for b, ms in rows(
        "SELECT batch_id, _timestamp_ms FROM openledger.batch_settled FINAL WHERE removed = 0")}
    settled = {}
    for batch, inference in rows("SELECT batch_id, inference_id FROM openledger.payout_batch_leaves FINAL"):
        if batch in settled_at:
            i = int(inference)
            settled[i] = max(settled.get(i, 0), settled_at[batch])
    ids = [i for i, (b, _) in paid.items() if b in sent]
    if not ids:
        sys.exit("no inference of this run is in ClickHouse")

    def stage(name, at):
        lat = [at[i] - sent[paid[i][0]] for i in ids if i in at]
        times = sorted(at[i] for i in ids if i in at)
        span = (times[-1] - times[0]) / 1000 if len(times) > 1 else float("nan")
        return name, len(lat), len(lat) / span if span else float("nan"), pct(lat, 50), pct(lat, 99)

    first, last = min(sent.values()), max(sent.values())
    offered = len(w["sent"]) / ((last - first) / 1000)
    stages = [
        stage("decoded (chain.inference-paid)", {i: paid[i][1] for i in ids}),
        stage("attributed (attribution.results)", attributed),
        stage("accrued (payout.accruals)", accrued),
        stage("settled on chain (chain.batch-settled)", settled),
    ]
    print(f"\n  offered: {len(w['sent'])} inferences sent in {(last - first) / 1000:.1f} s = {offered:.1f} inferences/s")
    print(f"  {'stage':<42} {'inferences':>10} {'per s':>8} {'p50 ms':>9} {'p99 ms':>9}   (latency from the inference's block)")
    for name, n, rate, p50, p99 in stages:
        print(f"  {name:<42} {n:>10} {rate:>8.1f} {p50:>9.0f} {p99:>9.0f}")
    samples = [json.loads(line) for line in open(samples_path)] if os.path.exists(samples_path) else []
    busy, backpressured, lags = {}, {}, []
    for s in samples:
        for task, v in s["busy"].items():
            busy.setdefault(task, []).append(v)
        for task, v in s["backpressured"].items():
            backpressured.setdefault(task, []).append(v)
        if s["lag"] is not None:
            lags.append(s["lag"])
    print("\n  Flink tasks, mean over the run (ms per second): busy / back-pressured")
    for task in sorted(busy, key=lambda t: -sum(busy[t]) / len(busy[t])):
        b = sum(busy[task]) / len(busy[task])
        p = sum(backpressured.get(task, [0])) / max(1, len(backpressured.get(task, [])))
        print(f"    {task:<62} {b:6.0f} / {p:6.0f}")
    if lags:
        print(f"  follower head lag: mean {sum(lags) / len(lags):.1f} blocks, max {max(lags):.0f}")
    if busy:
        top = max(busy, key=lambda t: sum(busy[t]) / len(busy[t]))
        top_busy = sum(busy[top]) / len(busy[top])
        verdict = (f"the Flink task '{top}' (busy {top_busy:.0f} ms/s)" if top_busy > 500
                   else "none inside the pipeline: the offered load (one dev node, the senders) is the limit")
        print(f"  bottleneck: {verdict}")


if __name__ == "__main__":
    if sys.argv[1] == "sample":
        sample(sys.argv[2])
    else:
        report(sys.argv[2], sys.argv[3])
