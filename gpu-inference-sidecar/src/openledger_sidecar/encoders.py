"""Text encoders. Pure functions of their input: no I/O, no model download.

The hashing encoder maps word uni- and bi-grams of a normalized text into a fixed number of
dimensions with a keyed-free BLAKE2b hash (stable across runs, machines and Python versions),
signs each feature by another hash bit so collisions cancel on average, and L2-normalizes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

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
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, text in enumerate(texts):
            try:
                out[i] = self.encode(text)
            except ValueError as e:
                raise EncodeError(i, str(e)) from e
        return out


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


ENCODERS = ("hashing-ngram", "minilm-l6-v2", "precomputed")


def make_encoder(name: str, device: str = "cpu", hashing_dim: int = 384):
    """An encoder by id; the transformer is imported (with torch) only when asked for."""
    if name == "hashing-ngram":
        return HashingEncoder(dim=hashing_dim)
    if name == "precomputed":
        return PrecomputedEncoder()
    if name == "minilm-l6-v2":
        from .transformer_encoder import TransformerEncoder

        return TransformerEncoder(device=device)
    raise ValueError(f"unknown encoder '{name}'; known: {', '.join(ENCODERS)}")
