"""The service's embedding indexes: one arena per (encoder, dimension), a tag per Datanet in it.

Why: a model over many Datanets used to be scored one Datanet index at a time and merged, paying
per index a candidate search, a Python `Match` per candidate and a sort per query (57 Datanets ×
20,000 rows: ~100-300 queries/s against ~5,000 for one multiply over the same rows). With every
Datanet of an encoder in one arena, a model is one tiled pass over its rows with an active mask;
each vector is stored once however many models score it. The answer batch is built from the
ranked columns directly (no Python object per match).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .index import DatanetIndex
from .memory import MemoryBudget
from .scoring import Ranked
from .store import Store

_FIRST_ROWS = 1024  # an arena's first capacity; it doubles (or grows to fit) from there


class Arenas:
    """Arenas by (encoder, dim) and the tag of each Datanet in its arena."""

    def __init__(self, store: type[Store], budget: MemoryBudget) -> None:
        self._store = store
        self._budget = budget
        self._arenas: dict[tuple[str, int], Store] = {}
        self._tags: dict[tuple[str, int], dict[int, int]] = {}

    def new_index(self, datanet_id: int, encoder: str, dim: int, owner: str) -> DatanetIndex:
        """An empty index of the Datanet in its encoder's arena (made, within the budget, if new)."""
        key = (encoder, dim)
        arena = self._arenas.get(key)
        if arena is None:
            arena = self._store(dim, self._budget, f"arena(encoder={encoder}, dim={dim})", _FIRST_ROWS)
            self._arenas[key] = arena
            self._tags[key] = {}
        tags = self._tags[key]
        tag = tags.setdefault(int(datanet_id), len(tags))
        return DatanetIndex(dim, owner=owner, arena=arena, tag=tag)

    def drop_if_empty(self, encoder: str, dim: int) -> None:
        """Gives back an arena that holds no row (its first index was refused)."""
        arena = self._arenas.get((encoder, dim))
        if arena is not None and arena.size == 0:
            arena.release()
            del self._arenas[(encoder, dim)], self._tags[(encoder, dim)]

    def release(self) -> None:
        for arena in self._arenas.values():
            arena.release()
        self._arenas.clear()
        self._tags.clear()

    def stats(self) -> list[dict]:
        return [
            {"encoder": e, "dim": d, "datanets": len(self._tags[(e, d)]), "rows": a.size, "capacity": a.capacity,
             "bytes": a.nbytes}
            for (e, d), a in sorted(self._arenas.items())
        ]


def score(indexes: list[DatanetIndex], vectors: np.ndarray, blocks: np.ndarray, k: int, threshold: float) -> Ranked:
    """The k best rows over the indexes (one model's Datanets, all in one arena) per query."""
    if not indexes:
        return Ranked.empty()
    arena = indexes[0].arena
    if any(i.arena is not arena for i in indexes):
        raise ValueError("a model's indexes must share one arena (one encoder, one dimension)")
    return arena.ranked(vectors, blocks, k, threshold, [i.tag for i in indexes])


def score_answer(ranked: Ranked, inference_ids: np.ndarray, schema: pa.Schema) -> pa.RecordBatch:
    """The `score` answer, one row per match, from the ranked columns (no Python object per row)."""
    return pa.RecordBatch.from_arrays(
        [
            pa.array(inference_ids[ranked.query], pa.int64()),
            pa.array(ranked.rank, pa.int32()),
            pa.array(ranked.ids, pa.int64()),
            pa.array(ranked.scores, pa.float32()),
        ],
        schema=schema,
    )
