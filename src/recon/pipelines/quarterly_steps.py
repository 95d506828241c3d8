"""Read the quarterly statement's inputs from the published DuckDB file (through the gateway).

The community rosters were ingested, address-resolved and linked to persons by the nightly run
with the same linkage model as every other feed (person_link, source community_roster), so the
statement reuses those links: one model, one person id per person in every output.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from recon.pipelines.reconcile_steps import persons_locality
from recon.reconcile.evidence import current_address
from recon.reconcile.quarterly import quarter_bounds, quarter_label
from recon.warehouse.gateway import Warehouse
from recon.warehouse.schema import current_view

log = logging.getLogger("recon.pipelines.quarterly")

ROSTER = "community_roster"
REGISTRY = "police_registry"


@dataclass
class QuarterInputs:
    quarter: str
    as_of: date  # the published file's as-of date
    district: str
    run_id: str
    roster: pl.DataFrame
    regs: pl.DataFrame  # every registration in the snapshot (activity is decided per day)
    locality: pl.DataFrame
    current: pl.DataFrame  # current address at QE
    departures: pl.DataFrame
    visits: pl.DataFrame
    library: pl.DataFrame  # dwelling, community, street, police_station
    evidence: pl.DataFrame
    flags: pl.DataFrame


def roster_files(rosters: Path, quarter: str) -> list[str]:
    """Community names of the quarter's roster files in `rosters` (<社区>_<YYYY>Q<n>.csv/.xlsx)."""
    q = quarter_label(quarter)
    if not rosters.is_dir():
        raise FileNotFoundError(
            f"--rosters {rosters} is not a folder; point it at the community_roster folder of the drop "
            "folder (files named <社区>_<YYYY>Q<n>.csv or .xlsx)"
        )
    names = sorted(
        p.stem.rsplit("_", 1)[0]
        for p in rosters.iterdir()
        if p.suffix.lower() in (".csv", ".xlsx") and p.stem.endswith(f"_{q}")
    )
    if not names:
        have = sorted(p.name for p in rosters.iterdir())[:10]
        raise FileNotFoundError(
            f"no roster file for {q} in {rosters} (want <社区>_{q}.csv or .xlsx); it holds {have}"
        )
    return names


def load_inputs(wh: Warehouse, quarter: str, communities: list[str] | None = None) -> QuarterInputs:
    """Everything `statement` and the collector figures need, for one quarter."""
    q = quarter_label(quarter)
    _, qe = quarter_bounds(q)
    run_id, as_of, district = wh.rows(
        "SELECT run_id, as_of, district FROM run WHERE status IN ('succeeded', 'degraded') ORDER BY started_at DESC LIMIT 1",
        table="run",
    )[0]
    if as_of < qe:
        raise ValueError(
            f"the published file is as of {as_of}, before {q} ended ({qe}); run `recon nightly` with a later "
            "--as-of (and the quarter's rosters in the drop folder) first"
        )
    lib = wh.query_pl(
        f"""SELECT address_code AS dwelling, community, street, police_station,
                   concat_ws('|', community, coalesce(compound, road || door_number), building) AS building_key
            FROM "{current_view("standard_address")}" """,
        table="standard_address",
    )
    roster = wh.query_pl(
        f"""SELECT r.record_id, r.community_file AS community, r.seq, r.name, r.id_number, r.phone, r.address,
                   r.person_category, r.remark, l.person_id, a.std_address_code AS dwelling, a.status AS address_status,
                   a.candidates
            FROM "{current_view(ROSTER)}" r
            LEFT JOIN person_link l ON l.source = ? AND l.record_id = r.record_id
            LEFT JOIN address_match a ON a.source = ? AND a.record_id = r.record_id
            WHERE r.quarter = ?
            ORDER BY r.record_id""",
        [ROSTER, ROSTER, q],
        table=current_view(ROSTER),
    )
    if communities is not None:
        missing = sorted(set(communities) - set(roster["community"].unique().to_list()))
        if missing:
            raise LookupError(
                f"the published file holds no {q} roster rows for {missing}: these roster files are in --rosters "
                "but were not ingested by the nightly run; put them in the drop folder's community_roster/ folder "
                "and rerun `recon nightly`, so they are linked with the same model as every other feed"
            )
        roster = roster.filter(pl.col("community").is_in(communities))
    regs = wh.query_pl(
        f"""SELECT r.record_id, l.person_id, a.std_address_code AS dwelling, r.community AS held_community,
                   r.police_station AS held_station, r.registered_on, r.deregistered_on, r.name, r.id_number,
                   r.phone, r.address, r.collector
            FROM "{current_view(REGISTRY)}" r
            LEFT JOIN person_link l ON l.source = ? AND l.record_id = r.record_id
            LEFT JOIN address_match a ON a.source = ? AND a.record_id = r.record_id
            ORDER BY r.record_id""",
        [REGISTRY, REGISTRY],
        table=current_view(REGISTRY),
    )
    regs = (
        regs.join(lib.drop("building_key"), on="dwelling", how="left")
        .with_columns(
            pl.coalesce("community", "held_community").alias("community"),
            pl.coalesce("police_station", "held_station").alias("police_station"),
        )
        .drop("street")
    )
    streets = lib.select("community", "street").unique("community", keep="first")
    regs = regs.join(streets, on="community", how="left")
    evidence = wh.query_pl("SELECT * FROM evidence", table="evidence")
    current = current_address(evidence, qe)
    departures = evidence.filter((pl.col("kind") == "departure") & (pl.col("gone_from") <= qe)).select(
        "person_id", "dwelling", "gone_from"
    )
    visits = wh.query_pl(
        f"""SELECT v.record_id, l.person_id, a.std_address_code AS dwelling, v.visit_date, v.visit_result,
                   v.grid_worker, v.name, v.id_number, v.phone, v.address
            FROM "{current_view("grid_visit")}" v
            LEFT JOIN person_link l ON l.source = 'grid_visit' AND l.record_id = v.record_id
            LEFT JOIN address_match a ON a.source = 'grid_visit' AND a.record_id = v.record_id
            WHERE v.visit_date BETWEEN ? AND ?""",
        [quarter_bounds(q)[0], qe],
        table=current_view("grid_visit"),
    ).join(lib.select("dwelling", "community", "street"), on="dwelling", how="left")
    if communities is not None:
        regs_in = pl.col("community").is_in(communities)
        visits = visits.filter(regs_in)
    flags = wh.query_pl("SELECT * FROM flag", table="flag")
    locality = persons_locality(wh, district)
    log.info(
        "quarterly %s inputs: %d roster rows, %d registrations, %d visits in the quarter",
        q,
        roster.height,
        regs.height,
        visits.height,
    )
    return QuarterInputs(
        q, as_of, district, run_id, roster, regs, locality, current, departures, visits, lib, evidence, flags
    )
