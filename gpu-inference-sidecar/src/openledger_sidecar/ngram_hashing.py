"""The fast path of `hashing-ngram-v2`: a batch of texts in a few array passes, bit for bit.

Why: the encoder runs on every query of every score call and on every indexed contribution, and
written per feature in Python (a dict entry, a BLAKE2b object and an int per word and per word
pair) it cost more than the scoring product itself. Here Python touches each *distinct* word and
word pair of a batch once, to hash it (BLAKE2b has no array form; a bounded cache spares words
across calls, ~90% of a batch's distinct words were seen before; pairs are not cached: most are
new, and keeping them cost more than it saved, measured in docs/BENCHMARKS.md), and everything
per occurrence is NumPy: counting features per text, ordering them by first occurrence, and
summing their signed values into buckets. Batches of a few words go text by text through dicts
instead (`_encode_small`): there, NumPy's per-call cost outweighs what the arrays save.

Bit-identity with the per-feature code (`HashingEncoderV2._reference_encode`) holds by doing the
same floating-point operations in the same order: a feature's value is weight x sqrt(count) in
float64; `np.bincount` adds the values of a bucket one after the other in the order it is given,
which is each text's first-occurrence order, starting from 0.0 as the dict did; the norm is the
exactly rounded `math.fsum` of the touched buckets' squares (order-free; untouched buckets add 0)
and a correctly rounded sqrt; each value is divided by it in float64 and rounded once to float32.
Features are told apart by their 64-bit digest, as the dict was keyed, so even a digest collision
merges the same two features (with the first one's weight). tests/test_encoder_fast_path.py
checks all of it against the reference on random texts.
"""

from __future__ import annotations

import hashlib
import itertools
import math

import numpy as np

CHUNK_WORDS = 1 << 16  # words per pass: bounds the temporaries (a longer text is one pass alone)
SMALL_WORDS = 256  # up to this many words in a batch, texts go one by one (`_encode_small`)
CHUNK_CELLS = 1 << 21  # texts x dim per pass: the float64 buckets of a pass (16 MiB)


_BLANK = hashlib.blake2b(digest_size=8)  # copied per feature: cheaper than a new object
_WORD_TAG = ord("w")  # first byte of a word feature (`w\x1f<word>`); pairs start with `p`


def digests(keys: list[bytes]) -> np.ndarray:
    """The little-endian uint64 BLAKE2b-64 digests of the keys, in order."""
    copy, out = _BLANK.copy, []
    append = out.append
    for key in keys:
        h = copy()
        h.update(key)
        append(h.digest())
    return np.frombuffer(b"".join(out), dtype="<u8")


class DigestCache:
    """BLAKE2b-64 digests of recent word features (UTF-8 bytes), bounded for hostile input.

    Two generations of at most `entries` keys each: a hit in the old one is copied to the young
    one, and a young one that would overflow becomes the old one (an LRU up to one generation).
    Keys longer than `max_key` bytes are hashed but not kept, so the memory stays under about
    2 x entries x (max_key + 120) bytes whatever the texts are. Speed only: a digest is a pure
    function of its key, so a race between threads at worst hashes a feature twice.
    """

    def __init__(self, entries: int = 1 << 16, max_key: int = 64) -> None:
        self.entries = entries
        self.max_key = max_key
        self._young: dict[bytes, bytes] = {}
        self._old: dict[bytes, bytes] = {}

    def __len__(self) -> int:
        return len(self._young) + len(self._old)

    def digests(self, keys: list[bytes]) -> np.ndarray:
        """The little-endian uint64 digests of the keys, in order (each key hashed at most once
        per call: the caller passes distinct keys)."""
        found = list(map(self._young.get, keys))
        if None in found:
            missing = [i for i, d in enumerate(found) if d is None]
            todo = list(map(keys.__getitem__, missing))
            known = list(map(self._old.get, todo))
            copy = _BLANK.copy
            for j, key in enumerate(todo):
                if known[j] is None:
                    h = copy()
                    h.update(key)
                    known[j] = h.digest()
            for i, d in zip(missing, known):
                found[i] = d
            if max(map(len, todo)) > self.max_key:
                self._keep({k: d for k, d in zip(todo, known) if len(k) <= self.max_key})
            else:
                self._keep(dict(zip(todo, known)))
        return np.frombuffer(b"".join(found), dtype="<u8")

    def _keep(self, fresh: dict[bytes, bytes]) -> None:
        if len(fresh) > self.entries:
            fresh = dict(zip(list(fresh)[: self.entries], list(fresh.values())[: self.entries]))
        if len(self._young) + len(fresh) > self.entries:
            self._old, self._young = self._young, {}
        self._young.update(fresh)


