"""Everyone the synthetic district knows: residents (floating and local hukou) and landlords.

All attributes are numpy arrays over identities (residents first, then landlords), drawn once for
the whole run so IDs are unique across chunks; chunks slice them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from recon.synth.districts import DistrictSpec
from recon.synth.idnumbers import build_ids, days_to_ymd, draw_area_codes, ids_to_series, unique_sequences
from recon.synth.lexicon import ETHNICITIES
from recon.synth.names import draw_names, name_tables

NO_CHANGE = np.iinfo(np.int32).max
LOCAL_SHARE = 0.15
SAME_NAME_AND_BIRTH = 0.003


@dataclass
class Population:
    n_residents: int
    male: np.ndarray  # bool
    birth: np.ndarray  # int32 days since 1970-01-01
    area: np.ndarray  # int32 hukou area code
    ids: np.ndarray  # (n, 18) ASCII
    surname: np.ndarray
    g1: np.ndarray
    g2: np.ndarray
    is_local: np.ndarray  # bool
    phone1: np.ndarray  # int64
    phone2: np.ndarray  # int64, 0 = none
    phone_change: np.ndarray  # int32 day the second phone replaced the first (NO_CHANGE = never)
    ethnicity: np.ndarray  # uint8 index into ETHNICITIES

    def phone_on(self, who: np.ndarray, day: np.ndarray) -> np.ndarray:
        """The phone a person used on a given day."""
        return np.where(day >= self.phone_change[who], self.phone2[who], self.phone1[who])


def to_days(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days


def draw_phones(rng: np.random.Generator, spec: DistrictSpec, n: int) -> np.ndarray:
    prefixes = np.array([int(p) for p in spec.mobile_prefixes], np.int64)
    return prefixes[rng.integers(0, len(prefixes), n)] * 100_000_000 + rng.integers(0, 100_000_000, n)


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    """Age in days: <18 12%, 18-60 83% (mostly 20-45), >60 5%."""
    band = rng.choice(3, n, p=[0.12, 0.83, 0.05])
    years = np.empty(n)
    m = band == 0
    years[m] = rng.uniform(0, 18, int(m.sum()))
    m = band == 1
    years[m] = np.clip(rng.gamma(5.0, 4.5, int(m.sum())) + 16.5, 18.01, 59.99)
    m = band == 2
    years[m] = rng.uniform(60.01, 82, int(m.sum()))
    return (years * 365.25).astype(np.int64)


def build_population(
    spec: DistrictSpec, residents: int, landlords: int, as_of: dt.date, rng: np.random.Generator
) -> Population:
    n = residents + landlords
    today = to_days(as_of)
    age = np.concatenate([_ages(rng, residents), (rng.uniform(32, 76, landlords) * 365.25).astype(np.int64)])
    birth = (today - age).astype(np.int32)
    male = rng.random(n) < np.where(np.arange(n) < residents, 0.56, 0.5)
    birth_year = days_to_ymd(birth) // 10000
    surname, g1, g2 = draw_names(rng, male, birth_year)
    # Namesakes born the same day (different IDs): the hard case for linkage.
    k = int(residents * SAME_NAME_AND_BIRTH)
    if k and residents > 2:
        dst = rng.choice(residents, k, replace=False)
        src = rng.integers(0, residents, k)
        src = np.where(src == dst, (src + 1) % residents, src)
        for arr in (surname, g1, g2, birth, male):
            arr[dst] = arr[src]
        birth_year = days_to_ymd(birth) // 10000
    is_local = np.concatenate([rng.random(residents) < LOCAL_SHARE, rng.random(landlords) < 0.6])
    provinces = np.array([int(p) for p, _ in spec.origins])
    weights = np.array([w for _, w in spec.origins], float)
    prov = provinces[rng.choice(len(provinces), n, p=weights / weights.sum())]
    area = draw_area_codes(rng, prov, 2, birth_year, exclude_prefix=spec.code[:4])
    # Landlords who are not villagers of the district come from the city's other districts.
    land = (np.arange(n) >= residents) & ~is_local
    city = np.full(int(land.sum()), int(spec.code[:4]))
    area[land] = draw_area_codes(rng, city, 4, birth_year[land], exclude_prefix=spec.code)
    area[is_local] = int(spec.code)
    seq = unique_sequences(rng, area, birth, male)
    ids = build_ids(area, days_to_ymd(birth), seq)
    phone1 = draw_phones(rng, spec, n)
    changes = rng.random(n) < 0.12
    phone2 = np.where(changes, draw_phones(rng, spec, n), 0)
    phone_change = np.where(changes, rng.integers(today - 730, today, n), NO_CHANGE).astype(np.int32)
    eth_p = np.array([w for _, w in ETHNICITIES], float)
    ethnicity = rng.choice(len(ETHNICITIES), n, p=eth_p / eth_p.sum()).astype(np.uint8)
    return Population(
        residents, male, birth, area, ids, surname, g1, g2, is_local, phone1, phone2, phone_change, ethnicity
    )


def exact_names(pop: Population, who: np.ndarray) -> pl.Series:
    """True names (no mistyping) of the given identities."""
    t = name_tables()
    s = t.surnames.gather(pl.Series(pop.surname[who].astype(np.int64)))
    c1 = t.chars.gather(pl.Series(pop.g1[who].astype(np.int64)))
    g2 = pop.g2[who].astype(np.int64)
    c2 = t.chars.gather(pl.Series(np.where(g2 >= 0, g2, 0)))
    return (
        pl.DataFrame({"s": s, "c1": c1, "c2": c2, "has": g2 >= 0})
        .select(pl.concat_str("s", "c1", pl.when("has").then("c2").otherwise(pl.lit(""))).alias("name"))
        .to_series()
    )


def id_strings(pop: Population, who: np.ndarray) -> pl.Series:
    return ids_to_series(pop.ids[who], "id_number")
