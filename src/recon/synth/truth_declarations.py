"""`late_declaration` for the findings oracle: lease and dormitory starts against registrations.

A start (lease, 单位宿舍 or 工地宿舍 row of a non-local person, at a dwelling its address identifies)
is declared in time if the person already holds a registration at that dwelling active on the
start date; otherwise by the person's first registration there dated on or after the start, which
must come by the 3rd working day counted from the day after the start. A lease starting 0-7 days
after another lease of the same person at the same dwelling ended is a renewal, not a start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import polars as pl

from recon.synth.truth_evidence import LEASES, ROSTERS

DORMITORIES = ("单位宿舍", "工地宿舍")
RENEWAL_DAYS = 7
DECLARE_WITHIN_WORKING_DAYS = 3


def declaration_deadline(start: pl.Series, holidays: Iterable[dt.date] = ()) -> pl.Series:
    """The 3rd working day (Mon-Fri, not a holiday) counted from the day after `start`."""
    days = start.to_numpy().astype("datetime64[D]")
    hol = np.array(sorted(holidays), dtype="datetime64[D]")
    out = np.busday_offset(days, DECLARE_WITHIN_WORKING_DAYS, roll="backward", holidays=hol)
    return pl.Series(out).cast(pl.Date)


def late_declarations(
    ev: pl.DataFrame, regs: pl.DataFrame, local: pl.DataFrame, D: dt.date, holidays: Iterable[dt.date]
) -> pl.DataFrame:
    """Lease and dormitory starts of non-local persons not registered within 3 working days:
    person_id, source, record_id, reason (registered_late / still_unregistered), responsible, dwelling."""
    leases = ev.filter(pl.col("source").is_in(LEASES) & pl.col("dwelling").is_not_null()).with_columns(
        start=pl.col("lease_start"), ended=pl.coalesce("moved_out_on", "lease_end")
    )
    dorms = ev.filter(
        pl.col("source").is_in(ROSTERS)
        & pl.col("dwelling").is_not_null()
        & pl.col("lodging").str.strip_chars().is_in(DORMITORIES)
    ).with_columns(start=pl.col("start_date"))
    # A lease starting 0-7 days after another lease of the same person at the same dwelling ended is a renewal.
    other = leases.select(
        "person_id",
        "dwelling",
        pl.col("source").alias("o_source"),
        pl.col("record_id").alias("o_id"),
        pl.col("start").alias("o_start"),
        pl.col("ended").alias("o_ended"),
    )
    renewals = (
        leases.select("source", "record_id", "person_id", "dwelling", "start")
        .join(other, on=["person_id", "dwelling"], how="inner")
        .filter(
            ((pl.col("o_source") != pl.col("source")) | (pl.col("o_id") != pl.col("record_id")))
            & (pl.col("o_start") < pl.col("start"))
            & pl.col("o_ended").is_not_null()
            & ((pl.col("start") - pl.col("o_ended")).dt.total_days().is_between(0, RENEWAL_DAYS))
        )
        .select("source", "record_id")
        .unique()
    )
    starts = (
        pl.concat(
            [
                leases.join(renewals, on=["source", "record_id"], how="anti").select(
                    "source", "record_id", "person_id", "dwelling", "start", "responsible"
                ),
                dorms.select("source", "record_id", "person_id", "dwelling", "start", "responsible"),
            ]
        )
        .join(local, on="person_id", how="left")
        .filter(~pl.col("is_local").fill_null(False))
    )
    if starts.is_empty():
        return starts.select("person_id", "source", "record_id", "responsible", "dwelling").with_columns(
            reason=pl.lit(None, pl.Utf8)
        )
    starts = starts.with_columns(deadline=declaration_deadline(starts["start"], holidays))
    r = regs.filter(pl.col("dwelling").is_not_null()).select(
        "person_id", "dwelling", "registered_on", "deregistered_on"
    )
    pairs = starts.select("source", "record_id", "person_id", "dwelling", "start").join(
        r, on=["person_id", "dwelling"], how="inner"
    )
    held = (
        pairs.filter(
            (pl.col("registered_on") <= pl.col("start"))
            & (pl.col("deregistered_on").is_null() | (pl.col("deregistered_on") > pl.col("start")))
        )
        .select("source", "record_id")
        .unique()
    )
    first = (
        pairs.filter(pl.col("registered_on") >= pl.col("start"))
        .group_by(["source", "record_id"])
        .agg(pl.col("registered_on").min().alias("declared"))
    )
    late = (
        starts.join(held, on=["source", "record_id"], how="anti")
        .join(first, on=["source", "record_id"], how="left")
        .with_columns(
            reason=pl.when(pl.col("declared").is_not_null() & (pl.col("declared") > pl.col("deadline")))
            .then(pl.lit("registered_late"))
            .when(pl.col("declared").is_null() & (pl.lit(D) > pl.col("deadline")))
            .then(pl.lit("still_unregistered"))
        )
        .filter(pl.col("reason").is_not_null())
    )
    return late.select("person_id", "source", "record_id", "reason", "responsible", "dwelling")
