"""Lease declarations (租赁申报) of rental agencies, property companies and public rental housing.

A rented stay is covered by consecutive leases (6, 12 or 24 months); a renewal starts 1-7 days
after the previous lease ends, sometimes later (then it is a new start). Declarations arrive in
monthly (public rental: quarterly) append-only drop files; when a tenant moves out after the lease
was declared, a later file re-delivers the same contract with 退租日期 filled.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from recon.synth.addresses import AddressHabit
from recon.synth.feeds import ChunkContext, delays, to_date, truth_columns
from recon.synth.geography import KIND_COMPOUND
from recon.synth.histories import OPEN, STAY_RENT

SOURCES = ("intermediary_lease", "property_lease", "public_rental_lease")
PREFIX = {"intermediary_lease": "ZJ", "property_lease": "WY", "public_rental_lease": "GZ"}
HABIT = AddressHabit((0.25, 0.35, 0.2, 0.1, 0.05, 0.05))
MAX_SEGMENTS = 8


def _segments(
    rng: np.random.Generator, start: np.ndarray, end: np.ndarray, today: int, since: int
) -> dict[str, np.ndarray]:
    """Consecutive leases covering each stay: (stay index, start, planned end, is last). Leases that
    ended long before `since` are not drawn: a long stay's chain starts at its last term before it."""
    n = len(start)
    term = rng.choice([365, 182, 730], n, p=[0.7, 0.2, 0.1])
    stay_end = np.where(end == OPEN, np.iinfo(np.int64).max // 2, end)
    limit = np.minimum(stay_end, today - 1)
    out: dict[str, list[np.ndarray]] = {"stay": [], "start": [], "planned": [], "last": [], "seg": []}
    skip = np.maximum(0, (np.minimum(since, stay_end) - start) // (term + 1))
    cur = start + skip * (term + 1)
    active = np.ones(n, bool)
    for i in range(MAX_SEGMENTS):
        idx = np.flatnonzero(active)
        if not len(idx):
            break
        planned = cur[idx] + term[idx] - 1
        gap = np.where(
            rng.random(len(idx)) < 0.65,
            1,
            np.where(
                rng.random(len(idx)) < 0.72, rng.integers(2, 8, len(idx)), rng.integers(8, 31, len(idx))
            ),
        )
        nxt = planned + gap
        last = (stay_end[idx] <= planned) | (nxt > limit[idx]) | (i == MAX_SEGMENTS - 1)
        for key, val in (
            ("stay", idx),
            ("start", cur[idx]),
            ("planned", planned),
            ("last", last),
            ("seg", np.full(len(idx), i)),
        ):
            out[key].append(val)
        cur[idx] = nxt
        active[idx[last]] = False
    return {k: np.concatenate(v) for k, v in out.items()}


def build(ctxs: dict[str, ChunkContext]) -> dict[str, pl.DataFrame]:
    base = ctxs["intermediary_lease"]
    rng, lib, today = base.rng, base.lib, base.today
    hs = base.hist.household_stays.filter(pl.col("kind") == STAY_RENT)
    declared = rng.random(hs.height) < np.where(hs["is_local"].to_numpy(), 0.5, 0.65)
    hs = hs.filter(pl.Series(declared))
    dwelling, start, end = hs["dwelling"].to_numpy(), hs["start"].to_numpy(), hs["end"].to_numpy()
    site_kind = lib.dw["kind"][dwelling]
    u = rng.random(hs.height)
    feed = np.where(site_kind == KIND_COMPOUND, np.where(u < 0.55, 0, np.where(u < 0.87, 1, 2)), 0)
    seg = _segments(rng, start, end, today, base.window_start - 365)
    s = seg["stay"]
    keep = (seg["seg"] == 0) | (rng.random(len(s)) < 0.9)
    declared_on = seg["start"] + delays(rng, len(s))
    keep &= declared_on <= today
    seg = {k: v[keep] for k, v in seg.items()}
    declared_on = declared_on[keep]
    s = seg["stay"]
    stay_end = end[s]
    move_out = np.where(seg["last"] & (stay_end != OPEN) & (rng.random(len(s)) < 0.75), stay_end, OPEN)
    out: dict[str, pl.DataFrame] = {}
    head = hs["head"].to_numpy()
    size = hs["size"].to_numpy()
    for fi, source in enumerate(SOURCES):
        ctx = ctxs[source]
        m = feed[s] == fi
        st, dw, who = s[m], dwelling[s[m]], head[s[m]]
        n = len(st)
        lease_start, planned, decl, mo = seg["start"][m], seg["planned"][m], declared_on[m], move_out[m]
        known_at_declaration = (mo != OPEN) & (mo <= decl)
        file0 = ctx.file_for(decl)
        redeliver_day = np.maximum(mo, decl) + ctx.rng.integers(0, 21, n)
        file1 = ctx.file_for(redeliver_day)
        file1 = np.where(file1 <= file0, file0 + 1, file1)
        redeliver = (
            (mo != OPEN)
            & ~known_at_declaration
            & (ctx.rng.random(n) < 0.75)
            & (redeliver_day <= today)
            & (file1 < len(ctx.plans))
        )
        address, identifies = ctx.addresses(dw, HABIT)
        landlord = lib.dw["landlord"][dw]
        has_landlord = landlord >= 0
        ll = np.where(has_landlord, ctx.pop.n_residents + landlord, 0)
        ll_name = ctx.names(ll)
        ll_phone = ctx.phones(ll, lease_start)
        if source == "intermediary_lease":
            agencies = pl.Series(lib.places.agencies)
            agency = agencies.gather(pl.Series((dw * 7919) % len(agencies)))
        elif source == "property_lease":
            agency = lib.places.sites["property_company"].gather(pl.Series(lib.dw["site"][dw]))
        else:
            agency = pl.Series([lib.spec.public_rental_agency] * n, dtype=pl.Utf8)
            ll_name = pl.Series([""] * n, dtype=pl.Utf8)
            ll_phone = (
                f"{lib.spec.landline_prefix}-8" + pl.Series(dw % 9_000_000 + 1_000_000).cast(pl.Utf8)
            ).cast(pl.Utf8)
        if source != "public_rental_lease":
            ll_name = pl.select(
                pl.when(pl.Series(has_landlord)).then(ll_name).otherwise(pl.lit(""))
            ).to_series()
        first = pl.DataFrame(
            {
                "contract_id": ctx.keys(PREFIX[source], lease_start),
                "agency_name": agency,
                "address": address,
                "landlord_name": ll_name,
                "landlord_phone": ll_phone,
                "name": ctx.names(who),
                "id_number": ctx.ids(who, blank=ctx.noise.id_blank, masked=ctx.noise.id_masked),
                "phone": ctx.phones(who, decl),
                "lease_start": to_date(lease_start),
                "lease_end": to_date(planned),
                "moved_out_on": to_date(np.where(known_at_declaration, mo, OPEN)),
                "cohabitants": pl.Series(size[st] - 1).cast(pl.Utf8),
                "declared_on": to_date(decl),
                "_file": file0,
                "_order": decl,
                **truth_columns(who, dw, identifies),
            }
        )
        again = first.filter(pl.Series(redeliver)).with_columns(
            moved_out_on=to_date(mo[redeliver]),
            _file=pl.Series(file1[redeliver]),
            _order=pl.Series(redeliver_day[redeliver]),
        )
        out[source] = pl.concat([first, again])
    return out
