"""PyTorch stores: the arena's columns live on the device (CPU or CUDA) and scoring stays there.

Only the candidates (the k best per query plus any score tied with the k-th) come back to the
host, where `rank` applies the same order rule as NumPy. TF32 is switched off so
CUDA matmuls are true float32 and agree with NumPy within `SCORE_TOLERANCE`. A CUDA allocation
that fails despite the budget becomes a `CapacityError`, never a crashed process.
"""

from __future__ import annotations

import numpy as np
import torch

from .memory import CapacityError
from .backends import final_floor
from .scoring import OPEN, Ranked, rank
from .store import SCORE_TOLERANCE, Selection, Store

_CHUNK_ELEMENTS = 1 << 26  # scores per tile on the device (256 MiB of float32)

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False


def cuda_available() -> bool:
    return torch.cuda.is_available()


def device_memory() -> dict[str, int]:
    """Free and total bytes of the CUDA device (empty on CPU)."""
    if not torch.cuda.is_available():
        return {}
    free, total = torch.cuda.mem_get_info()
    return {"free": int(free), "total": int(total)}


class TorchStore(Store):
    """Arena columns as torch tensors on `device`; a model's row list lives there too."""

    device = torch.device("cpu")
    backend = "torch-cpu"

    def _allocate(self, capacity: int) -> None:
        old = self.size
        try:
            vectors = torch.zeros((capacity, self.dim), dtype=torch.float32, device=self.device)
            frm = torch.zeros(capacity, dtype=torch.int64, device=self.device)
            to = torch.full((capacity,), OPEN, dtype=torch.int64, device=self.device)
        except torch.OutOfMemoryError as e:
            # Back to what the arena held before (nothing for a new one): it keeps its rows.
            self._budget.resize(self._owner, self.capacity * self.row_bytes)
            raise CapacityError(f"{self._owner}: the device has no room for {capacity} rows: {e}") from e
        if old:
            vectors[:old], frm[:old], to[:old] = self._v[:old], self._from[:old], self._to[:old]
        self._v, self._from, self._to = vectors, frm, to

    def _write(self, row, ids, vectors, active_from) -> None:
        end = row + len(ids)
        self._v[row:end] = torch.from_numpy(np.ascontiguousarray(vectors, np.float32)).to(self.device)
        self._from[row:end] = torch.from_numpy(np.array(active_from, np.int64)).to(self.device)
        self._to[row:end] = OPEN

    def set_active_to(self, row: int, block: int) -> None:
        self._to[row] = block

    def interval(self, row: int) -> tuple[int, int]:
        return int(self._from[row].item()), int(self._to[row].item())

    def _to_device(self, rows: np.ndarray):
        return torch.from_numpy(rows).to(self.device)

    @torch.inference_mode()
    def ranked(self, queries, blocks, k, threshold, tags=None) -> Ranked:
        selection = self.select(tags)
        count = len(queries)
        if len(selection) == 0 or count == 0:
            return Ranked.empty()
        step = min(count, 4096)
        rows, cols, values = [], [], []
        for start in range(0, count, step):
            r, c, v = self._pass(queries[start : start + step], blocks[start : start + step], k, threshold, selection)
            rows.append(r + start)
            cols.append(c)
            values.append(v)
        cols = np.concatenate(cols)
        return rank(np.concatenate(rows), self._host_ids[cols], np.concatenate(values), k)

    def _pass(self, queries, blocks, k, threshold, selection: Selection):
        """One pass over the selected rows in tiles, as the NumPy store does it, on the device:
        inactive (query, row) pairs masked, a running bound from the k largest window maxima,
        candidates within 2 tolerances of it, each candidate then scored alone."""
        c = len(queries)
        rows = _CHUNK_ELEMENTS // c if selection.rows is None else min(_CHUNK_ELEMENTS // c, _CHUNK_ELEMENTS // self.dim)
        tile = max(_WINDOW, rows // _WINDOW * _WINDOW)
        q = torch.from_numpy(np.ascontiguousarray(queries, np.float32)).to(self.device)
        b = torch.from_numpy(np.array(blocks, np.int64)).to(self.device)[:, None]
        lo, hi = int(np.min(blocks)), int(np.max(blocks))
        best = torch.full((c, 0), float("-inf"), device=self.device)
        bound = torch.full((c,), float("-inf"), device=self.device)
        found = []
        for first, last, where in selection.tiles(tile):
            width = last - first
            if isinstance(where, slice):
                v, frm, to = self._v[where], self._from[where], self._to[where]
                offset = where.start
            else:
                rows = selection.device[first:last]
                v, frm, to = self._v.index_select(0, rows), self._from[rows], self._to[rows]
            scores = q @ v.T
            _mask_inactive(scores, frm, to, b, lo, hi)
            windows = width // _WINDOW
            maxima = scores[:, : windows * _WINDOW].reshape(c, windows, _WINDOW).amax(dim=2)
            best = torch.cat([best, maxima], dim=1)
            if best.shape[1] > k:
                best = torch.topk(best, k, dim=1).values
            if best.shape[1] >= k:
                bound = best.amin(dim=1)
            elif width >= k:  # fewer than k windows: the tile's k-th best bounds as well
                bound = torch.maximum(bound, torch.topk(scores, k, dim=1).values[:, -1])
            floor = (torch.clamp(bound, min=threshold) - 2 * SCORE_TOLERANCE).clamp(min=_LOWEST)[:, None]
            r, w = torch.nonzero(maxima >= floor, as_tuple=True)
            sub = scores[:, : windows * _WINDOW].reshape(c, windows, _WINDOW)[r, w]
            rr, cc = torch.nonzero(sub >= floor[r], as_tuple=True)
            hit_rows, hit_cols, hit = r[rr], w[rr] * _WINDOW + cc, sub[rr, cc]
            if windows * _WINDOW < width:  # the tile's last, partial window
                tr, tc = torch.nonzero(scores[:, windows * _WINDOW :] >= floor, as_tuple=True)
                tc += windows * _WINDOW
                hit_rows, hit_cols, hit = torch.cat([hit_rows, tr]), torch.cat([hit_cols, tc]), torch.cat([hit, scores[tr, tc]])
            found.append((hit_rows, hit_cols + offset if isinstance(where, slice) else rows[hit_cols], hit))
        rows, cols, hit = (torch.cat([f[i] for f in found]) for i in range(3))
        # Candidates under the final floor cannot rank (see backends.final_floor): dropped before
        # the exact scores. They are few, so the rule runs on the host.
        near = final_floor(rows.cpu().numpy(), hit.cpu().numpy(), c, k, threshold)
        near = torch.from_numpy(near).to(self.device)
        rows, cols = rows[near], cols[near]
        # Candidates within SCORE_TOLERANCE of the threshold and of the k-th best are rescored
        # alone (as the NumPy store does): the matmul's rounding depends on its shape, the per-pair
        # dot product does not.
        values = torch.einsum("ij,ij->i", q[rows], self._v[cols])
        keep = values >= float32_floor(threshold)
        return rows[keep].cpu().numpy(), cols[keep].cpu().numpy(), values[keep].cpu().numpy()


_WINDOW = 512
_LOWEST = float(-np.finfo(np.float32).max)


def _mask_inactive(scores, frm, to, b, lo: int, hi: int) -> None:
    """-inf where the row is not active at the query's block; only rows whose activity changes
    within the batch's blocks [lo, hi] are looked at per query."""
    changing = torch.nonzero(~((frm <= lo) & ((to == OPEN) | (to > hi))), as_tuple=True)[0]
    if len(changing) == 0:
        return
    f, t = frm[changing][None, :], to[changing][None, :]
    sub = scores[:, changing]
    sub.masked_fill_((f > b) | ((t != OPEN) & (b >= t)), float("-inf"))
    scores[:, changing] = sub


def float32_floor(threshold: float) -> float:
    """The smallest float32 >= threshold: a float32 score passes it exactly when it passes the
    float64 threshold, as in the NumPy path."""
    t = np.float32(threshold)
    if float(t) < threshold:
        t = np.nextafter(t, np.float32(np.inf))
    return float(t)


class CudaStore(TorchStore):
    device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    backend = "torch-cuda"


def store_for(device: str):
    if device == "cpu":
        return TorchStore
    if device == "cuda":
        if not torch.cuda.is_available():
            raise ValueError("backend torch-cuda asked for, but torch sees no CUDA device")
        return CudaStore
    raise ValueError(f"unknown torch device '{device}'")
