"""What the Flight server does, apart from Flight: models, Datanet indexes, encoding, scoring.

Holds only state it can rebuild; the Flink attribution job owns the truth and re-seeds it.
Every size a batch brings (rows, a precomputed vector's width, text lengths, rows x k) is checked
against `limits.Limits`, and what it will allocate is held in the memory budget, before any array
of that size exists. An index lives in one encoder's vector space, so it is keyed by (Datanet,
encoder): two models over one Datanet with different encoders score against two indexes. Its rows
live in the arena of its encoder (`arenas`), beside the other Datanets', so a model is scored in
one pass over all its Datanets. A model's memory is the sum of its indexes' rows (an index shared
by two models counts for both); the budget holds the arenas.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arenas import Arenas, score_answer
from .arenas import score as score_arena
from .backends import NumpyStore, Store
from .columns import RequestError, int64_column, vector_shape, vector_values
from .encoders import EncodeError, make_encoder
from .index import DatanetIndex
from .limits import LimitError, Limits, batch_need, check_int64
from .memory import CapacityError, MemoryBudget
from .span_index import METHOD_ID as SPAN_METHOD_ID
from .span_index import VERSION as SPAN_VERSION
from .span_index import SpanIndex


@dataclass(frozen=True)
class _Shape:
    """What a batch will need, known before anything of its size is allocated."""

    rows: int
    dim: int
    given: np.ndarray  # row has a vector
    text_bytes: int
    longest_text: int


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
SPAN_SCORE_RESULT = SCORE_RESULT.append(pa.field("points", pa.int64()))
DEFAULT_ENCODER = "hashing-ngram"
EMBEDDING, SPAN = "embedding", "span"
METHODS = (EMBEDDING, SPAN)  # what a score request's `method` may name


class _SpanMethod:
    """What span-scored results are tagged with, in the place of an encoder."""

    encoder_id = SPAN_METHOD_ID
    version = SPAN_VERSION


@dataclass(frozen=True)
class Model:
    model_id: int
    datanet_ids: tuple[int, ...]
    encoder: str


class AttributionService:
    """Models → Datanets, one index per (Datanet, encoder), encoders made on first use."""

    def __init__(
        self,
        store: type[Store] = NumpyStore,
        memory_limit: int = 4 << 30,
        device: str = "cpu",
        hashing_dim: int = 384,
        limits: Limits | None = None,
    ) -> None:
        self.limits = limits or Limits()
        if hashing_dim > self.limits.max_dim:
            raise ValueError(f"hashing dim {hashing_dim} is over the max dim {self.limits.max_dim}")
        self.store = store
        self.budget = MemoryBudget(memory_limit)
        self._device = device
        self._hashing_dim = hashing_dim
        self._lock = threading.RLock()
        self._encoders: dict[str, object] = {}
        self._models: dict[int, Model] = {}
        self._indexes: dict[tuple[int, str], DatanetIndex] = {}
        self._arenas = Arenas(store, self.budget)  # the indexes' rows, one arena per encoder space
        # One span index over every Datanet's texts, fed by the same `index` calls as the
        # embedding indexes, so a model may be scored by either method (`score(method=...)`).
        self._span = SpanIndex(budget=self.budget)

    @property
    def backend(self) -> str:
        return self.store.backend

    def encoder(self, name: str):
        with self._lock:
            if name not in self._encoders:
                try:
                    self._encoders[name] = make_encoder(name, self._device, self._hashing_dim)
                except ValueError as e:
                    raise RequestError(str(e)) from e
            return self._encoders[name]

    def register_model(self, model_id: int, datanet_ids: list[int], encoder: str = DEFAULT_ENCODER) -> None:
        if not datanet_ids or not all(isinstance(d, int) and not isinstance(d, bool) for d in datanet_ids):
            raise RequestError(f"model {model_id} needs a non-empty list of integer Datanet ids")
        if len(datanet_ids) > self.limits.max_model_datanets:
            raise RequestError(
                f"model {model_id} names {len(datanet_ids)} Datanets, over the limit of "
                f"{self.limits.max_model_datanets} (max_model_datanets)"
            )
        try:
            for value in (model_id, *datanet_ids):
                check_int64("model or Datanet id", value)
        except LimitError as e:
            raise RequestError(str(e)) from e
        self.encoder(encoder)
        with self._lock:
            if int(model_id) not in self._models and len(self._models) >= self.limits.max_models:
                raise RequestError(f"already {len(self._models)} models, the limit (max_models)")
            self._models[int(model_id)] = Model(int(model_id), tuple(sorted(set(datanet_ids))), encoder)

    def reset(self) -> None:
        """Forgets every model and index (their owner re-seeds from its own state)."""
        with self._lock:
            for index in self._indexes.values():
                index.release()
            self._indexes.clear()
            self._arenas.release()
            self._models.clear()
            self._span.release()
            self._span = SpanIndex(budget=self.budget)

    def _holding(self, datanet_id: int, contribution_id: int) -> list[DatanetIndex]:
        found = [i for (d, _), i in self._indexes.items() if d == datanet_id and contribution_id in i]
        if not found:
            raise RequestError(f"contribution {contribution_id} is not indexed in Datanet {datanet_id}")
        return found

    def close(self, datanet_id: int, contribution_id: int, at_block: int) -> None:
        """Ends the contribution's active interval in every index of its Datanet."""
        with self._lock:
            for index in self._holding(int(datanet_id), int(contribution_id)):
                index.close(int(contribution_id), int(at_block))
            if int(contribution_id) in self._span:
                self._span.close(int(contribution_id), int(at_block))

    def reopen(self, datanet_id: int, contribution_id: int) -> None:
        with self._lock:
            for index in self._holding(int(datanet_id), int(contribution_id)):
                index.reopen(int(contribution_id))
            if int(contribution_id) in self._span:
                self._span.reopen(int(contribution_id))

    def _shape(self, batch: pa.RecordBatch, encoder, dim: int | None) -> _Shape:
        """Rows, width and text sizes of a batch, each within its limit; nothing of the batch's
        size is allocated yet. `dim` is the index's; a new precomputed index takes the first
        vector's width, at most `max_dim`."""
        names, rows = batch.schema.names, batch.num_rows
        given, lengths = np.zeros(rows, bool), np.zeros(rows, np.int64)
        if "vector" in names:
            given, lengths = vector_shape(batch.column("vector"))
        text_bytes = longest = 0
        if "text" in names:
            texts = batch.column("text")
            if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
                raise RequestError(f"column 'text' must be strings, not {texts.type}")
            sizes = pc.binary_length(texts).to_numpy(zero_copy_only=False)
            sizes = np.nan_to_num(sizes.astype(np.float64)).astype(np.int64)  # null texts: 0
            text_bytes, longest = int(sizes.sum()), int(sizes.max(initial=0))
            if longest > self.limits.max_text_bytes:
                row = int(np.argmax(sizes))
                raise RequestError(
                    f"row {row}: text of {longest} bytes, over the limit of {self.limits.max_text_bytes} (max_text_bytes)"
                )
        dim = dim or encoder.dim or (int(lengths[given][0]) if given.any() else None)
        if dim is None:
            raise RequestError(f"encoder '{encoder.encoder_id}' takes vectors, not text: send a 'vector' column")
        try:
            self.limits.check_dim(dim)
        except LimitError as e:
            raise RequestError(str(e)) from e
        wrong = np.nonzero(given & (lengths != dim))[0]
        if len(wrong):
            raise RequestError(f"row {wrong[0]}: vector of {lengths[wrong[0]]} dims, expected {dim}")
        return _Shape(rows, dim, given, text_bytes, longest)

    def _vectors(self, batch: pa.RecordBatch, encoder, shape: _Shape) -> np.ndarray:
        """Unit vectors of a checked batch: the `vector` column where given, else the encoded `text`."""
        rows, dim, given = shape.rows, shape.dim, shape.given
        texts = batch.column("text").to_pylist() if "text" in batch.schema.names else [None] * rows
        out = np.zeros((rows, dim), np.float32)
        if given.any():
            matrix = vector_values(batch.column("vector")).reshape(-1, dim)
            norms = np.linalg.norm(matrix, axis=1)
            bad = ~np.isfinite(norms) | (norms == 0.0)
            if bad.any():
                raise RequestError(f"row {np.nonzero(given)[0][np.argmax(bad)]}: vector is zero or not finite")
            out[given] = matrix / norms[:, None]
        to_encode = np.nonzero(~given)[0].tolist()
        missing = [i for i in to_encode if texts[i] is None]
        if missing:
            raise RequestError(f"row {missing[0]}: neither text nor vector")
        if to_encode:
            try:
                out[to_encode] = encoder.encode_batch([texts[i] for i in to_encode])
            except EncodeError as e:  # the encoder counts rows among the texts: map back to the batch
                raise RequestError(f"row {to_encode[e.row]}: {e.reason}") from e
        return out

    def _hold(self, label: str, shape: _Shape, matches: int = 0):
        need = batch_need(shape.rows, shape.dim, shape.text_bytes, shape.longest_text, matches)
        return self.budget.hold(label, need, f" for a batch of {shape.rows} rows x {shape.dim} dims")

    def index(self, datanet_id: int, batch: pa.RecordBatch, encoder: str = DEFAULT_ENCODER, matches: bool = True) -> pa.RecordBatch:
        """Indexes contributions; answers each with its best earlier active match in the Datanet."""
        ids = int64_column(batch, "contribution_id")
        froms = int64_column(batch, "active_from")
        tos = int64_column(batch, "active_to", nullable=True)
        enc = self.encoder(encoder)
        key = (int(datanet_id), encoder)
        owner = f"index(datanet={datanet_id}, encoder={encoder})"
        with self._lock:
            existing = self._indexes.get(key)
            shape = self._shape(batch, enc, existing.dim if existing else None)
            with self._hold(owner, shape):
                vectors = self._vectors(batch, enc, shape)
                index = existing or self._arenas.new_index(int(datanet_id), encoder, shape.dim, owner)
                try:
                    results = index.insert_batch(ids, vectors, froms, matches=matches)
                except (ValueError, CapacityError) as e:
                    if existing is None:
                        self._arenas.drop_if_empty(encoder, shape.dim)  # a new arena that took nothing
                    raise RequestError(str(e)) if isinstance(e, ValueError) else e
                self._indexes[key] = index
                spanned = self._span_add(int(datanet_id), batch, ids, froms, index)
                if tos is not None:  # re-seeding: intervals already closed by the log
                    closed = batch.column("active_to").is_valid().to_numpy(zero_copy_only=False)
                    for c, to in zip(ids[closed].tolist(), tos[closed].tolist()):
                        index.close(int(c), int(to))
                        if int(c) in spanned:
                            self._span.close(int(c), int(to))
        best = [r.best_match for r in results]
        return pa.RecordBatch.from_arrays(
            [
                pa.array(ids, pa.int64()),
                pa.array([m.contribution_id if m else None for m in best], pa.int64()),
                pa.array([m.score if m else None for m in best], pa.float32()),
            ],
            schema=self._tagged(INDEX_RESULT, enc),
        )

    def _span_add(self, datanet_id: int, batch: pa.RecordBatch, ids: np.ndarray, froms: np.ndarray, index) -> set[int]:
        """Adds the batch's text rows to the span index, those it does not hold already (a Datanet
        indexed for a second encoder brings the same contributions again). All or nothing with
        the embedding rows just inserted: if the span index cannot take them they are closed at
        their first block, never active, and may be indexed again."""
        if "text" not in batch.schema.names:
            return set()
        texts = batch.column("text").to_pylist()
        rows = [
            i for i, (c, start) in enumerate(zip(ids.tolist(), froms.tolist()))
            if texts[i] is not None and self._span.accepts(int(c), int(start))
        ]
        try:
            self._span.add_batch(datanet_id, ids[rows].tolist(), [texts[i] for i in rows], froms[rows].tolist())
        except (ValueError, CapacityError) as e:
            for c, start in zip(ids.tolist(), froms.tolist()):
                index.close(int(c), int(start))
            raise RequestError(str(e)) if isinstance(e, ValueError) else e
        return {int(ids[i]) for i in rows}

    def score(
        self, model_id: int, k: int, threshold: float, batch: pa.RecordBatch, method: str = EMBEDDING
    ) -> pa.RecordBatch:
        """Top-k contributions of the model's Datanets active at each query's block, by the
        embedding index (cosine of the model's encoder) or by span matching of the query text."""
        model = self._models.get(int(model_id))
        if model is None:
            raise RequestError(f"unknown model {model_id}: register it first")
        if method not in METHODS:
            raise RequestError(f"unknown method '{str(method)[:100]}'; known: {', '.join(METHODS)}")
        try:
            self.limits.check_matches(batch.num_rows, k)
        except LimitError as e:
            raise RequestError(str(e)) from e
        if method == SPAN:
            return self._score_span(model, k, threshold, batch)
        inference_ids = int64_column(batch, "inference_id")
        blocks = int64_column(batch, "block")
        enc = self.encoder(model.encoder)
        with contextlib.ExitStack() as held:  # the hold lasts until the answer is built
            with self._lock:
                indexes = [self._indexes[(d, model.encoder)] for d in model.datanet_ids if (d, model.encoder) in self._indexes]
                dims = {i.dim for i in indexes}
                if len(dims) > 1:
                    raise RequestError(f"model {model_id}'s Datanets hold vectors of {sorted(dims)} dims: one width per model")
                shape = self._shape(batch, enc, next(iter(dims)) if dims else None)
                held.enter_context(self._hold(f"score(model={model_id})", shape, batch.num_rows * k))
                vectors = self._vectors(batch, enc, shape)
                # One pass over the rows of all the model's Datanets (they share one arena).
                ranked = score_arena(indexes, vectors, blocks, k, threshold)
            return score_answer(ranked, inference_ids, self._tagged(SCORE_RESULT, enc))

    def _score_span(self, model: Model, k: int, threshold: float, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Span scoring: the top-k by points of each query's text, kept where the share of the
        query they cover (the score) reaches the threshold."""
        inference_ids = int64_column(batch, "inference_id").tolist()
        blocks = int64_column(batch, "block").tolist()
        if "text" not in batch.schema.names:
            raise RequestError("span scoring needs a 'text' column: the inference's output")
        shape = self._shape_texts(batch)
        texts = batch.column("text").to_pylist()
        missing = [i for i, t in enumerate(texts) if t is None]
        if missing:
            raise RequestError(f"row {missing[0]}: span scoring needs text")
        with self._hold(f"score(model={model.model_id}, method=span)", shape, batch.num_rows * k):
            with self._lock:
                results = self._span.query_batch(texts, blocks, model.datanet_ids, k)
            rows = [
                {
                    "inference_id": inference_ids[q],
                    "rank": rank,
                    "contribution_id": m.contribution_id,
                    "score": m.score,
                    "points": m.points,
                }
                for q, matches in enumerate(results)
                for rank, m in enumerate((m for m in matches if m.score >= threshold), start=1)
            ]
            return pa.RecordBatch.from_pylist(rows, schema=self._tagged(SPAN_SCORE_RESULT, _SpanMethod))

    def _shape_texts(self, batch: pa.RecordBatch) -> _Shape:
        """Sizes of a batch of texts only (no vectors): for the memory hold of span scoring."""
        texts = batch.column("text")
        if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
            raise RequestError(f"column 'text' must be strings, not {texts.type}")
        sizes = np.nan_to_num(pc.binary_length(texts).to_numpy(zero_copy_only=False).astype(np.float64)).astype(np.int64)
        longest = int(sizes.max(initial=0))
        if longest > self.limits.max_text_bytes:
            raise RequestError(
                f"row {int(np.argmax(sizes))}: text of {longest} bytes, over the limit of "
                f"{self.limits.max_text_bytes} (max_text_bytes)"
            )
        return _Shape(batch.num_rows, 0, np.zeros(batch.num_rows, bool), int(sizes.sum()), longest)

    def _tagged(self, schema: pa.Schema, encoder) -> pa.Schema:
        """Every result names the encoder (id and version) and the backend that produced it."""
        return schema.with_metadata(
            {"encoder_id": encoder.encoder_id, "encoder_version": str(encoder.version), "backend": self.backend}
        )

    def stats(self) -> dict:
        """Sizes per index and memory per model: what /metrics and the `stats` action show."""
        with self._lock:
            indexes = {key: (len(i), i.nbytes) for key, i in self._indexes.items()}
            span = self._span.stats()
            arenas = self._arenas.stats()
            models = {
                m.model_id: sum(indexes.get((d, m.encoder), (0, 0))[1] for d in m.datanet_ids)
                for m in self._models.values()
            }
        device = {}
        if self.backend == "torch-cuda":
            from .torch_backend import device_memory

            device = device_memory()
        return {
            "backend": self.backend,
            "device": device,
            "memory_limit_bytes": self.budget.limit,
            "memory_used_bytes": self.budget.used,
            "indexes": [
                {"datanet_id": d, "encoder": e, "rows": rows, "bytes": nbytes}
                for (d, e), (rows, nbytes) in sorted(indexes.items())
            ],
            "models": [{"model_id": m, "bytes": b} for m, b in sorted(models.items())],
            "arenas": arenas,
            "span": span,
        }


__all__ = [
    "AttributionService", "CapacityError", "RequestError", "INDEX_RESULT", "SCORE_RESULT", "SPAN_SCORE_RESULT",
    "METHODS", "EMBEDDING", "SPAN",
]
