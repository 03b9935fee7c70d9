"""The per-Datanet contribution index the sidecar scores against. Pure, in memory, rebuildable.

Each contribution has a unit vector and an active interval [active_from, active_to): retractions
(rejected, slashed, withdrawn, reorged away) close the interval at their block instead of
deleting, so a query at an earlier block still sees the contribution, as the log says it should.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .scoring import OPEN, Match, active_mask, top_k


@dataclass(frozen=True)
class Inserted:
    """The best earlier match of a new contribution in its Datanet, if any (for duplicates)."""

    contribution_id: int
    best_match: Match | None


class DatanetIndex:
    """Vectors, ids and active intervals of one Datanet's contributions, grown in place."""

    def __init__(self, dim: int, capacity: int = 1024) -> None:
        self.dim = dim
        self._vectors = np.zeros((capacity, dim), np.float32)
        self._ids = np.zeros(capacity, np.int64)
        self._from = np.zeros(capacity, np.int64)
        self._to = np.full(capacity, OPEN, np.int64)
        self._row: dict[int, int] = {}
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def nbytes(self) -> int:
        """Memory held for this Datanet (what the shared device accounts per model)."""
        return self._vectors.nbytes + self._ids.nbytes + self._from.nbytes + self._to.nbytes

    def insert(self, contribution_id: int, vector: np.ndarray, active_from: int) -> Inserted:
        """Adds a contribution; returns its best match among contributions active at its block."""
        if vector.shape != (self.dim,):
            raise ValueError(f"vector of shape {vector.shape}, index dimension is {self.dim}")
        if contribution_id in self._row:
            raise ValueError(f"contribution {contribution_id} is already indexed")
        best = self.query(vector[None, :], active_from, k=1, threshold=-2.0)[0]
        self._grow()
        row = self._size
        self._vectors[row] = vector
        self._ids[row] = contribution_id
        self._from[row] = active_from
        self._to[row] = OPEN
        self._row[contribution_id] = row
        self._size += 1
        return Inserted(contribution_id, best[0] if best else None)

    def close(self, contribution_id: int, at_block: int) -> None:
        """Ends the contribution's active interval at `at_block` (exclusive)."""
        row = self._row.get(contribution_id)
        if row is None:
            raise KeyError(f"contribution {contribution_id} is not indexed")
        self._to[row] = at_block

    def reopen(self, contribution_id: int) -> None:
        """Undoes a close whose event was itself retracted (a reorg)."""
        self._to[self._row[contribution_id]] = OPEN

    def query(self, queries: np.ndarray, block: int, k: int, threshold: float) -> list[list[Match]]:
        n = self._size
        mask = active_mask(self._from[:n], self._to[:n], block)
        return top_k(self._vectors[:n], self._ids[:n], queries, k, threshold, mask)

    def _grow(self) -> None:
        if self._size < len(self._ids):
            return
        capacity = 2 * len(self._ids)
        self._vectors = np.resize(self._vectors, (capacity, self.dim))
        for name, fill in (("_ids", 0), ("_from", 0), ("_to", OPEN)):
            old = getattr(self, name)
            new = np.full(capacity, fill, np.int64)
            new[: len(old)] = old
            setattr(self, name, new)
