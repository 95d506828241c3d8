"""The DuckDB gateway and schema, on real DuckDB files."""

from __future__ import annotations

import polars as pl
import pytest

from recon.connectors.contract import FEEDS
from recon.warehouse.gateway import Warehouse, WarehouseError
from recon.warehouse.schema import current_view, ensure_schema, raw_columns, raw_table


def test_failed_sql_names_table_and_shows_sql(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh, pytest.raises(WarehouseError) as e:
        wh.execute("SELECT nope FROM missing_table", table="missing_table")
    msg = str(e.value)
    assert "missing_table" in msg and "SELECT nope FROM missing_table" in msg


def test_schema_is_idempotent_and_covers_every_feed(tmp_path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        ensure_schema(wh)
        ensure_schema(wh)
        tables = set(wh.tables())
    for source, spec in FEEDS.items():
        assert raw_table(source) in tables
        assert current_view(source) in tables
        cols = raw_columns(spec)
        assert "record_id" in cols and "_row_hash" in cols and "_load_seq" in cols
    assert {"run", "quarantine", "ingest_ledger", "rejected_file", "expectation_result"} <= tables


def test_additive_migration_adds_missing_column(tmp_path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        wh.execute("CREATE TABLE run (run_id VARCHAR PRIMARY KEY)")
        ensure_schema(wh)
        cols = {
            r[0] for r in wh.rows("SELECT column_name FROM information_schema.columns WHERE table_name='run'")
        }
    assert {"as_of", "status", "counts"} <= cols


def test_current_view_keeps_latest_delivery_per_key(tmp_path):
    spec = FEEDS["grid_visit"]
    with Warehouse(tmp_path / "w.duckdb") as wh:
        ensure_schema(wh)
        base = {name: None for name in raw_columns(spec)}
        rows = []
        for seq, result in ((1, "在住"), (2, "已搬离")):
            r = dict(
                base,
                record_id="V1",
                visit_id="V1",
                visit_result=result,
                _source_file=f"f{seq}.csv",
                _source_row=1,
                _row_hash=str(seq),
                _batch_id="b",
                _run_id="r",
                _load_seq=seq,
            )
            rows.append(r)
        schema = {k: (pl.Int64 if k in ("_source_row", "_load_seq") else pl.Utf8) for k in base}
        schema["visit_date"] = pl.Date
        wh.insert_frame(raw_table("grid_visit"), pl.DataFrame(rows, schema=schema))
        got = wh.rows(f"SELECT record_id, visit_result FROM {current_view('grid_visit')}")
    assert got == [("V1", "已搬离")]


def test_run_snapshot_of_current_state_matches_the_views_and_never_reaches_the_file(tmp_path):
    from recon.warehouse.schema import snapshot_current

    spec = FEEDS["grid_visit"]
    path = tmp_path / "w.duckdb"
    base = {name: None for name in raw_columns(spec)}
    schema = {k: (pl.Int64 if k in ("_source_row", "_load_seq") else pl.Utf8) for k in base}
    schema["visit_date"] = pl.Date

    def visit(key: str, seq: int, result: str) -> dict:
        return dict(
            base,
            record_id=key,
            visit_id=key,
            visit_result=result,
            _source_file=f"f{seq}.csv",
            _source_row=1,
            _row_hash=key + str(seq),
            _batch_id="b",
            _run_id="r",
            _load_seq=seq,
        )

    rows = [visit("V2", 1, "在住"), visit("V1", 1, "在住"), visit("V1", 2, "已搬离")]
    with Warehouse(path) as wh:
        ensure_schema(wh)
        wh.insert_frame(raw_table("grid_visit"), pl.DataFrame(rows, schema=schema))
        through_view = wh.rows(f"SELECT record_id, visit_result FROM {current_view('grid_visit')} ORDER BY 1")
        assert len(snapshot_current(wh)) == len(FEEDS)
        snap = wh.rows(f"SELECT record_id, visit_result FROM {current_view('grid_visit')}")
        assert snap == through_view == [("V1", "已搬离"), ("V2", "在住")]
    with Warehouse(path, read_only=True) as wh:  # the file still holds the view, no table of that name
        kinds = wh.rows(
            "SELECT table_type FROM information_schema.tables WHERE table_name = ?", [current_view("grid_visit")]
        )
        assert kinds == [("VIEW",)]
