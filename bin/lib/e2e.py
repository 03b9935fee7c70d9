"""`bin/openledger bench e2e`: samples the parts' metrics during the run, then reports
throughput, latency percentiles and the bottleneck from ClickHouse and the workload's report.

Latencies are measured to the moment each stage's record was appended to its Kafka topic (the
`_timestamp_ms` the loader stores: LogAppendTime on every topic the project creates), from two
starts: when the inference's transaction was sent (the workload's report, matched by transaction
hash) and when the workload first saw its block mined (so block time is not counted).

The sampler also writes, every 2 s, the resident memory of every process the run started (the
parts' PID files, and the workload's process tree) and the pipeline's lag: the follower's head
lag, Flink's Kafka sources' pending records, and the records waiting between stages (ClickHouse
counts); `report` turns these into timeline.csv and a summary, so a soak is one command.

Inside the jobs it samples the waits the operators measure (Flink histograms: a record's age when
a Kafka source reads it, the content fetch, an inference's wait for its block's seal, the sealed
queue's wait and its scoring) and every completed checkpoint (Flink's REST API). Since the jobs'
sinks are transactional, a result is visible downstream only when the first checkpoint after its
append completes: `report` derives that visibility time for each attributed inference.
"""
import bisect
import csv
import glob
import json
import os
import re
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import progress  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def scrape(url):
    try:
        return urllib.request.urlopen(url, timeout=2).read().decode()
    except Exception:
        return ""


def processes():
    """pid -> (parent pid, resident bytes) for every process readable in /proc."""
    procs = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            text = open(stat).read()
            fields = text[text.rindex(")") + 2:].split()
            procs[int(stat.split("/")[2])] = (int(fields[1]), int(fields[21]) * PAGE)
        except (OSError, ValueError, IndexError):
            pass
    return procs


