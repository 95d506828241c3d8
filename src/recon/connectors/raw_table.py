"""The format-neutral result of parsing a CSV or XLSX file, before any contract is applied."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

ISSUE_PREFIX = "_issue_"  # Utf8 columns `_issue_<kind>`: a problem found while parsing a row, or null
ROW = "_source_row"  # data rows count from 1; the header is row 0


def column_name(i: int) -> str:
    """The frame column holding the file's i-th column (0-based)."""
    return f"c{i}"


@dataclass
class RawTable:
    """Header cells as written, and the data rows as uncleaned text.

    `frame` holds one Utf8 column per file column (`c0`, `c1`, ...), then `_source_row`
    (Int64), then any `_issue_<kind>` columns (Utf8: the problem found in that row, or null),
    e.g. `_issue_encoding` and `_issue_ragged` for CSV. (Plain Utf8 columns, not one list
    column: polars concatenates them into the row's reasons much faster.)
    """

    headers: list[str | None]
    frame: pl.DataFrame
    encoding: str
    warnings: list[str] = field(default_factory=list)
    title_rows: int = 0  # rows above the header that were skipped

    @property
    def width(self) -> int:
        return len(self.headers)

    @property
    def issue_columns(self) -> list[str]:
        return issue_columns(self.frame)


def issue_columns(frame: pl.DataFrame) -> list[str]:
    """The `_issue_<kind>` columns of a frame."""
    return [c for c in frame.columns if c.startswith(ISSUE_PREFIX)]


def with_row_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """Add `_source_row` counting data rows from 1."""
    return frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
