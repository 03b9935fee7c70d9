"""PyTorch stores: the index columns live on the device (CPU or CUDA) and scoring stays there.

Only the candidates (the k best per query plus any score tied with the k-th) come back to the
host, where `rank_candidates` applies the same order rule as NumPy. TF32 is switched off so
CUDA matmuls are true float32 and agree with NumPy within `SCORE_TOLERANCE`. A CUDA allocation
that fails despite the budget becomes a `CapacityError`, never a crashed process.
"""

from __future__ import annotations

import numpy as np
import torch

from .backends import SCORE_TOLERANCE, Store
from .memory import CapacityError
from .scoring import OPEN, rank_candidates

_CHUNK_ELEMENTS = 1 << 26  # scores per step on the device (256 MiB of float32)

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
    """Index columns as torch tensors on `device`."""

    device = torch.device("cpu")
    backend = "torch-cpu"

    def _allocate(self, capacity: int) -> None:
        old = self.size
        try:
            vectors = torch.zeros((capacity, self.dim), dtype=torch.float32, device=self.device)
            frm = torch.zeros(capacity, dtype=torch.int64, device=self.device)
            to = torch.full((capacity,), OPEN, dtype=torch.int64, device=self.device)
        except torch.OutOfMemoryError as e:
            self._budget.release(self._owner)
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

    @torch.inference_mode()
    def top_k(self, queries, blocks, k, threshold):
        n, count = self.size, len(queries)
        if n == 0 or count == 0:
            return [[] for _ in range(count)]
        out = []
        step = max(1, _CHUNK_ELEMENTS // n)
        for start in range(0, count, step):
            out.extend(self._chunk(queries[start : start + step], blocks[start : start + step], k, threshold))
        return out

    def _chunk(self, queries, blocks, k, threshold):
        n, count = self.size, len(queries)
        q = torch.from_numpy(np.ascontiguousarray(queries, np.float32)).to(self.device)
        b = torch.from_numpy(np.array(blocks, np.int64)).to(self.device)[:, None]
        frm, to = self._from[:n][None, :], self._to[:n][None, :]
        scores = q @ self._v[:n].T
        # Candidates within SCORE_TOLERANCE of the threshold and of the k-th best are kept, then
        # each is rescored alone (as the NumPy store does): the matmul's rounding depends on its
        # shape, the per-pair dot product does not.
        eligible = (frm <= b) & ((to == OPEN) | (b < to)) & (scores >= threshold - SCORE_TOLERANCE)
        masked = torch.where(eligible, scores, torch.tensor(float("-inf"), device=self.device))
        kth = torch.topk(masked, min(k, n), dim=1).values[:, -1:]
        rows, cols = torch.nonzero(eligible & (masked >= kth - SCORE_TOLERANCE), as_tuple=True)
        values = torch.einsum("ij,ij->i", q[rows], self._v[cols])
        keep = values >= float32_floor(threshold)
        rows, cols, values = rows[keep].cpu().numpy(), cols[keep].cpu().numpy(), values[keep].cpu().numpy()
        return rank_candidates(rows, self._host_ids[cols], values, count, k)


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
