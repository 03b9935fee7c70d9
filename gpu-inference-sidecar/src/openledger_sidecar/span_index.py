"""Exact span-match attribution: which contributions an output quotes, and how much of it.

An Infini-gram-style index over the tokenized contributions of every Datanet: token ids in
log-structured suffix-array segments (`span_array.Segment`), built as contributions are accepted
and merged when a newer segment grows as large as the one before it. Like the embedding index,
a contribution is active for blocks in [active_from, active_to); removal closes the interval
instead of deleting, so a query at an earlier block still sees it. A query at block B sees only
contributions active at B in the Datanets it names.

Attribution of a query (the inference's output tokens q, |q| = Q):
  * for each position i, ms[i] = the longest L with q[i:i+L] inside one visible contribution;
  * the maximal spans are (i, ms[i]) with ms[i] >= min_len and i == 0 or ms[i] >= ms[i-1]
    (a span not inside the one before it);
  * a maximal span of length L held by n distinct visible contributions gives each of them
    floor(L^2 * 10^6 / n) points: long spans count quadratically, shared (common) ones less;
  * a contribution's score is the share of query tokens inside spans it holds (float32, [0, 1]).
Results are ordered by points desc, then contribution id asc. Pure integer arithmetic on
exact token equality: the same adds and removals give the same answer, whatever the segment
layout. CPU-only by design (binary search over int32 arrays; there is no tensor path).
Not thread-safe: the caller serializes access (the service holds its lock).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .encoders import tokens as tokenize
from .memory import MemoryBudget
from .scoring import OPEN, active_mask
from .span_array import Segment

log = logging.getLogger(__name__)

METHOD_ID = "span-match"  # what results of this method are tagged with (as encoder_id / version)
VERSION = "1"  # tokenizer (encoders.tokens) + formula below; a change is a new version
MIN_LEN = 4  # shortest span (tokens) that attributes anything (3-5 measured: README)
POINTS_SCALE = 1_000_000  # points of a span = floor(L^2 * POINTS_SCALE / n)
_UNKNOWN = np.iinfo(np.int32).max  # a query token no contribution holds: matches nothing
_VOCAB_ENTRY_BYTES = 100  # estimate per distinct word in the dictionary (str, int, slot)


@dataclass(frozen=True)
class SpanMatch:
    """A contribution credited by a query: integer points (the rank key) and its token coverage."""

    contribution_id: int
    points: int
    score: float


@dataclass(frozen=True)
class Span:
    """A maximal span of the query: q[start : start + length], held by these contributions."""

    start: int
    length: int
    contribution_ids: tuple[int, ...]


@dataclass(frozen=True)
class SpanInserted:
    """The best earlier match of a new contribution in its Datanet, if any (for duplicates)."""

    contribution_id: int
    best_match: SpanMatch | None


class SpanIndex:
    """Token spans of contributions in all Datanets, their active intervals, and span attribution."""

    def __init__(
        self,
        min_len: int = MIN_LEN,
        merge_ratio: float = 1.0,
        budget: MemoryBudget | None = None,
        owner: str = "span-index",
    ) -> None:
        if min_len < 1:
            raise ValueError("min_len must be >= 1")
        self.min_len = min_len
        self.merge_ratio = merge_ratio  # merge the newest two while older <= ratio * newer tokens
        self._budget = budget or MemoryBudget(1 << 40)
        self._owner = owner
        self._vocab: dict[str, int] = {}
        self._vocab_bytes = 0
        self._segments: list[Segment] = []
        self._cid = np.zeros(0, np.int64)  # per row: contribution id, Datanet, interval
        self._datanet = np.zeros(0, np.int64)
        self._from = np.zeros(0, np.int64)
        self._to = np.zeros(0, np.int64)
        self._size = 0
        self._rows_of: dict[int, list[int]] = {}  # contribution id -> its rows, oldest first

    # -- size ---------------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._size

    def __contains__(self, contribution_id: int) -> bool:
        return contribution_id in self._rows_of

    @property
    def tokens(self) -> int:
        return sum(s.tokens for s in self._segments)

    @property
    def segments(self) -> int:
        return len(self._segments)

    @property
    def nbytes(self) -> int:
        """Bytes held: segments (text, suffix array, cached activity sums), rows, dictionary estimate."""
        rows = self._cid.nbytes + self._datanet.nbytes + self._from.nbytes + self._to.nbytes
        return sum(s.nbytes for s in self._segments) + rows + self._vocab_bytes

    # -- changes ------------------------------------------------------------------------------
    def add(
        self, contribution_id: int, datanet_id: int, tokens: Sequence[str] | str, active_from_block: int, matches: bool = True
    ) -> SpanInserted:
        """Indexes a contribution active from `active_from_block`; with `matches`, first returns its
        best match among contributions of its Datanet active at that block (before it is added)."""
        return self.add_batch(datanet_id, [contribution_id], [tokens], [active_from_block], matches)[0]

    def add_batch(self, datanet_id: int, ids, token_lists, active_from, matches: bool = False) -> list[SpanInserted]:
        """Adds contributions in order. Without `matches` (re-seeding) they form one new segment,
        all or nothing; with them each is matched against every earlier one, then added on its
        own (a CapacityError part way keeps those before it)."""
        ids = [int(c) for c in ids]
        froms = [int(b) for b in active_from]
        if not (len(ids) == len(froms) == len(token_lists)):
            raise ValueError("ids, token lists and blocks differ in length")
        pending: dict[int, int] = {}
        for c, start in zip(ids, froms):
            if c in pending:
                raise ValueError(f"contribution {c} is already indexed")
            self._check_new(c, start)
            pending[c] = start
        if matches:
            out = []
            for c, words, start in zip(ids, token_lists, froms):
                best = self.query(words, [datanet_id], start, 1)
                self._append(int(datanet_id), [c], [words], [start])
                out.append(SpanInserted(c, best[0] if best else None))
            return out
        if ids:
            self._append(int(datanet_id), ids, token_lists, froms)
        return [SpanInserted(c, None) for c in ids]

    def accepts(self, contribution_id: int, start: int) -> bool:
        """Whether `add` would take this contribution from `start` (no interval of it still open)."""
        try:
            self._check_new(int(contribution_id), int(start))
        except ValueError:
            return False
        return True

    def _check_new(self, contribution_id: int, start: int) -> None:
        """A contribution id may come back (re-included after a reorg, re-added after removal)
        only where every earlier interval of it is closed by `start`: one row active per block."""
        for row in self._rows_of.get(contribution_id, []):
            begin, end = int(self._from[row]), int(self._to[row])
            if end == OPEN or (begin < end and end > start):
                raise ValueError(f"contribution {contribution_id} is already indexed (active from {begin})")

    def _ids(self, words: Sequence[str] | str, grow: bool) -> np.ndarray:
        """Token ids; new words get the next id when `grow`, else the id no text holds."""
        words = tokenize(words) if isinstance(words, str) else words
        out = np.empty(len(words), np.int32)
        for i, w in enumerate(words):
            found = self._vocab.get(w)
            if found is None:
                if grow:
                    found = self._vocab[w] = len(self._vocab)
                    self._vocab_bytes += _VOCAB_ENTRY_BYTES + len(w)
                else:
                    found = _UNKNOWN
            out[i] = found
        return out

    def _append(self, datanet_id: int, ids: list[int], token_lists, froms: list[int]) -> None:
        token_lists = [tokenize(w) if isinstance(w, str) else w for w in token_lists]
        size = sum(len(w) for w in token_lists)
        # All or nothing: the budget is asked before anything of the segment exists.
        self._budget.resize(self._owner, self.nbytes + Segment.projected_bytes(size, len(ids)) + 32 * len(ids))
        docs = [self._ids(words, grow=True) for words in token_lists]
        rows = self._new_rows(ids, datanet_id, froms)
        self._segments.append(Segment(rows, docs))
        while len(self._segments) >= 2 and self._segments[-2].tokens <= self.merge_ratio * max(self._segments[-1].tokens, 1):
            self._merge(len(self._segments) - 2, len(self._segments))
        self._budget.resize(self._owner, self.nbytes)

    def _merge(self, first: int, last: int) -> None:
        parts = self._segments[first:last]
        self._budget.resize(
            self._owner,
            self.nbytes + Segment.projected_bytes(sum(p.tokens for p in parts), sum(len(p) for p in parts)),
        )
        self._segments[first:last] = [Segment.merge(parts)]

    def compact(self) -> None:
        """Merges every segment into one (what a quiet moment or a re-seed may afford)."""
        if len(self._segments) > 1:
            self._merge(0, len(self._segments))
            self._budget.resize(self._owner, self.nbytes)

    def _new_rows(self, ids: list[int], datanet_id: int, froms: list[int]) -> np.ndarray:
        need = self._size + len(ids)
        if need > len(self._cid):
            capacity = max(16, len(self._cid))
            while capacity < need:
                capacity *= 2
            for name in ("_cid", "_datanet", "_from", "_to"):
                grown = np.full(capacity, OPEN, np.int64)
                grown[: self._size] = getattr(self, name)[: self._size]
                setattr(self, name, grown)
        rows = np.arange(self._size, need, dtype=np.int64)
        self._cid[rows], self._datanet[rows], self._from[rows], self._to[rows] = ids, datanet_id, froms, OPEN
        for c, row in zip(ids, rows.tolist()):
            self._rows_of.setdefault(c, []).append(row)
        self._size = need
        return rows

    def _latest(self, contribution_id: int) -> int:
        rows = self._rows_of.get(int(contribution_id))
        if not rows:
            raise KeyError(f"contribution {contribution_id} is not indexed")
        return rows[-1]

    def remove(self, contribution_id: int, at_block: int) -> None:
        """Ends the contribution's active interval at `at_block` (exclusive): rejected, slashed,
        withdrawn, or reorged away (closed at or before its start: never active)."""
        self._to[self._latest(contribution_id)] = int(at_block)

    close = remove  # the embedding index's name

    def reopen(self, contribution_id: int) -> None:
        """Undoes a removal whose event was itself retracted (a reorg)."""
        self._to[self._latest(contribution_id)] = OPEN

    # -- queries ------------------------------------------------------------------------------
    def spans(self, tokens: Sequence[str] | str, datanet_ids: Iterable[int], block: int, min_len: int | None = None) -> list[Span]:
        """The query's maximal spans of at least `min_len` tokens among the contributions of
        `datanet_ids` active at `block`, each with the contributions holding it."""
        query = self._ids(tokens, grow=False)
        min_len = self.min_len if min_len is None else min_len
        datanets = np.array(sorted({int(d) for d in datanet_ids}), np.int64)
        per_segment = []
        best = np.zeros(len(query), np.int64)
        for segment in self._segments:
            rows = segment.rows
            active = active_mask(self._from[rows], self._to[rows], int(block)) & np.isin(self._datanet[rows], datanets)
            ms, lo, hi = segment.longest(query, active)
            per_segment.append((segment, active, ms, lo, hi))
            np.maximum(best, ms, out=best)
        out = []
        for i, length in enumerate(best.tolist()):
            if length < min_len or (i > 0 and length < best[i - 1]):
                continue
            holders: set[int] = set()
            for segment, active, ms, lo, hi in per_segment:
                if ms[i] != length:
                    continue
                a, b = (int(lo[i]), int(hi[i])) if hi[i] > lo[i] else segment.range_of(query, i, length)
                holders.update(self._cid[segment.rows[segment.docs_in(a, b, active)]].tolist())
            out.append(Span(i, length, tuple(sorted(holders))))
        return out

    def query(
        self, tokens: Sequence[str] | str, datanet_ids: Iterable[int], block: int, k: int, min_len: int | None = None
    ) -> list[SpanMatch]:
        """The top-k contributions by span points (desc, then id asc) of the query at `block`."""
        if k < 1:
            raise ValueError("k must be >= 1")
        words = tokenize(tokens) if isinstance(tokens, str) else tokens
        return rank(self.spans(words, datanet_ids, block, min_len), len(words), k)

    def query_batch(self, token_lists, blocks, datanet_ids: Iterable[int], k: int) -> list[list[SpanMatch]]:
        """Per query, its top-k at its own block (the embedding index's `query_at`)."""
        datanets = list(datanet_ids)
        return [self.query(t, datanets, int(b), k) for t, b in zip(token_lists, blocks)]

    def release(self) -> None:
        """Gives the index's reservation back to the memory budget (the index is dropped)."""
        self._budget.release(self._owner)

    def stats(self) -> dict:
        return {
            "contributions": len(self._rows_of),
            "rows": self._size,
            "tokens": self.tokens,
            "segments": len(self._segments),
            "vocabulary": len(self._vocab),
            "bytes": self.nbytes,
        }


def rank(spans: list[Span], query_tokens: int, k: int) -> list[SpanMatch]:
    """Points and coverage per contribution from the maximal spans (the formula in the module doc)."""
    points: dict[int, int] = {}
    covered: dict[int, np.ndarray] = {}
    for span in spans:
        if not span.contribution_ids:
            continue
        share = span.length * span.length * POINTS_SCALE // len(span.contribution_ids)
        for c in span.contribution_ids:
            points[c] = points.get(c, 0) + share
            mask = covered.setdefault(c, np.zeros(query_tokens, bool))
            mask[span.start : span.start + span.length] = True
    order = sorted(points, key=lambda c: (-points[c], c))[:k]
    return [SpanMatch(c, points[c], float(np.float32(covered[c].sum() / query_tokens))) for c in order]


def measure(
    docs: int = 2000,
    doc_tokens: tuple[int, int] = (20, 200),
    vocabulary: int = 5000,
    queries: int = 200,
    span_tokens: tuple[int, int] = (12, 30),
    seed: int = 0,
    drop: float = 0.0,
    min_len: int = MIN_LEN,
) -> dict:
    """Index bytes per token, build time and query latency on generated Zipf-distributed text,
    with recall@1 and @10 of spans of a known contribution (exact, or each word dropped with
    probability `drop`): the span method's benchmark figures."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, vocabulary + 1) ** 1.1
    words = [f"w{i}" for i in range(vocabulary)]
    corpus = [
        [words[j] for j in rng.choice(vocabulary, int(rng.integers(*doc_tokens)), p=weights / weights.sum())]
        for _ in range(docs)
    ]
    index = SpanIndex(min_len=min_len)
    started = time.perf_counter()
    for c, text in enumerate(corpus):
        index.add(c, c % 7, text, active_from_block=c, matches=False)
    build = time.perf_counter() - started
    latencies, hits, near = [], 0, 0
    for _ in range(queries):
        c = int(rng.integers(docs))
        length = min(len(corpus[c]), int(rng.integers(*span_tokens)))
        start = int(rng.integers(len(corpus[c]) - length + 1))
        query = [w for w in corpus[c][start : start + length] if rng.random() >= drop]
        began = time.perf_counter()
        found = [m.contribution_id for m in index.query(query, range(7), docs, 10)]
        latencies.append(time.perf_counter() - began)
        hits += found[:1] == [c]
        near += c in found
    latencies = np.array(latencies) * 1000
    figures = {
        "tokens": index.tokens,
        "segments": index.segments,
        "bytes": index.nbytes,
        "bytes_per_token": round(index.nbytes / max(index.tokens, 1), 2),
        "build_s": round(build, 3),
        "build_tokens_per_s": round(index.tokens / build) if build else None,
        "query_ms_p50": round(float(np.percentile(latencies, 50)), 3),
        "query_ms_p95": round(float(np.percentile(latencies, 95)), 3),
        "recall_at_1": hits / queries,
        "recall_at_10": near / queries,
    }
    log.info("span index: %s", figures)
    return figures


if __name__ == "__main__":  # python -m openledger_sidecar.span_index: the figures as JSON
    import json

    print(json.dumps(measure()))
