"""Households and their residence histories over the two years before as_of.

Adults form households (single workers, couples or room-mates); children and elderly parents join
two-adult households. Each household lives through 1-4 stays (a dwelling, a start, an end or
open): arrivals from outside, moves inside the district, departures from it. Members share the
household's stays. Everything is vectorized over the households of one chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from recon.synth.library import TENURE_EDORM, TENURE_OWN, TENURE_RENT, TENURE_SDORM, Library
from recon.synth.population import Population

OPEN = np.int64(2**31 - 1)  # end of a stay still running at as_of
STAY_RENT, STAY_EDORM, STAY_SDORM, STAY_OWN, STAY_OTHER = range(5)
STAY_KINDS = ("rented", "employer_dormitory", "site_dormitory", "own_home", "other")
# 居住处所 the police record for each stay kind.
REGISTRY_PLACE = ("租赁房屋", "单位内部", "工地现场", "自购房", "其他")
MAX_STAYS = 4


@dataclass
class Histories:
    """One chunk's households, stays per household and stays per person."""

    household_stays: pl.DataFrame  # hh, stay_no, dwelling, start, end, kind, is_last, head, size, is_local
    person_stays: (
        pl.DataFrame
    )  # person, hh, stay_no, dwelling, start, end, kind, is_last, is_head, age, male, is_local, size
    households: pl.DataFrame  # hh, head, size, is_local, single


