"""Residence evidence timeline and the current address at D (CONTRACT.md section 2).

Every feed row that says where a person lives (or that they left) becomes one evidence row:

    person_id, source, record_id, kind ("presence" | "departure"), dwelling (code or null),
    start (the evidence's own date), end (last day in force, inclusive; null = open),
    gone_from (departures: first day the person is no longer there), rank (tie-break)

Readings taken (the contract's "Exact readings"):
- intervals include both ends; a 在住 visit is in force from its date through date + 180 days;
- a lease lives until 退租日期, else 租赁终止日期; a roster row until 离职/退场日期;
- departures: 退租日期 / 离职日期 / 退场日期 (the person still lives there that day, gone the
  day after), 已搬离 / 查无此人 (gone by the visit date), 注销 (gone by the 申报日期);
- a departure ends every piece of presence evidence of that person at that dwelling that
  started before the departure's date, whatever feed it came from;
- evidence without a dwelling (address partial/unmatched, dormitory without address) proves
  presence in the district but no dwelling;
- "newest" orders by start date, then self_declaration > leases > rosters > grid visits,
  then the larger record_id.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from recon.connectors.contract import LEASE_SOURCES

VISIT_IN_FORCE_DAYS = 180
DORMITORY = ("单位宿舍", "工地宿舍")

# Tie-break among evidence starting the same day: lower rank wins.
SOURCE_RANK = {
    "self_declaration": 0,
    **{s: 1 for s in LEASE_SOURCES},
    "employer_roster": 2,
    "site_roster": 2,
    "grid_visit": 3,
}

# The feed columns evidence is built from (each feed has some of them).
EVIDENCE_INPUTS = (
    "record_id", "lease_start", "lease_end", "moved_out_on", "agency_name", "landlord_name",
    "address", "lodging", "start_date", "end_date", "employer_name", "project_name",
    "visit_result", "visit_date", "declaration_type", "residence_start", "declared_on",
)  # fmt: skip

EVIDENCE_SCHEMA = {
    "person_id": pl.Utf8,
    "source": pl.Utf8,
    "record_id": pl.Utf8,
    "kind": pl.Utf8,
    "dwelling": pl.Utf8,
    "start": pl.Date,
    "end": pl.Date,
    "gone_from": pl.Date,
    "rank": pl.Int32,
    "responsible": pl.Utf8,
    "lodging": pl.Utf8,
}


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=EVIDENCE_SCHEMA)


def _frame(df: pl.DataFrame, source: str, **exprs: pl.Expr) -> pl.DataFrame:
    base = {
        "person_id": pl.col("person_id"),
        "source": pl.lit(source),
        "record_id": pl.col("record_id"),
        "dwelling": pl.col("dwelling"),
        "rank": pl.lit(SOURCE_RANK[source], pl.Int32),
        "responsible": pl.lit(None, pl.Utf8),
        "lodging": pl.lit(None, pl.Utf8),
        "end": pl.lit(None, pl.Date),
        "gone_from": pl.lit(None, pl.Date),
    }
    base.update(exprs)
    return df.select(**{k: base[k].cast(v) for k, v in EVIDENCE_SCHEMA.items()})


def _leases(df: pl.DataFrame, source: str) -> list[pl.DataFrame]:
    presence = _frame(
        df.filter(pl.col("lease_start").is_not_null()),
        source,
        kind=pl.lit("presence"),
        start=pl.col("lease_start"),
        end=pl.coalesce("moved_out_on", "lease_end"),
        responsible=pl.concat_str(
            [pl.col("agency_name"), pl.col("landlord_name")], separator=" / ", ignore_nulls=True
        ),
    )
    departure = _frame(
        df.filter(pl.col("moved_out_on").is_not_null()),
        source,
        kind=pl.lit("departure"),
        start=pl.col("moved_out_on"),
        gone_from=pl.col("moved_out_on") + timedelta(days=1),
    )
    return [presence, departure]


def _roster(df: pl.DataFrame, source: str, who: str) -> list[pl.DataFrame]:
    lives = pl.col("address").is_not_null() | pl.col("lodging").is_in(DORMITORY)
    presence = _frame(
        df.filter(lives & pl.col("start_date").is_not_null()),
        source,
        kind=pl.lit("presence"),
        start=pl.col("start_date"),
        end=pl.col("end_date"),
        responsible=pl.col(who),
        lodging=pl.col("lodging"),
    )
    departure = _frame(
        df.filter(lives & pl.col("end_date").is_not_null()),
        source,
        kind=pl.lit("departure"),
        start=pl.col("end_date"),
        gone_from=pl.col("end_date") + timedelta(days=1),
        lodging=pl.col("lodging"),
    )
    return [presence, departure]


def _visits(df: pl.DataFrame) -> list[pl.DataFrame]:
    seen = _frame(
        df.filter(pl.col("visit_result") == "在住"),
        "grid_visit",
        kind=pl.lit("presence"),
        start=pl.col("visit_date"),
        end=pl.col("visit_date") + timedelta(days=VISIT_IN_FORCE_DAYS),
    )
    gone = _frame(
        df.filter(pl.col("visit_result").is_in(["已搬离", "查无此人"])),
        "grid_visit",
        kind=pl.lit("departure"),
        start=pl.col("visit_date"),
        gone_from=pl.col("visit_date"),
    )
    return [seen, gone]


def _declarations(df: pl.DataFrame) -> list[pl.DataFrame]:
    lives = _frame(
        df.filter(pl.col("declaration_type").is_in(["新登记", "变更"])),
        "self_declaration",
        kind=pl.lit("presence"),
        start=pl.coalesce("residence_start", "declared_on"),
    )
    gone = _frame(
        df.filter(pl.col("declaration_type") == "注销"),
        "self_declaration",
        kind=pl.lit("departure"),
        start=pl.col("declared_on"),
        gone_from=pl.col("declared_on"),
    )
    return [lives, gone]


def build_evidence(
    feeds: dict[str, pl.DataFrame], links: pl.DataFrame, dwellings: pl.DataFrame
) -> pl.DataFrame:
    """Evidence rows of every evidence feed.

    feeds: current rows per source (contract English columns + record_id);
    links: person_link (source, record_id, person_id);
    dwellings: address_match (source, record_id, std_address_code) — null code = no dwelling.
    """
    parts: list[pl.DataFrame] = []
    wanted = [s for s, df in feeds.items() if s in SOURCE_RANK and df.height]
    # split by source once, then join each feed on record_id alone
    lk = links.filter(pl.col("source").is_in(wanted) & pl.col("person_id").is_not_null()).select(
        "source", "record_id", "person_id"
    )
    lk_by = lk.partition_by("source", as_dict=True, include_key=False)
    dw = dwellings.filter(pl.col("source").is_in(wanted)).select(
        "source", "record_id", pl.col("std_address_code").alias("dwelling")
    )
    dw_by = dw.partition_by("source", as_dict=True, include_key=False)
    for source in wanted:
        df = feeds[source]
        d = (
            df.join(lk_by.get((source,), lk.clear().drop("source")), on="record_id", how="inner")
            .join(dw_by.get((source,), dw.clear().drop("source")), on="record_id", how="left")
            .with_columns(pl.lit(source).alias("source"))
        )
        if source in LEASE_SOURCES:
            parts += _leases(d, source)
        elif source == "employer_roster":
            parts += _roster(d, source, "employer_name")
        elif source == "site_roster":
            parts += _roster(d, source, "project_name")
        elif source == "grid_visit":
            parts += _visits(d)
        elif source == "self_declaration":
            parts += _declarations(d)
    if not parts:
        return _empty()
    return pl.concat(parts, how="vertical").sort("person_id", "start", "source", "record_id")


def effective_presence(evidence: pl.DataFrame) -> pl.DataFrame:
    """Presence rows with `eff_end`: their own end, cut by any later departure at the same dwelling."""
    presence = evidence.filter(pl.col("kind") == "presence")
    departures = evidence.filter((pl.col("kind") == "departure") & pl.col("dwelling").is_not_null()).select(
        "person_id", "dwelling", pl.col("start").alias("dep_date"), "gone_from"
    )
    cut = (
        presence.filter(pl.col("dwelling").is_not_null())
        .select("person_id", "dwelling", "source", "record_id", "start")
        .join(departures, on=["person_id", "dwelling"], how="inner")
        .filter(pl.col("start") < pl.col("dep_date"))
        .group_by("source", "record_id")
        .agg((pl.col("gone_from").min() - timedelta(days=1)).alias("cut_end"))
    )
    return (
        presence.join(cut, on=["source", "record_id"], how="left")
        .with_columns(pl.min_horizontal("end", "cut_end").alias("eff_end"))
        .drop("cut_end")
    )


def in_force(presence: pl.DataFrame, as_of: date) -> pl.DataFrame:
    return presence.filter(
        (pl.col("start") <= as_of) & (pl.col("eff_end").is_null() | (pl.col("eff_end") >= as_of))
    )


def current_address(evidence: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Per person, the newest presence evidence in force at D (dwelling null = presence only)."""
    live = in_force(effective_presence(evidence), as_of)
    return (
        live.sort(["person_id", "start", "rank", "record_id"], descending=[False, True, False, True])
        .group_by("person_id", maintain_order=True)
        .first()
        .select(
            "person_id",
            pl.col("dwelling").alias("current_dwelling"),
            pl.col("start").alias("current_since"),
            pl.col("source").alias("current_source"),
            pl.col("record_id").alias("current_record_id"),
        )
    )
