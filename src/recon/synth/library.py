"""The standard address library: every dwelling of the district with its structured code.

Dwellings are exploded from sites (compound → buildings → units → floors → rooms; village group →
houses; 城中村 lane → houses → rooms) with numpy repeats, given a tenure (rented, owner-occupied,
employer dormitory, site dormitory, vacant) and, when rented, a landlord.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from recon.synth.districts import DistrictSpec
from recon.synth.geography import (
    KIND_COMPOUND,
    KIND_EDORM,
    KIND_LANE,
    KIND_NEWVILLAGE,
    KIND_SDORM,
    KIND_VILLAGE,
    Places,
    StemPool,
    build_communities,
    build_organisations,
    build_sites,
)

TENURE_RENT, TENURE_OWN, TENURE_EDORM, TENURE_SDORM, TENURE_VACANT = range(5)
TENURE_NAMES = ("rented", "owner_occupied", "employer_dormitory", "site_dormitory", "vacant")
HOUSE_USE = ("住宅", "农民自建房", "员工宿舍", "工地宿舍", "城中村自建房", "住宅")
# Tenure mix per site kind: (rent, own, vacant); dormitories have their own tenure.
_TENURE_MIX = {
    KIND_COMPOUND: (0.56, 0.34, 0.10),
    KIND_VILLAGE: (0.62, 0.33, 0.05),
    KIND_LANE: (0.90, 0.03, 0.07),
    KIND_NEWVILLAGE: (0.82, 0.10, 0.08),
}
DWELLINGS_PER_PERSON = 1 / 2.3
VACANT_EXTRA = 0.08


@dataclass
class Library:
    spec: DistrictSpec
    places: Places
    dw: dict[str, np.ndarray]  # per dwelling: comm site kind bldg unit n_units room door tenure landlord
    code: np.ndarray  # address code per dwelling (numpy unicode)
    pools: dict[int, np.ndarray]  # tenure → dwelling indices in a seeded order
    n_landlords: int

    @property
    def n(self) -> int:
        return len(self.code)

    def site_col(self, name: str) -> np.ndarray:
        return self.places.sites[name].to_numpy()

    def comm_col(self, name: str) -> np.ndarray:
        return self.places.communities[name].to_numpy()


def _explode(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For owners with `counts` children: (owner index, child index within owner) per child."""
    counts = counts.astype(np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    local = np.arange(int(counts.sum())) - starts[owner]
    return owner, local


def _budgets(
    spec: DistrictSpec, comm: pl.DataFrame, persons: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    n_comm = comm.height
    occupied = math.ceil(persons * DWELLINGS_PER_PERSON)
    total = math.ceil(occupied * (1 + VACANT_EXTRA))
    edorm = max(4, round(0.035 * occupied))
    sdorm = max(2, round(0.018 * occupied))
    weights = rng.gamma(3.0, 1.0, n_comm)
    resid = (total - edorm - sdorm) * weights / weights.sum()
    village = comm["is_village"].to_numpy()
    out: dict[str, np.ndarray] = {}
    if spec.style == "shenzhen":
        out["compound"] = resid * 0.4
        out["lane"] = resid * 0.45
        out["newvillage"] = resid * 0.15
    else:
        out["compound"] = np.where(village, resid * 0.15, resid)
        out["village"] = np.where(village, resid * 0.85, 0.0)
    street = comm["street"].to_numpy()
    if spec.style == "hangzhou":
        industrial = np.where(np.isin(street, (0, 1, 5)), 3.0, 1.0)
    else:
        industrial = np.ones(n_comm)
    for key, amount, per_site in (("edorm", edorm, 250), ("sdorm", sdorm, 120)):
        k = max(1, round(amount / per_site))
        picks = rng.choice(n_comm, k, p=industrial / industrial.sum())
        out[key] = np.bincount(picks, minlength=n_comm) * (amount / k)
    return out


def _structured(
    spec: DistrictSpec, sites: pl.DataFrame, target: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Dwellings of sites built of buildings (compounds, dormitories, 新村)."""
    kind = sites["kind"].to_numpy()
    idx = np.flatnonzero(np.isin(kind, (KIND_COMPOUND, KIND_EDORM, KIND_SDORM, KIND_NEWVILLAGE)))
    k = kind[idx]
    t = target[idx]
    n = len(idx)
    if spec.style == "shenzhen":
        units = np.where(rng.random(n) < 0.7, 0, 2)
    else:
        units = rng.choice([1, 2, 3], n, p=[0.45, 0.4, 0.15])
    rpf = rng.integers(2, 5, n)
    floors = rng.integers(6, 34, n)
    nv = k == KIND_NEWVILLAGE
    units[nv], rpf[nv], floors[nv] = 0, rng.integers(3, 7, int(nv.sum())), rng.integers(4, 10, int(nv.sum()))
    bldg = np.maximum(1, np.round(t / (np.maximum(units, 1) * rpf * floors))).astype(np.int64)
    single = bldg == 1
    floors[single] = np.clip(np.round(t[single] / (np.maximum(units[single], 1) * rpf[single])), 2, 33)
    for kk, lo, hi, fl, cap in ((KIND_EDORM, 1, 5, (4, 7), 24), (KIND_SDORM, 1, 4, (2, 3), 20)):
        m = k == kk
        c = int(m.sum())
        units[m] = 0
        bldg[m] = rng.integers(lo, hi, c)
        floors[m] = rng.integers(fl[0], fl[1], c)
        rpf[m] = np.clip(np.round(t[m] / (bldg[m] * floors[m])), 4, cap)
    per_site = bldg * np.maximum(units, 1) * floors * rpf
    owner, j = _explode(per_site)
    u1 = np.maximum(units, 1)[owner]
    r = j % rpf[owner] + 1
    f = (j // rpf[owner]) % floors[owner] + 1
    u = (j // (rpf[owner] * floors[owner])) % u1 + 1
    b = j // (rpf[owner] * floors[owner] * u1) + 1
    has_units = units[owner] > 0
    return {
        "site": idx[owner],
        "bldg": b,
        "unit": np.where(has_units, u, 0),
        "n_units": units[owner],
        "room": f * 100 + r,
        "door": np.zeros(len(owner), np.int64),
    }


def _villages(sites: pl.DataFrame, target: np.ndarray) -> dict[str, np.ndarray]:
    idx = np.flatnonzero(sites["kind"].to_numpy() == KIND_VILLAGE)
    houses = np.maximum(1, np.ceil(target[idx])).astype(np.int64)
    owner, j = _explode(houses)
    zero = np.zeros(len(owner), np.int64)
    return {"site": idx[owner], "bldg": zero, "unit": zero, "n_units": zero, "room": zero, "door": j + 1}


def _lanes(sites: pl.DataFrame, target: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    idx = np.flatnonzero(sites["kind"].to_numpy() == KIND_LANE)
    houses = np.maximum(2, np.round(target[idx] / 20)).astype(np.int64)
    h_owner, h_local = _explode(houses)
    floors = rng.integers(3, 9, len(h_owner))
    rpf = rng.integers(2, 7, len(h_owner))
    owner, j = _explode(floors * rpf)
    zero = np.zeros(len(owner), np.int64)
    room = (j // rpf[owner] + 1) * 100 + j % rpf[owner] + 1
    return {
        "site": idx[h_owner][owner],
        "bldg": zero,
        "unit": zero,
        "n_units": zero,
        "room": room,
        "door": h_local[owner] + 1,
    }


def build_library(spec: DistrictSpec, persons: int, rng: np.random.Generator) -> Library:
    stems = StemPool(rng)
    comm = build_communities(spec, persons, rng, stems)
    budgets = _budgets(spec, comm, persons, rng)
    sites, shape = build_sites(spec, comm, budgets, rng, stems)
    companies, agencies = build_organisations(spec, persons, rng, stems)
    parts = [
        _structured(spec, sites, shape["target"], rng),
        _villages(sites, shape["target"]),
        _lanes(sites, shape["target"], rng),
    ]
    dw = {key: np.concatenate([p[key] for p in parts]).astype(np.int64) for key in parts[0]}
    site_comm = sites["comm"].to_numpy()
    site_kind = sites["kind"].to_numpy()
    dw["comm"] = site_comm[dw["site"]].astype(np.int64)
    dw["kind"] = site_kind[dw["site"]].astype(np.int64)
    order = np.lexsort((dw["room"], dw["door"], dw["unit"], dw["bldg"], dw["site"], dw["comm"]))
    dw = {key: v[order] for key, v in dw.items()}
    n = len(order)
    # Tenure.
    tenure = np.full(n, TENURE_VACANT, np.int64)
    u = rng.random(n)
    for kind, (p_rent, p_own, _) in _TENURE_MIX.items():
        m = dw["kind"] == kind
        tenure[m & (u < p_rent)] = TENURE_RENT
        tenure[m & (u >= p_rent) & (u < p_rent + p_own)] = TENURE_OWN
    tenure[dw["kind"] == KIND_EDORM] = TENURE_EDORM
    tenure[dw["kind"] == KIND_SDORM] = TENURE_SDORM
    dw["tenure"] = tenure
    # Landlords: one per rented room in compounds, per house in villages and 城中村, per building in 新村.
    key = np.arange(n, dtype=np.int64)
    lane = dw["kind"] == KIND_LANE
    key[lane] = n + dw["site"][lane] * 10_000 + dw["door"][lane]
    nv = dw["kind"] == KIND_NEWVILLAGE
    key[nv] = n + 10**10 + dw["site"][nv] * 1_000 + dw["bldg"][nv]
    rented = tenure == TENURE_RENT
    shared = rented & (rng.random(n) < 0.08) & (dw["kind"] == KIND_COMPOUND)
    shared[0] = False
    prev = np.maximum.accumulate(np.where(rented, np.arange(n), 0))
    prev_rented = np.concatenate(([0], prev[:-1]))
    key[shared] = key[prev_rented[shared]]
    landlord = np.full(n, -1, np.int64)
    _, dense = np.unique(key[rented], return_inverse=True)
    landlord[rented] = dense
    dw["landlord"] = landlord
    # Codes: county + street + community + sequence within the community.
    comm_code = comm["code"].to_numpy().astype("U6")
    new_comm = np.concatenate(([True], dw["comm"][1:] != dw["comm"][:-1]))
    first = np.maximum.accumulate(np.where(new_comm, np.arange(n), 0))
    seq = np.arange(n) - first + 1
    code = np.char.add(np.char.add(spec.code, comm_code[dw["comm"]]), np.char.zfill(seq.astype("U7"), 7))
    # Collectors (专管员) and grids per community, sized by its dwellings.
    per_comm = np.bincount(dw["comm"], minlength=comm.height)
    comm = comm.with_columns(
        n_collectors=pl.Series(np.clip(np.round(per_comm * 2.3 / 1300), 1, 12).astype(np.int32)),
        n_grids=pl.Series(np.maximum(1, np.round(per_comm / 400)).astype(np.int32)),
        n_dwellings=pl.Series(per_comm.astype(np.int64)),
    )
    pools = {
        t: rng.permutation(np.flatnonzero(tenure == t))
        for t in (TENURE_RENT, TENURE_OWN, TENURE_EDORM, TENURE_SDORM)
    }
    places = Places(communities=comm, sites=sites, companies=companies, agencies=agencies)
    return Library(
        spec=spec, places=places, dw=dw, code=code, pools=pools, n_landlords=int(landlord.max() + 1)
    )
