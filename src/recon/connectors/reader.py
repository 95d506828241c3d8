"""`read_file`: one drop file → accepted rows (typed, with lineage) + quarantined rows, or a rejection.

The steps are the same for every feed; only the FeedSpec differs: decode and parse, map and
match headers, clean cells, type the contract columns, build record ids, collect every reason
per row, split accepted from quarantined.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from recon.connectors.base import QUARANTINE_SCHEMA, DropFile, FileRejected, ReadResult
from recon.connectors.cells import clean_frame
from recon.connectors.contract import FeedSpec
from recon.connectors.csv_table import read_csv_table
from recon.connectors.encoding import NotATable
from recon.connectors.feed_config import validate_header_map
from recon.connectors.file_names import ROSTER_NAME_HINT, parse_roster_name
from recon.connectors.headers import ColumnPlan, missing_columns_message, plan_columns
from recon.connectors.lineage import extra_json_expr, row_hash_expr, to_hex
from recon.connectors.raw_table import ROW, RawTable, column_name, issue_columns
from recon.connectors.rows import REASONS, RECORD_ID, ROW_HASH, check_rows, key_conflicts, merge_reasons
from recon.connectors.xlsx_table import read_xlsx_table

ROSTER_COLUMNS = ("community", "quarter")  # community_roster only, from the file name
_EXTRA_PREFIX = "_x_"


def source_file_name(drop: DropFile) -> str:
    """The file's name relative to the input folder, e.g. `grid_visit/grid_visit_2026-10.csv`."""
    return f"{drop.path.parent.name}/{drop.path.name}"


def accepted_schema(spec: FeedSpec) -> dict[str, pl.DataType]:
    """Column names and types of the accepted frame of a feed."""
    types = {"str": pl.Utf8, "enum": pl.Utf8, "date": pl.Date, "int": pl.Int64}
    schema: dict[str, pl.DataType] = {RECORD_ID: pl.Utf8}
    schema.update({c.name: types[c.kind] for c in spec.columns})
    if spec.mode == "quarterly":
        schema.update({c: pl.Utf8 for c in ROSTER_COLUMNS})
    schema.update({"_source_file": pl.Utf8, ROW: pl.Int64, ROW_HASH: pl.Utf8, "_extra": pl.Utf8})
    return schema


def _rejected(spec: FeedSpec, source_file: str, message: str, plan: ColumnPlan | None = None) -> ReadResult:
    rejection = FileRejected(
        source=spec.source,
        source_file=source_file,
        message=message,
        missing_columns=plan.missing_required if plan else (),
        found_columns=plan.found if plan else (),
    )
    return ReadResult(
        source=spec.source,
        source_file=source_file,
        rows_read=0,
        accepted=pl.DataFrame(schema=accepted_schema(spec)),
        quarantine=pl.DataFrame(schema=QUARANTINE_SCHEMA),
        rejected=rejection,
    )


def _read_raw(spec: FeedSpec, path: Path, header_map: dict[str, str] | None) -> RawTable:
    if path.suffix.lower() == ".xlsx":
        return read_xlsx_table(path, spec, header_map)
    if path.suffix.lower() == ".csv":
        return read_csv_table(path.read_bytes(), spec, header_map)
    raise NotATable(f"files of type {path.suffix!r} are not read; save it as .xlsx or as a UTF-8 .csv")


def _canonical(raw: RawTable, plan: ColumnPlan, spec: FeedSpec) -> tuple[pl.DataFrame, dict[str, str]]:
    """Contract columns under their English names (absent ones null), extras, all cells cleaned."""
    by_name = {name: i for i, name in plan.contract.items()}
    contract = [
        pl.col(column_name(by_name[c.name])).alias(c.name)
        if c.name in by_name
        else pl.lit(None, pl.Utf8).alias(c.name)
        for c in spec.columns
    ]
    extras = {f"{_EXTRA_PREFIX}{i}": header for i, header in plan.extra.items()}
    extra_columns = [pl.col(column_name(i)).alias(f"{_EXTRA_PREFIX}{i}") for i in plan.extra]
    frame = raw.frame.select(*contract, *extra_columns, ROW, *raw.issue_columns)
    frame = clean_frame(frame, [*spec.names, *extras])
    unnamed_empty = [
        c for c, h in extras.items() if h.startswith("column_") and frame[c].null_count() == frame.height
    ]
    for c in unnamed_empty:
        del extras[c]
    return frame.drop(unnamed_empty), extras


def _record_id(spec: FeedSpec, prefix: str | None) -> pl.Expr:
    if prefix is not None:
        return (pl.lit(prefix) + pl.col(spec.key)).alias(RECORD_ID)
    return pl.col(spec.key).alias(RECORD_ID)


