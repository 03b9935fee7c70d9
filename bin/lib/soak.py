"""`bin/openledger soak`: turns the sampler's record of a long run under load and faults into the
answer to one question: did anything grow without bound? It reads the samples (e2e.py's sampler:
every 2 s the RSS of every process of the run, the follower's head lag, Flink's pending records,
every 10 s the inferences paid but not yet accrued, and each job's newest checkpoint) and the
faults injected, then checks each quantity against its bound, prints the table, and draws one SVG.

The bounds compare the run's second half with its first, after a warm-up (a JVM's heap, Kafka's
page cache and ClickHouse's parts grow for a while after a start, then level off): a quantity
that grows with the history (a leak, state never cleared, a backlog the pipeline never catches
up) shows as a second half well above the first. The margins leave room for what a single fault
does (a restarted process, a 65-second hang's backlog), not for a trend.
"""
import html
import json
import os
import sys

MIB = 2**20

# A quantity holds its bound when, past the warm-up, its second half stays under
# FACTOR x the first half's figure + SLACK (in the quantity's unit).
RSS_FACTOR, RSS_SLACK_MB = 1.25, 128
BACKLOG_FACTOR = 1.5  # on the mean backlog; slack: 30 s of the offered rate
CKPT_MS_FACTOR, CKPT_MS_SLACK = 1.5, 1000  # on the checkpoints' p90 duration
CKPT_BYTES_FACTOR, CKPT_BYTES_SLACK = 1.25, 4 * MIB  # on the largest full state

# The test harness's processes: reported, not bounded, and not in "rss all". The dev node (anvil)
# keeps every block and state of the chain in memory, so its RSS grows with the chain by design
# (the first soak: 4.3 -> 7.0 GB over an hour; a real node keeps them on disk); the workload is the
# load generator, not the system under test.
HARNESS = {
    "evm": "the dev node holds the whole chain in memory",
    "workload": "the load generator",
}


def load(samples_path):
    with open(samples_path) as f:
        return [json.loads(line) for line in f if line.strip()]


def load_faults(faults_path):
    """[(start s, end s, kind)] from the soak's faults file (epoch start, epoch end, kind, detail)."""
    faults = []
    if os.path.exists(faults_path):
        for line in open(faults_path):
            fields = line.rstrip("\n").split("\t")
            if len(fields) >= 3:
                faults.append((float(fields[0]), float(fields[1]), fields[2]))
    return faults


def series(samples):
    """name -> [(t, value)]: RSS per part and all (MB), lag, pending, backlog, checkpoints."""
    out = {}

    def add(name, t, v):
        out.setdefault(name, []).append((t, v))

    seen_ckpt = set()
    for s in samples:
        t = s["t"]
        rss = s.get("rss", {})
        for part, b in rss.items():
            add(f"rss {part}", t, b / MIB)
        system = [b for part, b in rss.items() if part not in HARNESS]
        if system:
            add("rss all", t, sum(system) / MIB)
        if s.get("lag") is not None:
            add("follower lag (blocks)", t, s["lag"])
        if s.get("pending"):
            add("flink pending records", t, sum(s["pending"].values()))
        st = s.get("stages")
        if st:
            add("paid, not yet accrued", t, st["paid"] - st["accrued"])
        for job, c in s.get("ckpt", {}).items():
            if (job, c["id"]) in seen_ckpt:
                continue
            seen_ckpt.add((job, c["id"]))
            add(f"checkpoint ms {job}", t, c["ms"])
            add(f"checkpoint MB {job}", t, c["bytes"] / MIB)
    return out


def halves(points, start, end):
    """The values of the first and the second half of [start, end]."""
    mid = (start + end) / 2
    return ([v for t, v in points if start <= t < mid], [v for t, v in points if mid <= t <= end])


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100))] if v else 0.0


