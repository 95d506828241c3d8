"""Typing contract columns and finding every reason a row cannot be accepted.

All checks work column-wise (polars Series and expressions, no loop over rows); each yields a
reason text or null per row, and a row's reasons are the non-null ones, in column order. Problems in optional columns are not reasons:
the value becomes null and a one-line summary per column goes to the warnings.
"""

from __future__ import annotations

import polars as pl

from recon.connectors.contract import Column, FeedSpec
from recon.connectors.dates import DATE_FORMS_HINT, parse_dates
from recon.connectors.raw_table import ROW, issue_columns

REASONS = "_reasons"
RECORD_ID = "record_id"
ROW_HASH = "_row_hash"


def _int_expr(text: pl.Expr) -> pl.Expr:
    as_float = text.cast(pl.Float64, strict=False)
    whole = pl.when(as_float == as_float.floor()).then(as_float).cast(pl.Int64, strict=False)
    return pl.coalesce(text.str.to_integer(strict=False), whole)


def _typed(column: Column, text: pl.Series) -> tuple[pl.Series, pl.Series | None]:
    """The typed values and (for date/int/enum) the mask of non-empty texts that are invalid."""
    if column.kind == "date":
        return parse_dates(text)
    if column.kind == "int":
        value = text.to_frame().select(_int_expr(pl.col(column.name))).to_series()
    elif column.kind == "enum":
        value = text.set(~text.is_in(list(column.values)).fill_null(True), None)
    else:
        return text, None
    return value, text.is_not_null() & value.is_null()


def _label(column: Column) -> str:
    """How messages name a column: the header the file carries, then the name the warehouse uses."""
    return f"{column.header} ({column.name})"


def _invalid_text(column: Column) -> str:
    if column.kind == "date":
        return f"unparseable date in {_label(column)}: '{{}}'; write it as a date, {DATE_FORMS_HINT}"
    if column.kind == "int":
        return f"not a whole number in {_label(column)}: '{{}}'"
    return f"value '{{}}' in {_label(column)} is not one of {'/'.join(column.values)}"


def _warning(column: Column, text: pl.Series, invalid: pl.Series) -> str | None:
    count = int(invalid.sum())
    if not count:
        return None
    what = {"date": "not dates", "int": "not whole numbers"}.get(
        column.kind, f"not one of {'/'.join(column.values)}"
    )
    example = text.filter(invalid)[0]
    return f"{_label(column)}: {count} value(s) are {what} and were left empty, e.g. '{example}'"


def check_rows(frame: pl.DataFrame, spec: FeedSpec) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """Type the contract columns and find every reason to quarantine a row.

    `frame` holds the cleaned text of every contract column under its English name and any
    `_issue_<kind>` columns of the parse. Returns the frame with typed columns; the reasons of
    the failing rows only (`_source_row`, `_reasons`: parse issues first, then column checks in
    column order); and the warnings about optional columns (invalid values set to null).
    Reasons are listed for failing rows only because building a list per row of a million-row
    file costs seconds, and failing rows are few.
    """
    typed: list[pl.Series] = []
    masks: list[pl.Series] = []
    checks: list[pl.Expr] = [pl.col(c) for c in issue_columns(frame)]
    warnings: list[str] = []
    for column in spec.columns:
        text = frame[column.name]
        value, invalid = _typed(column, text)
        typed.append(value.alias(column.name))
        if column.required:
            checks.append(
                pl.when(pl.col(column.name).is_null()).then(
                    pl.lit(f"missing required value in {_label(column)}")
                )
            )
            if invalid is not None:
                masks.append(invalid.alias(f"__bad_{column.name}"))
                checks.append(
                    pl.when(pl.col(f"__bad_{column.name}")).then(
                        pl.format(_invalid_text(column), pl.col(column.name))
                    )
                )
        elif invalid is not None:
            line = _warning(column, text, invalid)
            if line:
                warnings.append(line)
    checked = frame.with_columns(masks)
    failing = checked.select(pl.any_horizontal([c.is_not_null() for c in checks])).to_series().arg_true()
    reasons = checked[failing].select(ROW, pl.concat_list(checks).list.drop_nulls().alias(REASONS))
    return frame.with_columns(*typed), reasons, warnings


def merge_reasons(reasons: pl.DataFrame, more: pl.DataFrame, column: str) -> pl.DataFrame:
    """Add the reasons in `more[column]` (one per row, Utf8) after a row's other reasons."""
    if more.height == 0:
        return reasons
    merged = reasons.join(more, on=ROW, how="full", coalesce=True)
    existing = pl.col(REASONS).fill_null(pl.lit([], dtype=pl.List(pl.Utf8)))
    return merged.select(ROW, pl.concat_list(existing, pl.col(column)).list.drop_nulls().alias(REASONS)).sort(
        ROW
    )


def key_conflicts(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows whose record_id occurs again in the file with a different row hash → a reason per row.

    Returns `_source_row`, `conflict` (Utf8) for the affected rows only. Identical repeats
    (same key, same hash) are not conflicts.
    """
    repeated = pl.col(RECORD_ID).is_not_null() & pl.col(RECORD_ID).is_duplicated()
    keyed = frame.filter(repeated).select(RECORD_ID, ROW, ROW_HASH)  # usually empty: group only repeats
    groups = keyed.group_by(RECORD_ID).agg(
        pl.col(ROW_HASH).n_unique().alias("variants"), pl.col(ROW).alias("rows")
    )
    groups = groups.filter(pl.col("variants") > 1)
    if groups.height == 0:
        return pl.DataFrame(schema={ROW: pl.Int64, "conflict": pl.Utf8})
    rows = keyed.join(groups, on=RECORD_ID)
    others = pl.col("rows").list.set_difference(pl.concat_list(pl.col(ROW))).list.sort()
    return rows.select(
        ROW,
        pl.format(
            "key '{}' appears again with different content in row(s) {}; keep one version of it",
            pl.col(RECORD_ID),
            others.cast(pl.List(pl.Utf8)).list.join(", "),
        ).alias("conflict"),
    )
