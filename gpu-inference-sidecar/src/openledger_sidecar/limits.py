"""Bounds on everything a client's numbers can size, checked before anything is allocated.

A Flight call carries counts the server would otherwise trust: rows per batch, a precomputed
vector's width, text lengths, `k`, the size of a JSON command. Each is checked here against a
fixed limit first, and what a batch will need in memory is then reserved in the device budget
(`MemoryBudget.hold`) before the arrays exist, so a hostile or buggy request gets a clear
`[bad-request]` or `[capacity]` answer instead of an out-of-memory crash.

What cannot be bounded from Python: Arrow C++ lets gRPC receive a message of any length (up to
gRPC's own 2 GiB) and pyarrow exposes no server option to lower it, so one batch is in memory
before `check_batch` sees it. That is why the token is checked first (before DoExchange reads
any batch) and why `max_batch_bytes` refuses the batch right after it arrives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyarrow as pa

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
_FLOAT32 = 4


class LimitError(ValueError):
    """A request over one of the sidecar's limits; the message names the limit and its option."""


@dataclass(frozen=True)
class Limits:
    """The sidecar's request limits (defaults fit the Flink client and the benchmark with room)."""

    max_command_bytes: int = 64 << 10  # JSON of a DoExchange descriptor or an action body
    max_batch_rows: int = 65_536  # rows of one record batch (the Java client sends 4096)
    max_batch_bytes: int = 256 << 20  # Arrow buffers of one record batch, as received
    max_exchange_batches: int = 1 << 20  # record batches in one DoExchange call
    max_dim: int = 4096  # width of a precomputed vector (an index's dimension)
    max_text_bytes: int = 4 << 20  # UTF-8 bytes of one row's text (content is capped at 1 MiB)
    max_matches: int = 1 << 18  # rows x k of one score batch: the matches it may answer with
    max_k: int = 1000
    max_model_datanets: int = 4096
    max_models: int = 100_000

    def __post_init__(self) -> None:
        for name, value in self.__dict__.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"limit {name} must be a positive integer, got {value!r}")

    def check_command_size(self, raw: bytes, what: str) -> None:
        if len(raw) > self.max_command_bytes:
            raise LimitError(
                f"{what} is {len(raw)} bytes, over the limit of {self.max_command_bytes} (max_command_bytes)"
            )

    def check_batch(self, batch: pa.RecordBatch, batches_so_far: int) -> None:
        """Count, rows and bytes of a received batch, then a full validation of its buffers (a
        list's offsets are client data: unchecked, they would make a read run past its values)."""
        if batches_so_far >= self.max_exchange_batches:
            raise LimitError(f"more than {self.max_exchange_batches} record batches in one call (max_exchange_batches)")
        if batch.num_rows > self.max_batch_rows:
            raise LimitError(
                f"record batch of {batch.num_rows} rows, over the limit of {self.max_batch_rows} "
                "(--max-batch-rows): send smaller batches"
            )
        size = batch.get_total_buffer_size()
        if size > self.max_batch_bytes:
            raise LimitError(
                f"record batch of {size} bytes, over the limit of {self.max_batch_bytes} "
                "(--max-batch-bytes): send smaller batches"
            )
        try:
            batch.validate(full=True)
        except pa.ArrowException as e:
            raise LimitError(f"record batch is malformed: {e}") from e

    def check_dim(self, dim: int) -> None:
        if not 1 <= dim <= self.max_dim:
            raise LimitError(f"vector width {dim} is outside 1..{self.max_dim} (--max-dim)")

    def check_matches(self, rows: int, k: int) -> None:
        if not 1 <= k <= self.max_k:
            raise LimitError(f"k must be between 1 and {self.max_k}, got {k}")
        if rows * k > self.max_matches:
            raise LimitError(
                f"{rows} queries x k={k} may answer {rows * k} matches, over the limit of "
                f"{self.max_matches} per batch (max_matches): send fewer queries per batch"
            )


def check_int64(name: str, value: int) -> int:
    """An id or a block number that must fit the int64 columns it is stored in."""
    if not INT64_MIN <= value <= INT64_MAX:
        raise LimitError(f"'{name}' {value} does not fit a signed 64-bit integer")
    return value


def check_finite(name: str, value: float) -> float:
    try:
        number = float(value)
    except OverflowError as e:
        raise LimitError(f"'{name}' is too large for a float") from e
    if not math.isfinite(number):
        raise LimitError(f"'{name}' must be a finite number, got {value}")
    return number


def batch_need(rows: int, dim: int, text_bytes: int, max_row_text_bytes: int, matches: int = 0) -> int:
    """Bytes a batch will allocate while it is served, reserved before any of it exists: the
    vectors three times (values cast to float32, normalized, the output), the texts as Python
    strings and an allowance for tokenizing the longest one, and each possible match as Python
    objects (a Match and its answer row)."""
    return 3 * rows * dim * _FLOAT32 + 4 * text_bytes + 64 * max_row_text_bytes + 512 * matches


__all__ = ["Limits", "LimitError", "batch_need", "check_int64", "check_finite", "INT64_MIN", "INT64_MAX"]