def bounds(samples, rate, warmup_s=None, begin=None, end=None):
    """[(quantity, ok, detail)]: each bounded quantity, first half against second half, over the
    samples from BEGIN to END (the load's: the start-up before it and the drain after it would
    flatter the second half). ok is None for a harness process: reported, not bounded."""
    samples = [s for s in samples if (begin is None or s["t"] >= begin) and (end is None or s["t"] <= end)]
    if len(samples) < 4:
        return [("samples", False, f"only {len(samples)} samples")]
    t0, t1 = samples[0]["t"], samples[-1]["t"]
    if warmup_s is None:
        warmup_s = max(300.0, 0.1 * (t1 - t0))
    start = min(t0 + warmup_s, (t0 + t1) / 2)
    checks = []
    for name, points in sorted(series(samples).items()):
        first, second = halves(points, start, t1)
        if not first or not second:
            continue
        if name.startswith("rss ") and name[4:] in HARNESS:
            a, b = max(first), max(second)
            checks.append((f"{name} (MB, max)", None, f"{a:.0f} -> {b:.0f} (not bounded: {HARNESS[name[4:]]})"))
        elif name.startswith("rss "):
            a, b = max(first), max(second)
            limit = RSS_FACTOR * a + RSS_SLACK_MB
            checks.append((f"{name} (MB, max)", b <= limit, f"{a:.0f} -> {b:.0f} (bound {limit:.0f})"))
        elif name == "paid, not yet accrued":
            a, b = sum(first) / len(first), sum(second) / len(second)
            limit = BACKLOG_FACTOR * a + 30 * rate
            checks.append((f"{name} (mean)", b <= limit, f"{a:.0f} -> {b:.0f} (bound {limit:.0f}); max {max(second):.0f}"))
        elif name in ("follower lag (blocks)", "flink pending records"):
            a, b = sum(first) / len(first), sum(second) / len(second)
            slack = 30 if name.startswith("follower") else 30 * rate
            limit = BACKLOG_FACTOR * a + slack
            checks.append((f"{name} (mean)", b <= limit, f"{a:.1f} -> {b:.1f} (bound {limit:.1f}); max {max(second):.0f}"))
        elif name.startswith("checkpoint ms"):
            a, b = pct(first, 90), pct(second, 90)
            limit = CKPT_MS_FACTOR * a + CKPT_MS_SLACK
            checks.append((f"{name} (p90)", b <= limit, f"{a:.0f} -> {b:.0f} (bound {limit:.0f}); {len(first) + len(second)} checkpoints"))
        elif name.startswith("checkpoint MB"):
            a, b = max(first), max(second)
            limit = CKPT_BYTES_FACTOR * a + CKPT_BYTES_SLACK / MIB
            checks.append((f"{name} (max)", b <= limit, f"{a:.1f} -> {b:.1f} (bound {limit:.1f})"))
    return checks


# --- The plot: one SVG, four panels sharing the time axis, faults as grey bands. ---
PANELS = [
    ("memory: RSS per process (MB)", lambda n: n.startswith("rss ") and n != "rss all"),
    ("lag: inferences paid, not yet accrued; records Flink's Kafka sources have yet to read", lambda n: n in ("paid, not yet accrued", "flink pending records")),
    ("checkpoint duration (ms)", lambda n: n.startswith("checkpoint ms")),
    ("checkpoint size, full state (MB)", lambda n: n.startswith("checkpoint MB")),
]
COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd"]
W, PANEL_H, LEFT, RIGHT, TOP, GAP = 1100, 220, 70, 260, 30, 50


