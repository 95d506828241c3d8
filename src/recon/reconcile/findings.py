"""The six finding rules of CONTRACT.md section 2, as pure functions over polars frames.

Inputs (built by the pipeline from the warehouse):
- `registrations`: one row per current police_registry record: record_id, person_id, id_type,
  id_status (from matching.id_number), id_problems (list), registered_on, deregistered_on,
  address, held_code (the registry's 标准地址编码), dwelling (resolved code or null),
  address_status (exact/matched/partial/unmatched);
- `evidence`: `recon.reconcile.evidence.build_evidence` output;
- `persons`: person_id, is_local (resident-ID area code == the district's county code).

Output: one row per finding with flag_type, reason, person_id, source, record_id,
std_address_code and `evidence` (JSON naming every record behind it).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import polars as pl

from recon.connectors.contract import LEASE_SOURCES
from recon.reconcile.evidence import DORMITORY, current_address, effective_presence
from recon.reconcile.workdays import WorkCalendar

FINDING_SCHEMA = {
    "flag_type": pl.Utf8,
    "reason": pl.Utf8,
    "person_id": pl.Utf8,
    "source": pl.Utf8,
    "record_id": pl.Utf8,
    "std_address_code": pl.Utf8,
    "evidence": pl.Utf8,
}
REGISTRY = "police_registry"
DECLARE_WITHIN_WORKDAYS = 3
RENEWAL_GAP_DAYS = 7
NOT_DEREGISTERED_DAYS = 7
RESIDENCE_ID_TYPES = (None, "", "居民身份证", "身份证")


def active_on(regs: pl.DataFrame, day: date | pl.Expr) -> pl.Expr:
    d = pl.lit(day) if isinstance(day, date) else day
    return (pl.col("registered_on") <= d) & (
        pl.col("deregistered_on").is_null() | (pl.col("deregistered_on") > d)
    )


def _refs(*pairs: tuple[str, str]) -> pl.Expr:
    """JSON evidence from (label, column-with-'source:record_id' text or list) pairs."""
    return pl.struct([pl.col(c).alias(label) for label, c in pairs]).map_elements(
        lambda s: json.dumps({k: v for k, v in s.items() if v is not None}, ensure_ascii=False, default=str),
        return_dtype=pl.Utf8,
    )


def _finalize(df: pl.DataFrame) -> pl.DataFrame:
    return df.select(
        [
            pl.col(k).cast(v) if k in df.columns else pl.lit(None, v).alias(k)
            for k, v in FINDING_SCHEMA.items()
        ]
    )


def _current_with_ref(evidence: pl.DataFrame, as_of: date) -> pl.DataFrame:
    return current_address(evidence, as_of).with_columns(
        (pl.col("current_source") + ":" + pl.col("current_record_id")).alias("current_ref")
    )


def unregistered(
    regs: pl.DataFrame, current: pl.DataFrame, persons: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """Non-local persons with a current address (or presence) at D and no active registration."""
    registered = regs.filter(active_on(regs, as_of)).select("person_id").unique()
    df = (
        current.join(persons.select("person_id", "is_local"), on="person_id", how="left")
        .filter(~pl.col("is_local").fill_null(False))
        .join(registered, on="person_id", how="anti")
        .with_columns(pl.col("current_dwelling").is_null().alias("dwelling_unknown"))
    )
    return _finalize(
        df.with_columns(
            pl.lit("unregistered").alias("flag_type"),
            pl.lit("no_active_registration").alias("reason"),
            pl.col("current_source").alias("source"),
            pl.col("current_record_id").alias("record_id"),
            pl.col("current_dwelling").alias("std_address_code"),
            _refs(
                ("current_evidence", "current_ref"),
                ("since", "current_since"),
                ("dwelling_unknown", "dwelling_unknown"),
            ).alias("evidence"),
        )
    )


def address_inaccurate(regs: pl.DataFrame, current: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Active registrations whose address is outdated (moved), unresolvable, or whose code mismatches."""
    act = regs.filter(active_on(regs, as_of)).join(current, on="person_id", how="left")
    moved = (
        pl.col("dwelling").is_not_null()
        & pl.col("current_dwelling").is_not_null()
        & (pl.col("current_dwelling") != pl.col("dwelling"))
        & (pl.col("current_since") > pl.col("registered_on"))
    )
    unresolvable = pl.col("dwelling").is_null()
    held = pl.col("held_code").is_not_null() & (pl.col("held_code").str.strip_chars() != "")
    mismatch = held & pl.col("dwelling").is_not_null() & (pl.col("held_code") != pl.col("dwelling"))
    df = act.with_columns(
        pl.when(moved)
        .then(pl.lit("moved"))
        .when(unresolvable)
        .then(pl.lit("unresolvable"))
        .when(mismatch)
        .then(pl.lit("code_mismatch"))
        .otherwise(None)
        .alias("reason"),
        pl.concat_list(
            [
                pl.when(moved).then(pl.lit("moved")),
                pl.when(unresolvable).then(pl.lit("unresolvable")),
                pl.when(mismatch).then(pl.lit("code_mismatch")),
            ]
        )
        .list.drop_nulls()
        .alias("all_reasons"),
    ).filter(pl.col("reason").is_not_null())
    return _finalize(
        df.with_columns(
            pl.lit("address_inaccurate").alias("flag_type"),
            pl.lit(REGISTRY).alias("source"),
            # the suggested correct dwelling: the proven current one for a move, else the resolved one
            pl.when(pl.col("reason") == "moved")
            .then(pl.col("current_dwelling"))
            .otherwise(pl.col("dwelling"))
            .alias("std_address_code"),
            _refs(
                ("reasons", "all_reasons"),
                ("registry_address", "address"),
                ("registry_dwelling", "dwelling"),
                ("held_code", "held_code"),
                ("address_status", "address_status"),
                ("current_evidence", "current_ref"),
                ("current_dwelling", "current_dwelling"),
                ("current_since", "current_since"),
            ).alias("evidence"),
        )
    )


