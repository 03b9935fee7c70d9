"""Text encoders. Pure functions of their input: no I/O, no model download.

The hashing encoder maps word uni- and bi-grams of a normalized text into a fixed number of
dimensions with a keyed-free BLAKE2b hash (stable across runs, machines and Python versions),
signs each feature by another hash bit so collisions cancel on average, and L2-normalizes.
Version 2 (`hashing-ngram-v2`, 2048 dims) adds word pairs up to 3 apart, sublinear counts and a
fixed stop-word weight: on the attribution-quality benchmark (`quality.py`) it ranks a query's
source first far more often (docs/BENCHMARKS.md, "Attribution quality"). Version 1 stays as it
was, so results recorded with it remain reproducible.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata

import numpy as np

from .ngram_hashing import DigestCache, encode_words

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class EncodeError(ValueError):
    """A text of a batch that cannot be encoded; `row` is its position in that batch."""

    def __init__(self, row: int, reason: str) -> None:
        super().__init__(f"row {row}: {reason}")
        self.row = row
        self.reason = reason


def tokens(text: str) -> list[str]:
    """Lower-cased words of the NFKC-normalized text (letters and digits, any script)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def encode_each(encode, texts: list[str], dim: int) -> np.ndarray:
    """The texts encoded one by one into a float32 matrix; the first that cannot be encoded
    raises an EncodeError naming its row."""
    out = np.zeros((len(texts), dim), np.float32)
    for i, text in enumerate(texts):
        try:
            out[i] = encode(text)
        except ValueError as e:
            raise EncodeError(i, str(e)) from e
    return out


class HashingEncoder:
    """Feature hashing of word n-grams into `dim` dimensions; id and version go with every result."""

    encoder_id = "hashing-ngram"
    version = "1"

    def __init__(self, dim: int = 384, max_n: int = 2) -> None:
        if dim < 8 or max_n < 1:
            raise ValueError("dim must be >= 8 and max_n >= 1")
        self.dim = dim
        self.max_n = max_n

    def _features(self, words: list[str]):
        for n in range(1, self.max_n + 1):
            for i in range(len(words) - n + 1):
                yield " ".join(words[i : i + n])

    def encode(self, text: str) -> np.ndarray:
        """A unit float32 vector; a text without words is a ValueError (nothing to attribute)."""
        words = tokens(text)
        if not words:
            raise ValueError("text has no words to encode")
        vector = np.zeros(self.dim, dtype=np.float64)
        for feature in self._features(words):
            digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
            h = int.from_bytes(digest, "little")
            sign = 1.0 if (h >> 63) & 1 == 0 else -1.0
            vector[h % self.dim] += sign
        norm = np.linalg.norm(vector)
        if norm == 0.0:  # every feature cancelled out: keep a defined direction
            vector[0] = 1.0
            norm = 1.0
        return (vector / norm).astype(np.float32)

    accepts_text = True

    def encode_batch(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of the texts; a ValueError names the first row that cannot be encoded."""
        return encode_each(self.encode, texts, self.dim)


# English function words: their features weigh STOP_WEIGHT instead of 1. A fixed list, not corpus
# statistics, so a vector depends on its text alone (an idf table from the index would make it
# depend on what was indexed before). Changing it is a new encoder version.
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each either else
    etc few for from further had has have having he her here hers herself him himself his how i
    if in into is it its itself just may me might more most must my myself no nor not now of off
    on once only or other our ours ourselves out over own same shall she should so some such than
    that the their theirs them themselves then there these they this those through thus to too
    under until up upon us very via was we were what when where whether which while who whom whose
    why will with within without would yet you your yours yourself yourselves""".split()
)
STOP_WEIGHT = 0.2


