"""The police residence registry (公安流动人口居住登记) with the defects the findings look for.

One registration per registered stay of a floating person, made some days after the stay began
(often late, sometimes never). On a move the old registration is deregistered or left active
(its address then outdated); on leaving the district it is often never deregistered. Some
people are registered twice (a name variant, another dwelling); some ID numbers are invalid;
some address texts resolve to nothing and some carry a wrong or blank 标准地址编码. The newest
snapshot replaces an older one also delivered.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from recon.synth.addresses import AddressHabit
from recon.synth.feeds import ChunkContext, delays, gender_text, to_date, truth_columns
from recon.synth.histories import OPEN, REGISTRY_PLACE
from recon.synth.idnumbers import area_codes, recheck, unknown_area_codes
from recon.synth.lexicon import ETHNICITIES, RESIDENCE_REASONS, STEM_FIRST, STEM_SECOND
from recon.synth.library import TENURE_RENT
from recon.synth.plan import OLD_SNAPSHOT_DAYS

P_REGISTERED = np.array([0.82, 0.93, 0.85, 0.90, 0.65])  # by stay kind
HABIT = AddressHabit((0.6, 0.25, 0.1, 0.05, 0.0, 0.0))
UNRESOLVABLE = 0.012
P_DUPLICATE = 0.012
P_INVALID_ID = 0.015


def hukou_addresses(ctx: ChunkContext, who: np.ndarray) -> pl.Series:
    """Province + city + county of the ID's area code, then a town, village and group stable per person."""
    spec = ctx.lib.spec
    areas = ctx.pop.area[who]
    codes = area_codes()
    uniq = np.unique(areas)
    names = {}
    for a in uniq.tolist():
        code = f"{a:06d}"
        if code == spec.code:
            names[a] = spec.prefix
        else:
            ac = codes.get(code)
            names[a] = f"{ac.province}{ac.city}{ac.county}" if ac else ""
    head = pl.Series(areas.astype(np.int64)).replace_strict(names, return_dtype=pl.Utf8)
    h = (who.astype(np.int64) * 2654435761) % 1_000_003
    first, second = pl.Series(STEM_FIRST), pl.Series(STEM_SECOND)
    g = lambda table, idx: table.gather(pl.Series(idx % len(table)))  # noqa: E731
    town = (
        pl.DataFrame({"a": g(first, h), "b": g(second, h // 7)}).select(pl.concat_str("a", "b")).to_series()
    )
    village = (
        pl.DataFrame({"a": g(second, h), "b": g(first, h // 11)}).select(pl.concat_str("a", "b")).to_series()
    )
    group = pl.Series((h % 12 + 1).astype(np.int64)).cast(pl.Utf8)
    local = pl.Series(areas == int(spec.code))
    return (
        pl.DataFrame({"h": head, "t": town, "v": village, "g": group, "l": local})
        .select(
            pl.when("l")
            .then(pl.concat_str("h", pl.lit("街道"), "v", pl.lit("社区")))
            .otherwise(pl.concat_str("h", "t", pl.lit("镇"), "v", pl.lit("村"), "g", pl.lit("组")))
        )
        .to_series()
    )


def _invalidate(rng: np.random.Generator, ids: np.ndarray, district: str) -> np.ndarray:
    """Make a share of ID numbers invalid: typo, bad check character, bad birth date, unknown area, swap."""
    n = len(ids)
    bad = np.flatnonzero(rng.random(n) < P_INVALID_ID)
    kind = rng.choice(5, len(bad), p=[0.35, 0.2, 0.15, 0.15, 0.15])
    for k, rows in ((k, bad[kind == k]) for k in range(5)):
        if not len(rows):
            continue
        if k == 0:  # one mistyped digit
            pos = rng.integers(0, 17, len(rows))
            ids[rows, pos] = (
                (ids[rows, pos].astype(np.int64) - 48 + rng.integers(1, 10, len(rows))) % 10 + 48
            ).astype(np.uint8)
        elif k == 1:  # wrong check character
            alt = np.frombuffer(b"0123456789X", np.uint8)
            cur = ids[rows, 17]
            new = alt[rng.integers(0, 11, len(rows))]
            new = np.where(new == cur, alt[(np.searchsorted(alt, cur) + 1) % 11], new)
            ids[rows, 17] = new
        elif k == 2:  # impossible birth date (month 13 or day 32), check character recomputed
            sub = ids[rows]
            month = rng.random(len(rows)) < 0.5
            sub[month, 10:12] = np.frombuffer(b"13", np.uint8)
            sub[~month, 12:14] = np.frombuffer(b"32", np.uint8)
            ids[rows] = recheck(sub)
        elif k == 3:  # area code nobody knows, check character recomputed
            unknown = unknown_area_codes(district)
            codes = unknown[rng.integers(0, len(unknown), len(rows))]
            digits = (codes[:, None] // 10 ** np.arange(5, -1, -1)) % 10 + 48
            sub = ids[rows]
            sub[:, :6] = digits.astype(np.uint8)
            ids[rows] = recheck(sub)
        else:  # two adjacent digits swapped (never the same digit)
            pos = rng.integers(6, 16, len(rows))
            a, b = ids[rows, pos].copy(), ids[rows, pos + 1].copy()
            same = a == b
            b = np.where(same, ((b.astype(np.int64) - 48 + 1) % 10 + 48).astype(np.uint8), b)
            ids[rows, pos], ids[rows, pos + 1] = b, a
    return ids


def build(ctx: ChunkContext) -> pl.DataFrame:
    rng, lib, pop, today = ctx.rng, ctx.lib, ctx.pop, ctx.today
    ps = ctx.hist.person_stays.filter(~pl.col("is_local"))
    person = ps["person"].to_numpy()
    dwelling = ps["dwelling"].to_numpy()
    start, end, kind = ps["start"].to_numpy(), ps["end"].to_numpy(), ps["kind"].to_numpy()
    is_last, age = ps["is_last"].to_numpy(), ps["age"].to_numpy()
    registered = rng.random(len(ps)) < P_REGISTERED[kind] * np.where(age < 18, 0.85, 1.0)
    reg = start + delays(rng, len(ps))
    keep = registered & (reg <= today) & ((end == OPEN) | (reg <= end))
    dereg = np.where(
        (end != OPEN) & (rng.random(len(ps)) < np.where(is_last, 0.55, 0.5)),
        end + rng.integers(0, 21, len(ps)),
        OPEN,
    )
    dereg = np.where(dereg > today, OPEN, dereg)
    person, dwelling, kind, reg, dereg, age = (a[keep] for a in (person, dwelling, kind, reg, dereg, age))
    # A new registration usually closes the person's previous one (the system knows the ID number).
    nxt = np.concatenate([reg[1:], [OPEN]])
    same = np.concatenate([person[1:] == person[:-1], [False]])
    closes = same & (rng.random(len(person)) < 0.9) & (nxt < dereg)
    dereg = np.where(closes, nxt, dereg)
    n_base = len(person)
    # Second registrations of the same person: a name variant, sometimes at another dwelling.
    dup = np.flatnonzero(rng.random(n_base) < P_DUPLICATE)
    reg2 = reg[dup] + rng.integers(1, 201, len(dup))
    dup, reg2 = dup[reg2 <= today], reg2[reg2 <= today]
    moved = rng.random(len(dup)) < 0.3
    pool = lib.pools[TENURE_RENT]
    dw2 = np.where(moved, pool[rng.integers(0, len(pool), len(dup))], dwelling[dup])
    person = np.concatenate([person, person[dup]])
    dwelling = np.concatenate([dwelling, dw2])
    kind = np.concatenate([kind, kind[dup]])
    reg = np.concatenate([reg, reg2])
    dereg = np.concatenate([dereg, np.full(len(dup), OPEN)])
    age = np.concatenate([age, age[dup]])
    is_dup = np.arange(len(person)) >= n_base
    n = len(person)

    names = ctx.names(person)
    variants = ctx.names(person[is_dup], force_variant=True)
    if len(variants):
        names = names.scatter(np.flatnonzero(is_dup), variants)
    ids = _invalidate(rng, pop.ids[person].copy(), lib.spec.code)
    address, identifies = ctx.addresses(dwelling, HABIT, garbage=UNRESOLVABLE)
    code = pl.Series(lib.code[dwelling])
    u = rng.random(n)
    neighbour = np.clip(dwelling + rng.choice([-3, -2, -1, 1, 2, 3], n), 0, lib.n - 1)
    neighbour = np.where(neighbour == dwelling, np.clip(dwelling + 1, 0, lib.n - 1), neighbour)
    code = pl.select(
        pl.when(pl.Series(u < 0.90))
        .then(code)
        .when(pl.Series(u < 0.96))
        .then(pl.lit(""))
        .otherwise(pl.Series(lib.code[neighbour]))
    ).to_series()
    comm = lib.dw["comm"][dwelling]
    C = lib.places.communities
    n_col = C["n_collectors"].to_numpy()[comm]
    col_no = (rng.integers(0, 1000, n) + is_dup) % n_col + 1
    collector = (
        pl.DataFrame({"c": C["code"].gather(pl.Series(comm)), "k": col_no})
        .select(pl.concat_str(pl.lit("ZG"), "c", pl.col("k").cast(pl.Utf8).str.zfill(2)))
        .to_series()
    )
    seq = np.arange(ctx.key_start, ctx.key_start + n)
    ctx.key_start += n
    reg_date = to_date(reg)
    key = (
        pl.DataFrame({"d": reg_date.dt.strftime("%Y%m%d"), "s": pl.Series(seq).cast(pl.Utf8).str.zfill(7)})
        .select(pl.concat_str(pl.lit(lib.spec.code), "d", "s"))
        .to_series()
    )
    permit = (reg <= today - 183) & (rng.random(n) < 0.85) | (rng.random(n) < 0.03)
    permit_no = (
        pl.DataFrame({"d": reg_date.dt.strftime("%Y"), "s": pl.Series(seq).cast(pl.Utf8).str.zfill(8)})
        .select(pl.concat_str(pl.lit(lib.spec.code), "d", "s"))
        .to_series()
    )
    permit_no = pl.select(pl.when(pl.Series(permit)).then(permit_no).otherwise(pl.lit(""))).to_series()
    reasons = [r for r, _ in RESIDENCE_REASONS]
    rw = np.array([w for _, w in RESIDENCE_REASONS])
    reason = rng.choice(len(reasons), n, p=rw / rw.sum())
    reason = np.where(age < 18, np.where(age < 16, 2, 3), reason)
    eth = pl.Series([e for e, _ in ETHNICITIES]).gather(pl.Series(pop.ethnicity[person].astype(np.int64)))
    old_day = today - OLD_SNAPSHOT_DAYS
    frame = pl.DataFrame(
        {
            "registration_id": key,
            "name": names,
            "gender": gender_text(pop.male[person]),
            "ethnicity": eth,
            "birth_date": to_date(pop.birth[person]),
            "id_type": pl.Series(np.where(rng.random(n) < 0.3, "居民身份证", "")),
            "id_number": ctx.ids(person, ids=ids),
            "hukou_address": hukou_addresses(ctx, person),
            "phone": ctx.phones(person, reg, blank=0.02),
            "address": address,
            "std_address_code": code,
            "residence_reason": pl.Series(reasons).gather(pl.Series(reason)),
            "dwelling_kind": pl.Series(REGISTRY_PLACE).gather(pl.Series(kind)),
            "registered_on": reg_date,
            "deregistered_on": to_date(dereg),
            "permit_number": permit_no,
            "collector": collector,
            "police_station": C["station"].gather(pl.Series(comm)),
            "community": C["name"].gather(pl.Series(comm)),
            "_file": np.full(n, 1, np.int64),
            "_order": reg,
            **truth_columns(person, dwelling, identifies),
        }
    )
    # The older snapshot: what the registry held a month ago.
    old = frame.filter(pl.Series(reg <= old_day)).with_columns(
        _file=pl.lit(0, pl.Int64),
        deregistered_on=pl.when(pl.col("deregistered_on") <= to_date(np.array([old_day]))[0]).then(
            "deregistered_on"
        ),
    )
    return pl.concat([old, frame])
