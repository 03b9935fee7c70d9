"""Where an index's vectors live and where scores are computed: NumPy on CPU, PyTorch on CPU or CUDA.

Every backend returns the same exact top-k under the same rule (score desc, id asc). Scores are
float32 inner products; backends may differ in summation order, so scores agree within
`SCORE_TOLERANCE` and rankings agree wherever neighbouring scores are further apart than that.
The NumPy path never imports torch: `torch_backend` is only loaded when asked for.
"""

from __future__ import annotations

import numpy as np

from .memory import MemoryBudget
from .scoring import OPEN, Match, rank_candidates

SCORE_TOLERANCE = 1e-5  # |score(backend A) - score(backend B)| for unit vectors up to dim 4096
_CHUNK_ELEMENTS = 1 << 23  # scores computed per step (32 MiB of float32), bounds transient memory
_WINDOW = 512  # columns per window when bounding the k-th best score from window maxima


class Store:
    """Growable columns of one index (ids, unit vectors, active intervals) on some device."""

    backend = "abstract"

    def __init__(self, dim: int, budget: MemoryBudget, owner: str, capacity: int = 1024) -> None:
        self.dim = dim
        self.size = 0
        self.capacity = 0
        self._budget = budget
        self._owner = owner
        self._host_ids = np.zeros(0, np.int64)
        self._reserve(capacity)

    @property
    def nbytes(self) -> int:
        """Bytes held on the device: vectors (float32) plus ids and interval bounds (int64)."""
        return self.capacity * (4 * self.dim + 3 * 8)

    def ids(self) -> np.ndarray:
        return self._host_ids[: self.size]

    def _reserve(self, capacity: int) -> None:
        self._budget.resize(self._owner, capacity * (4 * self.dim + 3 * 8))  # raises first
        self._allocate(capacity)
        ids = np.zeros(capacity, np.int64)
        ids[: self.size] = self._host_ids[: self.size]
        self._host_ids = ids
        self.capacity = capacity

    def ensure(self, rows: int) -> None:
        """Room for `rows` rows in all: grows (doubling) within the budget or raises CapacityError."""
        if rows > self.capacity:
            capacity = max(self.capacity, 1)
            while capacity < rows:
                capacity *= 2
            self._reserve(capacity)

    def append(self, ids: np.ndarray, vectors: np.ndarray, active_from: np.ndarray) -> None:
        """Adds rows; grows within the budget or raises CapacityError, adding nothing."""
        m = len(ids)
        self.ensure(self.size + m)
        self._write(self.size, ids, vectors, active_from)
        self._host_ids[self.size : self.size + m] = ids
        self.size += m

    def release(self) -> None:
        self._budget.release(self._owner)

    def _allocate(self, capacity: int) -> None:
        raise NotImplementedError

    def _write(self, row: int, ids, vectors, active_from) -> None:
        raise NotImplementedError

    def set_active_to(self, row: int, block: int) -> None:
        raise NotImplementedError

    def interval(self, row: int) -> tuple[int, int]:
        """(active_from, active_to) of a row; active_to is OPEN while open."""
        raise NotImplementedError

    def top_k(self, queries: np.ndarray, blocks: np.ndarray, k: int, threshold: float) -> list[list[Match]]:
        """Per query, the k best active rows at its block with score >= threshold."""
        raise NotImplementedError


class NumpyStore(Store):
    """Host memory, BLAS matmul; the k-th best is bounded from window maxima to avoid full sorts."""

    backend = "numpy"

    def _allocate(self, capacity: int) -> None:
        old = self.size
        vectors = np.zeros((capacity, self.dim), np.float32)
        frm = np.zeros(capacity, np.int64)
        to = np.full(capacity, OPEN, np.int64)
        if old:
            vectors[:old], frm[:old], to[:old] = self._v[:old], self._from[:old], self._to[:old]
        self._v, self._from, self._to = vectors, frm, to

    def _write(self, row, ids, vectors, active_from) -> None:
        end = row + len(ids)
        self._v[row:end] = vectors
        self._from[row:end] = active_from
        self._to[row:end] = OPEN

    def set_active_to(self, row: int, block: int) -> None:
        self._to[row] = block

    def interval(self, row: int) -> tuple[int, int]:
        return int(self._from[row]), int(self._to[row])

    def _active(self, cols: np.ndarray, blocks: np.ndarray) -> np.ndarray:
        to = self._to[cols]
        return (self._from[cols] <= blocks) & ((to == OPEN) | (blocks < to))

    def top_k(self, queries, blocks, k, threshold):
        n, count = self.size, len(queries)
        if n == 0 or count == 0:
            return [[] for _ in range(count)]
        out: list[list[Match]] = []
        step = max(1, _CHUNK_ELEMENTS // n)
        for start in range(0, count, step):
            q, b = queries[start : start + step], blocks[start : start + step]
            out.extend(self._chunk(q @ self._v[:n].T, b, k, threshold))
        return out

    def _chunk(self, scores: np.ndarray, blocks: np.ndarray, k: int, threshold: float):
        c, n = scores.shape
        # Fast path: the k-th largest window maximum is a lower bound of the k-th best score
        # (k windows each hold a score at least that high), so only scores above it can rank.
        windows = n // _WINDOW
        bound = np.full(c, -np.inf)  # float64: compared to the threshold exactly
        if windows >= k:
            maxima = scores[:, : windows * _WINDOW].reshape(c, windows, _WINDOW).max(axis=2)
            bound = np.partition(maxima, windows - k, axis=1)[:, windows - k]
        floor = np.maximum(bound, threshold)
        rows, cols = np.nonzero(scores >= floor[:, None])
        keep = self._active(cols, blocks[rows])
        rows, cols = rows[keep], cols[keep]
        # The bound ignored activity: a query left with fewer than k active candidates above it
        # may be missing some below it, so it is recomputed exactly over its active rows.
        short = np.nonzero((np.bincount(rows, minlength=c) < k) & (bound > threshold))[0]
        if len(short):
            redo = np.isin(rows, short, invert=True)
            rows, cols = rows[redo], cols[redo]
            extra_rows, extra_cols = [rows], [cols]
            for r in short:
                active = self._active(np.arange(n), np.full(n, blocks[r]))
                hit = np.nonzero(active & (scores[r] >= threshold))[0]
                extra_rows.append(np.full(len(hit), r))
                extra_cols.append(hit)
            rows, cols = np.concatenate(extra_rows), np.concatenate(extra_cols)
        return rank_candidates(rows, self._host_ids[cols], scores[rows, cols], c, k)


def numpy_backend():
    """Factory of stores on the host: always available."""
    return NumpyStore


def backend(name: str):
    """The store class for a backend name: numpy, torch-cpu, torch-cuda or auto (CUDA if present)."""
    if name == "numpy":
        return NumpyStore
    if name in ("torch-cpu", "torch-cuda", "auto"):
        from . import torch_backend  # imports torch: only on request

        if name == "auto":
            return torch_backend.store_for("cuda") if torch_backend.cuda_available() else NumpyStore
        return torch_backend.store_for(name.removeprefix("torch-"))
    raise ValueError(f"unknown backend '{name}': numpy, torch-cpu, torch-cuda or auto")
