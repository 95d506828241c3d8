"""Community rosters (村社人口底册): each community's own list of who lives there, per quarter.

A roster lists most people living in the community at the quarter's end, some who left in the
half year before (the community has not caught up), and misses some. 序号 is numbered per file
when the rows are written.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from recon.synth.addresses import AddressHabit
from recon.synth.feeds import ChunkContext, truth_columns
from recon.synth.histories import OPEN
from recon.synth.lexicon import REMARKS
from recon.synth.population import to_days

HABIT = AddressHabit((0.02, 0.05, 0.08, 0.15, 0.4, 0.3))
P_LISTED = 0.88
P_STALE = 0.3
STALE_DAYS = 180


def build(ctx: ChunkContext) -> pl.DataFrame:
    rng, lib = ctx.rng, ctx.lib
    ps = ctx.hist.person_stays
    person, dwelling = ps["person"].to_numpy(), ps["dwelling"].to_numpy()
    start, end, local = ps["start"].to_numpy(), ps["end"].to_numpy(), ps["is_local"].to_numpy()
    comm = lib.dw["comm"][dwelling]
    names = lib.places.communities["name"].to_list()
    file_index = {(f.community, f.quarter): i for i, f in enumerate(ctx.plans)}
    parts = []
    for quarter in sorted({f.quarter for f in ctx.plans}):
        y, q = int(quarter[:4]), int(quarter[-1])
        qe = to_days(dt.date(y + (q == 4), (q % 4) * 3 + 1, 1)) - 1
        living = (start <= qe) & ((end == OPEN) | (end >= qe)) & (rng.random(len(ps)) < P_LISTED)
        stale = (end != OPEN) & (end < qe) & (end >= qe - STALE_DAYS) & (rng.random(len(ps)) < P_STALE)
        sel = np.flatnonzero(living | stale)
        comm_file = np.array([file_index[(c, quarter)] for c in names], np.int64)
        files = comm_file[comm[sel]]
        remark = np.where(
            stale[sel] & (rng.random(len(sel)) < 0.3),
            "疑似搬离",
            pl.Series(REMARKS).gather(pl.Series(rng.integers(0, len(REMARKS), len(sel)))).to_numpy(),
        )
        parts.append((sel, files, remark))
    sel = np.concatenate([p[0] for p in parts])
    files = np.concatenate([p[1] for p in parts])
    remark = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, str)
    who, dw = person[sel], dwelling[sel]
    # Rosters list households together, by address.
    order = np.lexsort((who, dw, files))
    sel, files, remark, who, dw = sel[order], files[order], remark[order], who[order], dw[order]
    address, identifies = ctx.addresses(dw, HABIT)
    return pl.DataFrame(
        {
            "seq": pl.Series([None] * len(sel), dtype=pl.Utf8),
            "name": ctx.names(who),
            "id_number": ctx.ids(who, blank=0.2, masked=0.1),
            "phone": ctx.phones(who, np.full(len(who), ctx.today), blank=0.2),
            "address": address,
            "person_category": pl.Series(np.where(local[sel], "户籍", "流动")),
            "remark": pl.Series(remark, dtype=pl.Utf8),
            "_file": files,
            "_order": np.arange(len(sel)),
            **truth_columns(who, dw, identifies),
        }
    )
