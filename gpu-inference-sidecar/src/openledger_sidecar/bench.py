"""Scoring benchmark: `python -m openledger_sidecar.bench` (or `bin/openledger bench sidecar`).

Why: scoring a batch is one matrix multiply (queries x index) plus what surrounds it: the Arrow
Flight round trip, turning the `vector` column into a NumPy array, masking inactive rows, top-k
selection and building the answer. The multiply is the part no implementation can avoid, so the
benchmark measures, in the same run and on the same device, the sidecar end to end over Flight
and the machine's plain matrix multiply of the same shape (the union of the model's rows; the
faster of both orientations), and reports their ratio (goal: >= 0.7; >= 0.5 for a model over
many Datanets at 20k rows). A low ratio says the work around the multiply is what to make faster.

Per backend and shape (n rows x d dims over D Datanets) it starts a real `SidecarFlightServer` in
this process on a free port, seeds it over Flight with random unit vectors split over the Datanets
(`matches=false`, as a re-seed), registers one model over all of them and says `ready` (see
`bench_flight`); then, per threshold and batch size, it times `score` exchanges
from the client (one exchange per batch, wall time from opening the call to the last result),
each followed by one plain multiply of the union shape (its best time counts), so both see the
same machine. The
last column is the CPU that other processes used meanwhile: on a shared machine it says how far
to trust a row. Progress goes to stderr, the table (Markdown) to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np

from . import backends
from .bench_flight import near_queries, plain_matmul, query_batch, running_sidecar, score_latencies, seed, unit_vectors

log = logging.getLogger("openledger_sidecar.bench")

COLUMNS = (
    ("backend", "backend"),
    ("device", "device"),
    ("n", "index rows"),
    ("d", "dim"),
    ("batch", "batch"),
    ("datanets", "Datanets"),
    ("threshold", "threshold"),
    ("batches", "timed batches"),
    ("qps", "queries/s"),
    ("p50_ms", "p50 ms"),
    ("p99_ms", "p99 ms"),
    ("sidecar_gflops", "sidecar GFLOP/s"),
    ("matmul_gflops", "matmul GFLOP/s"),
    ("ratio", "ratio"),
    ("others_cores", "other processes' CPU (cores)"),
)


@dataclass(frozen=True)
class Row:
    """One configuration's figures; GFLOP/s count 2*batch*n*d per batch (the multiply alone)."""

    backend: str
    device: str
    n: int
    d: int
    batch: int
    datanets: int
    threshold: float
    batches: int
    qps: float
    p50_ms: float
    p99_ms: float
    sidecar_gflops: float
    matmul_gflops: float
    ratio: float
    others_cores: float


# --- devices -------------------------------------------------------------------------------


def cpu_name() -> str:
    """The CPU model from /proc/cpuinfo and the cores this process may use."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    return f"{model}, {len(os.sched_getaffinity(0))} cores"


def device_name(backend: str) -> str:
    if backend == "torch-cuda":
        import torch

        return torch.cuda.get_device_name(0)
    return cpu_name()


class OtherLoad:
    """CPU time other processes used since it was made, in cores (Linux /proc/stat; NaN elsewhere)."""

    def __init__(self) -> None:
        self._start = (time.perf_counter(), self._busy(), self._own())

    @staticmethod
    def _busy() -> float:
        try:
            with open("/proc/stat", encoding="utf-8") as f:
                fields = [int(v) for v in f.readline().split()[1:]]
        except (OSError, ValueError):
            return float("nan")
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own() -> float:
        t = os.times()
        return t.user + t.system

    def cores(self) -> float:
        wall, busy, own = self._start
        elapsed = time.perf_counter() - wall
        if elapsed <= 0:
            return float("nan")
        return max(0.0, ((self._busy() - busy) - (self._own() - own)) / elapsed)


def resolve_backend(name: str) -> str:
    """`auto` becomes torch-cuda when torch sees a CUDA device, else numpy."""
    return backends.backend(name).backend


# --- data ----------------------------------------------------------------------------------


# --- the sidecar over Flight ---------------------------------------------------------------


# --- the plain multiply --------------------------------------------------------------------


# --- one configuration ---------------------------------------------------------------------


def timed_batches(latency_hint: float, args) -> int:
    """At least --repeats batches, more (up to --max-batches) while they fit in --min-time."""
    extra = int(args.min_time / latency_hint) if latency_hint > 0 else args.max_batches
    return max(args.repeats, min(args.max_batches, extra))


def run_batch_size(client, backend, device, index, batch, datanets, threshold, rng, args) -> Row:
    """Score batches over Flight, each followed by one plain multiply of the same (union) shape,
    so that both see the same machine (other processes come and go); the multiply's best time counts."""
    n, d = index.shape
    warm = [query_batch(near_queries(rng, index, batch)) for _ in range(args.warmup)]
    hint = min(score_latencies(client, warm, args.k, threshold), default=0.0)
    count = timed_batches(hint, args)
    matmul = plain_matmul(backend, near_queries(rng, index, batch), index)
    others = OtherLoad()
    latencies, plain = [], []
    for _ in range(count):
        latencies += score_latencies(client, [query_batch(near_queries(rng, index, batch))], args.k, threshold)
        plain.append(matmul())
    del matmul
    latencies = np.array(latencies)
    flops = 2.0 * batch * n * d
    p50 = float(np.percentile(latencies, 50))
    sidecar_gflops, matmul_gflops = flops / p50 / 1e9, flops / min(plain) / 1e9
    row = Row(
        backend=backend,
        device=device,
        n=n,
        d=d,
        batch=batch,
        datanets=datanets,
        threshold=threshold,
        batches=count,
        qps=batch * count / float(latencies.sum()),
        p50_ms=p50 * 1e3,
        p99_ms=float(np.percentile(latencies, 99)) * 1e3,
        sidecar_gflops=sidecar_gflops,
        matmul_gflops=matmul_gflops,
        ratio=sidecar_gflops / matmul_gflops,
        others_cores=others.cores(),
    )
    fields = (f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in asdict(row).items())
    log.info("measured %s", " ".join(fields))
    return row


