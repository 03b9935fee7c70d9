"""Scoring benchmark: `python -m openledger_sidecar.bench` (or `bin/openledger bench sidecar`).

Why: scoring a batch is one matrix multiply (queries x index) plus what surrounds it: the Arrow
Flight round trip, turning the `vector` column into a NumPy array, masking inactive rows, top-k
selection and building the answer. The multiply is the part no implementation can avoid, so the
benchmark measures, in the same run and on the same device, the sidecar end to end over Flight
and the machine's plain matrix multiply of the same shape, and reports their ratio (goal: >= 0.7
at index sizes >= 100k). A low ratio says the work around the multiply is what to make faster.

Per backend and index shape (n rows x d dims) it starts a real `SidecarFlightServer` in this
process on a free port, seeds it over Flight with random unit vectors (`matches=false`, as a
re-seed), registers a model and says `ready`; then, per batch size, it times `score` exchanges
from the client (one exchange per batch, wall time from opening the call to the last result),
each followed by one plain multiply (its best time counts), so both see the same machine. The
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
import threading
import time
from dataclasses import asdict, dataclass

import numpy as np
import pyarrow as pa
import pyarrow.flight as flight

from . import backends
from .flight_server import SidecarFlightServer
from .service import AttributionService
from .state import SidecarState

log = logging.getLogger("openledger_sidecar.bench")

DATANET_ID, MODEL_ID = 1, 1
INDEX_SCHEMA = pa.schema(
    [("contribution_id", pa.int64()), ("active_from", pa.int64()), ("vector", pa.list_(pa.float32()))]
)
QUERY_SCHEMA = pa.schema([("inference_id", pa.int64()), ("block", pa.int64()), ("vector", pa.list_(pa.float32()))])
COLUMNS = (
    ("backend", "backend"),
    ("device", "device"),
    ("n", "index rows"),
    ("d", "dim"),
    ("batch", "batch"),
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


def memory_limit(backend: str) -> int:
    """The index budget: 90% of the GPU for CUDA, half the RAM otherwise (the benchmark owns it)."""
    if backend == "torch-cuda":
        from .torch_backend import device_memory

        return int(device_memory()["total"] * 0.9)
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2


# --- data ----------------------------------------------------------------------------------


def unit_vectors(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """n random unit vectors of d float32 dims (normalized in place: no second copy)."""
    v = rng.standard_normal((n, d), dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v


def near_queries(rng: np.random.Generator, index: np.ndarray, count: int, noise: float = 0.5) -> np.ndarray:
    """Perturbed copies of random index rows, as unit vectors: each has a clear best match."""
    picks = index[rng.integers(0, len(index), count)]
    q = picks + rng.standard_normal(picks.shape, dtype=np.float32) * np.float32(noise / np.sqrt(index.shape[1]))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    return q


def vector_column(vectors: np.ndarray) -> pa.ListArray:
    """A list<float32> column over the rows of a C-contiguous matrix (no per-value copy)."""
    rows, dim = vectors.shape
    offsets = pa.array(np.arange(0, (rows + 1) * dim, dim, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array(np.ascontiguousarray(vectors).reshape(-1)))


def index_batch(vectors: np.ndarray, first_id: int) -> pa.RecordBatch:
    rows = len(vectors)
    return pa.RecordBatch.from_arrays(
        [pa.array(np.arange(first_id, first_id + rows, dtype=np.int64)), pa.array(np.zeros(rows, np.int64)),
         vector_column(vectors)],
        schema=INDEX_SCHEMA,
    )


def query_batch(queries: np.ndarray) -> pa.RecordBatch:
    rows = len(queries)
    return pa.RecordBatch.from_arrays(
        [pa.array(np.arange(rows, dtype=np.int64)), pa.array(np.ones(rows, np.int64)), vector_column(queries)],
        schema=QUERY_SCHEMA,
    )


# --- the sidecar over Flight ---------------------------------------------------------------


@contextlib.contextmanager
def running_sidecar(backend: str):
    """A sidecar on a free loopback port with its own service; everything freed on exit."""
    device = "cuda" if backend == "torch-cuda" else "cpu"
    service = AttributionService(store=backends.backend(backend), memory_limit=memory_limit(backend), device=device)
    server = SidecarFlightServer(SidecarState(ready=False), port=0, service=service)
    thread = threading.Thread(target=server.serve, name="bench-flight", daemon=True)
    thread.start()
    client = flight.connect(f"grpc+tcp://127.0.0.1:{server.port}")
    try:
        yield client
    finally:
        client.close()
        server.shutdown()
        thread.join(timeout=30)
        del server, service
        gc.collect()
        if backend == "torch-cuda":
            import torch

            torch.cuda.empty_cache()


def exchange(client: flight.FlightClient, command: dict, batch: pa.RecordBatch) -> pa.Table:
    writer, reader = client.do_exchange(flight.FlightDescriptor.for_command(json.dumps(command)))
    writer.begin(batch.schema)
    writer.write_batch(batch)
    writer.done_writing()
    table = reader.read_all()
    writer.close()
    return table


def action(client: flight.FlightClient, kind: str, body: dict | None = None) -> dict:
    payload = json.dumps(body).encode() if body is not None else b""
    return json.loads(list(client.do_action(flight.Action(kind, payload)))[0].body.to_pybytes())


def seed(client: flight.FlightClient, index: np.ndarray, chunk_rows: int) -> float:
    """Seeds the index as a re-seed would (no duplicate search), registers the model; seconds."""
    began = time.perf_counter()
    command = {"op": "index", "datanet_id": DATANET_ID, "encoder": "precomputed", "matches": False}
    for start in range(0, len(index), chunk_rows):
        exchange(client, command, index_batch(index[start : start + chunk_rows], start))
        log.debug("seeded rows=%d", min(start + chunk_rows, len(index)))
    action(client, "register_model", {"model_id": MODEL_ID, "datanet_ids": [DATANET_ID], "encoder": "precomputed"})
    action(client, "ready")
    return time.perf_counter() - began


def score_latencies(client, batches: list[pa.RecordBatch], k: int, threshold: float) -> list[float]:
    """Client wall time of one `score` exchange per batch; checks every query got k matches."""
    command = {"op": "score", "model_id": MODEL_ID, "k": k, "threshold": threshold}
    out = []
    for batch in batches:
        began = time.perf_counter()
        table = exchange(client, command, batch)
        out.append(time.perf_counter() - began)
        if table.num_rows != batch.num_rows * k:
            raise RuntimeError(f"score answered {table.num_rows} rows for {batch.num_rows} queries x k={k}")
    return out


# --- the plain multiply --------------------------------------------------------------------


def plain_matmul(backend: str, queries: np.ndarray, index: np.ndarray):
    """A function timing one queries @ index.T (float32) on the backend's device, output
    preallocated; warmed up (first touch of the output, library start-up) before it returns."""
    if backend == "numpy":
        out = np.empty((len(queries), len(index)), np.float32)
        run = lambda: np.matmul(queries, index.T, out=out)  # noqa: E731
        sync = lambda: None  # noqa: E731
    else:
        import torch

        device = torch.device("cuda" if backend == "torch-cuda" else "cpu")
        q, v = torch.from_numpy(queries).to(device), torch.from_numpy(index).to(device)
        out_t = torch.empty((len(queries), len(index)), dtype=torch.float32, device=device)
        run = lambda: torch.matmul(q, v.T, out=out_t)  # noqa: E731
        sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    run()
    sync()

    def timed() -> float:
        began = time.perf_counter()
        run()
        sync()
        return time.perf_counter() - began

    return timed


# --- one configuration ---------------------------------------------------------------------


def timed_batches(latency_hint: float, args) -> int:
    """At least --repeats batches, more (up to --max-batches) while they fit in --min-time."""
    extra = int(args.min_time / latency_hint) if latency_hint > 0 else args.max_batches
    return max(args.repeats, min(args.max_batches, extra))


def run_batch_size(client, backend, device, index, batch, rng, args) -> Row:
    """Score batches over Flight, each followed by one plain multiply of the same shape, so that
    both see the same machine (other processes come and go); the multiply's best time counts."""
    n, d = index.shape
    warm = [query_batch(near_queries(rng, index, batch)) for _ in range(args.warmup)]
    hint = min(score_latencies(client, warm, args.k, args.threshold), default=0.0)
    count = timed_batches(hint, args)
    matmul = plain_matmul(backend, near_queries(rng, index, batch), index)
    others = OtherLoad()
    latencies, plain = [], []
    for _ in range(count):
        latencies += score_latencies(client, [query_batch(near_queries(rng, index, batch))], args.k, args.threshold)
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


def run_shape(backend: str, n: int, d: int, args) -> list[Row]:
    """One index shape on one backend: seed once, then every batch size."""
    rng = np.random.default_rng([args.seed, n, d])  # the same data for every backend
    index = unit_vectors(rng, n, d)
    device = device_name(backend)
    rows = []
    with running_sidecar(backend) as client:
        seconds = seed(client, index, args.chunk_rows)
        log.info("seeded backend=%s n=%d d=%d seconds=%.1f rows_per_s=%.0f", backend, n, d, seconds, n / seconds)
        for batch in args.batches:
            rows.append(run_batch_size(client, backend, device, index, batch, rng, args))
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
    p.add_argument("--threshold", type=float, default=0.0, help="score threshold of the score call (default 0.0)")
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
                rows.extend(run_shape(backend, n, d, args))
    sys.stdout.write(table(rows))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump([asdict(r) for r in rows], f, indent=2)
    return rows


if __name__ == "__main__":
    main()