def encode_words(
    word_lists: list[list[str]], dim: int, window: int, stop_words: frozenset, stop_weight: float, cache: DigestCache
) -> np.ndarray:
    """Unit float32 vectors (len(word_lists) x dim) of non-empty word lists, in passes of about
    CHUNK_WORDS words and CHUNK_CELLS cells (each text whole)."""
    out = np.zeros((len(word_lists), dim), np.float32)
    if sum(map(len, word_lists)) <= SMALL_WORDS:  # a few texts: array passes cost more than they save
        for row, words in zip(out, word_lists):
            if not _encode_small(words, dim, window, stop_words, stop_weight, cache, row):
                _encode_chunk([words], dim, window, stop_words, stop_weight, cache, row[None, :])
        return out
    most_texts = max(1, CHUNK_CELLS // dim)
    start, words = 0, 0
    for end, ws in enumerate(word_lists, start=1):
        words += len(ws)
        if words >= CHUNK_WORDS or end - start >= most_texts or end == len(word_lists):
            _encode_chunk(word_lists[start:end], dim, window, stop_words, stop_weight, cache, out[start:end])
            start, words = end, 0
    return out


def _encode_small(words, dim, window, stop_words, stop_weight, cache, out) -> bool:
    """One text with dicts instead of array passes; False (nothing written) when two of its
    features share a digest, which `_encode_chunk` resolves."""
    counts: dict[bytes, int] = {}  # feature -> count, in first-occurrence order
    weights = []
    encoded = [w.encode("utf-8") for w in words]
    stops = [w in stop_words for w in words]
    n = len(words)
    for i, e in enumerate(encoded):
        stop = stops[i]
        key = b"w\x1f" + e
        if key in counts:
            counts[key] += 1
        else:
            counts[key] = 1
            weights.append(stop_weight if stop else 1.0)
        prefix = b"p\x1f" + e + b" "
        for j in range(i + 1, min(i + 1 + window, n)):
            key = prefix + encoded[j]
            if key in counts:
                counts[key] += 1
            else:
                counts[key] = 1
                weights.append(stop_weight if stop and stops[j] else 1.0)
    keys = list(counts)
    is_word = np.fromiter((k[0] == _WORD_TAG for k in keys), bool, len(keys))
    h = np.empty(len(keys), np.uint64)
    h[is_word] = cache.digests([k for k in keys if k[0] == _WORD_TAG])
    h[~is_word] = digests([k for k in keys if k[0] != _WORD_TAG])
    if len(set(h.tolist())) < len(h):
        return False
    value = np.array(weights) * np.sqrt(np.fromiter(counts.values(), np.float64, len(counts)))
    signed = np.where((h >> np.uint64(63)) == 0, value, -value)
    sums = np.bincount((h % np.uint64(dim)).astype(np.int64), weights=signed, minlength=dim)
    touched = sums[sums != 0.0]
    norm = math.sqrt(math.fsum((touched * touched).tolist()))
    if norm == 0.0:  # every feature cancelled out: keep a defined direction
        out[0] = 1.0
    else:
        out[:] = sums / norm
    return True


def _encode_chunk(word_lists, dim, window, stop_words, stop_weight, cache, out) -> None:
    flat = list(itertools.chain.from_iterable(word_lists))
    vocabulary = list(dict.fromkeys(flat))  # id -> word, in first-occurrence order
    index = {w: i for i, w in enumerate(vocabulary)}
    n, v, texts = len(flat), len(vocabulary), len(word_lists)
    ids = np.fromiter(map(index.__getitem__, flat), np.int64, n)
    lengths = np.fromiter(map(len, word_lists), np.int64, texts)
    encoded = [w.encode("utf-8") for w in vocabulary]
    stop = np.fromiter(map(stop_words.__contains__, vocabulary), bool, v)

    # Occurrences in order: word i, then its pairs (i, i+1) .. (i, i+window), as slots of a grid.
    text_of = np.repeat(np.arange(texts), lengths)
    end_of = np.repeat(np.cumsum(lengths), lengths)
    position = np.arange(n)
    slots = np.full((n, window + 1), -1, np.int64)
    slots[:, 0] = ids
    lefts = [position[position + k < end_of] for k in range(1, window + 1)]
    pair_keys = np.concatenate([ids[left] * v + ids[left + k] for k, left in enumerate(lefts, start=1)])
    pairs, pair_of = np.unique(pair_keys, return_inverse=True)
    offset = 0
    for k, left in enumerate(lefts, start=1):
        slots[left, k] = v + pair_of[offset : offset + len(left)]
        offset += len(left)

    # Features: the distinct words, then the distinct pairs; their digests and weights.
    first, second = np.divmod(pairs, v)
    prefixes = [b"p\x1f" + e + b" " for e in encoded]
    pair_features = map(bytes.__add__, map(prefixes.__getitem__, first.tolist()), map(encoded.__getitem__, second.tolist()))
    digest = np.concatenate([cache.digests([b"w\x1f" + e for e in encoded]), digests(list(pair_features))])
    weight = np.where(np.concatenate([stop, stop[first] & stop[second]]), stop_weight, 1.0)
    ordered = np.sort(digest)
    if (ordered[1:] == ordered[:-1]).any():  # two features, one digest: one feature, as in a dict
        _, identity = np.unique(digest, return_inverse=True)
    else:
        identity = np.arange(len(digest))

    # Per text: each feature's count, at its first occurrence (runs of a stable sort by key).
    occupied = slots.ravel() >= 0
    feature = slots.ravel()[occupied]
    text_of_feature = np.repeat(text_of, window + 1)[occupied]
    group = text_of_feature * len(digest) + identity[feature]
    by_group = np.argsort(group, kind="stable")
    runs = np.flatnonzero(np.concatenate([[True], group[by_group[1:]] != group[by_group[:-1]]]))
    count = np.zeros(len(group), np.int64)
    count[by_group[runs]] = np.diff(np.append(runs, len(group)))
    firsts = count > 0  # in occurrence order: each text's features in first-occurrence order
    chosen = feature[firsts]
    value = weight[chosen] * np.sqrt(count[firsts].astype(np.float64))
    h = digest[chosen]
    signed = np.where((h >> np.uint64(63)) == 0, value, -value)
    cell = text_of_feature[firsts] * dim + (h % np.uint64(dim)).astype(np.int64)

    # Buckets: values summed in that order (bincount adds in input order), then normalized.
    sums = np.bincount(cell, weights=signed, minlength=texts * dim)
    touched = np.flatnonzero(sums)  # a bucket that cancelled to 0 adds 0 to the norm
    squares = (sums[touched] * sums[touched]).tolist()
    bounds = np.searchsorted(touched, np.arange(texts + 1) * dim).tolist()
    norms = np.array([math.sqrt(math.fsum(squares[a:b])) for a, b in zip(bounds[:-1], bounds[1:])])
    zero = norms == 0.0
    norms[zero] = 1.0
    out[:] = sums.reshape(texts, dim) / norms[:, None]
    out[zero, 0] = 1.0  # every feature cancelled out: keep a defined direction
