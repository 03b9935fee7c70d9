"""What the Flight server does, apart from Flight: models, Datanet indexes, encoding, scoring.

Holds only state it can rebuild; the Flink attribution job owns the truth and re-seeds it.
"""

from __future__ import annotations

import threading

import numpy as np
import pyarrow as pa

from .encoders import HashingEncoder
from .index import DatanetIndex


class RequestError(ValueError):
    """A request the sidecar refuses, with a message for the caller."""


INDEX_RESULT = pa.schema(
    [("contribution_id", pa.int64()), ("match_id", pa.int64()), ("match_score", pa.float32())]
)
SCORE_RESULT = pa.schema(
    [
        ("inference_id", pa.int64()),
        ("rank", pa.int32()),
        ("contribution_id", pa.int64()),
        ("score", pa.float32()),
    ]
)


class AttributionService:
    """Models → Datanets, one index per Datanet, one encoder for every vector it makes."""

    def __init__(self, encoder: HashingEncoder | None = None) -> None:
        self.encoder = encoder or HashingEncoder()
        self._lock = threading.Lock()
        self._models: dict[int, list[int]] = {}
        self._indexes: dict[int, DatanetIndex] = {}

    def register_model(self, model_id: int, datanet_ids: list[int]) -> None:
        if not datanet_ids:
            raise RequestError(f"model {model_id} has no Datanets")
        with self._lock:
            self._models[int(model_id)] = [int(d) for d in datanet_ids]

    def close(self, datanet_id: int, contribution_id: int, at_block: int) -> None:
        with self._lock:
            index = self._indexes.get(int(datanet_id))
            if index is None:
                raise RequestError(f"unknown Datanet {datanet_id}")
            try:
                index.close(int(contribution_id), int(at_block))
            except KeyError as e:
                raise RequestError(str(e)) from e

    def memory_bytes(self) -> int:
        return sum(i.nbytes for i in self._indexes.values())

    def _vectors(self, batch: pa.RecordBatch) -> np.ndarray:
        """Vectors of a batch: the `vector` column where given, else the encoded `text`."""
        names = batch.schema.names
        rows = batch.num_rows
        texts = batch.column("text").to_pylist() if "text" in names else [None] * rows
        given = batch.column("vector").to_pylist() if "vector" in names else [None] * rows
        out = np.zeros((rows, self.encoder.dim), np.float32)
        for i, (text, vector) in enumerate(zip(texts, given)):
            if vector is not None:
                v = np.asarray(vector, np.float32)
                if v.shape != (self.encoder.dim,):
                    raise RequestError(f"row {i}: vector of {v.shape[0]} dims, expected {self.encoder.dim}")
                norm = float(np.linalg.norm(v))
                if norm == 0.0:
                    raise RequestError(f"row {i}: zero vector")
                out[i] = v / norm
            elif text is not None:
                try:
                    out[i] = self.encoder.encode(text)
                except ValueError as e:
                    raise RequestError(f"row {i}: {e}") from e
            else:
                raise RequestError(f"row {i}: neither text nor vector")
        return out

    def index(self, datanet_id: int, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Indexes contributions; answers each with its best earlier active match in the Datanet."""
        for column in ("contribution_id", "active_from"):
            if column not in batch.schema.names:
                raise RequestError(f"index batch lacks column '{column}'")
        vectors = self._vectors(batch)
        ids = batch.column("contribution_id").to_pylist()
        blocks = batch.column("active_from").to_pylist()
        with self._lock:
            index = self._indexes.setdefault(int(datanet_id), DatanetIndex(self.encoder.dim))
            results = [index.insert(int(c), vectors[i], int(blocks[i])) for i, c in enumerate(ids)]
        return pa.RecordBatch.from_pylist(
            [
                {
                    "contribution_id": r.contribution_id,
                    "match_id": r.best_match.contribution_id if r.best_match else None,
                    "match_score": r.best_match.score if r.best_match else None,
                }
                for r in results
            ],
            schema=INDEX_RESULT,
        )

    def score(self, model_id: int, k: int, threshold: float, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Top-k contributions of the model's Datanets active at each query's block."""
        datanets = self._models.get(int(model_id))
        if datanets is None:
            raise RequestError(f"unknown model {model_id}: register it first")
        for column in ("inference_id", "block"):
            if column not in batch.schema.names:
                raise RequestError(f"score batch lacks column '{column}'")
        vectors = self._vectors(batch)
        rows = []
        with self._lock:
            indexes = [self._indexes[d] for d in datanets if d in self._indexes]
            for i, (inference, block) in enumerate(
                zip(batch.column("inference_id").to_pylist(), batch.column("block").to_pylist())
            ):
                matches = [m for idx in indexes for m in idx.query(vectors[i : i + 1], int(block), k, threshold)[0]]
                matches.sort(key=lambda m: (-m.score, m.contribution_id))
                for rank, m in enumerate(matches[:k], start=1):
                    rows.append({"inference_id": inference, "rank": rank, "contribution_id": m.contribution_id, "score": m.score})
        return pa.RecordBatch.from_pylist(rows, schema=SCORE_RESULT)
