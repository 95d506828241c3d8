"""Shapes every connector returns: the same for all feeds (dlt verified-source style)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

# Lineage columns carried by every accepted row into the raw layer.
LINEAGE_COLUMNS = ("_source_file", "_source_row", "_row_hash", "_extra")

QUARANTINE_SCHEMA = {
    "source": pl.Utf8,
    "source_file": pl.Utf8,
    "source_row": pl.Int64,  # data rows count from 1; the header is row 0
    "record_id": pl.Utf8,  # null when the key itself is missing
    "reasons": pl.List(pl.Utf8),  # every reason found, in Chinese-free English text with the value shown
}


@dataclass(frozen=True)
class DropFile:
    """One file found in a feed folder."""

    source: str
    path: Path
    sha256: str
    size: int
    order_key: tuple  # files of one feed are applied in this order (oldest first)
    community: str | None = None  # community_roster only, from the file name
    quarter: str | None = None  # community_roster only, e.g. "2026Q3"


@dataclass(frozen=True)
class FileRejected:
    """A file refused whole (missing required columns, not a table, undecodable)."""

    source: str
    source_file: str
    message: str  # names the file, the missing columns and the columns it has; says how to fix
    missing_columns: tuple[str, ...] = ()
    found_columns: tuple[str, ...] = ()


@dataclass
class ReadResult:
    """What reading one file gives: accepted rows, quarantined rows, or a rejection."""

    source: str
    source_file: str
    rows_read: int
    accepted: pl.DataFrame  # record_id, contract English columns (typed), lineage columns
    quarantine: pl.DataFrame  # QUARANTINE_SCHEMA
    rejected: FileRejected | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.rejected is None and self.rows_read != self.accepted.height + self.quarantine.height:
            raise AssertionError(
                f"{self.source_file}: rows read ({self.rows_read}) != accepted ({self.accepted.height})"
                f" + quarantined ({self.quarantine.height}); a row was lost"
            )
