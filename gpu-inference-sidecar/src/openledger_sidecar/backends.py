"""Where an index's vectors live and where scores are computed: NumPy on CPU, PyTorch on CPU or CUDA.

Every backend returns the same exact top-k under the same rule (score desc, id asc). Scores are
float32 inner products; backends may differ in summation order, so scores agree within
`SCORE_TOLERANCE` and rankings agree wherever neighbouring scores are further apart than that.
The NumPy path never imports torch: `torch_backend` is only loaded when asked for.
"""

from __future__ import annotations

import numpy as np

from .scoring import OPEN, Ranked, rank
from .store import SCORE_TOLERANCE, Selection, Store

__all__ = ["SCORE_TOLERANCE", "NumpyStore", "Store", "backend", "exact", "numpy_backend"]

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

    def ranked(self, queries, blocks, k, threshold, tags=None) -> Ranked:
        count = len(queries)
        selection = self.select(tags)
        if len(selection) == 0 or count == 0:
            return Ranked.empty()
        # Up to 1024 queries at a time (they stay in cache); the rows are read once per step, in
        # tiles of whole windows, instead of once per few queries.
        step = min(count, 1024, max(1, _CHUNK_ELEMENTS // (_WINDOW * max(k, 16))))
        rows, cols, values = [], [], []
        for start in range(0, count, step):
            r, c, v = self._pass(queries[start : start + step], blocks[start : start + step], k, threshold, selection)
            rows.append(r + start)
            cols.append(c)
            values.append(v)
        cols = np.concatenate(cols)
        return rank(np.concatenate(rows), self._host_ids[cols], np.concatenate(values), k)

    def _pass(self, q: np.ndarray, blocks: np.ndarray, k: int, threshold: float, selection: Selection):
        """One pass over the selected rows in tiles (read in place where consecutive, else
        gathered), rows inactive at a query's block masked out; a running bound (the k-th largest
        window maximum so far, never above the final one) keeps a superset of the final
        candidates, which are then scored exactly: (query rows, arena rows, exact scores).

        A tile's scores are rows x queries (`rows @ q.T`): with the long side first BLAS splits
        the work well over its threads even for a few queries, and a window's maximum per query
        is a reduction over contiguous rows of scores."""
        c = len(q)
        # Tiles of up to _CHUNK_ELEMENTS scores; gathered ones also of at most that many values.
        rows = _CHUNK_ELEMENTS // c if selection.rows is None else min(_CHUNK_ELEMENTS // c, _CHUNK_ELEMENTS // self.dim)
        tile = max(_WINDOW, rows // _WINDOW * _WINDOW)
        lo, hi = int(blocks.min()), int(blocks.max())
        qt = np.ascontiguousarray(q.T)
        best_maxima = np.full((0, c), -np.inf, np.float32)  # the k largest window maxima so far
        bound = np.full(c, -np.inf)
        out = np.empty(c * min(tile, len(selection)), np.float32)  # one score buffer for every tile
        gathered = None
        found_rows, found_cols, found_scores = [], [], []
        for first, last, where in selection.tiles(tile):
            width = last - first
            if isinstance(where, slice):
                v = self._v[where]
            else:
                if gathered is None:
                    gathered = np.empty((tile, self.dim), np.float32)
                v = np.take(self._v, where, axis=0, out=gathered[:width], mode="clip")
            scores = np.matmul(v, qt, out=out[: width * c].reshape(width, c))
            _mask_inactive(scores, self._from[where], self._to[where], blocks, lo, hi)
            windows = width // _WINDOW
            full = scores[: windows * _WINDOW].reshape(windows, _WINDOW, c)
            maxima = full.max(axis=1)  # windows x queries
            best_maxima = np.concatenate([best_maxima, maxima], axis=0)
            if best_maxima.shape[0] > k:
                best_maxima = np.partition(best_maxima, best_maxima.shape[0] - k, axis=0)[-k:]
            if best_maxima.shape[0] >= k:
                bound = best_maxima.min(axis=0).astype(np.float64)
            elif width >= k:
                # Fewer than k windows so far (a small selection): the k-th largest score of this
                # tile bounds the k-th best just as well (k rows reach it). Without it the bound
                # stays -inf and, at a low threshold, every row becomes a candidate whose exact
                # score gathers both vectors: gigabytes and seconds per batch.
                kth = np.partition(scores, width - k, axis=0)[width - k]
                bound = np.maximum(bound, kth.astype(np.float64))
            # The floor sits SCORE_TOLERANCE below bound and threshold: every row whose exact
            # score could rank is kept, whatever rounding this multiply's shape gave it. A masked
            # row (-inf) never reaches it, even at threshold -inf.
            floor = np.maximum(np.maximum(bound, threshold) - 2 * SCORE_TOLERANCE, _LOWEST)
            # Only windows whose maximum reaches the floor can hold a candidate.
            w, r = np.nonzero(maxima >= floor)
            sub = full[w, :, r]  # hit windows x _WINDOW
            ww, cc = np.nonzero(sub >= floor[r][:, None])
            rows, cols, found = r[ww], w[ww] * _WINDOW + cc, sub[ww, cc]
            if windows * _WINDOW < width:  # the tile's last, partial window
                tc, tr = np.nonzero(scores[windows * _WINDOW :] >= floor)
                tc += windows * _WINDOW
                rows, cols, found = np.concatenate([rows, tr]), np.concatenate([cols, tc]), np.concatenate([found, scores[tc, tr]])
            found_rows.append(rows)
            found_cols.append(cols + where.start if isinstance(where, slice) else where[cols])
            found_scores.append(found)
        # Every row that can rank is a candidate (masked scores make the bound one of k active
        # rows); those under the final floor (from the k-th best candidate) are dropped before the
        # exact scores: they cannot rank.
        rows, cols = np.concatenate(found_rows), np.concatenate(found_cols)
        near = final_floor(rows, np.concatenate(found_scores), c, k, threshold)
        rows, cols = rows[near], cols[near]
        values = exact(q, self._v, rows, cols)
        keep = values >= threshold
        return rows[keep], cols[keep], values[keep]


_LOWEST = float(-np.finfo(np.float32).max)


def final_floor(rows: np.ndarray, scores: np.ndarray, queries: int, k: int, threshold: float) -> np.ndarray:
    """Which candidates reach max(k-th best candidate score of their query, threshold) - 2 tol.

    The candidates hold every active row at or above each query's running floor, so where a query
    has k of them its k-th best candidate score is its k-th best score: a row under this floor can
    neither be in the top k nor tie into it, whatever the exact scores' rounding (the argument of
    the running floor, with the final bound)."""
    if len(rows) == 0:
        return np.zeros(0, bool)
    order = np.lexsort((-scores, rows))
    ordered = rows[order]
    position = np.arange(len(rows)) - np.searchsorted(ordered, ordered, side="left")
    kth = np.full(queries, -np.inf)
    at_k = position == k - 1
    kth[ordered[at_k]] = scores[order][at_k]
    return scores >= np.maximum(kth[rows], threshold) - 2 * SCORE_TOLERANCE


def _mask_inactive(scores: np.ndarray, frm: np.ndarray, to: np.ndarray, blocks: np.ndarray, lo: int, hi: int) -> None:
    """Sets to -inf the score (rows x queries) of each pair whose row is not active at the query's
    block. Only rows whose activity changes within [lo, hi] (the batch's blocks) are looked at."""
    always = (frm <= lo) & ((to == OPEN) | (to > hi))
    if always.all():
        return
    changing = np.flatnonzero(~always)
    b, f, t = blocks[None, :], frm[changing][:, None], to[changing][:, None]
    sub = scores[changing]
    sub[(f > b) | ((t != OPEN) & (b >= t))] = -np.inf
    scores[changing] = sub


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