def _roster_prefix(spec: FeedSpec, drop: DropFile) -> tuple[str, str] | None:
    """(community, quarter) of a community roster file, from the DropFile or else its name."""
    parsed = parse_roster_name(drop.path.name)
    community = drop.community or (parsed.community if parsed else None)
    quarter = drop.quarter or (parsed.quarter if parsed else None)
    return (community, quarter) if community and quarter else None


def _without_empty_rows(frame: pl.DataFrame, columns: list[str]) -> tuple[pl.DataFrame, int]:
    """Drop rows with no value at all (blank lines, Excel's formatted-but-empty rows); they are not input rows."""
    empty = pl.all_horizontal([pl.col(c).is_null() for c in [*columns, *issue_columns(frame)]])
    kept = frame.filter(~empty)
    return kept, frame.height - kept.height


def _split(
    frame: pl.DataFrame, reasons: pl.DataFrame, spec: FeedSpec, source_file: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Accepted rows in the feed's accepted schema, and quarantined rows (those with reasons) in QUARANTINE_SCHEMA."""
    bad = pl.col(ROW).is_in(reasons[ROW].implode())
    accepted = frame.filter(~bad).select(pl.col(c).cast(t) for c, t in accepted_schema(spec).items())
    quarantine = (
        frame.filter(bad)
        .join(reasons, on=ROW, maintain_order="left")
        .select(
            pl.lit(spec.source).alias("source"),
            pl.lit(source_file).alias("source_file"),
            pl.col(ROW).alias("source_row"),
            pl.col(RECORD_ID),
            pl.col(REASONS).alias("reasons"),
        )
    )
    return accepted, quarantine.cast(QUARANTINE_SCHEMA)  # type: ignore[arg-type]


def read_file(spec: FeedSpec, drop: DropFile, header_map: dict[str, str] | None = None) -> ReadResult:
    """Read one drop file of a feed; every row ends up accepted or quarantined, or the file is rejected."""
    if drop.source != spec.source:
        raise ValueError(f"{drop.path} was found in feed {drop.source!r} but is read as {spec.source!r}")
    source_file = source_file_name(drop)
    problems = validate_header_map(spec, header_map, "header map") if header_map else []
    if problems:
        return _rejected(spec, source_file, f"{source_file}: not read; " + "; ".join(problems))
    roster = _roster_prefix(spec, drop) if spec.mode == "quarterly" else None
    if spec.mode == "quarterly" and roster is None:
        return _rejected(
            spec, source_file, f"{source_file}: a community roster must be named {ROSTER_NAME_HINT}"
        )
    try:
        raw = _read_raw(spec, drop.path, header_map)
    except NotATable as e:
        return _rejected(spec, source_file, f"{source_file}: {e}")
    except OSError as e:
        return _rejected(
            spec, source_file, f"{source_file}: cannot be read ({e.strerror or e}); check the file"
        )
    plan = plan_columns(raw.headers, spec, header_map)
    if plan.missing_required or plan.problems:
        messages = [missing_columns_message(source_file, spec, plan)] if plan.missing_required else []
        messages += [f"{source_file}: {p}" for p in plan.problems]
        return _rejected(spec, source_file, " ".join(messages), plan)

    frame, extras = _canonical(raw, plan, spec)
    warnings = list(raw.warnings)
    if plan.missing_optional:
        warnings.append(f"optional column(s) absent, left empty: {'、'.join(plan.missing_optional)}")
    frame, empty_rows = _without_empty_rows(frame, [*spec.names, *extras])
    if empty_rows:
        warnings.append(f"skipped {empty_rows} empty row(s)")
    prefix = f"{roster[0]}_{roster[1]}:" if roster else None
    frame = frame.with_columns(_record_id(spec, prefix), extra_json_expr(extras).alias("_extra"))
    frame, reasons, column_warnings = check_rows(frame, spec)
    warnings += column_warnings
    frame = frame.with_columns(
        to_hex(frame.select(row_hash_expr(list(spec.names))).to_series()).alias(ROW_HASH)
    )
    reasons = merge_reasons(reasons, key_conflicts(frame), "conflict")
    if roster is not None:
        frame = frame.with_columns(pl.lit(roster[0]).alias("community"), pl.lit(roster[1]).alias("quarter"))
    frame = frame.with_columns(pl.lit(source_file).alias("_source_file"))
    accepted, quarantine = _split(frame, reasons, spec, source_file)
    return ReadResult(
        source=spec.source,
        source_file=source_file,
        rows_read=frame.height,
        accepted=accepted,
        quarantine=quarantine,
        encoding=raw.encoding,
        warnings=warnings,
    )
