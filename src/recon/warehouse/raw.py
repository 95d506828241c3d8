"""Raw layer writes: accepted batches with lineage, quarantine, rejected files, the file ledger."""

from __future__ import annotations

import polars as pl

from recon.connectors.contract import FeedSpec
from recon.warehouse.gateway import Warehouse
from recon.warehouse.schema import raw_columns, raw_table

LOADED = "loaded"
REJECTED = "rejected"
BATCH_QUARANTINED = "batch_quarantined"


def loaded_hashes(wh: Warehouse, source: str) -> set[str]:
    """Hashes of files of this feed already loaded: re-delivering one of them changes nothing."""
    rows = wh.rows(
        "SELECT DISTINCT sha256 FROM ingest_ledger WHERE source = ? AND status = ?",
        [source, LOADED],
        table="ingest_ledger",
    )
    return {r[0] for r in rows}


def next_load_seq(wh: Warehouse) -> int:
    return int(wh.scalar("SELECT coalesce(max(load_seq), 0) + 1 FROM ingest_ledger", table="ingest_ledger"))


def record_ledger(
    wh: Warehouse,
    *,
    source: str,
    source_file: str,
    sha256: str,
    size_bytes: int,
    batch_id: str,
    run_id: str,
    load_seq: int,
    status: str,
    encoding: str | None,
    rows_read: int,
    accepted: int,
    quarantined: int,
    message: str | None = None,
) -> None:
    wh.execute(
        "INSERT INTO ingest_ledger VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            source,
            source_file,
            sha256,
            size_bytes,
            batch_id,
            run_id,
            load_seq,
            status,
            encoding,
            rows_read,
            accepted,
            quarantined,
            message,
        ],
        table="ingest_ledger",
    )


def raw_frame(
    spec: FeedSpec, accepted: pl.DataFrame, *, batch_id: str, run_id: str, load_seq: int
) -> pl.DataFrame:
    """The accepted rows in the raw table's column order, with batch lineage added."""
    cols = raw_columns(spec)
    df = accepted.with_columns(
        pl.lit(batch_id).alias("_batch_id"),
        pl.lit(run_id).alias("_run_id"),
        pl.lit(load_seq, pl.Int64).alias("_load_seq"),
    )
    if spec.mode == "quarterly" and "community" in df.columns and "community_file" not in df.columns:
        df = df.rename({"community": "community_file"})
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(
            f"accepted rows of {spec.source} lack raw columns {missing}; the connector must return every contract "
            f"column (nulls when absent). It returned {df.columns}"
        )
    return df.select(list(cols))


def append_raw(wh: Warehouse, spec: FeedSpec, frame: pl.DataFrame) -> int:
    return wh.insert_frame(raw_table(spec.source), frame)


def clear_raw(wh: Warehouse, spec: FeedSpec) -> None:
    """A full snapshot replaces the feed's previous state."""
    wh.execute(f'DELETE FROM "{raw_table(spec.source)}"', table=raw_table(spec.source))


def write_quarantine(wh: Warehouse, quarantine: pl.DataFrame, *, batch_id: str, run_id: str) -> int:
    if quarantine.height == 0:
        return 0
    df = quarantine.with_columns(pl.lit(batch_id).alias("batch_id"), pl.lit(run_id).alias("run_id"))
    return wh.insert_frame("quarantine", df)


def write_rejection(
    wh: Warehouse,
    *,
    source: str,
    source_file: str,
    message: str,
    missing: tuple[str, ...],
    found: tuple[str, ...],
    run_id: str,
) -> None:
    wh.execute(
        "INSERT INTO rejected_file VALUES (?,?,?,?,?,?)",
        [source, source_file, message, list(missing), list(found), run_id],
        table="rejected_file",
    )


def row_count(wh: Warehouse, table: str) -> int:
    return int(wh.scalar(f'SELECT count(*) FROM "{table}"', table=table))


def last_batch_rows(wh: Warehouse, source: str) -> int | None:
    """Rows accepted in the most recent loaded batch of a feed (for the row-count expectation)."""
    v = wh.scalar(
        "SELECT accepted FROM ingest_ledger WHERE source = ? AND status = ? ORDER BY load_seq DESC LIMIT 1",
        [source, LOADED],
        table="ingest_ledger",
    )
    return None if v is None else int(v)


def write_expectations(wh: Warehouse, outcome, *, run_id: str, batch: str) -> int:
    """Store one validation outcome's expectation results (one row per expectation)."""
    import dataclasses
    import json

    rows = []
    for r in outcome.results:
        d = dataclasses.asdict(r) if dataclasses.is_dataclass(r) else dict(r)
        rows.append(
            {
                "run_id": run_id,
                "suite": d["suite"],
                "batch": batch,
                "expectation_type": d["expectation_type"],
                "column_name": d.get("column"),
                "kwargs": json.dumps(d.get("kwargs"), ensure_ascii=False, default=str),
                "success": bool(d["success"]),
                "critical": bool(d["critical"]),
                "observed_value": json.dumps(d.get("observed_value"), ensure_ascii=False, default=str),
                "unexpected_count": d.get("unexpected_count"),
                "unexpected_percent": d.get("unexpected_percent"),
            }
        )
    if not rows:
        return 0
    schema = {
        "run_id": pl.Utf8,
        "suite": pl.Utf8,
        "batch": pl.Utf8,
        "expectation_type": pl.Utf8,
        "column_name": pl.Utf8,
        "kwargs": pl.Utf8,
        "success": pl.Boolean,
        "critical": pl.Boolean,
        "observed_value": pl.Utf8,
        "unexpected_count": pl.Int64,
        "unexpected_percent": pl.Float64,
    }
    return wh.insert_frame("expectation_result", pl.DataFrame(rows, schema=schema))
