"""Suites over the published tables: a run whose output fails one of them is not published.

Each suite validates a compact audit frame that the pipeline builds with SQL (one row per
feed, per finding, per rate, per person), so that GX sees every record's fate without
validating millions of rows one by one:

- `output.coverage` (one row per person-bearing feed): every accepted record has a person in
  `person_link` and a row in `address_match` (`unlinked == 0`, `unresolved_rows == 0`);
- `output.flag` (one row per finding): ids present and unique, type and status in their sets,
  and every finding names a record that exists (`missing_record == 0`);
- `output.kpi` (one row per rate): value within [0, 1], numerator ≤ denominator;
- `output.person` (one row per person): no person holds two different valid ID numbers
  without a recorded reason (`unexplained_valid_ids == 0`).
"""

from __future__ import annotations

from recon.expectations import checks as ck

FLAG_TYPES = (
    "unregistered",
    "address_inaccurate",
    "not_deregistered",
    "duplicate_registration",
    "invalid_identity",
    "late_declaration",
)
FLAG_STATUSES = ("open", "confirmed", "dismissed", "closed")


def _zero(column: str, fix: str) -> ck.Check:
    return ck.between(column, 0, 0, critical=True, fix=fix)


def coverage_suite() -> ck.SuiteSpec:
    return ck.SuiteSpec(
        "output.coverage",
        "person_link+address_match",
        (
            ck.not_null("source", fix="the coverage frame is built per feed; fix the pipeline's audit query"),
            _zero(
                "unlinked",
                "every accepted record must get a person in person_link (CONTRACT.md section 3); "
                "the linkage step dropped records: check its input query",
            ),
            _zero(
                "unresolved_rows",
                "every accepted record must get an address_match row; the address step "
                "dropped records: check its input query",
            ),
        ),
    )


def flag_suite() -> ck.SuiteSpec:
    return ck.SuiteSpec(
        "output.flag",
        "flag",
        (
            ck.not_null("flag_id", fix="every finding needs a flag_id; fix the lifecycle step"),
            ck.unique(
                "flag_id",
                min_rate=1.0,
                critical=True,
                fix="two findings share a flag_id: the cause key is not unique; fix lifecycle.cause_key",
            ),
            ck.in_set(
                "type_in_set",
                "flag_type",
                FLAG_TYPES,
                min_rate=1.0,
                critical=True,
                fix="a finding has a type outside CONTRACT.md section 2",
            ),
            ck.in_set(
                "status_in_set",
                "status",
                FLAG_STATUSES,
                min_rate=1.0,
                critical=True,
                fix="a finding has a status outside open/confirmed/dismissed/closed",
            ),
            _zero(
                "missing_record",
                "a finding names a record that is not in the current raw layer; its evidence "
                "cannot be shown to a reviewer: fix the finding rule that produced it",
            ),
        ),
    )


def kpi_suite() -> ck.SuiteSpec:
    return ck.SuiteSpec(
        "output.kpi",
        "kpi",
        (
            ck.between(
                "value",
                0,
                1,
                critical=True,
                fix="a rate outside [0, 1]: numerator and denominator "
                "come from different populations; fix reconcile.rates",
            ),
            _zero(
                "numerator_over_denominator",
                "a rate's numerator exceeds its denominator; fix reconcile.rates",
            ),
            ck.not_null("unit", fix="every rate row needs its unit (街道/社区/派出所)"),
        ),
    )


def person_suite() -> ck.SuiteSpec:
    return ck.SuiteSpec(
        "output.person",
        "person",
        (
            _zero(
                "unexplained_valid_ids",
                "a person holds two different valid ID numbers with no recorded reason: "
                "the linkage merged two people; inspect linkage_pair for the person",
            ),
        ),
    )
