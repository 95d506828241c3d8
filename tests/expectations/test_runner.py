"""Real GX runs on small frames built from the contract."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from recon.connectors.contract import FEEDS, feed
from recon.expectations import BatchCounts, feed_suite, validate_frame
from recon.expectations.bench import contract_frame
from tests.expectations.conftest import clean_frame

ROWS = 200


@pytest.mark.parametrize("source", sorted(FEEDS))
def test_clean_frame_passes_every_expectation(gx_engine, source):
    spec = feed(source)
    counts = BatchCounts(rows_read=ROWS, raw_nonnull={c.name: ROWS for c in spec.columns if c.kind == "date"})
    outcome = validate_frame(
        feed_suite(source, ROWS, counts=counts), clean_frame(source, ROWS), f"{source}/clean.csv"
    )
    assert outcome.success and outcome.all_met, outcome.critical_failures + outcome.warnings
    assert not outcome.critical_failures and not outcome.warnings
    assert outcome.rows == ROWS
    assert len(outcome.results) == len(feed_suite(source, ROWS, counts=counts).checks)


def test_nulls_in_a_required_column_fail_critically_with_a_clear_message(gx_engine):
    df = clean_frame("police_registry")
    df.loc[df.index[:3], "name"] = None
    outcome = validate_frame(feed_suite("police_registry", None), df, "police_registry/nulls.csv")
    assert not outcome.success and outcome.quarantine
    [msg] = outcome.critical_failures
    for part in (
        "feed.police_registry",
        "police_registry/nulls.csv",
        "CRITICAL",
        "name (姓名)",
        "3 of 200 rows",
        "Fix:",
        "feed.yaml",
    ):
        assert part in msg, f"{part!r} missing from: {msg}"
    [row] = [r for r in outcome.results if r.check_id == "not_null:name"]
    assert (row.success, row.critical, row.unexpected_count, row.column) == (False, True, 3, "name")
    assert row.observed_value == {"rows": 200, "null_count": 3}


def test_mostly_garbage_id_column_is_critical_and_samples_are_masked(gx_engine):
    df = clean_frame("self_declaration")
    garbage = df.index[: int(len(df) * 0.7)]
    df.loc[garbage, "id_number"] = "2026-11-03"  # a date column mapped onto 证件号码
    df.loc[garbage[-5:], "id_number"] = "张三丰"
    outcome = validate_frame(feed_suite("self_declaration", None), df, "self_declaration/bad-map.csv")
    assert not outcome.success
    [msg] = [m for m in outcome.critical_failures if "ID number format" in m]
    assert "30.0% of 200 non-null values pass" in msg and "threshold ≥ 50%" in msg
    assert "'9999-99-99'" in msg and "(shape-masked)" in msg
    # the raw values never leave the runner: not in messages, rows, nor the GX result the Data Docs render
    exposed = json.dumps([dataclasses.asdict(r) for r in outcome.results], ensure_ascii=False)
    exposed += json.dumps(outcome.gx_result.to_json_dict(), ensure_ascii=False, default=str)
    exposed += " ".join(outcome.critical_failures + outcome.warnings)
    assert "2026-11-03" not in exposed and "张三丰" not in exposed
    assert any("ID number format" in m for m in outcome.warnings)  # the 90% level fails too, as a warning


def test_some_bad_ids_only_warn(gx_engine):
    df = clean_frame("employer_roster")
    df.loc[df.index[:30], "id_number"] = "E1234567"  # 15% passports: below 90%, above 50%
    outcome = validate_frame(feed_suite("employer_roster", None), df, "employer_roster/passports.csv")
    assert outcome.success and not outcome.all_met
    assert [m for m in outcome.warnings if "ID number format" in m]


def test_other_document_types_are_left_out_of_the_id_rate(gx_engine):
    df = clean_frame("police_registry")
    df.loc[df.index[:150], "id_type"] = "护照"
    df.loc[df.index[:150], "id_number"] = "E1234567"
    df.loc[df.index[150:], "id_type"] = "居民身份证"
    outcome = validate_frame(feed_suite("police_registry", None), df, "police_registry/foreigners.csv")
    assert outcome.all_met, outcome.warnings + outcome.critical_failures
    [row] = [r for r in outcome.results if r.check_id == "id_format:id_number:critical"]
    assert row.observed_value["checked"] == 50


def test_snapshot_row_count_drop_is_critical(gx_engine):
    outcome = validate_frame(
        feed_suite("police_registry", 5000), clean_frame("police_registry"), "pr/partial.csv"
    )
    assert not outcome.success
    [msg] = outcome.critical_failures
    assert "200 rows vs 5,000 rows in the previous batch (4.0%)" in msg and "at least 500" in msg
    assert any("between 2,500 and 7,500" in m for m in outcome.warnings)


def test_append_feed_row_count_change_only_warns(gx_engine):
    outcome = validate_frame(
        feed_suite("grid_visit", 5000), clean_frame("grid_visit"), "grid_visit/small-day.csv"
    )
    assert outcome.success and not outcome.all_met
    assert [r.check_id for r in outcome.results if not r.success] == ["row_count:change"]


def test_date_parse_rate_needs_raw_counts(gx_engine):
    df = clean_frame("intermediary_lease")
    df["moved_out_on"] = df["moved_out_on"].where(df.index < 40)  # 40 parsed
    warn = BatchCounts(ROWS, {"moved_out_on": 60})
    crit = BatchCounts(ROWS, {"moved_out_on": 100})
    out_warn = validate_frame(feed_suite("intermediary_lease", None, counts=warn), df, "lease/a.csv")
    out_crit = validate_frame(feed_suite("intermediary_lease", None, counts=crit), df, "lease/b.csv")
    assert out_warn.success and [r.check_id for r in out_warn.results if not r.success] == [
        "date_parse:moved_out_on:warning"
    ]
    assert not out_crit.success
    [msg] = out_crit.critical_failures
    assert "moved_out_on (退租日期): 40 of 100 non-empty raw cells parsed (40.0%); threshold ≥ 50%" in msg
    [row] = [r for r in out_crit.results if r.check_id == "date_parse:moved_out_on:critical"]
    assert row.observed_value == {"rows": 200, "parsed": 40, "raw_nonnull": 100, "parse_rate": 0.4}
    assert row.kwargs["mostly"] == pytest.approx(0.25)  # the resolved GX parameter: 50% of 100 / 200 rows


def test_mostly_quarantined_file_is_critical(gx_engine):
    outcome = validate_frame(
        feed_suite("site_roster", None, counts=BatchCounts(rows_read=1000)),
        clean_frame("site_roster"),
        "site_roster/new-date-format.csv",
    )
    [msg] = outcome.critical_failures
    assert "accepted share of rows read: 200 rows vs 1,000 rows read (20.0%); allowed at least 500" in msg


def test_missing_column_is_reported_not_raised(gx_engine):
    df = clean_frame("employer_roster").drop(columns=["phone"])
    outcome = validate_frame(feed_suite("employer_roster", None), df, "employer_roster/no-phone.csv")
    assert not outcome.success
    assert any("required columns present: missing ['phone']" in m for m in outcome.critical_failures)
    assert any("could not be evaluated" in m and "phone" in m for m in outcome.warnings)


def test_result_rows_are_warehouse_ready(gx_engine):
    outcome = validate_frame(
        feed_suite("police_registry", 180), clean_frame("police_registry"), "pr/rows.csv"
    )
    rows = [r.as_row() for r in outcome.results]
    assert rows == [dataclasses.asdict(r) for r in outcome.results]
    json.dumps(rows, ensure_ascii=False)  # kwargs and observed values are JSON-ready
    by_id = {r["check_id"]: r for r in rows}
    assert by_id["columns"]["expectation_type"] == "expect_table_columns_to_match_set"
    assert by_id["in_set:dwelling_kind:warning"]["kwargs"]["value_set"][0] == "租赁房屋"
    assert by_id["row_count:change"]["observed_value"] == {"rows": 200, "baseline": 180, "ratio": 200 / 180}
    assert by_id["id_format:id_number:critical"]["unexpected_percent"] == 0.0
    assert [r["check_id"] for r in rows] == [c.check_id for c in feed_suite("police_registry", 180).checks]


def test_frame_from_duckdb_arrow_path(gx_engine):
    """The architecture's path: DuckDB → Arrow → pandas (DATE columns arrive as datetime.date objects)."""
    import datetime

    import duckdb

    con = duckdb.connect()
    con.register("src", contract_frame("self_declaration", 50).to_arrow())
    con.execute("CREATE TABLE raw AS SELECT * FROM src")
    df = con.sql("SELECT * FROM raw").to_arrow_table().to_pandas()
    con.close()
    assert isinstance(df["declared_on"].iloc[0], datetime.date)
    df.loc[df.index[:10], "residence_start"] = None
    counts = BatchCounts(50, {"residence_start": 50})
    outcome = validate_frame(
        feed_suite("self_declaration", 50, counts=counts), df, "self_declaration/from-duckdb"
    )
    assert outcome.success, outcome.critical_failures
    assert [
        r.observed_value["parse_rate"] for r in outcome.results if r.check_id.startswith("date_parse:")
    ] == [0.8, 0.8]


def test_empty_snapshot_is_critical(gx_engine):
    df = clean_frame("standard_address").iloc[0:0]
    outcome = validate_frame(feed_suite("standard_address", None), df, "standard_address/empty.csv")
    assert not outcome.success and "snapshot row count" in outcome.critical_failures[0]


def test_dataframe_index_does_not_matter(gx_engine):
    df = clean_frame("grid_visit").set_index(pd.Index(range(1000, 1200)))
    assert validate_frame(feed_suite("grid_visit", None), df, "grid_visit/index.csv").all_met