def tree_rss(procs, root):
    """Resident bytes of a process and every descendant."""
    children = {}
    for pid, (ppid, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in procs:
            total += procs[pid][1]
            todo.extend(children.get(pid, []))
    return total


def run_pids(run_dir, extra):
    """part -> pid: the run's PID files (first field), and the extra name=pidfile pairs."""
    pids = {}
    for f in glob.glob(os.path.join(run_dir, "pids", "*.pid")) + extra:
        name, _, path = f.partition("=") if "=" in f else (os.path.basename(f)[:-4], "", f)
        try:
            pids[name] = int(open(path).read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return pids


BACKLOG_SQL = """SELECT
  (SELECT count() FROM openledger.inference_paid WHERE removed = 0),
  (SELECT uniqExact(inference_id) FROM openledger.attribution_results WHERE removed = 0),
  (SELECT uniqExact(inference_id) FROM openledger.payout_accruals WHERE removed = 0)"""


WAITS = re.compile(r'^flink_taskmanager_job_task_operator_(?:\w*_)?(recordAgeAtReadMs|contentFetchMs|inferenceSealWaitMs|sealedQueueWaitMs|sealedFlushMs)\{([^}]*)\} (\S+)$')
LABEL = re.compile(r'(\w+)="([^"]*)"')


def waits(text):
    """{metric [operator]: {quantile: ms}} from Flink's Prometheus text, for the histograms above."""
    found = {}
    for line in text.splitlines():
        m = WAITS.match(line)
        if not m or m.group(3) in ("NaN", "-Inf", "+Inf"):
            continue
        labels = dict(LABEL.findall(m.group(2)))
        if "quantile" not in labels:
            continue
        name = m.group(1)
        if name == "recordAgeAtReadMs":
            name += f" [{labels.get('operator_name', labels.get('task_name', '?'))[:40]}]"
        found.setdefault(name, {})[labels["quantile"]] = float(m.group(3))
    return found


def checkpoints(ui):
    """The completed checkpoints Flink still lists: {id: [trigger ms, acknowledged ms, bytes]}."""
    found = {}
    try:
        jobs = json.loads(scrape(f"{ui}/jobs/overview") or "{}").get("jobs", [])
        for job in jobs:
            if job.get("state") != "RUNNING":
                continue
            stats = json.loads(scrape(f"{ui}/jobs/{job['jid']}/checkpoints") or "{}")
            for c in stats.get("history", []):
                if c.get("status") == "COMPLETED":
                    found[str(c["id"])] = [c["trigger_timestamp"], c["latest_ack_timestamp"],
                                           c.get("checkpointed_size", c.get("state_size", 0))]
    except (ValueError, KeyError, TypeError):
        pass
    return found


def latest_checkpoints(ui):
    """Per running job, its newest completed checkpoint and its counts, for a soak's plot:
    {job name: {"id", "ms" (end to end), "bytes" (full state), "completed", "failed"}}."""
    found = {}
    try:
        jobs = json.loads(scrape(f"{ui}/jobs/overview") or "{}").get("jobs", [])
        for job in jobs:
            if job.get("state") != "RUNNING":
                continue
            stats = json.loads(scrape(f"{ui}/jobs/{job['jid']}/checkpoints") or "{}")
            latest = (stats.get("latest") or {}).get("completed") or {}
            counts = stats.get("counts") or {}
            if latest:
                found[job.get("name", job["jid"])[:60]] = {
                    "id": latest["id"], "ms": latest.get("end_to_end_duration", 0),
                    "bytes": latest.get("state_size", latest.get("checkpointed_size", 0)),
                    "completed": counts.get("completed", 0), "failed": counts.get("failed", 0)}
    except (ValueError, KeyError, TypeError):
        pass
    return found


def sample(out_path, run_dir, *extra):
    """Every 2 s: Flink busy/back-pressured ms/s per task, lag, and every process's memory."""
    host = os.environ.get("OPENLEDGER_HOST", "127.0.0.1")
    flink = f"http://{host}:{os.environ.get('OPENLEDGER_FLINK_METRICS_PORT', '9249')}/metrics"
    follower = f"http://{host}:{os.environ.get('OPENLEDGER_FOLLOWER_METRICS_PORT', '9464')}/metrics"
    ui = f"http://{host}:{os.environ.get('OPENLEDGER_FLINK_UI_PORT', '8081')}"
    pattern = re.compile(r'^flink_taskmanager_job_task_(busyTimeMsPerSecond|backPressuredTimeMsPerSecond)\{[^}]*task_name="([^"]*)"[^}]*\} (\S+)$')
    pending = re.compile(r'^flink_taskmanager_job_task_operator_pendingRecords\{[^}]*task_name="([^"]*)"[^}]*\} (\S+)$')
    last_backlog = 0.0
    with open(out_path, "a") as out:
        while True:
            s = {"t": time.time(), "busy": {}, "backpressured": {}, "lag": None, "pending": {}, "rss": {}}
            text = scrape(flink)
            s["waits"] = waits(text)
            s["checkpoints"] = checkpoints(ui)
            s["ckpt"] = latest_checkpoints(ui)
            for line in text.splitlines():
                m = pattern.match(line)
                if m:
                    kind = "busy" if m.group(1).startswith("busy") else "backpressured"
                    s[kind][m.group(2)[:60]] = float(m.group(3))
                m = pending.match(line)
                if m and m.group(2) not in ("NaN", "-Inf", "+Inf"):
                    task = m.group(1)[:60]
                    s["pending"][task] = s["pending"].get(task, 0) + float(m.group(2))
            for line in scrape(follower).splitlines():
                if line.startswith("follower_head_lag_blocks "):
                    s["lag"] = float(line.split()[1])
            procs = processes()
            for part, pid in run_pids(run_dir, list(extra)).items():
                s["rss"][part] = tree_rss(procs, pid)
            if s["t"] - last_backlog >= 10:
                last_backlog = s["t"]
                try:
                    paid, attributed, accrued = (int(x) for x in rows(BACKLOG_SQL)[0])
                    s["stages"] = {"paid": paid, "attributed": attributed, "accrued": accrued}
                except Exception:
                    pass
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


def mean(v):
    return sum(v) / len(v) if v else float("nan")


def report(workload_path, samples_path, asked_rate=None):
    w = json.load(open(workload_path))
    sent_at = {}  # tx hash -> ms; reports before the hash was kept map by block instead
    block_sent = {}
    for entry in w["sent"]:
        b, ms = int(entry[0]), int(entry[1])
        block_sent[b] = min(ms, block_sent.get(b, ms))
        if len(entry) > 2:
            sent_at[entry[2].lower()] = ms
    seen = {int(b): int(ms) for b, ms in w.get("blockSeen", {}).items()}
    paid = {int(i): (int(b), h.lower(), int(ms)) for i, b, h, ms in rows(
        "SELECT inference_id, block_number, tx_hash, _timestamp_ms FROM openledger.inference_paid FINAL WHERE removed = 0")}
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
    ids = [i for i, (b, h, _) in paid.items() if h in sent_at or (not sent_at and b in block_sent)]
    if not ids:
        sys.exit("no inference of this run is in ClickHouse")

    def sent_ms(i):
        b, h, _ = paid[i]
        return sent_at.get(h, block_sent.get(b))

    def stage(name, at):
        done = [i for i in ids if i in at]
        from_send = [at[i] - sent_ms(i) for i in done]
        from_block = [at[i] - seen[paid[i][0]] for i in done if paid[i][0] in seen]
        times = sorted(at[i] for i in done)
        span = (times[-1] - times[0]) / 1000 if len(times) > 1 else float("nan")
        return (name, len(done), len(done) / span if span else float("nan"),
                pct(from_send, 50), pct(from_send, 99), pct(from_block, 50), pct(from_block, 99))

    sends = [int(e[1]) for e in w["sent"]]
    first, last = min(sends), max(sends)
    offered = len(sends) / max(0.001, (last - first) / 1000)
    mined = sorted(seen[b] for b in {int(e[0]) for e in w["sent"]} if b in seen)
    blocks = len({int(e[0]) for e in w["sent"]})
    stages = [
        stage("decoded (chain.inference-paid)", {i: paid[i][2] for i in ids}),
        stage("attributed (attribution.results)", attributed),
        stage("accrued (payout.accruals)", accrued),
        stage("settled on chain (chain.batch-settled)", settled),
    ]
    print(f"\n  offered: {len(sends)} inferences sent in {(last - first) / 1000:.1f} s = {offered:.1f} inferences/s"
          + (f" (asked {asked_rate}/s)" if asked_rate else "")
          + f"; {w.get('lostToReorgs', 0)} lost, {w.get('reverted', 0)} reverted; sender: {w.get('send', 'wait')}")
    mined_rate = len(sends) / max(0.001, (mined[-1] - mined[0]) / 1000) if len(mined) > 1 else None
    if len(mined) > 1:
        print(f"  mined: {len(sends)} payments in {blocks} blocks ({len(sends) / blocks:.1f} per block) over "
              f"{(mined[-1] - mined[0]) / 1000:.1f} s = {len(sends) / max(0.001, (mined[-1] - mined[0]) / 1000):.1f} inferences/s")
    print(f"  {'stage':<42} {'inferences':>10} {'per s':>8} {'p50 send':>9} {'p99 send':>9} {'p50 block':>9} {'p99 block':>9}   (ms)")
    for name, n, rate, p50, p99, b50, b99 in stages:
        print(f"  {name:<42} {n:>10} {rate:>8.1f} {p50:>9.0f} {p99:>9.0f} {b50:>9.0f} {b99:>9.0f}")
    inside_jobs(samples_path, {i: attributed[i] for i in ids if i in attributed},
                {i: seen[paid[i][0]] for i in ids if paid[i][0] in seen})
    summarize(samples_path, offered, asked_rate, mined_rate, stages)


def inside_jobs(samples_path, appended, block_seen):
    """Where the time goes inside the jobs: the operators' waits, the checkpoints, and when each
    attributed inference became visible (the first checkpoint triggered after its append)."""
    samples = [json.loads(line) for line in open(samples_path)] if os.path.exists(samples_path) else []
    done = {}
    for s in samples:
        done.update(s.get("checkpoints", {}))
    cps = sorted(done.values())
    low, high = (min(appended.values()), max(appended.values())) if appended else (0, 0)
    during = [c for c in cps if low <= c[0] <= high + 5000]
    if len(during) > 1:
        gaps = [b[0] - a[0] for a, b in zip(during, during[1:])]
        took = [c[1] - c[0] for c in during]
        print(f"\n  checkpoints during the run: {len(during)}; interval p50/p99 {pct(gaps, 50):.0f} / {pct(gaps, 99):.0f} ms,"
              f" duration p50/p99 {pct(took, 50):.0f} / {pct(took, 99):.0f} ms,"
              f" checkpointed size p50 {pct([c[2] for c in during], 50) / 2**20:.1f} MiB")
        triggers = [c[0] for c in cps]

        visible = []
        for i, at in appended.items():
            k = bisect.bisect_left(triggers, at)
            if k < len(cps) and i in block_seen:
                visible.append(cps[k][1] - block_seen[i])
        if visible:
            print(f"  block -> attributed visible downstream (read_committed: the first checkpoint triggered after"
                  f" the append completes), p50/p99: {pct(visible, 50):.0f} / {pct(visible, 99):.0f} ms"
                  f" ({len(visible)} inferences)")
    names = sorted({n for s in samples for n in s.get("waits", {})})
    if names:
        print("  waits inside the jobs (ms; Flink histograms of their last 1,024 events, sampled every 2 s):"
              " median of p50 / max of p99")
        for n in names:
            p50 = [s["waits"][n].get("0.5") for s in samples if n in s.get("waits", {})]
            p99 = [s["waits"][n].get("0.99") for s in samples if n in s.get("waits", {})]
            p50 = [v for v in p50 if v is not None]
            p99 = [v for v in p99 if v is not None]
            if p50 and p99:
                print(f"    {n:<62} {pct(p50, 50):8.0f} / {max(p99):8.0f}")


def summarize(samples_path, offered, asked_rate, mined_rate, stages):
    samples = [json.loads(line) for line in open(samples_path)] if os.path.exists(samples_path) else []
    busy, backpressured, lags, pending = {}, {}, [], {}
    for s in samples:
        for task, v in s["busy"].items():
            busy.setdefault(task, []).append(v)
        for task, v in s["backpressured"].items():
            backpressured.setdefault(task, []).append(v)
        for task, v in s.get("pending", {}).items():
            pending.setdefault(task, []).append(v)
        if s["lag"] is not None:
            lags.append(s["lag"])
    print("\n  Flink tasks, mean over the run (ms per second): busy / back-pressured")
    for task in sorted(busy, key=lambda t: -mean(busy[t])):
        print(f"    {task:<62} {mean(busy[task]):6.0f} / {mean(backpressured.get(task, [0])):6.0f}")
    if lags:
        print(f"  follower head lag: mean {mean(lags):.1f} blocks, max {max(lags):.0f}")
    for task, v in sorted(pending.items()):
        print(f"  Kafka source pending records, {task}: mean {mean(v):.0f}, max {max(v):.0f}")
    timeline(samples_path, samples)
    # A part whose memory fell to nothing stopped during the run: nothing after it is measured.
    dead = sorted({p for s in samples for p in s.get("rss", {}) if p != "workload"}
                  - {p for p, v in (samples[-1].get("rss", {}) if samples else {}).items() if v > 0})
    if dead:
        print(f"  bottleneck: {', '.join(dead)} stopped during the run (see its log); decoded {stages[0][1]}")
        return
    print(f"  bottleneck: {bottleneck(busy, backpressured, lags, offered, asked_rate, mined_rate, stages)}")


def bottleneck(busy, backpressured, lags, offered, asked_rate, mined_rate, stages):
    """The stage that bounds the run, from the measures: a Flink task busy most of the time and
    not itself back-pressured; else a follower falling behind; else the dev node mining slower
    than it was sent to; else the generator offering less than asked."""
    if busy:
        free = {t: mean(v) for t, v in busy.items() if mean(backpressured.get(t, [0])) < 300}
        top = max(free or busy, key=lambda t: mean(busy[t]))
        if mean(busy[top]) > 500:
            return f"the Flink task '{top}' (busy {mean(busy[top]):.0f} ms/s, back-pressured {mean(backpressured.get(top, [0])):.0f} ms/s)"
    if lags and mean(lags) > 5:
        return f"the chain follower (head lag {mean(lags):.1f} blocks on average)"
    decoded = stages[0][2]
    if decoded == decoded and mined_rate and decoded < 0.8 * mined_rate:
        return f"the follower and decoder ({decoded:.0f}/s decoded against {mined_rate:.0f}/s mined)"
    if mined_rate and mined_rate < 0.9 * offered:
        return (f"the dev node: it mined {mined_rate:.0f} payments/s of the {offered:.0f}/s sent to it;"
                " the pipeline kept up with what was mined")
    if asked_rate and offered < 0.9 * float(asked_rate):
        return f"the load generator: {offered:.0f}/s offered of {asked_rate}/s asked; the pipeline kept up"
    return "none inside the pipeline: it kept up with the offered load"


def timeline(samples_path, samples):
    """timeline.csv beside the samples: per sample, lag and memory; then a memory summary."""
    if not samples:
        return
    parts = sorted({p for s in samples for p in s.get("rss", {})})
    path = os.path.join(os.path.dirname(samples_path), "timeline.csv")
    t0 = samples[0]["t"]
    stages = {}
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["seconds", "follower_lag_blocks", "paid", "attributed", "accrued", "flink_pending"]
                     + [f"rss_mb_{p}" for p in parts])
        for s in samples:
            stages = s.get("stages", stages)
            out.writerow([f"{s['t'] - t0:.1f}", s["lag"] if s["lag"] is not None else "",
                          stages.get("paid", ""), stages.get("attributed", ""), stages.get("accrued", ""),
                          f"{sum(s.get('pending', {}).values()):.0f}"]
                         + [f"{s['rss'].get(p, 0) / 2**20:.0f}" for p in parts])
    print(f"\n  memory (RSS, MB) over {samples[-1]['t'] - t0:.0f} s, first / max / last  (timeline: {path})")
    for p in parts:
        v = [s["rss"].get(p, 0) / 2**20 for s in samples if p in s.get("rss", {})]
        print(f"    {p:<12} {v[0]:8.0f} {max(v):8.0f} {v[-1]:8.0f}")
    total = [sum(s.get("rss", {}).values()) / 2**20 for s in samples]
    print(f"    {'all':<12} {total[0]:8.0f} {max(total):8.0f} {total[-1]:8.0f}")
    waits = [(s["stages"]["paid"] - s["stages"]["attributed"]) for s in samples if "stages" in s]
    if waits:
        print(f"  paid but not yet attributed (ClickHouse, every 10 s): max {max(waits)}, last {waits[-1]}")


if __name__ == "__main__":
    if sys.argv[1] == "sample":
        sample(*sys.argv[2:])
    else:
        report(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