def svg(samples, faults, title, marks=()):
    """The run's memory, lag and checkpoints over time as SVG text; MARKS are (t, label) lines."""
    data = series(samples)
    t0 = samples[0]["t"] if samples else 0
    t1 = samples[-1]["t"] if samples else 1
    span = max(1.0, t1 - t0)
    height = TOP + len(PANELS) * (PANEL_H + GAP) + 20
    plot_w = W - LEFT - RIGHT
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<rect width="{W}" height="{height}" fill="white"/>',
           f'<text x="{LEFT}" y="18" font-size="14">{html.escape(title)}</text>']
    for i, (label, wanted) in enumerate(PANELS):
        y0 = TOP + i * (PANEL_H + GAP) + 15
        names = sorted(n for n in data if wanted(n))
        top = max([v for n in names for _, v in data[n]] + [1.0]) * 1.05
        out.append(f'<text x="{LEFT}" y="{y0 - 4}">{html.escape(label)}</text>')
        for start, end, kind in faults:
            x = LEFT + (start - t0) / span * plot_w
            w = max(1.0, (end - start) / span * plot_w)
            out.append(f'<rect x="{x:.1f}" y="{y0}" width="{w:.1f}" height="{PANEL_H}" fill="#eeeeee"><title>{html.escape(kind)}</title></rect>')
        out.append(f'<rect x="{LEFT}" y="{y0}" width="{plot_w}" height="{PANEL_H}" fill="none" stroke="#999"/>')
        for t, mark in marks:
            x = LEFT + (t - t0) / span * plot_w
            out.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{y0 + PANEL_H}" stroke="#444" stroke-dasharray="4,3"/>')
            # A mark near the right edge is labelled on its left, clear of the legend.
            right = x > LEFT + 0.8 * plot_w
            anchor = f'x="{x - 3:.1f}" text-anchor="end"' if right else f'x="{x + 3:.1f}"'
            out.append(f'<text {anchor} y="{y0 + 11}" fill="#444">{html.escape(mark)}</text>')
        for frac in (0, 0.5, 1):
            y = y0 + PANEL_H - frac * PANEL_H
            out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{top * frac:,.0f}</text>')
        for k, name in enumerate(names):
            colour = COLOURS[k % len(COLOURS)]
            pts = " ".join(f"{LEFT + (t - t0) / span * plot_w:.1f},{y0 + PANEL_H - v / top * PANEL_H:.1f}" for t, v in data[name])
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.2" points="{pts}"/>')
            legend = name.split(" ", 2)[-1] if name.startswith(("rss ", "checkpoint ")) else name
            out.append(f'<text x="{W - RIGHT + 10}" y="{y0 + 12 + k * 13}" fill="{colour}">{html.escape(legend[:40])}</text>')
        y_axis = y0 + PANEL_H + 14
        for m in range(0, int(span // 60) + 1, max(1, int(span // 60) // 6 or 1)):
            x = LEFT + m * 60 / span * plot_w
            out.append(f'<text x="{x:.1f}" y="{y_axis}" text-anchor="middle">{m} min</text>')
    out.append("</svg>")
    return "\n".join(out)


def report(samples_path, faults_path, rate, svg_path, title="soak", begin=None, end=None):
    """Prints the bounds table, writes the SVG (start-up and drain included); returns 0 when every
    quantity held its bound under load (from BEGIN to END, epoch seconds)."""
    samples = load(samples_path)
    faults = load_faults(faults_path)
    begin = float(begin) if begin else samples[0]["t"]
    end = float(end) if end else samples[-1]["t"]
    warmup = max(300.0, 0.1 * (end - begin))
    checks = bounds(samples, float(rate), warmup_s=warmup, begin=begin, end=end)
    print(f"\n  bounded over the {end - begin:.0f} s under load ({len(faults)} faults), second half against"
          f" first after a {warmup:.0f} s warm-up")
    for name, ok, detail in checks:
        print(f"  {name:<58} {'info' if ok is None else 'pass' if ok else 'FAIL':<4} {detail}")
    marks = [(begin, "load starts"), (min(begin + warmup, (begin + end) / 2), "warm-up ends"), (end, "load ends: drain")]
    with open(svg_path, "w") as f:
        f.write(svg(samples, faults, title, marks))
    print(f"  plot: {svg_path}")
    return 0 if checks and all(ok is not False for _, ok, _ in checks) else 1


if __name__ == "__main__":
    if len(sys.argv) < 6 or sys.argv[1] != "report":
        sys.exit("usage: soak.py report SAMPLES FAULTS RATE SVG [TITLE [LOAD-BEGIN LOAD-END (epoch s)]]")
    sys.exit(report(*sys.argv[2:]))