def _households(
    rng: np.random.Generator, persons: np.ndarray, age: np.ndarray, local: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Household id per person (chunk-local) and whether the person heads it."""
    hh = np.full(len(persons), -1, np.int64)
    head = np.zeros(len(persons), bool)
    next_id = 0
    for is_local, p_single in ((False, 0.5), (True, 0.3)):
        group = local == is_local
        adults = np.flatnonzero(group & (age >= 18) & (age <= 60))
        deps = np.flatnonzero(group & ((age < 18) | (age > 60)))
        if len(adults) == 0:
            adults, deps = np.flatnonzero(group), np.array([], np.int64)
            if len(adults) == 0:
                continue
        adults = rng.permutation(adults)
        sizes = np.where(rng.random(len(adults)) < p_single, 1, 2)
        ends = np.cumsum(sizes)
        n_hh = int(np.searchsorted(ends, len(adults))) + 1
        ids = np.repeat(np.arange(n_hh), sizes[:n_hh])[: len(adults)]
        hh[adults] = ids + next_id
        first = np.concatenate(([True], ids[1:] != ids[:-1]))
        head[adults[first]] = True
        pairs = np.flatnonzero(np.bincount(ids, minlength=n_hh) >= 2)
        targets = pairs if len(pairs) else np.arange(n_hh)
        hh[deps] = targets[rng.integers(0, len(targets), len(deps))] + next_id
        next_id += n_hh
    return hh, head


def _pick(rng: np.random.Generator, pool: np.ndarray, n: int, replace: bool, offset: int) -> np.ndarray:
    if n == 0:
        return np.zeros(0, np.int64)
    if replace:
        return pool[rng.integers(0, len(pool), n)]
    return pool[(offset + np.arange(n)) % len(pool)]


def _slice(pool: np.ndarray, k: int, n_chunks: int) -> np.ndarray:
    part = pool[k * len(pool) // n_chunks : (k + 1) * len(pool) // n_chunks]
    return part if len(part) >= 50 else pool


def build_histories(
    rng: np.random.Generator,
    pop: Population,
    lib: Library,
    persons: np.ndarray,
    today: int,
    chunk: int,
    n_chunks: int,
) -> Histories:
    age = ((today - pop.birth[persons]) / 365.25).astype(np.int64)
    local = pop.is_local[persons]
    hh_of, is_head = _households(rng, persons, age, local)
    n_hh = int(hh_of.max()) + 1
    size = np.bincount(hh_of, minlength=n_hh)
    head_pos = np.zeros(n_hh, np.int64)
    head_pos[hh_of[is_head]] = np.flatnonzero(is_head)
    hh_local = local[head_pos]
    head_age = age[head_pos]
    single = (size == 1) & (head_age >= 18) & (head_age <= 60) & ~hh_local

    # Number of stays, arrival and durations.
    k = np.where(
        hh_local,
        np.where(rng.random(n_hh) < 0.15, 2, 1),
        rng.choice([1, 2, 3, 4], n_hh, p=[0.45, 0.32, 0.16, 0.07]),
    )
    arrival = np.where(
        rng.random(n_hh) < 0.4, today - rng.integers(731, 1500, n_hh), today - rng.integers(3, 731, n_hh)
    )
    arrival = np.where(hh_local, today - rng.integers(800, 8000, n_hh), arrival)
    dur = np.clip(np.exp(rng.normal(np.log(330), 0.6, (n_hh, MAX_STAYS))), 30, 1500).astype(np.int64)
    gap = rng.integers(0, 11, (n_hh, MAX_STAYS))
    local_two = hh_local & (k == 2)
    dur[local_two, 0] = today - arrival[local_two] - rng.integers(30, 700, int(local_two.sum()))
    start = np.zeros((n_hh, MAX_STAYS), np.int64)
    start[:, 0] = arrival
    for i in range(1, MAX_STAYS):
        start[:, i] = start[:, i - 1] + dur[:, i - 1] + gap[:, i - 1]
    end = start + dur - 1
    idx = np.arange(MAX_STAYS)[None, :]
    exists = idx < k[:, None]
    last = idx == (k[:, None] - 1)
    departs = (rng.random(n_hh) < 0.22) & ~hh_local
    recent = departs & (rng.random(n_hh) < 0.08)
    end = np.where(last & ~departs[:, None], OPEN, end)
    last_start = start[np.arange(n_hh), k - 1]
    recent_end = np.maximum(last_start, today - rng.integers(0, 8, n_hh))
    end = np.where(last & recent[:, None], recent_end[:, None], end)
    # Nothing starts on or after as_of; a stay running past as_of is open and ends the history.
    exists &= start < today
    running = exists & (end >= today)
    first_running = np.where(running.any(axis=1), running.argmax(axis=1), MAX_STAYS)
    exists &= idx <= first_running[:, None]
    end = np.where(exists & (end >= today), OPEN, end)
    n_stays = exists.sum(axis=1)
    last = idx == (n_stays[:, None] - 1)

    # Kinds.
    u = rng.random((n_hh, MAX_STAYS))
    kind = np.full((n_hh, MAX_STAYS), STAY_RENT, np.int64)
    s = single[:, None]
    kind = np.where(s & (u >= 0.48) & (u < 0.78), STAY_EDORM, kind)
    kind = np.where(s & (u >= 0.78) & (u < 0.92), STAY_SDORM, kind)
    kind = np.where(s & (u >= 0.92), STAY_OTHER, kind)
    fam = ~single[:, None] & ~hh_local[:, None]
    kind = np.where(fam & (u >= 0.85) & (u < 0.94), STAY_OWN, kind)
    kind = np.where(fam & (u >= 0.94), STAY_OTHER, kind)
    loc = hh_local[:, None]
    kind = np.where(loc & (idx == 0), np.where(u < 0.9, STAY_OWN, STAY_RENT), kind)
    kind = np.where(loc & (idx == 1), np.where(u < 0.6, STAY_RENT, STAY_OWN), kind)

    # Flatten existing household stays in start order and give them dwellings.
    hs_hh, hs_no = np.nonzero(exists)
    hs_start = start[hs_hh, hs_no]
    order = np.lexsort((hs_no, hs_start))
    hs_hh, hs_no, hs_start = hs_hh[order], hs_no[order], hs_start[order]
    hs_end = end[hs_hh, hs_no]
    hs_kind = kind[hs_hh, hs_no]
    other_rents = (hs_kind == STAY_OTHER) & (rng.random(len(hs_kind)) < 0.5)
    pool_of = np.select(
        [
            hs_kind == STAY_EDORM,
            hs_kind == STAY_SDORM,
            (hs_kind == STAY_OWN) | ((hs_kind == STAY_OTHER) & ~other_rents),
        ],
        [TENURE_EDORM, TENURE_SDORM, TENURE_OWN],
        TENURE_RENT,
    )
    dwelling = np.zeros(len(hs_hh), np.int64)
    offset = int(rng.integers(0, 1_000_000))
    for tenure, replace in (
        (TENURE_RENT, False),
        (TENURE_OWN, False),
        (TENURE_EDORM, True),
        (TENURE_SDORM, True),
    ):
        m = pool_of == tenure
        dwelling[m] = _pick(rng, _slice(lib.pools[tenure], chunk, n_chunks), int(m.sum()), replace, offset)
    hs = pl.DataFrame(
        {
            "hh": hs_hh,
            "stay_no": hs_no,
            "dwelling": dwelling,
            "start": hs_start,
            "end": hs_end,
            "kind": hs_kind,
            "is_last": last[hs_hh, hs_no],
            "head": persons[head_pos[hs_hh]],
            "size": size[hs_hh],
            "is_local": hh_local[hs_hh],
            "n_stays": n_stays[hs_hh],
        }
    ).sort(["hh", "stay_no"])
    people = pl.DataFrame(
        {
            "person": persons,
            "hh": hh_of,
            "is_head": is_head,
            "age": age,
            "male": pop.male[persons],
            "is_local_p": local,
        }
    )
    ps = people.join(hs.drop("head", "is_local"), on="hh", how="inner").rename({"is_local_p": "is_local"})
    ps = ps.sort(["person", "stay_no"])
    households = pl.DataFrame(
        {
            "hh": np.arange(n_hh),
            "head": persons[head_pos],
            "size": size,
            "is_local": hh_local,
            "single": single,
        }
    )
    return Histories(household_stays=hs, person_stays=ps, households=households)
