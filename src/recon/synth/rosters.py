"""Employer (用工单位) and construction-site (智慧工地) worker rosters.

Dormitory residents are declared by their employer or site with the dormitory address; other
workers appear with 自行租房 and often their rented address, or 其他 without one. Leaving dates
arrive later as a re-delivery of the same record number.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from recon.synth.addresses import AddressHabit
from recon.synth.feeds import ChunkContext, delays, to_date, truth_columns
from recon.synth.geography import KIND_SDORM
from recon.synth.histories import OPEN, STAY_EDORM, STAY_OTHER, STAY_OWN, STAY_RENT, STAY_SDORM

HABIT = AddressHabit((0.1, 0.3, 0.3, 0.15, 0.1, 0.05))


def _rows(
    ctx: ChunkContext,
    prefix: str,
    person: np.ndarray,
    dwelling: np.ndarray,
    has_address: np.ndarray,
    entry: np.ndarray,
    leave: np.ndarray,
    lodging: np.ndarray,
    org: dict[str, pl.Series],
    with_declared: bool,
) -> pl.DataFrame:
    """Roster rows (and re-deliveries carrying the leaving date) for one feed."""
    rng, today = ctx.rng, ctx.today
    n = len(person)
    declared = entry + delays(rng, n)
    keep = declared <= today
    person, dwelling, has_address, entry, leave, lodging, declared = (
        a[keep] for a in (person, dwelling, has_address, entry, leave, lodging, declared)
    )
    org = {k: v.filter(pl.Series(keep)) for k, v in org.items()}
    n = len(person)
    known = (leave != OPEN) & (leave <= declared)
    file0 = ctx.file_for(declared)
    redeliver_day = np.maximum(leave, declared) + rng.integers(0, 21, n)
    file1 = np.where(ctx.file_for(redeliver_day) <= file0, file0 + 1, ctx.file_for(redeliver_day))
    redeliver = (
        (leave != OPEN)
        & ~known
        & (rng.random(n) < 0.75)
        & (redeliver_day <= today)
        & (file1 < len(ctx.plans))
    )
    address, identifies = ctx.addresses(dwelling, HABIT)
    address = pl.select(pl.when(pl.Series(has_address)).then(address).otherwise(pl.lit(""))).to_series()
    columns = {
        "record_no": ctx.keys(prefix, entry),
        **org,
        "name": ctx.names(person),
        "id_number": ctx.ids(person, blank=ctx.noise.id_blank, masked=ctx.noise.id_masked),
        "phone": ctx.phones(person, declared),
        "start_date": to_date(entry),
        "end_date": to_date(np.where(known, leave, OPEN)),
        "lodging": pl.Series(lodging),
        "address": address,
    }
    if with_declared:
        columns["declared_on"] = to_date(declared)
    truth = truth_columns(person, dwelling, identifies & has_address)
    truth["_dwelling"] = pl.select(pl.when(pl.Series(has_address)).then(truth["_dwelling"])).to_series()
    first = pl.DataFrame({**columns, "_file": file0, "_order": declared, **truth})
    again = first.filter(pl.Series(redeliver)).with_columns(
        end_date=to_date(leave[redeliver]),
        _file=pl.Series(file1[redeliver]),
        _order=pl.Series(redeliver_day[redeliver]),
    )
    return pl.concat([first, again])


def build_employer(ctx: ChunkContext) -> pl.DataFrame:
    rng, lib = ctx.rng, ctx.lib
    ps = ctx.hist.person_stays
    kind, age = ps["kind"].to_numpy(), ps["age"].to_numpy()
    person, dwelling = ps["person"].to_numpy(), ps["dwelling"].to_numpy()
    start, end = ps["start"].to_numpy(), ps["end"].to_numpy()
    n = ps.height
    dorm = (kind == STAY_EDORM) & (rng.random(n) < 0.85)
    other = (
        np.isin(kind, (STAY_RENT, STAY_OWN, STAY_OTHER)) & (age >= 18) & (age <= 60) & (rng.random(n) < 0.22)
    )
    sel = dorm | other
    self_rent = rng.random(n) < 0.75
    lodging = np.where(dorm, "单位宿舍", np.where(self_rent, "自行租房", "其他"))
    has_address = dorm | (other & self_rent & (rng.random(n) < 0.65))
    stop = np.minimum(np.where(end == OPEN, ctx.today, end), ctx.today)
    entry = np.where(dorm, start, np.minimum(start + rng.integers(0, 61, n), stop))
    leave = np.where((end != OPEN) & (rng.random(n) < np.where(dorm, 0.85, 0.6)), end, OPEN)
    sites = lib.places.sites
    companies = lib.places.companies
    comp = rng.integers(0, companies.height, n)
    site = lib.dw["site"][dwelling]
    name = pl.select(
        pl.when(pl.Series(dorm))
        .then(sites["owner"].gather(pl.Series(site)))
        .otherwise(companies["name"].gather(pl.Series(comp)))
    ).to_series()
    code = pl.select(
        pl.when(pl.Series(dorm))
        .then(sites["credit_code"].gather(pl.Series(site)))
        .otherwise(companies["credit_code"].gather(pl.Series(comp)))
    ).to_series()
    code = pl.select(pl.when(pl.Series(rng.random(n) < 0.1)).then(pl.lit("")).otherwise(code)).to_series()
    org = {"employer_name": name.filter(pl.Series(sel)), "credit_code": code.filter(pl.Series(sel))}
    return _rows(
        ctx,
        "YG",
        person[sel],
        dwelling[sel],
        has_address[sel],
        entry[sel],
        leave[sel],
        lodging[sel],
        org,
        True,
    )


def build_site(ctx: ChunkContext) -> pl.DataFrame:
    rng, lib = ctx.rng, ctx.lib
    ps = ctx.hist.person_stays
    kind, age, male = ps["kind"].to_numpy(), ps["age"].to_numpy(), ps["male"].to_numpy()
    person, dwelling = ps["person"].to_numpy(), ps["dwelling"].to_numpy()
    start, end = ps["start"].to_numpy(), ps["end"].to_numpy()
    n = ps.height
    dorm = (kind == STAY_SDORM) & (rng.random(n) < 0.9)
    other = (
        (kind == STAY_RENT)
        & male
        & (age >= 18)
        & (age <= 60)
        & ~ps["is_local"].to_numpy()
        & (rng.random(n) < 0.08)
    )
    sel = dorm | other
    self_rent = rng.random(n) < 0.6
    lodging = np.where(dorm, "工地宿舍", np.where(self_rent, "自行租房", "其他"))
    has_address = dorm | (other & self_rent & (rng.random(n) < 0.5))
    stop = np.minimum(np.where(end == OPEN, ctx.today, end), ctx.today)
    entry = np.where(dorm, start, np.minimum(start + rng.integers(0, 61, n), stop))
    leave = np.where((end != OPEN) & (rng.random(n) < np.where(dorm, 0.85, 0.6)), end, OPEN)
    sites = lib.places.sites
    project_sites = np.flatnonzero(sites["kind"].to_numpy() == KIND_SDORM)
    site = np.where(dorm, lib.dw["site"][dwelling], project_sites[rng.integers(0, len(project_sites), n)])
    org = {
        "project_name": sites["owner"].gather(pl.Series(site[sel])),
        "contractor": sites["contractor"].gather(pl.Series(site[sel])),
    }
    return _rows(
        ctx,
        "GD",
        person[sel],
        dwelling[sel],
        has_address[sel],
        entry[sel],
        leave[sel],
        lodging[sel],
        org,
        False,
    )
