"""The `address_match` table: every record's address resolved, and a registry's held code checked.

The caller (the nightly flow) stacks the address column of every feed into one frame of
`source`, `record_id`, `address_raw` and, for registry records, `held_code` (标准地址编码).
Matching does not know feed names; it resolves each distinct text once for all feeds.
"""

from __future__ import annotations

import polars as pl

from recon.matching.address_index import AddressIndex
from recon.matching.address_resolve import resolve_addresses

HELD_CODE_CHECKS = ("agrees", "differs", "blank", "unresolved")


def address_match(records: pl.DataFrame, index: AddressIndex, workers: int | None = None) -> pl.DataFrame:
    """One row per record: source, record_id, address_raw, std_address_code, status, confidence,
    reason, address_norm, candidates, and (when `held_code` is given) held_code, held_code_check.

    held_code_check: `agrees`; `differs` (the contract's code_mismatch); `blank` (nothing held: never a mismatch);
    `unresolved` (the address resolves to no dwelling, so the held code cannot be checked).
    """
    missing = [c for c in ("source", "record_id", "address_raw") if c not in records.columns]
    if missing:
        raise ValueError(
            f"address_match needs columns {missing}; got {records.columns}. "
            "Stack each feed's address column as address_raw with its source and record_id."
        )
    resolved = resolve_addresses(records.get_column("address_raw"), index, workers=workers)
    out = records.select("source", "record_id").with_columns(resolved)
    cols = ["source", "record_id", "address_raw", "std_address_code", "status", "confidence", "reason",
            "address_norm", "candidates"]  # fmt: skip
    if "held_code" not in records.columns:
        return out.select(cols)
    out = out.with_columns(held_code=records.get_column("held_code").cast(pl.Utf8).str.strip_chars())
    out = out.with_columns(
        held_code=pl.when(pl.col("held_code").is_in(["", "NULL", "null", "无", "-", "/"]))
        .then(None)
        .otherwise(pl.col("held_code"))
    )
    check = (
        pl.when(pl.col("held_code").is_null())
        .then(pl.lit("blank"))
        .when(pl.col("std_address_code").is_null())
        .then(pl.lit("unresolved"))
        .when(pl.col("held_code") == pl.col("std_address_code"))
        .then(pl.lit("agrees"))
        .otherwise(pl.lit("differs"))
    )
    return out.with_columns(held_code_check=check).select(*cols, "held_code", "held_code_check")
