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


def exact(queries: np.ndarray, vectors: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The final score of each (query row, index row) pair, one dot product per pair.

    A matrix multiply's rounding depends on its shape (batch size, index size, tiling, which rows
    sit together), so the same pair can differ in the last bit from one call to the next. Scores
    that rank and become integer ppm must not: each is recomputed alone, in a fixed order, from
    its two vectors only, so a replay (other batches, a re-seeded index in another row order)
    gives the same bits.
    """
    if len(rows) == 0:
        return np.zeros(0, np.float32)
    return np.einsum("ij,ij->i", queries[rows], vectors[cols], dtype=np.float32)


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
        # Up to 1024 queries at a time (they stay in cache); the index is read once per step, in
        # tiles of whole windows, instead of once per few queries.
        step = min(count, 1024, max(1, _CHUNK_ELEMENTS // (_WINDOW * max(k, 16))))
        out: list[list[Match]] = []
        for start in range(0, count, step):
            out.extend(self._tiled(queries[start : start + step], blocks[start : start + step], k, threshold))
        return out

    def _tiled(self, q: np.ndarray, blocks: np.ndarray, k: int, threshold: float):
        """One pass over the index in column tiles; a running bound (the k-th largest window
        maximum so far, never above the final one) keeps only a superset of the final candidates."""
        n, c = self.size, len(q)
        tile = max(_WINDOW, (_CHUNK_ELEMENTS // c) // _WINDOW * _WINDOW)
        best_maxima = np.full((c, 0), -np.inf, np.float32)  # the k largest window maxima so far
        bound = np.full(c, -np.inf)
        found_rows, found_cols = [], []
        for first in range(0, n, tile):
            last = min(n, first + tile)
            scores = q @ self._v[first:last].T
            windows = (last - first) // _WINDOW
            maxima = scores[:, : windows * _WINDOW].reshape(c, windows, _WINDOW).max(axis=2)
            best_maxima = np.concatenate([best_maxima, maxima], axis=1)
            if best_maxima.shape[1] > k:
                best_maxima = np.partition(best_maxima, best_maxima.shape[1] - k, axis=1)[:, -k:]
            if best_maxima.shape[1] >= k:
                bound = best_maxima.min(axis=1).astype(np.float64)
            elif last - first >= k:
                # Fewer than k windows so far (a small index): the k-th largest score of this tile
                # bounds the k-th best just as well (k rows reach it). Without it the bound stays
                # -inf and, at a low threshold, every row of the index becomes a candidate whose
                # exact score gathers both vectors: gigabytes and seconds per batch.
                kth = np.partition(scores, last - first - k, axis=1)[:, last - first - k]
                bound = np.maximum(bound, kth.astype(np.float64))
            # The floor sits SCORE_TOLERANCE below bound and threshold: every row whose exact
            # score could rank is kept, whatever rounding this multiply's shape gave it.
            floor = np.maximum(bound, threshold) - 2 * SCORE_TOLERANCE
            # Only windows whose maximum reaches the floor can hold a candidate.
            r, w = np.nonzero(maxima >= floor[:, None])
            sub = scores[:, : windows * _WINDOW].reshape(c, windows, _WINDOW)[r, w]
            rr, cc = np.nonzero(sub >= floor[r][:, None])
            rows, cols = r[rr], w[rr] * _WINDOW + cc
            if windows * _WINDOW < last - first:  # the index's last, partial window
                tr, tc = np.nonzero(scores[:, windows * _WINDOW :] >= floor[:, None])
                rows, cols = np.concatenate([rows, tr]), np.concatenate([cols, tc + windows * _WINDOW])
            found_rows.append(rows)
            found_cols.append(cols + first)
        rows, cols = np.concatenate(found_rows), np.concatenate(found_cols)
        values = exact(q, self._v, rows, cols)
        keep = (values >= threshold) & self._active(cols, blocks[rows])
        rows, cols, values = rows[keep], cols[keep], values[keep]
        # As before: a query left with fewer than k active candidates above the bound is
        # recomputed exactly over its active rows (one more pass over the index for those).
        # Counted on exact scores at most one tolerance under the bound: with k of those, the k-th
        # best is at least bound - tol, and every row left out (matmul under bound - 2 tol) is
        # exactly under that. The k window maxima themselves always count.
        strong = np.bincount(rows[values >= bound[rows] - SCORE_TOLERANCE], minlength=c)
        short = np.nonzero((strong < k) & (bound > threshold))[0]
        if len(short):
            redo = np.isin(rows, short, invert=True)
            extra_rows, extra_cols, extra_values = [rows[redo]], [cols[redo]], [values[redo]]
            for r in short:
                row_scores = self._v[:n] @ q[r]
                active = self._active(np.arange(n), np.full(n, blocks[r]))
                hit = np.nonzero(active & (row_scores >= threshold - SCORE_TOLERANCE))[0]
                if len(hit) > k:  # only those near the k best need their exact score
                    kth = np.partition(row_scores[hit], len(hit) - k)[len(hit) - k]
                    hit = hit[row_scores[hit] >= kth - 2 * SCORE_TOLERANCE]
                hit = hit[exact(q, self._v, np.full(len(hit), r), hit) >= threshold]
                extra_rows.append(np.full(len(hit), r))
                extra_cols.append(hit)
                extra_values.append(exact(q, self._v, np.full(len(hit), r), hit))
            rows, cols, values = np.concatenate(extra_rows), np.concatenate(extra_cols), np.concatenate(extra_values)
        return rank_candidates(rows, self._host_ids[cols], values, c, k)


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