class HashingEncoderV2:
    """Feature hashing of words and of ordered word pairs up to 3 apart, stop words down-weighted.

    A feature's value is its weight (STOP_WEIGHT for a stop word, or a pair of two stop words;
    else 1) times the square root of its count in the text (sublinear tf); each feature lands in
    bucket h mod dim with sign bit 63 of h, h the little-endian BLAKE2b-64 digest of the feature
    (`w\x1f<word>` or `p\x1f<word> <word>`). Pairs within a window survive dropped, swapped or
    reordered words better than bigrams alone. Values accumulate in float64 in first-occurrence
    order, the norm is an exactly rounded sum (math.fsum) and a correctly rounded sqrt, so the
    vector is bit-identical on every machine. The dimension is part of the version.
    """

    encoder_id = "hashing-ngram-v2"
    version = "2"
    accepts_text = True
    WINDOW = 3  # pairs (w_i, w_j) with 1 <= j - i <= WINDOW

    def __init__(self, dim: int = 2048) -> None:
        if dim < 8:
            raise ValueError("dim must be >= 8")
        self.dim = dim
        self._words: dict[str, int] = {}  # the reference path's cache of word digests (bounded)
        self._digests = DigestCache()  # the fast path's cache of word digests (bounded)

    def _digest(self, feature: str) -> int:
        return int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "little")

    def _word(self, word: str) -> int:
        h = self._words.get(word)
        if h is None:
            if len(self._words) >= 1 << 17:
                self._words.clear()
            h = self._words[word] = self._digest("w\x1f" + word)
        return h

    def features(self, words: list[str]) -> dict[int, float]:
        """Digest -> weight x sqrt(count), in first-occurrence order (words, then their pairs)."""
        counts: dict[int, list] = {}
        for i, word in enumerate(words):
            for h, weight in self._of(words, i, word):
                entry = counts.get(h)
                if entry is None:
                    counts[h] = [weight, 1]
                else:
                    entry[1] += 1
        return {h: weight * math.sqrt(count) for h, (weight, count) in counts.items()}

    def _of(self, words, i, word):
        stop = word in STOP_WORDS
        yield self._word(word), STOP_WEIGHT if stop else 1.0
        for j in range(i + 1, min(i + 1 + self.WINDOW, len(words))):
            other = words[j]
            weight = STOP_WEIGHT if stop and other in STOP_WORDS else 1.0
            yield self._digest(f"p\x1f{word} {other}"), weight

    def encode(self, text: str) -> np.ndarray:
        """A unit float32 vector; a text without words is a ValueError (nothing to attribute)."""
        words = tokens(text)
        if not words:
            raise ValueError("text has no words to encode")
        return encode_words([words], self.dim, self.WINDOW, STOP_WORDS, STOP_WEIGHT, self._digests)[0]

    def encode_batch(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of the texts; a ValueError names the first row that cannot be encoded."""
        word_lists = []
        for i, text in enumerate(texts):  # row by row, so the first bad row is named, as before
            words = tokens(text)
            if not words:
                raise EncodeError(i, "text has no words to encode")
            word_lists.append(words)
        return encode_words(word_lists, self.dim, self.WINDOW, STOP_WORDS, STOP_WEIGHT, self._digests)

    def _reference_encode(self, text: str) -> np.ndarray:
        """`encode` written per feature, as the formula reads: what the fast path must equal."""
        words = tokens(text)
        if not words:
            raise ValueError("text has no words to encode")
        buckets: dict[int, float] = {}
        for h, value in self.features(words).items():
            b = h % self.dim
            buckets[b] = buckets.get(b, 0.0) + (value if (h >> 63) & 1 == 0 else -value)
        norm = math.sqrt(math.fsum(v * v for v in buckets.values()))
        vector = np.zeros(self.dim, dtype=np.float32)
        if norm == 0.0:  # every feature cancelled out: keep a defined direction
            vector[0] = 1.0
            return vector
        for b, v in buckets.items():
            vector[b] = v / norm
        return vector


class PrecomputedEncoder:
    """Vectors supplied with the content (e.g. projected gradient features, TracIn/TRAK-style).

    It encodes nothing: the index takes the vectors' dimension from its first batch, and
    every vector is L2-normalized on the way in like any encoder's output.
    """

    encoder_id = "precomputed"
    version = "1"
    accepts_text = False
    dim = None

    def encode_batch(self, texts: list[str]) -> np.ndarray:
        raise EncodeError(0, "encoder 'precomputed' takes vectors, not text: send a 'vector' column")


ENCODERS = ("hashing-ngram", "hashing-ngram-v2", "minilm-l6-v2", "precomputed")


def make_encoder(name: str, device: str = "cpu", hashing_dim: int = 384):
    """An encoder by id; the transformer is imported (with torch) only when asked for."""
    if name == "hashing-ngram":
        return HashingEncoder(dim=hashing_dim)
    if name == "hashing-ngram-v2":  # its dimension is part of its version: no option changes it
        return HashingEncoderV2()
    if name == "precomputed":
        return PrecomputedEncoder()
    if name == "minilm-l6-v2":
        from .transformer_encoder import TransformerEncoder

        return TransformerEncoder(device=device)
    raise ValueError(f"unknown encoder '{name}'; known: {', '.join(ENCODERS)}")
