"""The per-Datanet contribution index the sidecar scores against. Pure, in memory, rebuildable.

Each contribution has a unit vector and an active interval [active_from, active_to): retractions
(rejected, slashed, withdrawn, reorged away) close the interval at their block instead of
deleting, so a query at an earlier block still sees the contribution, as the log says it should.
Columns live in a backend `Store` (host or device), an arena most often shared with the other
Datanets of the same encoder, where this index's rows carry its tag; this class keeps the id → row
map and the duplicate rule: a new contribution's best match among those of its Datanet inserted
before it and active at its block, first come owning the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backends import NumpyStore, Store
from .memory import MemoryBudget
from .scoring import Match

_STEP = 1024  # rows matched per step: bounds the within-batch score matrix to 4 MiB


@dataclass(frozen=True)
class Inserted:
    """The best earlier match of a new contribution in its Datanet, if any (for duplicates)."""

    contribution_id: int
    best_match: Match | None


def _better(a: Match | None, b: Match | None) -> Match | None:
    if a is None or b is None:
        return a or b
    return a if (-a.score, a.contribution_id) <= (-b.score, b.contribution_id) else b


class DatanetIndex:
    """Vectors, ids and active intervals of one Datanet's contributions in one encoder's space."""

    def __init__(
        self,
        dim: int,
        capacity: int = 1024,
        store: type[Store] = NumpyStore,
        budget: MemoryBudget | None = None,
        owner: str = "index",
        arena: Store | None = None,
        tag: int = 0,
    ) -> None:
        """An index in `arena` under `tag` (its Datanet's rows there), or alone in a store of its own."""
        if arena is not None and arena.dim != dim:
            raise ValueError(f"an index of dimension {dim} in an arena of dimension {arena.dim}")
        self.dim = dim
        self.tag = tag
        self._owner = owner
        self._own = arena is None
        self._store = arena if arena is not None else store(dim, budget or MemoryBudget(1 << 40), owner, capacity)
        self._row: dict[int, int] = {}
        self._rows = 0

    def __len__(self) -> int:
        return self._rows

    @property
    def nbytes(self) -> int:
        """Memory of this index's rows on its device (its share of the arena)."""
        return self._rows * self._store.row_bytes

    @property
    def arena(self) -> Store:
        return self._store

    @property
    def backend(self) -> str:
        return self._store.backend

    def insert(self, contribution_id: int, vector: np.ndarray, active_from: int) -> Inserted:
        """Adds a contribution; returns its best match among contributions active at its block."""
        return self.insert_batch([contribution_id], vector[None, :], [active_from])[0]

    def insert_batch(self, ids, vectors: np.ndarray, active_from, matches: bool = True) -> list[Inserted]:
        """Adds contributions in order; each is matched against every earlier one (same batch too).

        With `matches=False` (re-seeding a restarted sidecar, whose flags the owner already
        knows) the duplicate search is skipped and the result carries no matches.
        """
        ids = np.asarray(ids, np.int64)
        froms = np.asarray(active_from, np.int64)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"vectors of shape {vectors.shape}, index dimension is {self.dim}")
        seen = set()
        for c in ids.tolist():
            if (c in self._row and not self._retracted(c)) or c in seen:
                raise ValueError(f"contribution {c} is already indexed")
            seen.add(c)
        self._store.ensure(self._store.size + len(ids), self._owner)  # all or nothing: refuse before matching
        best: list[Match | None] = []
        for start in range(0, len(ids), _STEP):
            part = slice(start, start + _STEP)
            best.extend(self._best_earlier(ids[part], vectors[part], froms[part]) if matches else [None] * len(ids[part]))
            first = self._store.size
            self._store.append(ids[part], vectors[part], froms[part], self.tag)
            for offset, c in enumerate(ids[part].tolist()):
                self._row[c] = first + offset
            self._rows += len(ids[part])
        return [Inserted(int(c), m) for c, m in zip(ids.tolist(), best)]

    def _best_earlier(self, ids: np.ndarray, vectors: np.ndarray, froms: np.ndarray) -> list[Match | None]:
        """Per new row, its best match among indexed rows and earlier rows of the same step."""
        earlier = self._store.top_k(vectors, froms, 1, float("-inf"), self._tags())
        within = vectors @ vectors.T  # earlier rows of this step, all still open
        best = []
        for i in range(len(ids)):
            found = earlier[i][0] if earlier[i] else None
            cols = np.nonzero(froms[:i] <= froms[i])[0]
            if len(cols):
                top = cols[np.lexsort((ids[cols], -within[i, cols]))[0]]
                found = _better(found, Match(int(ids[top]), float(within[i, top])))
            best.append(found)
        return best

    def _retracted(self, contribution_id: int) -> bool:
        """A row whose interval is empty (closed at or before its start: reorged away). Its id may
        be indexed again, e.g. when the contribution is re-included on the new branch; the old
        row stays behind, never active again."""
        start, end = self._store.interval(self._row[contribution_id])
        return end != -1 and end <= start

    def close(self, contribution_id: int, at_block: int) -> None:
        """Ends the contribution's active interval at `at_block` (exclusive)."""
        row = self._row.get(contribution_id)
        if row is None:
            raise KeyError(f"contribution {contribution_id} is not indexed")
        self._store.set_active_to(row, at_block)

    def reopen(self, contribution_id: int) -> None:
        """Undoes a close whose event was itself retracted (a reorg)."""
        row = self._row.get(contribution_id)
        if row is None:
            raise KeyError(f"contribution {contribution_id} is not indexed")
        self._store.set_active_to(row, -1)

    def __contains__(self, contribution_id: int) -> bool:
        return contribution_id in self._row

    def query(self, queries: np.ndarray, block: int, k: int, threshold: float) -> list[list[Match]]:
        return self.query_at(queries, np.full(len(queries), block, np.int64), k, threshold)

    def query_at(self, queries: np.ndarray, blocks: np.ndarray, k: int, threshold: float) -> list[list[Match]]:
        """Per query, the top-k among contributions active at that query's own block."""
        if queries.ndim != 2 or queries.shape[1] != self.dim:
            raise ValueError(f"dimension mismatch: index dimension {self.dim}, queries {queries.shape}")
        if k < 1:
            raise ValueError("k must be >= 1")
        return self._store.top_k(np.asarray(queries, np.float32), np.asarray(blocks, np.int64), k, threshold, self._tags())

    def _tags(self):
        return None if self._own else (self.tag,)

    def release(self) -> None:
        """Gives back a store of its own (an arena is released by whoever made it)."""
        if self._own:
            self._store.release()
