"""Grid workers' visits (网格员走访) and residents' self declarations (自主申报).

Grid workers visit dwellings during stays (在住, sometimes 未遇) and after people left (已搬离,
查无此人); they note ID numbers poorly (often blank or masked). Residents declare a new residence
(新登记), a change (变更) or a departure (注销) through self-service apps.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from recon.synth.addresses import AddressHabit
from recon.synth.feeds import ChunkContext, to_date, truth_columns
from recon.synth.histories import OPEN
from recon.synth.names import render_names

GRID_HABIT = AddressHabit((0.05, 0.15, 0.2, 0.25, 0.25, 0.1))
SELF_HABIT = AddressHabit((0.5, 0.3, 0.1, 0.05, 0.05, 0.0))
GRID_ID_BLANK = 0.35
GRID_ID_MASKED = 0.30
MAX_VISITS = 6


def _grid_columns(ctx: ChunkContext, dwelling: np.ndarray) -> tuple[pl.Series, pl.Series]:
    """Grid number and grid worker of each dwelling's grid."""
    lib = ctx.lib
    comm = lib.dw["comm"][dwelling]
    n_grids = lib.comm_col("n_grids")[comm]
    grid = lib.dw["site"][dwelling] % n_grids + 1
    codes = lib.places.communities["code"].gather(pl.Series(comm))
    grid_id = (
        pl.DataFrame({"c": codes, "g": grid})
        .select(
            pl.concat_str(pl.lit(lib.spec.code), "c", pl.lit("-"), pl.col("g").cast(pl.Utf8).str.zfill(2))
        )
        .to_series()
    )
    # A grid worker's name is a stable function of the grid.
    h = (comm.astype(np.int64) * 131 + grid) * 2654435761 % 1_000_003
    worker = render_names(
        np.random.default_rng(0),
        (h % 40).astype(np.int16),
        (h // 40 % 80).astype(np.int16),
        np.where(h % 3 == 0, -1, h // 3200 % 80).astype(np.int16),
    )
    return grid_id, worker


def build_grid(ctx: ChunkContext) -> pl.DataFrame:
    rng, today, ws = ctx.rng, ctx.today, ctx.window_start
    hs = ctx.hist.household_stays
    start, end = hs["start"].to_numpy(), hs["end"].to_numpy()
    lo = np.maximum(start, ws)
    hi = np.minimum(np.where(end == OPEN, today, end), today)
    span = np.maximum(hi - lo + 1, 0)
    count = np.minimum(rng.poisson(span / 150 * 0.8), MAX_VISITS) * (span > 0)
    v_stay = np.repeat(np.arange(hs.height), count)
    v_day = lo[v_stay] + (rng.random(len(v_stay)) * span[v_stay]).astype(np.int64)
    v_result = np.where(rng.random(len(v_stay)) < 0.9, "在住", "未遇")
    # After people left: 已搬离, or 查无此人 when the worker never knew them.
    after = (end != OPEN) & (end < today) & (rng.random(hs.height) < 0.35)
    a_stay = np.flatnonzero(after)
    a_day = end[a_stay] + rng.integers(1, 91, len(a_stay))
    a_stay, a_day = a_stay[a_day <= today], a_day[a_day <= today]
    a_result = np.where(rng.random(len(a_stay)) < 0.8, "已搬离", "查无此人")
    visits = pl.DataFrame(
        {
            "hh": hs["hh"].to_numpy()[np.concatenate([v_stay, a_stay])],
            "stay_no": hs["stay_no"].to_numpy()[np.concatenate([v_stay, a_stay])],
            "day": np.concatenate([v_day, a_day]),
            "result": np.concatenate([v_result, a_result]),
            "after": np.concatenate([np.zeros(len(v_stay), bool), np.ones(len(a_stay), bool)]),
        }
    )
    members = ctx.hist.person_stays.select("hh", "stay_no", "person", "is_head", "dwelling", "is_local")
    rows = visits.join(members, on=["hh", "stay_no"], how="inner").sort(["day", "hh", "stay_no", "person"])
    seen = rows["is_head"].to_numpy() | (
        rng.random(rows.height) < np.where(rows["after"].to_numpy(), 0.5, 0.85)
    )
    rows = rows.filter(pl.Series(seen))
    person, dwelling, day = rows["person"].to_numpy(), rows["dwelling"].to_numpy(), rows["day"].to_numpy()
    address, identifies = ctx.addresses(dwelling, GRID_HABIT)
    grid_id, worker = _grid_columns(ctx, dwelling)
    return pl.DataFrame(
        {
            "visit_id": ctx.keys("ZF", day),
            "visit_date": to_date(day),
            "grid_id": grid_id,
            "grid_worker": worker,
            "address": address,
            "name": ctx.names(person),
            "id_number": ctx.ids(person, blank=GRID_ID_BLANK, masked=GRID_ID_MASKED),
            "phone": ctx.phones(person, day, blank=0.3),
            "person_category": pl.Series(np.where(rows["is_local"].to_numpy(), "户籍", "流动")),
            "visit_result": rows["result"],
            "_file": ctx.file_for(day),
            "_order": day,
            **truth_columns(person, dwelling, identifies),
        }
    )


def build_self(ctx: ChunkContext) -> pl.DataFrame:
    rng, today = ctx.rng, ctx.today
    ps = ctx.hist.person_stays.filter(~pl.col("is_local") & (pl.col("age") >= 18))
    n = ps.height
    person, dwelling = ps["person"].to_numpy(), ps["dwelling"].to_numpy()
    start, end, stay_no = ps["start"].to_numpy(), ps["end"].to_numpy(), ps["stay_no"].to_numpy()
    new = rng.random(n) < 0.12
    n_day = start + rng.integers(0, 31, n)
    new &= n_day <= today
    gone = (end != OPEN) & (rng.random(n) < 0.10)
    g_day = end + rng.integers(0, 11, n)
    gone &= g_day <= today
    who = np.concatenate([person[new], person[gone]])
    dw = np.concatenate([dwelling[new], dwelling[gone]])
    decl = np.concatenate([n_day[new], g_day[gone]])
    typ = np.concatenate([np.where(stay_no[new] == 0, "新登记", "变更"), np.full(int(gone.sum()), "注销")])
    res_start = np.concatenate(
        [np.where(rng.random(int(new.sum())) < 0.9, start[new], OPEN), np.full(int(gone.sum()), OPEN)]
    )
    order = np.argsort(decl, kind="stable")
    who, dw, decl, typ, res_start = who[order], dw[order], decl[order], typ[order], res_start[order]
    address, identifies = ctx.addresses(dw, SELF_HABIT)
    return pl.DataFrame(
        {
            "declaration_id": ctx.keys("SB", decl),
            "declaration_type": pl.Series(typ, dtype=pl.Utf8),
            "name": ctx.names(who),
            "id_number": ctx.ids(who),
            "phone": ctx.phones(who, decl, blank=0.01),
            "address": address,
            "residence_start": to_date(res_start),
            "declared_on": to_date(decl),
            "_file": ctx.file_for(decl),
            "_order": decl,
            **truth_columns(who, dw, identifies),
        }
    )
