"""CSV parsing: decoded text → all-string polars frame, with ragged rows and broken bytes found.

Polars parses the records (all strings); a second, cheap polars read takes the physical lines
and counts each record's fields on them (vectorized), so ragged rows are found although polars
itself pads short rows and truncates long ones. Lines of a quoted value that holds line breaks
are joined back into their record first. Only when records and lines still disagree (stray
quotes) does the Python csv module parse the file instead: slower, same result.
"""

from __future__ import annotations

import csv
import io
from itertools import islice

import polars as pl

from recon.connectors.contract import FeedSpec
from recon.connectors.encoding import (
    BROKEN_MARK,
    BROKEN_MARK_PATTERN,
    MARK_OPEN,
    broken_reason,
    decode_table_bytes,
)
from recon.connectors.headers import HEADER_SEARCH_ROWS, find_header_row, header_score
from recon.connectors.raw_table import ISSUE_PREFIX, ROW, RawTable, column_name, with_row_numbers

_DELIMITERS = (",", "\t", ";", "|")
_SNIFF_CHARS = 65536
_LINE_SEP = "\x1e"  # any character absent from the file works to read whole lines as one field


def _sniff(text: str, spec: FeedSpec, header_map: dict[str, str] | None) -> tuple[str, int, list[str]]:
    """Delimiter, header row index and header cells: the reading that names the most contract columns."""
    prefix = text[:_SNIFF_CHARS]
    best: tuple[int, str, int, list[str]] | None = None
    for delimiter in _DELIMITERS:
        try:
            rows = list(islice(csv.reader(io.StringIO(prefix), delimiter=delimiter), HEADER_SEARCH_ROWS))
        except csv.Error:
            continue
        if not rows:
            continue
        h = find_header_row(rows, spec, header_map)
        score = header_score(rows[h], spec, header_map)
        if best is None or score > best[0]:
            best = (score, delimiter, h, rows[h])
    if best is None:
        return ",", 0, []
    return best[1], best[2], best[3]


def _polars_rows(payload: bytes, width: int, skip: int, delimiter: str) -> pl.DataFrame | None:
    try:
        return pl.read_csv(
            payload,
            has_header=False,
            infer_schema=False,
            schema={column_name(i): pl.Utf8 for i in range(width)},
            skip_rows=skip,
            separator=delimiter,
            truncate_ragged_lines=True,
            missing_columns="insert",
            raise_if_empty=False,
        )
    except (pl.exceptions.PolarsError, ValueError):
        return None


def _trimmed_count(fields: list[str]) -> int:
    """Fields of a record without its trailing empty ones (at least 1)."""
    n = len(fields)
    while n > 1 and not fields[n - 1].strip():
        n -= 1
    return n


def _join_quoted_lines(lines: pl.DataFrame) -> pl.DataFrame:
    """Lines → records, joining the lines of a quoted value that holds line breaks.

    A record ends at a line end where the quotes seen so far are balanced (doubled quotes
    inside a value count twice, so they never unbalance it).
    """
    quotes = pl.col("line").fill_null("").str.count_matches('"', literal=True).cum_sum()
    ends = (quotes % 2 == 0).shift(1, fill_value=False).cum_sum()
    return (
        lines.with_columns(ends.alias("record"))
        .group_by("record", maintain_order=True)
        .agg(pl.col("line").fill_null("").str.join("\n"))
        .select("line")
    )


def _fast_field_counts(
    payload: bytes, text: str, skip: int, delimiter: str, width: int, height: int
) -> pl.DataFrame | None:
    """Fields per record from the physical lines (None when a quoted value spans lines).

    Columns: `fields`, `trimmed` (fields without trailing empty ones; computed only for the
    rare rows longer than the header) and `blank` (nothing but separators and blanks).
    """
    if _LINE_SEP in text:
        return None
    lines = pl.read_csv(
        payload,
        has_header=False,
        separator=_LINE_SEP,
        quote_char=None,
        schema={"line": pl.Utf8},
        skip_rows=skip,
        empty_string_is_null=False,
        raise_if_empty=False,
    )
    if lines.height != height and '"' in text:
        lines = _join_quoted_lines(lines)
    if lines.height != height:
        return None
    line = pl.col("line").fill_null("")
    if '"' in text:
        # One match per field: a separator, then a quoted value (which may hold separators and
        # doubled quotes) or a plain one. A separator is put in front so every match is non-empty.
        d = f"\\x{{{ord(delimiter):x}}}"
        fields = (pl.lit(delimiter) + line).str.count_matches(f'{d}(?:"(?:[^"]|"")*"|[^"{d}]*)')
    else:
        fields = line.str.count_matches(delimiter, literal=True) + 1
    counts = lines.select(
        fields=fields.cast(pl.Int64),
        blank=line.str.strip_chars(f'{delimiter} \t\r"') == "",
    ).with_columns(trimmed=pl.col("fields"))
    long_rows = counts["fields"] > width
    if long_rows.any():
        rows = long_rows.arg_true()
        texts = lines["line"].gather(rows).fill_null("").to_list()
        trimmed = [_trimmed_count(next(csv.reader([t], delimiter=delimiter), [""])) for t in texts]
        counts = counts.with_columns(counts["trimmed"].scatter(rows, trimmed))
    return counts


