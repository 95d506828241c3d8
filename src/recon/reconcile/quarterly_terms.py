"""Terms of the quarterly statement: section names, the item schema, quarters, activity."""

from __future__ import annotations

import re
from datetime import date, timedelta

import polars as pl

CONSISTENT = "一致"
ROSTER_ONLY = "底册有、登记无"
REGISTRY_ONLY = "登记有、底册无"
MISMATCH = "信息不一致"
LOCAL = "户籍人口"
GRID = "网格走访不符"

# the reconciled sections (rates are shares of these); 户籍人口 and 网格走访不符 are listed apart
SECTIONS = (CONSISTENT, ROSTER_ONLY, REGISTRY_ONLY, MISMATCH)
ALL_SECTIONS = (*SECTIONS, LOCAL, GRID)

ITEM_SCHEMA = {
    "item_id": pl.Utf8,  # R:<roster record> / G:<registration> / V:<grid visit>: stable across reruns
    "quarter": pl.Utf8,
    "street": pl.Utf8,
    "community": pl.Utf8,
    "section": pl.Utf8,
    "roster_record_id": pl.Utf8,
    "roster_seq": pl.Utf8,
    "registration_id": pl.Utf8,
    "registration_community": pl.Utf8,
    "person_id": pl.Utf8,
    "roster_name": pl.Utf8,
    "registry_name": pl.Utf8,
    "roster_id_number": pl.Utf8,
    "registry_id_number": pl.Utf8,
    "roster_phone": pl.Utf8,
    "registry_phone": pl.Utf8,
    "roster_address": pl.Utf8,
    "registry_address": pl.Utf8,
    "roster_dwelling": pl.Utf8,
    "registry_dwelling": pl.Utf8,
    "registered_on": pl.Date,
    "collector": pl.Utf8,
    "differences": pl.Utf8,
    "evidence_dwelling": pl.Utf8,
    "evidence_since": pl.Date,
    "evidence_record": pl.Utf8,
    "evidence_supports": pl.Utf8,
    "suggested_action": pl.Utf8,
    "remark": pl.Utf8,
    "visit_id": pl.Utf8,
    "visit_date": pl.Date,
    "visit_result": pl.Utf8,
    "grid_worker": pl.Utf8,
}


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """'2026Q3' -> (2026-07-01, 2026-09-30); a clear error for anything else."""
    m = re.fullmatch(r"\s*(\d{4})\s*[Qq]\s*([1-4])\s*", quarter or "")
    if not m:
        raise ValueError(f"quarter must look like 2026Q3 (year, Q, 1-4); got {quarter!r}")
    y, q = int(m.group(1)), int(m.group(2))
    first = date(y, 3 * q - 2, 1)
    nxt = date(y + (q == 4), (3 * q) % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def quarter_label(quarter: str) -> str:
    first, _ = quarter_bounds(quarter)
    return f"{first.year}Q{(first.month - 1) // 3 + 1}"


def active_at(regs: pl.DataFrame, day: date) -> pl.DataFrame:
    """Registrations active on `day`: 登记日期 <= day and 注销日期 empty or after it."""
    return regs.filter(
        (pl.col("registered_on") <= day)
        & (pl.col("deregistered_on").is_null() | (pl.col("deregistered_on") > day))
    )


def registry_fields() -> list[pl.Expr]:
    """A registration's fields under the item's names for the registry side."""
    return [
        pl.col("record_id").alias("registration_id"),
        pl.col("name").alias("registry_name"),
        pl.col("id_number").alias("registry_id_number"),
        pl.col("phone").alias("registry_phone"),
        pl.col("address").alias("registry_address"),
        pl.col("dwelling").alias("registry_dwelling"),
        pl.col("registered_on"),
        pl.col("collector"),
    ]


def roster_fields() -> list[pl.Expr]:
    """A roster row's (or grid visit's) fields under the item's names for the roster side."""
    return [
        pl.col("name").alias("roster_name"),
        pl.col("id_number").alias("roster_id_number"),
        pl.col("phone").alias("roster_phone"),
        pl.col("address").alias("roster_address"),
        pl.col("dwelling").alias("roster_dwelling"),
    ]


REGISTRY_ITEM_COLUMNS = (
    "registration_id", "registry_name", "registry_id_number", "registry_phone", "registry_address",
    "registry_dwelling", "registered_on", "collector",
)  # fmt: skip


def shape(frame: pl.DataFrame) -> pl.DataFrame:
    """The item columns in ITEM_SCHEMA's order and types; absent ones are null."""
    cols = []
    for name, dtype in ITEM_SCHEMA.items():
        cols.append(pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype).alias(name))
    return frame.select(cols)
