"""Schema of the published DuckDB file: raw layer (derived from the contract) and run tables.

Migrations are additive and idempotent: `ensure_schema` creates what is missing and adds
columns that a newer version declares, so a file published by an older release opens.
"""

from __future__ import annotations

from recon.connectors.contract import FEEDS, FeedSpec
from recon.warehouse.gateway import Warehouse

SCHEMA_VERSION = 1

_KIND_SQL = {"str": "VARCHAR", "enum": "VARCHAR", "date": "DATE", "int": "BIGINT"}

# Lineage carried by every raw row: where it came from, in which batch and run.
RAW_LINEAGE = {
    "_source_file": "VARCHAR NOT NULL",
    "_source_row": "BIGINT NOT NULL",
    "_row_hash": "VARCHAR NOT NULL",
    "_extra": "VARCHAR",
    "_batch_id": "VARCHAR NOT NULL",
    "_run_id": "VARCHAR NOT NULL",
    "_load_seq": "BIGINT NOT NULL",  # global delivery order: a later file supersedes an earlier one
}

TABLES: dict[str, dict[str, str]] = {
    "meta": {"key": "VARCHAR PRIMARY KEY", "value": "VARCHAR"},
    "ingest_ledger": {
        "source": "VARCHAR NOT NULL",
        "source_file": "VARCHAR NOT NULL",
        "sha256": "VARCHAR NOT NULL",
        "size_bytes": "BIGINT",
        "batch_id": "VARCHAR NOT NULL",
        "run_id": "VARCHAR NOT NULL",
        "load_seq": "BIGINT NOT NULL",
        "status": "VARCHAR NOT NULL",  # loaded / rejected / batch_quarantined
        "encoding": "VARCHAR",
        "rows_read": "BIGINT",
        "accepted": "BIGINT",
        "quarantined": "BIGINT",
        "message": "VARCHAR",
    },
    "quarantine": {
        "source": "VARCHAR NOT NULL",
        "source_file": "VARCHAR NOT NULL",
        "source_row": "BIGINT",
        "record_id": "VARCHAR",
        "reasons": "VARCHAR[] NOT NULL",
        "batch_id": "VARCHAR NOT NULL",
        "run_id": "VARCHAR NOT NULL",
    },
    "rejected_file": {
        "source": "VARCHAR NOT NULL",
        "source_file": "VARCHAR NOT NULL",
        "message": "VARCHAR NOT NULL",
        "missing_columns": "VARCHAR[]",
        "found_columns": "VARCHAR[]",
        "run_id": "VARCHAR NOT NULL",
    },
    "run": {
        "run_id": "VARCHAR PRIMARY KEY",
        "as_of": "DATE NOT NULL",
        "district": "VARCHAR NOT NULL",
        "started_at": "TIMESTAMP NOT NULL",
        "finished_at": "TIMESTAMP",
        "status": "VARCHAR NOT NULL",  # succeeded / degraded
        "counts": "JSON NOT NULL",
        "steps": "JSON",
        "messages": "VARCHAR[]",
    },
    "expectation_result": {
        "run_id": "VARCHAR NOT NULL",
        "suite": "VARCHAR NOT NULL",
        "batch": "VARCHAR NOT NULL",
        "expectation_type": "VARCHAR NOT NULL",
        "column_name": "VARCHAR",
        "kwargs": "JSON",
        "success": "BOOLEAN NOT NULL",
        "critical": "BOOLEAN NOT NULL",
        "observed_value": "JSON",
        "unexpected_count": "BIGINT",
        "unexpected_percent": "DOUBLE",
    },
}


def raw_table(source: str) -> str:
    return f"raw_{source}"


def current_view(source: str) -> str:
    return f"current_{source}"


def raw_columns(spec: FeedSpec) -> dict[str, str]:
    cols = {"record_id": "VARCHAR NOT NULL"}
    for c in spec.columns:
        cols[c.name] = _KIND_SQL[c.kind]
    if spec.mode == "quarterly":
        cols["community_file"] = "VARCHAR"
        cols["quarter"] = "VARCHAR"
    cols.update(RAW_LINEAGE)
    return cols


def _create(wh: Warehouse, table: str, columns: dict[str, str]) -> None:
    body = ",\n  ".join(f'"{k}" {v}' for k, v in columns.items())
    wh.execute(f'CREATE TABLE IF NOT EXISTS "{table}" (\n  {body}\n)', table=table)
    have = {
        r[0]
        for r in wh.rows("SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table])
    }
    for name, decl in columns.items():
        if name not in have:  # additive migration
            plain = decl.replace("NOT NULL", "").replace("PRIMARY KEY", "").strip()
            wh.execute(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {plain}', table=table)


def ensure_schema(wh: Warehouse) -> None:
    """Create every raw, current and run table that is missing (idempotent)."""
    for table, cols in TABLES.items():
        _create(wh, table, cols)
    for spec in FEEDS.values():
        table = raw_table(spec.source)
        _create(wh, table, raw_columns(spec))
        # The current state of a feed: the latest delivered version of every key.
        wh.execute(
            f"""CREATE OR REPLACE VIEW "{current_view(spec.source)}" AS
            SELECT * EXCLUDE (_rn) FROM (
              SELECT *, row_number() OVER (PARTITION BY record_id ORDER BY _load_seq DESC, _source_row DESC) AS _rn
              FROM "{table}") WHERE _rn = 1""",
            table=table,
        )
    wh.execute(
        "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)], table="meta"
    )


def snapshot_current(wh: Warehouse) -> list[str]:
    """Materialize every feed's current state once for the rest of this connection's run.

    The `current_<feed>` views pick the latest version of every key with a window over the
    whole raw history; each later step reads them several times (addresses, linkage, findings,
    output checks), so a run computes each window once: a TEMP table of the same name, sorted by
    record_id, shadows the view in this connection (DuckDB looks up the temp catalog first).
    Temp tables are never written to the file: the published file keeps the views, and other
    readers see exactly the same rows through them. Call it after the last raw write of a run.
    """
    db = wh.scalar("SELECT current_database()")
    made = []
    for spec in FEEDS.values():
        view = current_view(spec.source)
        wh.execute(
            f'CREATE OR REPLACE TEMP TABLE "{view}" AS SELECT * FROM "{db}".main."{view}" ORDER BY record_id',
            table=view,
        )
        made.append(view)
    return made
