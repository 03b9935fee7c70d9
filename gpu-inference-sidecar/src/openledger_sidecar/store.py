"""The columns every backend keeps: one arena of rows per encoder space, tagged by Datanet.

An arena holds every Datanet's vectors (of one encoder and width) contiguously, each row stored
once whatever number of models score it, with its id, active interval and a small tag naming its
Datanet. A model is scored in one pass over the rows of its Datanets (`Selection`), not one query
per Datanet and a merge: the rows of a model that was fed one Datanet after another are a few
long runs the multiply reads in place; interleaved ones are gathered tile by tile.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .memory import CapacityError, MemoryBudget
from .scoring import Match, Ranked

SCORE_TOLERANCE = 1e-5  # |score(backend A) - score(backend B)| for unit vectors up to dim 4096
_SELECTIONS = 32  # models' row selections kept per arena (rebuilt when the arena grows)


@dataclass(frozen=True)
class Selection:
    """The arena rows a query may see: all of the first `size` (rows is None) or those listed
    (ascending); `device` is the same list where the backend scores (None on the host)."""

    size: int
    rows: np.ndarray | None
    device: object = None

    def __len__(self) -> int:
        return self.size if self.rows is None else len(self.rows)

    def tiles(self, tile: int):
        """(first, last, arena slice or row list) per tile of `tile` selected rows: a slice where
        the tile's rows are consecutive in the arena (read in place), else their row numbers."""
        for first in range(0, len(self), tile):
            last = min(len(self), first + tile)
            if self.rows is None:
                yield first, last, slice(first, last)
                continue
            part = self.rows[first:last]
            if int(part[-1]) - int(part[0]) == last - first - 1:
                yield first, last, slice(int(part[0]), int(part[-1]) + 1)
            else:
                yield first, last, part


class Store:
    """Growable columns (ids, unit vectors, active intervals, Datanet tags) on some device."""

    backend = "abstract"

    def __init__(self, dim: int, budget: MemoryBudget, owner: str, capacity: int = 1024) -> None:
        self.dim = dim
        self.size = 0
        self.capacity = 0
        self._budget = budget
        self._owner = owner
        self._host_ids = np.zeros(0, np.int64)
        self._host_tags = np.zeros(0, np.int32)
        self._selections: dict[bytes, Selection] = {}
        self._reserve(capacity)

    @property
    def row_bytes(self) -> int:
        """Bytes per row: vector (float32), id and interval bounds (int64), Datanet tag (int32)."""
        return 4 * self.dim + 3 * 8 + 4

    @property
    def nbytes(self) -> int:
        """Bytes held for the arena (its whole capacity)."""
        return self.capacity * self.row_bytes

    def ids(self) -> np.ndarray:
        return self._host_ids[: self.size]

    def _reserve(self, capacity: int, label: str | None = None) -> None:
        purpose = f" (an arena of {capacity:,} rows x {self.dim} dims, {self._owner})" if label else ""
        self._budget.resize(self._owner, capacity * self.row_bytes, label, purpose)  # raises first
        self._allocate(capacity)
        for name in ("_host_ids", "_host_tags"):
            old = getattr(self, name)
            grown = np.zeros(capacity, old.dtype)
            grown[: self.size] = old[: self.size]
            setattr(self, name, grown)
        self.capacity = capacity

    def ensure(self, rows: int, label: str | None = None) -> None:
        """Room for `rows` rows in all: grows (doubling; exactly `rows` where the budget has no
        room for the double) or raises CapacityError, naming `label`, holding nothing more."""
        if rows <= self.capacity:
            return
        doubled = max(self.capacity, 1)
        while doubled < rows:
            doubled *= 2
        try:
            self._reserve(doubled, label)
        except CapacityError:
            if doubled == rows:
                raise
            self._reserve(rows, label)

    def append(self, ids: np.ndarray, vectors: np.ndarray, active_from: np.ndarray, tag: int = 0) -> None:
        """Adds rows of one Datanet (`tag`); grows within the budget or raises CapacityError, adding nothing."""
        m = len(ids)
        self.ensure(self.size + m)
        self._write(self.size, ids, vectors, active_from)
        self._host_ids[self.size : self.size + m] = ids
        self._host_tags[self.size : self.size + m] = tag
        self.size += m

    def release(self) -> None:
        self._budget.release(self._owner)

    def select(self, tags) -> Selection:
        """The rows of the Datanets tagged `tags` (None: every row), kept until the arena grows."""
        n = self.size
        if tags is None:
            return Selection(n, None)
        wanted = np.unique(np.asarray(tags, np.int32))
        key = wanted.tobytes()
        found = self._selections.get(key)
        if found is not None and found.size == n:
            return found
        lookup = np.zeros(int(self._host_tags[:n].max(initial=0)) + 1, bool)
        lookup[wanted[wanted < len(lookup)]] = True
        rows = np.flatnonzero(lookup[self._host_tags[:n]])
        selection = Selection(n, None) if len(rows) == n else Selection(n, rows, self._to_device(rows))
        if len(self._selections) >= _SELECTIONS:
            self._selections.pop(next(iter(self._selections)))
        self._selections.pop(key, None)
        self._selections[key] = selection
        return selection

    def _to_device(self, rows: np.ndarray):
        return None

    def _allocate(self, capacity: int) -> None:
        raise NotImplementedError

    def _write(self, row: int, ids, vectors, active_from) -> None:
        raise NotImplementedError

    def set_active_to(self, row: int, block: int) -> None:
        raise NotImplementedError

    def interval(self, row: int) -> tuple[int, int]:
        """(active_from, active_to) of a row; active_to is OPEN while open."""
        raise NotImplementedError

    def ranked(self, queries: np.ndarray, blocks: np.ndarray, k: int, threshold: float, tags=None) -> Ranked:
        """Per query, the k best rows of the Datanets `tags` (None: all) active at its block with
        score >= threshold, as flat columns."""
        raise NotImplementedError

    def top_k(self, queries: np.ndarray, blocks: np.ndarray, k: int, threshold: float, tags=None) -> list[list[Match]]:
        """`ranked` as lists of `Match`, one list per query."""
        return self.ranked(queries, blocks, k, threshold, tags).matches(len(queries))