def run_shape(backend: str, n: int, d: int, datanets: int, args) -> list[Row]:
    """One shape on one backend: seed once, then every threshold and batch size."""
    rng = np.random.default_rng([args.seed, n, d])  # the same data for every backend
    index = unit_vectors(rng, n, d)
    device = device_name(backend)
    rows = []
    with running_sidecar(backend) as client:
        seconds = seed(client, index, args.chunk_rows, datanets)
        log.info("seeded backend=%s n=%d d=%d datanets=%d seconds=%.1f rows_per_s=%.0f",
                 backend, n, d, datanets, seconds, n / seconds)
        for threshold in args.threshold:
            for batch in args.batches:
                rows.append(run_batch_size(client, backend, device, index, batch, datanets, threshold, rng, args))
    del index
    gc.collect()
    return rows


# --- output --------------------------------------------------------------------------------


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table, ready for docs/BENCHMARKS.md."""
    lines = [
        "| " + " | ".join(title for _, title in COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(_cell(getattr(row, key)) for key, _ in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


# --- command line --------------------------------------------------------------------------


def _ints(text: str) -> list[int]:
    try:
        values = [int(v.replace("_", "")) for v in text.split(",") if v.strip()]
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of integers") from e
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must list positive integers")
    return values


def _floats(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of numbers") from e
    if not values:
        raise argparse.ArgumentTypeError("give at least one threshold")
    return values


def _backends(text: str) -> list[str]:
    names = [v.strip() for v in text.split(",") if v.strip()]
    known = ("numpy", "torch-cpu", "torch-cuda", "auto")
    for name in names:
        if name not in known:
            raise argparse.ArgumentTypeError(f"unknown backend '{name}': {', '.join(known)}")
    return names


def parse(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="openledger_sidecar.bench", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=_ints, default=[10_000, 100_000, 1_000_000],
                   help="index rows (default 10000,100000,1000000)")
    p.add_argument("--dims", type=_ints, default=[256, 384], help="vector dimensions (default 256,384)")
    p.add_argument("--batches", type=_ints, default=[32, 256], help="queries per score batch (default 32,256)")
    p.add_argument("--k", type=int, default=10, help="matches per query (default 10)")
    p.add_argument("--threshold", type=_floats, default=[0.0],
                   help="score thresholds of the score call, a comma list (default 0.0; the pipeline's default is 0.2)")
    p.add_argument("--datanets", type=_ints, default=[1],
                   help="Datanets the rows are split over, one model over all of them; a comma list runs each "
                        "(default 1: one index; e.g. 57 for the many-Datanet shape)")
    p.add_argument("--repeats", type=int, default=5, help="timed batches per configuration, at least (default 5)")
    p.add_argument("--warmup", type=int, default=1, help="untimed batches first (default 1)")
    p.add_argument("--min-time", type=float, default=2.0,
                   help="seconds of timed batches to aim for: fast configurations run more than --repeats (default 2)")
    p.add_argument("--max-batches", type=int, default=100,
                   help="timed batches per configuration, at most (default 100)")
    p.add_argument("--backend", type=_backends, default=["numpy"],
                   help="numpy, torch-cpu, torch-cuda or auto; a comma list runs several (default numpy)")
    p.add_argument("--chunk-rows", type=int, default=50_000, help="rows per record batch when seeding (default 50000)")
    p.add_argument("--seed", type=int, default=7, help="random seed of the vectors (default 7)")
    p.add_argument("--json", metavar="PATH", help="also write the rows as JSON to PATH")
    p.add_argument("--log-level", default="INFO")
    args = p.parse_args(argv)
    if not 1 <= args.k <= 1000:
        p.error("--k must be between 1 and 1000")
    if args.repeats < 1 or args.warmup < 0 or args.max_batches < args.repeats or args.chunk_rows < 1:
        p.error("need --repeats >= 1, --warmup >= 0, --max-batches >= --repeats and --chunk-rows >= 1")
    if args.k > min(args.sizes):
        p.error(f"--k {args.k} is larger than the smallest index ({min(args.sizes)} rows)")
    if max(args.datanets) > min(args.sizes):
        p.error(f"--datanets {max(args.datanets)} is more than the smallest index has rows ({min(args.sizes)})")
    return args


def main(argv=None) -> list[Row]:
    args = parse(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="ts=%(asctime)s level=%(levelname)s logger=%(name)s msg=%(message)s")
    rows: list[Row] = []
    for name in args.backend:
        backend = resolve_backend(name)
        log.info("backend=%s device=%s", backend, device_name(backend))
        for n in args.sizes:
            for d in args.dims:
                for datanets in args.datanets:
                    rows.extend(run_shape(backend, n, d, datanets, args))
    sys.stdout.write(table(rows))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump([asdict(r) for r in rows], f, indent=2)
    return rows


if __name__ == "__main__":
    main()
