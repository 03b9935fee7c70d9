"""Exact attribution scoring: inner-product top-k over the contributions active at a block.

Pure NumPy. Ties are broken by contribution id ascending, so results are a deterministic
function of the inputs. Scores are float32 inner products of unit vectors (cosine similarity).
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
