"""Exact attribution scoring: inner-product top-k over the contributions active at a block.

Pure NumPy. Ties are broken by contribution id ascending, so results are a deterministic
function of the inputs. Scores are float32 inner products of unit vectors (cosine similarity).
`top_k` is the plain reference; backends find a small candidate set per query (the k best plus
every score tied with the k-th) and hand it to `rank`, which applies the same rule to arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

OPEN = -1  # active_to of a contribution that was never retracted


def active_mask(active_from: np.ndarray, active_to: np.ndarray, block: int) -> np.ndarray:
    """Contributions active at `block`: from <= block, and not yet closed (to == OPEN or block < to)."""
    return (active_from <= block) & ((active_to == OPEN) | (block < active_to))


@dataclass(frozen=True)
class Match:
    contribution_id: int
    score: float


def top_k(
    vectors: np.ndarray,
    ids: np.ndarray,
    queries: np.ndarray,
    k: int,
    threshold: float,
    mask: np.ndarray | None = None,
) -> list[list[Match]]:
    """For each query, the k best contributions by score (>= threshold), score desc then id asc."""
    if k < 1:
        raise ValueError("k must be >= 1")
    if vectors.ndim != 2 or queries.ndim != 2 or vectors.shape[1] != queries.shape[1]:
        raise ValueError(f"dimension mismatch: index {vectors.shape}, queries {queries.shape}")
    if mask is not None:
        vectors, ids = vectors[mask], ids[mask]
    if len(ids) == 0:
        return [[] for _ in range(len(queries))]
    scores = queries.astype(np.float32) @ vectors.astype(np.float32).T
    results = []
    for row in scores:
        eligible = np.nonzero(row >= threshold)[0]
        # lexsort sorts by the last key first: score descending, then id ascending.
        order = eligible[np.lexsort((ids[eligible], -row[eligible]))][:k]
        results.append([Match(int(ids[i]), float(row[i])) for i in order])
    return results


@dataclass(frozen=True)
class Ranked:
    """Every query's answer as flat columns, by query then rank: `query` (row of the batch),
    `rank` (1-based), contribution `ids`, float32 `scores`. What a store hands the service, which
    turns it into the answer batch without a Python object per match."""

    query: np.ndarray
    rank: np.ndarray
    ids: np.ndarray
    scores: np.ndarray

    @staticmethod
    def empty() -> "Ranked":
        return Ranked(np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0, np.float32))

    def matches(self, queries: int) -> list[list[Match]]:
        """The same answer as lists of `Match` (the index API and the tests)."""
        out: list[list[Match]] = [[] for _ in range(queries)]
        for q, c, s in zip(self.query.tolist(), self.ids.tolist(), self.scores.tolist()):
            out[q].append(Match(c, s))
        return out


def rank(query_rows: np.ndarray, contribution_ids: np.ndarray, scores: np.ndarray, k: int) -> Ranked:
    """Per query, its candidates ordered by (score desc, id asc), cut at k; vectorized.

    Exact as long as each query's candidates include every contribution scoring at least its
    k-th best score: the candidate set may be larger than k (ties), never missing one.
    """
    order = np.lexsort((contribution_ids, -scores, query_rows))
    rows = np.asarray(query_rows, np.int64)[order]
    position = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")  # 0-based within its query
    keep = position < k
    return Ranked(
        rows[keep],
        (position[keep] + 1).astype(np.int32),
        np.asarray(contribution_ids, np.int64)[order][keep],
        np.asarray(scores, np.float32)[order][keep],
    )


def rank_candidates(
    query_rows: np.ndarray, contribution_ids: np.ndarray, scores: np.ndarray, queries: int, k: int
) -> list[list[Match]]:
    """`rank` as lists of `Match`, one list per query."""
    return rank(query_rows, contribution_ids, scores, k).matches(queries)


def merge(per_index: list[list[list[Match]]], queries: int, k: int) -> list[list[Match]]:
    """The k best per query over several indexes (a model's Datanets), same order rule."""
    if len(per_index) == 1:
        return per_index[0]
    merged = []
    for q in range(queries):
        matches = [m for result in per_index for m in result[q]]
        matches.sort(key=lambda m: (-m.score, m.contribution_id))
        merged.append(matches[:k])
    return merged
