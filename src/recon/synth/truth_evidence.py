"""What the evidence feeds say, read as CONTRACT.md section 2 says ("Residence evidence" and the
"Exact readings"): presence pieces, departures, and each person's current address at D.

Part of the findings oracle (`truth_findings`); independent of recon.reconcile.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

LEASES = ("intermediary_lease", "property_lease", "public_rental_lease")
ROSTERS = ("employer_roster", "site_roster")
# "Newest evidence" ties: self declaration, then leases, then rosters, then grid visits.
PRIORITY = {"self_declaration": 4, **dict.fromkeys(LEASES, 3), **dict.fromkeys(ROSTERS, 2), "grid_visit": 1}
VISIT_IN_FORCE_DAYS = 180
NULL_TEXTS = ("", "NULL", "null", "Null", "None", "NaN", "nan", "无", "-", "/", "—", "－", "N/A", "n/a")


def latest_versions(evidence: pl.DataFrame) -> pl.DataFrame:
    """Quarantined rows are not evidence; of the rest, the latest delivered version of each key wins."""
    return (
        evidence.filter(~pl.col("is_bad"))
        .sort(["source", "record_id", "file_order", "source_row"])
        .unique(subset=["source", "record_id"], keep="last", maintain_order=True)
    )


def presence_pieces(ev: pl.DataFrame) -> pl.DataFrame:
    """Each row that says someone lived somewhere from `start` until `end` (null end = still)."""
    src = pl.col("source")
    lease = src.is_in(LEASES)
    roster = src.is_in(ROSTERS) & pl.col("has_address")
    living_visit = (src == "grid_visit") & (pl.col("visit_result").str.strip_chars() == "在住")
    declared = (src == "self_declaration") & pl.col("declaration_type").str.strip_chars().is_in(
        ["新登记", "变更"]
    )
    start = (
        pl.when(lease)
        .then(pl.col("lease_start"))
        .when(roster)
        .then(pl.col("start_date"))
        .when(living_visit)
        .then(pl.col("visit_date"))
        .when(declared)
        .then(pl.coalesce("residence_start", "declared_on"))
    )
    end = (
        pl.when(lease)
        .then(pl.coalesce("moved_out_on", "lease_end"))
        .when(roster)
        .then(pl.col("end_date"))
        .when(living_visit)
        .then(pl.col("visit_date") + pl.duration(days=VISIT_IN_FORCE_DAYS))
    )
    return (
        ev.with_columns(start=start, end=end, priority=src.replace_strict(PRIORITY, default=0))
        .filter(pl.col("start").is_not_null() & pl.col("has_address"))
        .select(
            "source",
            "record_id",
            "person_id",
            "dwelling",
            "start",
            "end",
            "priority",
            "responsible",
            "lodging",
        )
    )


def departures(ev: pl.DataFrame) -> pl.DataFrame:
    """Each row that says someone left a dwelling on a date (only rows that identify the dwelling)."""
    src = pl.col("source")
    date = (
        pl.when(src.is_in(LEASES))
        .then(pl.col("moved_out_on"))
        .when(src.is_in(ROSTERS) & pl.col("has_address"))
        .then(pl.col("end_date"))
        .when((src == "grid_visit") & pl.col("visit_result").str.strip_chars().is_in(["已搬离", "查无此人"]))
        .then(pl.col("visit_date"))
        .when((src == "self_declaration") & (pl.col("declaration_type").str.strip_chars() == "注销"))
        .then(pl.col("declared_on"))
    )
    return (
        ev.with_columns(left_on=date)
        .filter(pl.col("left_on").is_not_null() & pl.col("dwelling").is_not_null())
        .select("person_id", "dwelling", "left_on")
    )


def end_by_departures(pieces: pl.DataFrame, deps: pl.DataFrame) -> pl.DataFrame:
    """A departure ends every earlier-starting piece of that person at that dwelling."""
    cut = (
        pieces.select("source", "record_id", "person_id", "dwelling", "start")
        .join(deps, on=["person_id", "dwelling"], how="inner")
        .filter(pl.col("left_on") > pl.col("start"))
        .group_by(["source", "record_id"])
        .agg(pl.col("left_on").min().alias("cut"))
    )
    return (
        pieces.join(cut, on=["source", "record_id"], how="left")
        .with_columns(
            end=pl.when(
                pl.col("cut").is_not_null() & (pl.col("end").is_null() | (pl.col("cut") < pl.col("end")))
            )
            .then(pl.col("cut"))
            .otherwise(pl.col("end"))
        )
        .drop("cut")
    )


def current_addresses(pieces: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Per person, the newest piece still in force at D (its dwelling may be null: presence only)."""
    in_force = pieces.filter(
        (pl.col("start") <= as_of) & (pl.col("end").is_null() | (pl.col("end") >= as_of))
    )
    return (
        in_force.sort(["person_id", "start", "priority", "record_id"], descending=[False, True, True, True])
        .unique(subset=["person_id"], keep="first", maintain_order=True)
        .select(
            "person_id",
            pl.col("dwelling").alias("current_dwelling"),
            pl.col("start").alias("current_start"),
            pl.col("source").alias("current_source"),
            pl.col("record_id").alias("current_record_id"),
        )
    )