def not_deregistered(
    regs: pl.DataFrame, evidence: pl.DataFrame, current: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """Active registrations whose person left that dwelling on D−8 or earlier and lives nowhere in the district now."""
    cutoff = as_of - timedelta(days=NOT_DEREGISTERED_DAYS + 1)
    left = (
        evidence.filter(
            (pl.col("kind") == "departure") & pl.col("dwelling").is_not_null() & (pl.col("start") <= cutoff)
        )
        .with_columns((pl.col("source") + ":" + pl.col("record_id")).alias("ref"))
        .group_by("person_id", "dwelling")
        .agg(pl.col("start").max().alias("left_on"), pl.col("ref").sort().alias("departures"))
    )
    df = (
        regs.filter(active_on(regs, as_of) & pl.col("dwelling").is_not_null())
        .join(left, on=["person_id", "dwelling"], how="inner")
        .join(current.select("person_id"), on="person_id", how="anti")
    )
    return _finalize(
        df.with_columns(
            pl.lit("not_deregistered").alias("flag_type"),
            pl.lit("left_over_7_days").alias("reason"),
            pl.lit(REGISTRY).alias("source"),
            pl.col("dwelling").alias("std_address_code"),
            _refs(("departures", "departures"), ("left_on", "left_on")).alias("evidence"),
        )
    )


def duplicate_registration(regs: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Persons holding two or more active registrations (one row per person)."""
    df = (
        regs.filter(active_on(regs, as_of) & pl.col("person_id").is_not_null())
        .group_by("person_id")
        .agg(pl.col("record_id").sort().alias("records"), pl.len().alias("n"))
        .filter(pl.col("n") >= 2)
    )
    return _finalize(
        df.with_columns(
            pl.lit("duplicate_registration").alias("flag_type"),
            pl.lit("multiple_active").alias("reason"),
            pl.lit(REGISTRY).alias("source"),
            pl.col("records").list.first().alias("record_id"),
            _refs(("registrations", "records")).alias("evidence"),
        )
    )


def invalid_identity(regs: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Active registrations whose resident-ID number fails format, birth date, area code or check character."""
    bad = ("bad_format", "bad_area", "bad_birth_date", "bad_check", "missing")
    is_resident_id = pl.col("id_type").is_null() | pl.col("id_type").is_in(
        [t for t in RESIDENCE_ID_TYPES if t]
    )
    df = regs.filter(active_on(regs, as_of) & is_resident_id & pl.col("id_status").is_in(bad))
    return _finalize(
        df.with_columns(
            pl.lit("invalid_identity").alias("flag_type"),
            pl.col("id_status").alias("reason"),
            pl.lit(REGISTRY).alias("source"),
            pl.col("dwelling").alias("std_address_code"),
            _refs(("problems", "id_problems")).alias("evidence"),
        )
    )


def late_declaration(
    regs: pl.DataFrame,
    evidence: pl.DataFrame,
    persons: pl.DataFrame,
    as_of: date,
    calendar: WorkCalendar | None = None,
) -> pl.DataFrame:
    """Residence starts (leases, dormitory rows) of non-local persons declared late or not at all."""
    calendar = calendar or WorkCalendar()
    pres = effective_presence(evidence)
    starts = pres.filter(
        pl.col("dwelling").is_not_null()
        & (pl.col("start") <= as_of)
        & (pl.col("source").is_in(LEASE_SOURCES) | pl.col("lodging").is_in(DORMITORY))
    )
    # A lease starting within 7 days after another lease of the person at the dwelling ended is a renewal.
    leases = starts.filter(pl.col("source").is_in(LEASE_SOURCES)).select(
        "person_id",
        "dwelling",
        pl.col("record_id").alias("prev_id"),
        pl.col("start").alias("prev_start"),
        pl.col("eff_end").alias("prev_end"),
    )
    renewals = (
        starts.filter(pl.col("source").is_in(LEASE_SOURCES))
        .join(leases, on=["person_id", "dwelling"], how="inner")
        .filter(
            (pl.col("prev_id") != pl.col("record_id"))
            & pl.col("prev_end").is_not_null()
            & (pl.col("prev_start") < pl.col("start"))
            & (pl.col("prev_end") < pl.col("start"))
            & (pl.col("start") <= pl.col("prev_end") + timedelta(days=RENEWAL_GAP_DAYS))
        )
        .select("source", "record_id")
        .unique()
    )
    starts = (
        starts.join(renewals, on=["source", "record_id"], how="anti")
        .join(persons.select("person_id", "is_local"), on="person_id", how="left")
        .filter(~pl.col("is_local").fill_null(False))
    )
    starts = starts.with_columns(
        calendar.deadlines(starts["start"], DECLARE_WITHIN_WORKDAYS).alias("deadline")
    )

    r = regs.filter(pl.col("dwelling").is_not_null()).select(
        "person_id", "dwelling", pl.col("record_id").alias("reg_id"), "registered_on", "deregistered_on"
    )
    pairs = starts.select("person_id", "dwelling", "source", "record_id", "start").join(
        r, on=["person_id", "dwelling"]
    )
    held = pairs.filter(active_on(pairs, pl.col("start"))).select("source", "record_id").unique()
    first_after = (
        pairs.filter(pl.col("registered_on") >= pl.col("start"))
        .sort("registered_on", "reg_id")
        .group_by("source", "record_id", maintain_order=True)
        .agg(pl.col("registered_on").first().alias("declared_on"), pl.col("reg_id").first())
    )
    df = (
        starts.join(held, on=["source", "record_id"], how="anti")
        .join(first_after, on=["source", "record_id"], how="left")
        .filter(
            pl.when(pl.col("declared_on").is_not_null())
            .then(pl.col("declared_on") > pl.col("deadline"))
            .otherwise(pl.lit(as_of) > pl.col("deadline"))
        )
    )
    return _finalize(
        df.with_columns(
            pl.lit("late_declaration").alias("flag_type"),
            pl.when(pl.col("declared_on").is_null())
            .then(pl.lit("undeclared"))
            .otherwise(pl.lit("declared_late"))
            .alias("reason"),
            pl.col("dwelling").alias("std_address_code"),
            _refs(
                ("start", "start"),
                ("deadline", "deadline"),
                ("declared_on", "declared_on"),
                ("registration", "reg_id"),
                ("responsible", "responsible"),
            ).alias("evidence"),
        )
    )


def all_findings(
    regs: pl.DataFrame,
    evidence: pl.DataFrame,
    persons: pl.DataFrame,
    as_of: date,
    calendar: WorkCalendar | None = None,
) -> pl.DataFrame:
    """Every finding of section 2 at D, sorted deterministically."""
    current = _current_with_ref(evidence, as_of)
    parts = [
        unregistered(regs, current, persons, as_of),
        address_inaccurate(regs, current, as_of),
        not_deregistered(regs, evidence, current, as_of),
        duplicate_registration(regs, as_of),
        invalid_identity(regs, as_of),
        late_declaration(regs, evidence, persons, as_of, calendar),
    ]
    return pl.concat(parts, how="vertical").sort("flag_type", "source", "record_id", "person_id")
