"""The benchmark's sidecar: data, a real Flight server in this process, seeding, timed `score`
exchanges, and the plain multiply each is compared with (`bench` runs them and prints the table).

Seeding splits the rows over one or more Datanets (uneven sizes, each Datanet's rows sent as a
re-seed would send them, `matches=false`) and registers one model over all of them: with one
Datanet it is one large index, with many the model's rows are the union, and the plain multiply
of that union shape is the ceiling either way.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import threading
import time

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


def memory_limit(backend: str) -> int:
    """The index budget: 90% of the GPU for CUDA, half the RAM otherwise (the benchmark owns it)."""
    if backend == "torch-cuda":
        from .torch_backend import device_memory

        return int(device_memory()["total"] * 0.9)
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2


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


def index_batch(vectors: np.ndarray, ids: np.ndarray) -> pa.RecordBatch:
    rows = len(vectors)
    return pa.RecordBatch.from_arrays(
        [pa.array(np.asarray(ids, np.int64)), pa.array(np.zeros(rows, np.int64)), vector_column(vectors)],
        schema=INDEX_SCHEMA,
    )


def query_batch(queries: np.ndarray) -> pa.RecordBatch:
    rows = len(queries)
    return pa.RecordBatch.from_arrays(
        [pa.array(np.arange(rows, dtype=np.int64)), pa.array(np.ones(rows, np.int64)), vector_column(queries)],
        schema=QUERY_SCHEMA,
    )


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


def datanet_of_rows(n: int, datanets: int) -> np.ndarray:
    """Which Datanet each of n rows belongs to: seeded, uneven sizes (a few large, many small),
    every Datanet at least one row."""
    rng = np.random.default_rng([n, datanets])
    weights = rng.pareto(1.5, datanets) + 0.05
    owner = rng.choice(datanets, n, p=weights / weights.sum())
    owner[:datanets] = np.arange(datanets)[: min(n, datanets)]
    return owner + DATANET_ID


def seed(client: flight.FlightClient, index: np.ndarray, chunk_rows: int, datanets: int = 1) -> float:
    """Seeds the rows as a re-seed would (no duplicate search), Datanet after Datanet, and
    registers one model over every Datanet; seconds."""
    began = time.perf_counter()
    owner = datanet_of_rows(len(index), datanets)
    for datanet in range(DATANET_ID, DATANET_ID + datanets):
        rows = np.flatnonzero(owner == datanet)
        command = {"op": "index", "datanet_id": datanet, "encoder": "precomputed", "matches": False}
        for start in range(0, len(rows), chunk_rows):
            part = rows[start : start + chunk_rows]
            exchange(client, command, index_batch(index[part], part))
        log.debug("seeded datanet=%d rows=%d", datanet, len(rows))
    action(client, "register_model", {"model_id": MODEL_ID, "datanet_ids": list(range(DATANET_ID, DATANET_ID + datanets)),
                                      "encoder": "precomputed"})
    action(client, "ready")
    return time.perf_counter() - began


def score_latencies(client, batches: list[pa.RecordBatch], k: int, threshold: float) -> list[float]:
    """Client wall time of one `score` exchange per batch; checks every query got k matches (at
    most k above a positive threshold)."""
    command = {"op": "score", "model_id": MODEL_ID, "k": k, "threshold": threshold}
    out = []
    for batch in batches:
        began = time.perf_counter()
        table = exchange(client, command, batch)
        out.append(time.perf_counter() - began)
        if table.num_rows > batch.num_rows * k or (threshold <= 0 and table.num_rows != batch.num_rows * k):
            raise RuntimeError(f"score answered {table.num_rows} rows for {batch.num_rows} queries x k={k}")
    return out


def plain_matmul(backend: str, queries: np.ndarray, index: np.ndarray):
    """A function timing the plain product of the queries and the index (float32) on the
    backend's device, output preallocated, both ways round (`queries @ index.T` and
    `index @ queries.T`: BLAS may split one better over its threads) and returning the faster;
    warmed up (first touch of the outputs, library start-up) before it returns."""
    if backend == "numpy":
        qt = np.ascontiguousarray(queries.T)
        out = np.empty((len(queries), len(index)), np.float32)
        out_t = np.empty((len(index), len(queries)), np.float32)
        runs = (lambda: np.matmul(queries, index.T, out=out), lambda: np.matmul(index, qt, out=out_t))
        sync = lambda: None  # noqa: E731
    else:
        import torch

        device = torch.device("cuda" if backend == "torch-cuda" else "cpu")
        q, v = torch.from_numpy(queries).to(device), torch.from_numpy(index).to(device)
        qt = q.T.contiguous()
        out = torch.empty((len(queries), len(index)), dtype=torch.float32, device=device)
        out_t = torch.empty((len(index), len(queries)), dtype=torch.float32, device=device)
        runs = (lambda: torch.matmul(q, v.T, out=out), lambda: torch.matmul(v, qt, out=out_t))
        sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for run in runs:
        run()
    sync()

    def timed() -> float:
        best = float("inf")
        for run in runs:
            began = time.perf_counter()
            run()
            sync()
            best = min(best, time.perf_counter() - began)
        return best

    return timed