def _python_rows(text: str, skip: int, delimiter: str, width: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The same frame and field counts as the fast path, parsed with the csv module."""
    records = list(islice(csv.reader(io.StringIO(text), delimiter=delimiter), skip, None))
    columns = {
        column_name(i): [(r[i] or None) if i < len(r) else None for r in records] for i in range(width)
    }
    frame = pl.DataFrame(columns, schema={c: pl.Utf8 for c in columns})
    trimmed = [_trimmed_count(r) if r else 1 for r in records]
    counts = pl.DataFrame(
        {
            "fields": [max(len(r), 1) for r in records],
            "trimmed": trimmed,
            "blank": [not any(c.strip() for c in r) for r in records],
        },
        schema={"fields": pl.Int64, "trimmed": pl.Int64, "blank": pl.Boolean},
    )
    return frame, counts


def _ragged_expr(width: int, named: int, delimiter: str) -> pl.Expr:
    fields, trimmed = pl.col("fields"), pl.col("trimmed")
    sep = "tab" if delimiter == "\t" else repr(delimiter)
    short = pl.format(
        "row has {} fields but the header has {}; a separator or a value is missing, or the row is cut short",
        fields,
        pl.lit(width),
    )
    long = pl.format(
        "row has {} fields but the header has {}; a value holds an unquoted {} (quote that value)",
        fields,
        pl.lit(width),
        pl.lit(sep),
    )
    return (
        pl.when(pl.col("blank"))
        .then(pl.lit(None, dtype=pl.Utf8))
        .when(fields < named)
        .then(short)
        .when(trimmed > width)
        .then(long)
    )


def _encoding_issues(frame: pl.DataFrame, width: int) -> pl.DataFrame:
    """Add `encoding`: for rows holding broken-byte marks, one reason (first bad spot, plus how many more).

    The marks in those rows' cells become U+FFFD. Only the marked rows (usually a handful) are
    touched after one literal search per column.
    """
    cells = [column_name(i) for i in range(width)]
    marked = pl.any_horizontal([pl.col(c).str.contains(MARK_OPEN, literal=True) for c in cells])
    rows = frame.select(marked.fill_null(False)).to_series().arg_true()
    bad = frame[rows]
    reasons = []
    for values in bad.select(cells).iter_rows():
        marks = BROKEN_MARK.findall("\x1f".join(v for v in values if v))
        reason = broken_reason(int(marks[0][0]), marks[0][1])
        if len(marks) > 1:
            reason += f" (and {len(marks) - 1} more bad byte sequence(s) in this row)"
        reasons.append(reason)
    fixed = bad.select(pl.col(c).str.replace_all(BROKEN_MARK_PATTERN, "\ufffd") for c in cells)
    encoding = pl.Series("encoding", [None] * frame.height, dtype=pl.Utf8).scatter(rows, reasons)
    return frame.with_columns(*(frame[c].scatter(rows, fixed[c]) for c in cells), encoding)


def read_csv_table(data: bytes, spec: FeedSpec, header_map: dict[str, str] | None = None) -> RawTable:
    """Parse CSV bytes into a RawTable (raises NotATable for binary, empty or undecodable files)."""
    decoded = decode_table_bytes(data)
    text = decoded.text
    if "\n" not in text and "\r" in text:  # classic Mac line ends
        text = text.replace("\r", "\n")
    delimiter, skip, header = _sniff(text, spec, header_map)
    width = max(len(header), 1)
    if text is decoded.text and decoded.broken == 0 and decoded.encoding == "utf-8":
        payload = data
    elif text is decoded.text and decoded.broken == 0 and decoded.encoding == "utf-8-sig":
        payload = data[3:]
    else:
        payload = text.encode("utf-8")
    frame = _polars_rows(payload, width, skip, delimiter)
    counts = (
        None if frame is None else _fast_field_counts(payload, text, skip, delimiter, width, frame.height)
    )
    if frame is None or counts is None:
        frame, counts = _python_rows(text, skip, delimiter, width)
    header_cells = list(header) + [None] * (width - len(header))
    named = max((i + 1 for i, h in enumerate(header_cells) if h and h.strip()), default=width)
    rows = with_row_numbers(pl.concat([frame, counts], how="horizontal").slice(1))
    rows = rows.with_columns(_ragged_expr(width, named, delimiter).alias("ragged"))
    if decoded.broken:
        rows = _encoding_issues(rows, width)
    else:
        rows = rows.with_columns(pl.lit(None, dtype=pl.Utf8).alias("encoding"))
    warnings = []
    if skip:
        warnings.append(f"skipped {skip} row(s) above the header row")
    return RawTable(
        headers=header_cells,
        frame=rows.select(
            *(column_name(i) for i in range(width)),
            ROW,
            pl.col("encoding").alias(f"{ISSUE_PREFIX}encoding"),
            pl.col("ragged").alias(f"{ISSUE_PREFIX}ragged"),
        ),
        encoding=decoded.encoding,
        warnings=warnings,
        title_rows=skip,
    )
