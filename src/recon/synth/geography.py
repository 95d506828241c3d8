"""The district's places: communities (社区/村) with former names, police stations, collectors,
roads, compounds, villages, 城中村 lanes, dormitories and building sites.

Every name below the street is invented from fixed character pools; stems are unique within
the district so a compound name, a road name or a village name alone identifies its place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from stdnum.cn import uscc

from recon.synth.districts import DistrictSpec
from recon.synth.lexicon import (
    AGENCY_SUFFIXES,
    COMPOUND_SUFFIXES,
    CONTRACTORS,
    INDUSTRIES,
    PROJECT_KINDS,
    ROAD_SUFFIXES,
    STEM_FIRST,
    STEM_SECOND,
)

# Site kinds: what an address point is.
KIND_COMPOUND, KIND_VILLAGE, KIND_EDORM, KIND_SDORM, KIND_LANE, KIND_NEWVILLAGE = range(6)
KIND_NAMES = (
    "compound",
    "village",
    "employer_dormitory",
    "site_dormitory",
    "urban_village_lane",
    "new_village",
)


class StemPool:
    """Unique two-character (then three-character) name stems in a seeded order."""

    def __init__(self, rng: np.random.Generator) -> None:
        pairs = [a + b for a in STEM_FIRST for b in STEM_SECOND if a != b]
        self._stems = [pairs[i] for i in rng.permutation(len(pairs))]
        self._rng = rng
        self._next = 0

    def take(self, n: int) -> list[str]:
        while self._next + n > len(self._stems):  # pairs exhausted: three-character stems
            seen = set(self._stems)
            extra = [
                s + STEM_SECOND[i]
                for s, i in zip(
                    self._stems[:5000], self._rng.integers(0, len(STEM_SECOND), 5000), strict=True
                )
            ]
            self._stems.extend(dict.fromkeys(x for x in extra if x not in seen))
        out = self._stems[self._next : self._next + n]
        self._next += n
        return out


def _weighted(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> list[str]:
    values = [v for v, _ in table]
    p = np.array([w for _, w in table], float)
    return [values[i] for i in rng.choice(len(values), n, p=p / p.sum())]


@dataclass
class Places:
    """Communities, sites and the organisations that own dormitories, lease homes or employ."""

    communities: (
        pl.DataFrame
    )  # comm, street, street_name, code, name, alias, is_village, station, n_collectors
    sites: pl.DataFrame  # site, comm, kind, name, stem, suffix, road, road_door, group_lane, owner, contractor, property_company, credit_code
    companies: pl.DataFrame  # company, name, credit_code (employers without dormitories too)
    agencies: list[str]


def street_stem(street: str) -> str:
    return street.removesuffix("街道")


def build_communities(
    spec: DistrictSpec, persons: int, rng: np.random.Generator, stems: StemPool
) -> pl.DataFrame:
    n_streets = len(spec.streets)
    n_comm = int(np.clip(round(persons / 2500), 3 * n_streets, 60 * n_streets))
    weights = rng.gamma(4.0, 1.0, n_streets)
    per_street = 3 + rng.multinomial(n_comm - 3 * n_streets, weights / weights.sum())
    street = np.repeat(np.arange(n_streets), per_street)
    seq = np.concatenate([np.arange(1, k + 1) for k in per_street])
    is_village = rng.random(n_comm) < np.array(spec.village_share)[street]
    names = stems.take(n_comm)
    full = [s + ("村" if v else "社区") for s, v in zip(names, is_village, strict=True)]
    # Former names: a village turned community keeps its old 村 name; some communities were renamed.
    has_alias = rng.random(n_comm) < 0.15
    same_stem = rng.random(n_comm) < 0.6
    new_stems = iter(stems.take(int(has_alias.sum())))
    alias: list[str | None] = []
    for i in range(n_comm):
        if not has_alias[i]:
            alias.append(None)
        elif same_stem[i] and not is_village[i]:
            alias.append(names[i] + "村")
        else:
            alias.append(next(new_stems) + ("社区" if is_village[i] else "村"))
    # Police stations: one per street or per block of about ten communities.
    station: list[str] = []
    directions = ("", "东", "西", "南", "北", "中", "新")
    for s, k in enumerate(per_street):
        n_st = min(len(directions), max(1, math.ceil(k / 10)))
        block = math.ceil(k / n_st)
        station += [f"{street_stem(spec.streets[s])}{directions[j // block]}派出所" for j in range(k)]
    return pl.DataFrame(
        {
            "comm": np.arange(n_comm, dtype=np.int32),
            "street": street.astype(np.int32),
            "street_name": [spec.streets[s] for s in street],
            "code": [f"{s + 1:03d}{q:03d}" for s, q in zip(street, seq, strict=True)],
            "name": full,
            "stem": names,
            "alias": pl.Series(alias, dtype=pl.Utf8),
            "is_village": is_village,
            "station": station,
        }
    )


def credit_codes(rng: np.random.Generator, n: int, county: str) -> list[str]:
    """Unified social credit codes (GB 32100) with valid check characters."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    out = []
    picks = rng.integers(0, len(alphabet), (n, 9))
    for row in picks:
        body = "91" + county + "".join(alphabet[i] for i in row)
        out.append(body + uscc.calc_check_digit(body))
    return out


