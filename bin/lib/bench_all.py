"""`bin/openledger bench all`: one Markdown table from the logs of every benchmark of one run.

Each benchmark prints its figures and, where it has one, the ceiling it is measured against in
the same run; this reads them back (stage, figure, ceiling, ratio, command). A benchmark whose
log lacks the expected line gets a row saying so instead of a number. The sidecar's and the
quality benchmark's own tables follow the summary verbatim.
"""
import os
import re
import sys


def read(folder, name):
    try:
        return open(os.path.join(folder, name + ".log"), errors="replace").read()
    except OSError:
        return ""


def num(text, pattern):
    m = re.search(pattern, text, re.M)
    return float(m.group(1).replace(",", "")) if m else None


def fmt(v, unit=""):
    return "–" if v is None else f"{v:,.0f}{unit}"


def ratio(a, b):
    return "–" if a is None or not b else f"{a / b:.2f}"


def markdown_tables(text):
    """The Markdown tables in a log, each as (header cells, rows of cells)."""
    tables, rows = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif rows:
            if len(rows) > 2:
                tables.append((rows[0], rows[2:]))
            rows = []
    return tables


def table_ratio(text):
    """min–max of the first column named like a ratio, over every row of every table."""
    values = []
    for header, rows in markdown_tables(text):
        cols = [i for i, h in enumerate(header) if "ratio" in h.lower() or "of matmul" in h.lower()]
        for r in rows:
            for i in cols[:1]:
                m = re.match(r"[\d.]+", r[i]) if i < len(r) else None
                if m:
                    values.append(float(m.group(0)))
    return f"{min(values):.2f}–{max(values):.2f} over {len(values)} rows" if values else "–"


def rows(folder):
    out = []
    f = read(folder, "follower")
    follower = num(f, r"^follower into Kafka.*?:\s+([\d.]+) logs/s")
    raw = num(f, r"^raw eth_getLogs.*?:\s+([\d.]+) logs/s")
    kafka = num(f, r"^Kafka ceiling.*?:\s+([\d.]+) records/s")
    out.append(("follower into Kafka", fmt(follower, " logs/s"), f"raw eth_getLogs {fmt(raw, ' logs/s')}",
                ratio(follower, raw), "bench follower"))
    out.append(("follower into Kafka", fmt(follower, " logs/s"), f"transactional producer {fmt(kafka, ' records/s')}",
                ratio(follower, kafka), "bench follower"))
    # After its first record when the benchmark says so (the group join and first look-ups apart).
    decoder = num(f, r"; ([\d.]+) records/s after the first") or num(
        f, r"^decoder app through Kafka.*?:\s+([\d.]+) records/s")
    work = num(f, r"^decoder work.*?:\s+([\d.]+) records/s")
    out.append(("decoder through Kafka", fmt(decoder, " records/s"), f"its work in memory {fmt(work, ' records/s')}",
                ratio(decoder, work), "bench follower"))
    a = read(folder, "attribution")
    job = num(a, r"job end to end\s+([\d.]+) attributions/s")
    # The last standalone line is the sidecar at the job's own call size (a full batch).
    sides = re.findall(r"sidecar standalone\s+([\d.]+) queries/s", a)
    side = float(sides[-1]) if sides else None
    out.append(("attribution job", fmt(job, " attributions/s"), f"sidecar standalone {fmt(side, ' queries/s')}",
                ratio(job, side), "bench attribution"))
    p = read(folder, "payment")
    accruals = num(p, r"^\s+([\d.]+) accruals/s")
    out.append(("payment job", fmt(accruals, " accruals/s"), "goal 100,000 accruals/s/core", ratio(accruals, 100_000),
                "bench payment"))
    ledger = num(p, r"-> (\d+) accruals per ledger-CPU-second")
    out.append(("payment job, ledger task", fmt(ledger, " accruals per CPU-second"), "goal 100,000 accruals/s/core",
                ratio(ledger, 100_000), "bench payment"))
    lo = read(folder, "loader")
    out.append(("ClickHouse loads", fmt(num(lo, r"rows in [\d.]+ s: ([\d,]+) rows/s"), " rows/s"), "–", "–", "bench loader"))
    lk = read(folder, "loader-kafka")
    out.append(("loader, Kafka → ClickHouse", fmt(num(lk, r"^loader, Kafka -> ClickHouse:.*?s: ([\d,]+) rows/s"), " rows/s"),
                "–", "–", "bench loader kafka"))
    s = read(folder, "sidecar")
    out.append(("sidecar scoring, one index", "see its table below", "matmul on the same rows", table_ratio(s),
                "bench sidecar"))
    sd = read(folder, "sidecar-datanets")
    out.append(("sidecar scoring, one model over 57 Datanets", "see its table below",
                "one matmul over the union of the model's rows", table_ratio(sd),
                "bench sidecar --sizes 20000,100000 --dims 2048 --datanets 57 --threshold 0,0.2 --chunk-rows 20000"))
    e = read(folder, "e2e")
    offered = num(e, r"offered: \d+ inferences sent in [\d.]+ s = ([\d.]+) inferences/s")
    asked = num(e, r"\(asked ([\d.]+)/s\)")
    mined = num(e, r"^\s+mined: .* = ([\d.]+) inferences/s")
    out.append(("workload (offered)", fmt(offered, " inferences/s"), f"asked {fmt(asked, '/s')}", ratio(offered, asked),
                "bench e2e"))
    for stage in ("decoded", "attributed", "accrued", "settled on chain"):
        m = re.search(rf"^\s+{stage} \(\S+\)\s+(\d+)\s+([\d.]+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", e, re.M)
        figure = f"{float(m.group(2)):,.0f} inferences/s, p50/p99 from block {m.group(5)}/{m.group(6)} ms" if m else "–"
        out.append((f"whole pipeline: {stage}", figure, f"mined {fmt(mined, '/s')}",
                    ratio(float(m.group(2)), mined) if m else "–", "bench e2e"))
    bottleneck = re.search(r"bottleneck: (.*)", e)
    if bottleneck:
        out.append(("whole pipeline: bottleneck", bottleneck.group(1), "–", "–", "bench e2e"))
    return out


def main(folder):
    print("| stage | figure | its ceiling (same run) | ratio | command |")
    print("|---|---|---|---|---|")
    for stage, figure, ceiling, r, command in rows(folder):
        print(f"| {stage} | {figure} | {ceiling} | {r} | `bin/openledger {command}` |")
    for name in ("sidecar", "sidecar-datanets", "quality"):
        tables = [line for line in read(folder, name).splitlines() if line.startswith("|")]
        if tables:
            print(f"\n### {name} (`bin/openledger bench {name}`)\n")
            print("\n".join(tables))


if __name__ == "__main__":
    main(sys.argv[1])
