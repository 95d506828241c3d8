"""Date parsing for every form agency exports use, column-wise with polars.

Each accepted form is tried with `str.strptime(strict=False)` on a normalized copy of the
text and the results are coalesced; Excel serial numbers are converted arithmetically. A date
outside 1900-01-01..2100-12-31 is treated as a typo, not a date.
"""

from __future__ import annotations

from datetime import date

import polars as pl

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1899-12-31 in this count; Excel's 1900 leap bug makes it so
_SERIAL_MIN = (EARLIEST - EXCEL_EPOCH).days
_SERIAL_MAX = (LATEST - EXCEL_EPOCH).days

DATE_FORMS_HINT = "e.g. 2026-11-03, 2026/11/3, 20261103 or 2026年11月3日"

# After normalization every separator is "-" and a time follows a single space.
_SEPARATED = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S%.f")
_COMPACT = ("%Y%m%d", "%Y%m%d %H:%M:%S", "%Y%m%d %H:%M")
_NORMALIZE_FROM = ["/", "年", "月", "日", "T"]
_NORMALIZE_TO = ["-", "-", "-", " ", " "]


def _normalized(text: pl.Expr) -> pl.Expr:
    # Dots are date separators only at the start ("2026.11.03"); elsewhere they are the
    # fraction of a second or of an Excel serial number and must stay.
    dotted = text.str.strip_chars().str.replace(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})", "${1}-${2}-${3}")
    spaced = dotted.str.replace_many(_NORMALIZE_FROM, _NORMALIZE_TO).str.replace_all(r"\s+", " ")
    return spaced.str.strip_chars()


def _serial(text: pl.Expr) -> pl.Expr:
    """Excel serial day numbers (with an optional time fraction) → date, within the plausible range."""
    is_serial = text.str.contains(r"^\d{1,5}(\.\d+)?$")
    days = pl.when(is_serial).then(text.cast(pl.Float64, strict=False).floor().cast(pl.Int64))
    in_range = days.is_between(_SERIAL_MIN, _SERIAL_MAX)
    return pl.when(in_range).then(pl.lit(EXCEL_EPOCH) + pl.duration(days=days)).cast(pl.Date)


def date_expr(text: pl.Expr) -> pl.Expr:
    """A cleaned text column → pl.Date (null where empty or not a date)."""
    return _date_from_normalized(_normalized(text))


def _date_from_normalized(norm: pl.Expr) -> pl.Expr:
    compact = norm.str.contains(r"^\d{8}( |$)")
    tried = [norm.str.strptime(pl.Date, fmt, strict=False) for fmt in _SEPARATED]
    tried += [pl.when(compact).then(norm.str.strptime(pl.Date, fmt, strict=False)) for fmt in _COMPACT]
    tried.append(_serial(norm))
    parsed = pl.coalesce(tried)
    return pl.when(parsed.is_between(pl.lit(EARLIEST), pl.lit(LATEST))).then(parsed).cast(pl.Date)


def date_failed_expr(text: pl.Expr) -> pl.Expr:
    """True where the text is not empty but is not a date."""
    return text.is_not_null() & date_expr(text).is_null()


def _parse_normalized(norm: pl.Series) -> pl.Series:
    """`_date_from_normalized` on a Series, one form at a time on the values still unparsed:
    every value matching the first form costs one fast pass, not one per form (a form that
    does not fit a value takes polars' slow fallback path)."""
    out = pl.Series(norm.name, [None] * norm.len(), dtype=pl.Date)
    compact = norm.str.contains(r"^\d{8}( |$)").fill_null(False)
    # a compact value ("20261103") never fits a separated form, nor the reverse
    steps = [(fmt, ~compact) for fmt in _SEPARATED] + [(fmt, compact) for fmt in _COMPACT]
    for fmt, only in steps:
        todo = out.is_null() & norm.is_not_null() & only
        if not todo.any():
            continue
        idx = todo.arg_true()
        out = out.scatter(idx, norm.gather(idx).str.strptime(pl.Date, fmt, strict=False))
    todo = out.is_null() & norm.is_not_null()
    if todo.any():
        idx = todo.arg_true()
        out = out.scatter(idx, norm.gather(idx).to_frame("n").select(_serial(pl.col("n"))).to_series())
    return out.set(~out.is_between(EARLIEST, LATEST).fill_null(True), None)


def parse_dates(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Parse a text (or date/datetime) Series: the pl.Date Series and a mask of non-null inputs that failed.

    ISO dates (the usual form) are parsed in one pass; only the rows left over go through
    every other form.
    """
    if values.dtype == pl.Date:
        return values, pl.Series(values.name, [False] * values.len(), dtype=pl.Boolean)
    if isinstance(values.dtype, pl.Datetime):
        return values.dt.date(), pl.Series(values.name, [False] * values.len(), dtype=pl.Boolean)
    text = values.cast(pl.Utf8)
    parsed = text.str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    parsed = parsed.set(~parsed.is_between(EARLIEST, LATEST).fill_null(True), None)
    todo = text.is_not_null() & parsed.is_null()
    if todo.any():
        rows = todo.arg_true()
        norm = text.gather(rows).to_frame("v").select(_normalized(pl.col("v"))).to_series()
        rest = _parse_normalized(norm)
        parsed = parsed.scatter(rows, rest)
    return parsed.alias(values.name), (text.is_not_null() & parsed.is_null()).alias(values.name)