def build_sites(
    spec: DistrictSpec,
    comm: pl.DataFrame,
    budgets: dict[str, np.ndarray],
    rng: np.random.Generator,
    stems: StemPool,
) -> tuple[pl.DataFrame, dict[str, np.ndarray]]:
    """One row per address point; `budgets` holds dwellings wanted per community and kind.

    Returns the sites and per-site shape parameters used to explode dwellings.
    """
    rows: dict[str, list] = {k: [] for k in ("comm", "kind", "target")}
    for kind_name, kind, per_site in (
        ("compound", KIND_COMPOUND, 900),
        ("village", KIND_VILLAGE, 0),
        ("lane", KIND_LANE, 0),
        ("newvillage", KIND_NEWVILLAGE, 10**9),
        ("edorm", KIND_EDORM, 250),
        ("sdorm", KIND_SDORM, 120),
    ):
        b = budgets.get(kind_name)
        if b is None:
            continue
        for c in np.flatnonzero(b > 0):
            total = float(b[c])
            if kind == KIND_VILLAGE:  # one site per group (组)
                n = int(np.clip(round(total / 60), 3, 15))
            elif kind == KIND_LANE:  # one site per lane (巷) of one or two villages
                n = max(2, round(total / 160))
            else:
                n = max(1, round(total / per_site))
            rows["comm"] += [int(c)] * n
            rows["kind"] += [kind] * n
            rows["target"] += [total / n] * n
    n_sites = len(rows["comm"])
    kind = np.array(rows["kind"], np.int8)
    site_comm = np.array(rows["comm"], np.int32)
    target = np.array(rows["target"], float)
    comm_names = comm["name"].to_list()
    comm_stems = comm["stem"].to_list()

    name = [""] * n_sites
    stem = [""] * n_sites
    suffix = [""] * n_sites
    owner = [""] * n_sites
    contractor = [""] * n_sites
    group_lane = np.zeros(n_sites, np.int32)
    # Village groups number 1.. within their village; lanes within their 城中村.
    village_of_lane: dict[int, str] = {}
    lane_counter: dict[int, int] = {}
    group_counter: dict[int, int] = {}
    need = int(np.sum(kind != KIND_VILLAGE))
    new = iter(stems.take(need + 64))
    comp_suffix = iter(_weighted(rng, COMPOUND_SUFFIXES, n_sites))
    industries = rng.integers(0, len(INDUSTRIES), n_sites)
    projects = rng.integers(0, len(PROJECT_KINDS), n_sites)
    contractors = rng.integers(0, len(CONTRACTORS), n_sites)
    for i in range(n_sites):
        c = int(site_comm[i])
        k = int(kind[i])
        if k == KIND_VILLAGE:
            group_counter[c] = group_counter.get(c, 0) + 1
            group_lane[i] = group_counter[c]
            name[i], stem[i] = comm_names[c], comm_stems[c]
        elif k == KIND_LANE:
            lanes = lane_counter.get(c, 0)
            if lanes % 12 == 0:  # a new 城中村 every twelve lanes
                village_of_lane[c] = next(new) + "村"
            lane_counter[c] = lanes + 1
            group_lane[i] = lanes % 12 + 1
            name[i] = village_of_lane[c]
            stem[i] = name[i][:-1]
        elif k == KIND_NEWVILLAGE:
            stem[i] = next(new)
            name[i], suffix[i] = stem[i] + "新村", "新村"
        elif k == KIND_EDORM:
            stem[i] = next(new)
            owner[i] = f"{spec.city[:-1]}{stem[i]}{INDUSTRIES[industries[i]]}有限公司"
            name[i], suffix[i] = f"{stem[i]}{INDUSTRIES[industries[i]]}员工宿舍", "员工宿舍"
        elif k == KIND_SDORM:
            stem[i] = next(new)
            owner[i] = f"{spec.county}{stem[i]}{PROJECT_KINDS[projects[i]]}项目"
            contractor[i] = CONTRACTORS[contractors[i]]
            name[i], suffix[i] = f"{stem[i]}{PROJECT_KINDS[projects[i]]}项目工地宿舍", "项目工地宿舍"
        else:
            stem[i] = next(new)
            suffix[i] = next(comp_suffix)
            name[i] = stem[i] + suffix[i]
    # Roads: compound-like sites sit on a road of their community at a door number.
    road = [""] * n_sites
    road_door = np.zeros(n_sites, np.int32)
    on_road = np.flatnonzero(np.isin(kind, (KIND_COMPOUND, KIND_EDORM, KIND_SDORM)))
    by_comm: dict[int, list[int]] = {}
    for i in on_road.tolist():
        by_comm.setdefault(int(site_comm[i]), []).append(i)
    road_suffixes = _weighted(rng, ROAD_SUFFIXES, len(on_road) + 1)
    rs = iter(road_suffixes)
    for c in sorted(by_comm):
        members = by_comm[c]
        n_roads = max(1, math.ceil(len(members) / 3))
        road_names = [s + next(rs) for s in stems.take(n_roads)]
        doors = {r: int(rng.integers(1, 40)) for r in range(n_roads)}
        for j, i in enumerate(members):
            r = j % n_roads
            doors[r] += int(rng.integers(1, 30)) * 2
            road[i], road_door[i] = road_names[r], doors[r]
    n_credit = n_sites
    codes = credit_codes(rng, n_credit, spec.code)
    sites = pl.DataFrame(
        {
            "site": np.arange(n_sites, dtype=np.int32),
            "comm": site_comm,
            "kind": kind,
            "name": name,
            "stem": stem,
            "suffix": suffix,
            "road": road,
            "road_door": road_door,
            "group_lane": group_lane,
            "owner": owner,
            "contractor": contractor,
            "property_company": [
                f"{spec.city[:-1]}{s}物业服务有限公司" if k == KIND_COMPOUND else ""
                for s, k in zip(stem, kind, strict=True)
            ],
            "credit_code": codes,
            "community": [comm_names[c] for c in site_comm],
        }
    )
    return sites, {"target": target}


def build_organisations(
    spec: DistrictSpec, persons: int, rng: np.random.Generator, stems: StemPool
) -> tuple[pl.DataFrame, list[str]]:
    """Employers without dormitories, and rental agencies."""
    n_comp = int(np.clip(persons // 400, 5, 20_000))
    comp_stems = stems.take(n_comp)
    industries = rng.integers(0, len(INDUSTRIES), n_comp)
    names = [
        f"{spec.city[:-1]}{s}{INDUSTRIES[i]}有限公司" for s, i in zip(comp_stems, industries, strict=True)
    ]
    companies = pl.DataFrame(
        {
            "company": np.arange(n_comp, dtype=np.int32),
            "name": names,
            "credit_code": credit_codes(rng, n_comp, spec.code),
        }
    )
    n_ag = int(np.clip(persons // 3000, 3, 400))
    ag_suffix = rng.integers(0, len(AGENCY_SUFFIXES), n_ag)
    agencies = [f"{s}{AGENCY_SUFFIXES[i]}" for s, i in zip(stems.take(n_ag), ag_suffix, strict=True)]
    return companies, agencies
