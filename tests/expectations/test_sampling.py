"""Large batches: keys, nulls and counts checked on every row; format rates on a seeded sample."""

from __future__ import annotations

import polars as pl

from recon.expectations import feed_suite
from recon.expectations.bench import contract_frame
from recon.expectations.sampling import split_suite, validate_polars

ROWS = 3_000
SAMPLE = 1_000


def test_small_batches_are_validated_whole_in_one_suite(gx_engine):
    frame = contract_frame("self_declaration", 500, 0)
    [outcome] = validate_polars(feed_suite("self_declaration", None), frame, "sd", sample_rows=SAMPLE)
    assert outcome.suite == "feed.self_declaration" and outcome.rows == 500 and outcome.all_met


def test_split_keeps_every_check_exactly_once():
    suite = feed_suite("police_registry", 1000)
    whole, sampled = split_suite(suite)
    ids = [c.check_id for c in whole.checks] + [c.check_id for c in sampled.checks]
    assert sorted(ids) == sorted(c.check_id for c in suite.checks)
    assert {c.kind for c in whole.checks} <= {"not_null", "unique", "row_count", "parsed_share"}
    assert sampled.name == "feed.police_registry.sampled"


def test_one_null_key_in_a_large_batch_is_found_although_rates_are_sampled(gx_engine):
    frame = contract_frame("police_registry", ROWS, 1)
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == ROWS - 7).then(None).otherwise(pl.col("name")).alias("name")
    )
    outcomes = validate_polars(feed_suite("police_registry", None), frame, "pr", sample_rows=SAMPLE)
    whole, sampled = outcomes
    assert whole.rows == ROWS and sampled.rows == SAMPLE
    assert "sample of 1,000 of 3,000 rows" in sampled.batch_name
    assert not whole.success and any(
        "name (姓名)" in m and "1 of 3,000" in m for m in whole.critical_failures
    )
    assert sampled.success


def test_a_wrong_id_mapping_is_caught_by_the_sample_and_the_sample_is_reproducible(gx_engine):
    frame = contract_frame("self_declaration", ROWS, 2)
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) % 10 < 7)
        .then(pl.lit("2026-11-03"))
        .otherwise(pl.col("id_number"))
        .alias("id_number")
    )
    suite = feed_suite("self_declaration", None)
    first = validate_polars(suite, frame, "sd", sample_rows=SAMPLE)
    again = validate_polars(suite, frame, "sd", sample_rows=SAMPLE)
    assert first[0].success  # keys and required values are fine
    assert not first[1].success and any("ID number format" in m for m in first[1].critical_failures)
    observed = [r.observed_value for r in first[1].results]
    assert observed == [r.observed_value for r in again[1].results]
