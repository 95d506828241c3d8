"""Validate the output tables before publishing: audit frames → output suites (GX).

A critical failure raises `OutputCheckFailed`: the run stops, the build file is discarded and
the published file stays as it was; the message says which check failed and what to fix.
"""

from __future__ import annotations

import logging

import polars as pl

from recon.connectors.contract import PERSON_SOURCES
from recon.expectations import validate_frame
from recon.expectations.output_suites import coverage_suite, flag_suite, kpi_suite, person_suite
from recon.matching.id_number import parse_ids
from recon.pipelines.reconcile_steps import person_fields
from recon.warehouse import raw
from recon.warehouse.gateway import Warehouse
from recon.warehouse.schema import current_view

log = logging.getLogger("recon.pipelines.output_checks")


class OutputCheckFailed(RuntimeError):
    """An output suite failed critically; the run is not published."""


def coverage_frame(wh: Warehouse) -> pl.DataFrame:
    parts = []
    for s in PERSON_SOURCES:
        v = current_view(s)
        parts.append(f"""SELECT '{s}' AS source, count(*) AS accepted,
              count(*) FILTER (WHERE l.person_id IS NULL) AS unlinked,
              count(*) FILTER (WHERE a.record_id IS NULL) AS unresolved_rows
            FROM "{v}" r
            LEFT JOIN (SELECT record_id, any_value(person_id) AS person_id FROM person_link WHERE source = '{s}'
                       GROUP BY record_id) l USING (record_id)
            LEFT JOIN (SELECT DISTINCT record_id FROM address_match WHERE source = '{s}') a USING (record_id)""")
    return wh.query_pl(" UNION ALL ".join(parts), table="person_link")


def flag_frame(wh: Warehouse) -> pl.DataFrame:
    exists = " UNION ALL ".join(
        f"SELECT '{s}' AS source, record_id FROM \"{current_view(s)}\"" for s in PERSON_SOURCES
    )
    return wh.query_pl(
        f"""
        SELECT f.flag_id, f.flag_type, f.status,
               CASE WHEN f.status = 'closed' OR e.record_id IS NOT NULL THEN 0 ELSE 1 END AS missing_record
        FROM flag f LEFT JOIN (SELECT DISTINCT source, record_id FROM ({exists})) e
          ON e.source = f.source AND e.record_id = f.record_id""",
        table="flag",
    )


def kpi_frame(wh: Warehouse) -> pl.DataFrame:
    return wh.query_pl(
        "SELECT unit, value, CASE WHEN numerator > denominator THEN 1 ELSE 0 END "
        "AS numerator_over_denominator FROM kpi",
        table="kpi",
    )


def person_frame(wh: Warehouse) -> pl.DataFrame:
    recs = person_fields(wh, ("id_number", "id_type"))
    ids = parse_ids(recs["id_number"], recs["id_type"])
    links = wh.query_pl("SELECT source, record_id, person_id FROM person_link", table="person_link")
    valid = (
        recs.with_columns(ids["id_norm"], ids["id_status"])
        .filter(pl.col("id_status") == "valid")
        .join(links, on=["source", "record_id"])
    )
    per = valid.group_by("person_id").agg(pl.col("id_norm").n_unique().alias("n_valid_ids"))
    explained = (
        wh.query_pl("SELECT person_id FROM person WHERE merge_reason IS NOT NULL", table="person")
        if "merge_reason"
        in {
            r[0]
            for r in wh.rows("SELECT column_name FROM information_schema.columns WHERE table_name = 'person'")
        }
        else pl.DataFrame(schema={"person_id": pl.Utf8})
    )
    return per.with_columns(
        pl.when(pl.col("person_id").is_in(explained["person_id"].implode()))
        .then(0)
        .otherwise((pl.col("n_valid_ids") - 1).clip(0, None))
        .alias("unexplained_valid_ids")
    )


def validate_outputs(wh: Warehouse, *, run_id: str) -> list:
    """Run every output suite; store the results; raise if any critical check failed."""
    outcomes = []
    for suite, frame in (
        (coverage_suite(), coverage_frame(wh)),
        (flag_suite(), flag_frame(wh)),
        (kpi_suite(), kpi_frame(wh)),
        (person_suite(), person_frame(wh)),
    ):
        outcome = validate_frame(suite, frame.to_pandas(), batch_name=suite.target)
        raw.write_expectations(wh, outcome, run_id=run_id, batch=suite.name)
        outcomes.append(outcome)
    failures = [f for o in outcomes for f in o.critical_failures]
    if failures:
        raise OutputCheckFailed("output checks failed, the run is not published:\n- " + "\n- ".join(failures))
    log.info("output suites passed: %s", ", ".join(o.suite for o in outcomes))
    return outcomes
