"""Immutable suffix-array segments of tokenized contributions: the building block of `span_index`.

A segment concatenates its documents' token ids, each followed by its own negative sentinel (so
no match crosses a document and every suffix is distinct), and sorts all suffixes by prefix
doubling on NumPy arrays. Queries walk the array by binary search, Infini-gram style; which
documents count (active at a block, in a model's Datanets) is a mask over documents passed in
with each query, so a segment never changes after it is built.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import numpy as np

SLICE = 2048  # ranges up to this many suffixes are searched by one vectorized gather, not bisection
RESTART_NARROW = 8  # a known match up to this long is re-found token by token, longer by bisection
_CUM_CACHE = 2  # activity prefix sums kept per segment (one per recent document mask)


def suffix_array(text: np.ndarray) -> np.ndarray:
    """Start positions of all suffixes of `text` in lexicographic order (prefix doubling).

    O(n log n) per round, one round per doubling of the longest repeat; the result is a pure
    function of the text. Suffixes must be distinct (the sentinels make them so).
    """
    n = len(text)
    if n == 0:
        return np.zeros(0, np.int64)
    rank = np.unique(text, return_inverse=True)[1].astype(np.int64).reshape(-1)
    step = 1
    while True:
        second = np.full(n, -1, np.int64)
        second[: n - step] = rank[step:]
        key = rank * (n + 1) + (second + 1)  # < 2**63 for n < 3e9
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        fresh = np.empty(n, np.int64)
        fresh[order] = np.concatenate(([0], np.cumsum(ordered[1:] != ordered[:-1])))
        rank = fresh
        if rank[order[-1]] == n - 1 or step >= n:
            return order
        step *= 2


class Segment:
    """Documents (index rows of the caller's table) as one sentinel-separated text and its suffix array."""

    def __init__(self, rows: np.ndarray, docs: list[np.ndarray]) -> None:
        lengths = np.array([len(d) for d in docs], np.int64)
        self.rows = np.asarray(rows, np.int64)
        self.starts = np.zeros(len(docs) + 1, np.int64)
        self.starts[1:] = np.cumsum(lengths + 1)
        ends = self.starts[1:] - 1
        text = np.zeros(int(self.starts[-1]), np.int32)
        words = np.ones(len(text), bool)
        words[ends] = False
        if lengths.sum():
            text[words] = np.concatenate(docs)
        text[ends] = -np.arange(1, len(docs) + 1, dtype=np.int32)
        self.text = text
        index_type = np.int32 if len(text) < 2**31 else np.int64
        self.sa = suffix_array(text).astype(index_type)
        self.tokens = int(lengths.sum())
        self._cum: OrderedDict[bytes, np.ndarray] = OrderedDict()

    @staticmethod
    def projected_bytes(tokens: int, docs: int) -> int:
        """What a segment of this size holds: text and suffix array (4 bytes each per position),
        document starts and rows (8 bytes each per document)."""
        return 8 * (tokens + docs) + 16 * docs + 8

    @property
    def nbytes(self) -> int:
        cached = sum(c.nbytes for c in self._cum.values())
        return self.text.nbytes + self.sa.nbytes + self.starts.nbytes + self.rows.nbytes + cached

    def __len__(self) -> int:
        return len(self.rows)

    def doc(self, j: int) -> np.ndarray:
        return self.text[self.starts[j] : self.starts[j + 1] - 1]

    @staticmethod
    def merge(segments: list[Segment]) -> Segment:
        """One segment holding the documents of `segments`, in order (a rebuild, LSM-style)."""
        rows = np.concatenate([s.rows for s in segments])
        return Segment(rows, [s.doc(j) for s in segments for j in range(len(s))])

    def doc_of(self, positions: np.ndarray) -> np.ndarray:
        """The document holding each text position."""
        return np.searchsorted(self.starts, positions, "right") - 1

    def activity(self, active: np.ndarray) -> Callable[[int, int], bool]:
        """A test `ok(lo, hi)`: does the suffix range [lo, hi) start inside an active document?"""
        if active.all():
            return lambda lo, hi: hi > lo

        def ok(lo: int, hi: int) -> bool:
            if hi - lo <= SLICE:
                return bool(active[self.doc_of(self.sa[lo:hi])].any())
            cum = self._prefix(active)
            return bool(cum[hi] > cum[lo])

        return ok

    def _prefix(self, active: np.ndarray) -> np.ndarray:
        """Active suffixes before each suffix-array position, cached per document mask."""
        key = np.packbits(active).tobytes() + len(active).to_bytes(8, "little")
        if key in self._cum:
            self._cum.move_to_end(key)
            return self._cum[key]
        cum = np.zeros(len(self.sa) + 1, np.int32)
        np.cumsum(active[self.doc_of(self.sa)], out=cum[1:])
        self._cum[key] = cum
        while len(self._cum) > _CUM_CACHE:
            self._cum.popitem(last=False)
        return cum

    def docs_in(self, lo: int, hi: int, active: np.ndarray) -> np.ndarray:
        """Distinct active documents (segment-local numbers) with a suffix in [lo, hi)."""
        docs = np.unique(self.doc_of(self.sa[lo:hi]))
        return docs[active[docs]]

    def _narrow(self, lo: int, hi: int, depth: int, token: int) -> tuple[int, int]:
        """The sub-range of [lo, hi) (suffixes sharing `depth` tokens) whose next token is `token`."""
        text, sa = self.text, self.sa
        if hi - lo <= SLICE:
            a, b = np.searchsorted(text[sa[lo:hi] + depth], (token, token + 1))  # ids are integers
            return lo + int(a), lo + int(b)
        a, b = lo, hi
        while a < b:
            mid = (a + b) // 2
            if text[sa[mid] + depth] < token:
                a = mid + 1
            else:
                b = mid
        first, b = a, hi
        while a < b:
            mid = (a + b) // 2
            if text[sa[mid] + depth] <= token:
                a = mid + 1
            else:
                b = mid
        return first, a

    def _compare(self, j: int, pattern: np.ndarray) -> int:
        """Sign of (suffix at rank j, cut to len(pattern)) versus the pattern."""
        start = int(self.sa[j])
        head = self.text[start : start + len(pattern)]
        differ = np.flatnonzero(head != pattern[: len(head)])
        if len(differ) == 0:
            return 0  # a shorter head would end in a sentinel, which differs from every token
        return -1 if head[differ[0]] < pattern[differ[0]] else 1

    def _range(self, query: np.ndarray, i: int, length: int, lo: int, hi: int) -> tuple[int, int]:
        """Suffix range of query[i : i + length], searched within its first token's range [lo, hi)."""
        if length <= RESTART_NARROW:
            for depth in range(1, length):
                lo, hi = self._narrow(lo, hi, depth, int(query[i + depth]))
            return lo, hi
        pattern = query[i : i + length]
        a, b = lo, hi
        while a < b:
            mid = (a + b) // 2
            if self._compare(mid, pattern) < 0:
                a = mid + 1
            else:
                b = mid
        first, b = a, hi
        while a < b:
            mid = (a + b) // 2
            if self._compare(mid, pattern) <= 0:
                a = mid + 1
            else:
                b = mid
        return first, a

    def longest(self, query: np.ndarray, active: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Matching statistics against the active documents: per query position i, the length of
        the longest prefix of query[i:] found in one of them, and its suffix range (lo, hi).

        Uses ms[i] >= ms[i-1] - 1 (the rest of a match is a match): a position only tries to go
        further than its predecessor's match. Where that match already reached the query's end the
        range is not needed (the span lies inside the previous one) and is left empty.
        """
        count = len(query)
        ms = np.zeros(count, np.int64)
        los, his = np.zeros(count, np.int64), np.zeros(count, np.int64)
        if count == 0 or len(self.rows) == 0 or not active.any():
            return ms, los, his
        ok = self.activity(active)
        first_lo = np.searchsorted(self.text, query, "left", sorter=self.sa)
        first_hi = np.searchsorted(self.text, query, "right", sorter=self.sa)
        known = 0
        for i in range(count):
            known = max(known - 1, 0)
            if known and i + known == count:
                ms[i] = known
                continue
            lo, hi = int(first_lo[i]), int(first_hi[i])
            if known:
                lo, hi = self._range(query, i, known, lo, hi)
            elif lo == hi or not ok(lo, hi):
                continue
            depth = max(known, 1)
            while i + depth < count:
                nlo, nhi = self._narrow(lo, hi, depth, int(query[i + depth]))
                if nlo == nhi or not ok(nlo, nhi):
                    break
                lo, hi, depth = nlo, nhi, depth + 1
            ms[i], los[i], his[i], known = depth, lo, hi, depth
        return ms, los, his

    def range_of(self, query: np.ndarray, i: int, length: int) -> tuple[int, int]:
        """Suffix range of query[i : i + length] (length >= 1), from scratch."""
        lo = int(np.searchsorted(self.text, query[i], "left", sorter=self.sa))
        hi = int(np.searchsorted(self.text, query[i], "right", sorter=self.sa))
        return self._range(query, i, length, lo, hi) if hi > lo else (lo, hi)
