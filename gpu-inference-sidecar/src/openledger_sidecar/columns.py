"""Arrow columns of a request as NumPy arrays, checked: vectors' sizes before their values, integer
ids and blocks within int64. Refusals are `RequestError`s naming the column (the caller's to fix).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


class RequestError(ValueError):
    """A request the sidecar refuses, with a message for the caller."""


def vector_shape(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(row has a vector, its length) of a list or fixed-size-list column of numbers: sizes only,
    read from the offsets, so they can be checked before the values are copied."""
    kind = column.type
    if not (pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind)):
        raise RequestError(f"column 'vector' must be a list of floats, not {kind}")
    if not (pa.types.is_floating(kind.value_type) or pa.types.is_integer(kind.value_type)):
        raise RequestError(f"column 'vector' must hold floats, not {kind.value_type}")
    given = column.is_valid().to_numpy(zero_copy_only=False)
    lengths = pc.fill_null(pc.list_value_length(column), 0).to_numpy(zero_copy_only=False)
    return given, lengths


def vector_values(column: pa.Array) -> np.ndarray:
    """The given rows' values as flat float32, without a Python object per value."""
    try:
        return column.flatten().cast(pa.float32(), safe=False).to_numpy(zero_copy_only=False)  # a null value: NaN
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
        raise RequestError(f"column 'vector' must hold floats: {e}") from e


def int64_column(batch: pa.RecordBatch, name: str, nullable: bool = False) -> np.ndarray | None:
    """An integer column as int64 (None when absent and nullable); refuses other types, values
    past int64 and, unless nullable, nulls: these are ids and blocks."""
    if name not in batch.schema.names:
        if nullable:
            return None
        raise RequestError(f"batch lacks column '{name}'")
    column = batch.column(name)
    if not pa.types.is_integer(column.type):
        raise RequestError(f"column '{name}' must be integers, not {column.type}")
    if column.null_count and not nullable:
        raise RequestError(f"column '{name}' has nulls")
    try:
        column = column.cast(pa.int64(), safe=True)
    except pa.ArrowInvalid as e:
        raise RequestError(f"column '{name}' has values past int64: {e}") from e
    return column.to_numpy(zero_copy_only=False)
