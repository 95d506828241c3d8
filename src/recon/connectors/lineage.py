"""Lineage columns of accepted rows: `_source_file`, `_source_row`, `_row_hash`, `_extra`.

`_row_hash` is polars' `hash` of the row's typed contract values (seeded, so it is the same in
every process), written as 16 hex digits. Polars only promises this hash is stable within one
polars version; our lock file pins polars, so hashes from night to night compare. Upgrading
polars changes every `_row_hash` once: every row then looks changed for one run, and nothing
is lost.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

_SEED = 0x5EC0


def row_hash_expr(columns: list[str]) -> pl.Expr:
    """UInt64 hash of the given columns' values, row-wise (null values hash as null)."""
    return pl.struct(columns).hash(seed=_SEED)


def to_hex(hashes: pl.Series) -> pl.Series:
    """UInt64 → 16 lowercase hex digits, big-endian (via one Arrow buffer, no Python loop)."""
    values = hashes.cast(pl.UInt64).to_numpy().astype(">u8")
    buffer = pa.py_buffer(np.ascontiguousarray(values).tobytes())
    fixed = pa.FixedSizeBinaryArray.from_buffers(pa.binary(8), len(values), [None, buffer])
    return pl.Series(hashes.name, pl.from_arrow(fixed)).cast(pl.Binary).bin.encode("hex")


def extra_json_expr(extra: dict[str, str]) -> pl.Expr:
    """`_extra`: a JSON object of the non-contract columns (frame column → original header), null when all empty."""
    if not extra:
        return pl.lit(None, dtype=pl.Utf8)
    columns = [pl.col(c).alias(header) for c, header in extra.items()]
    any_value = pl.any_horizontal([pl.col(c).is_not_null() for c in extra])
    return pl.when(any_value).then(pl.struct(columns).struct.json_encode())
