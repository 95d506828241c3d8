"""Chinese names as index triples (surname, first and second given character) and their renderings.

A name is drawn once per person as indices into fixed tables; every feed then renders it with its
own mistakes (traditional characters, homophones, look-alikes, spaces) by swapping indices, so a
million names cost a few gathers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl
from opencc_purepy import OpenCC
from pypinyin import Style, lazy_pinyin

from recon.synth.lexicon import EXTRA_CHARS, GIVEN_CHARS, LOOKALIKES, SURNAME_HOMOPHONES, SURNAMES

NO_CHAR = -1


@dataclass(frozen=True)
class NameTables:
    surnames: pl.Series  # index → surname
    surnames_trad: pl.Series
    surnames_homophone: pl.Series  # the homophone mistyping (or the surname itself)
    surname_weights: np.ndarray
    chars: pl.Series  # given-name characters (pool, then mistyping-only extras)
    chars_trad: pl.Series
    male_weights: np.ndarray  # over chars; 0 for extras and female-only characters
    female_weights: np.ndarray
    homophone: np.ndarray  # char index → homophone char index (or itself)
    lookalike: np.ndarray  # char index → look-alike char index (or itself)


@lru_cache(maxsize=1)
def name_tables() -> NameTables:
    s2t = OpenCC("s2t")
    surnames = [s for s, _ in SURNAMES]
    weights = np.array([w for _, w in SURNAMES], float)
    pool = [c for c, _, _ in GIVEN_CHARS]
    chars = pool + [c for c in dict.fromkeys(EXTRA_CHARS) if c not in pool]
    index = {c: i for i, c in enumerate(chars)}
    male = np.zeros(len(chars))
    female = np.zeros(len(chars))
    for c, w, g in GIVEN_CHARS:
        if g in ("m", "u"):
            male[index[c]] = w
        if g in ("f", "u"):
            female[index[c]] = w
    # Homophones: another character with the same toneless reading, pool characters first.
    by_sound: dict[str, list[int]] = {}
    for i, c in enumerate(chars):
        by_sound.setdefault(lazy_pinyin(c, style=Style.NORMAL)[0], []).append(i)
    homophone = np.arange(len(chars))
    for i, c in enumerate(chars):
        group = by_sound[lazy_pinyin(c, style=Style.NORMAL)[0]]
        others = [j for j in group if j != i]
        if others:
            homophone[i] = others[0]
    lookalike = homophone.copy()
    for c, alt in LOOKALIKES.items():
        if c in index:
            if alt not in index:
                raise ValueError(f"look-alike {alt!r} of {c!r} must be listed in EXTRA_CHARS or GIVEN_CHARS")
            lookalike[index[c]] = index[alt]
    return NameTables(
        surnames=pl.Series("s", surnames),
        surnames_trad=pl.Series("s", [s2t.convert(s) for s in surnames]),
        surnames_homophone=pl.Series("s", [SURNAME_HOMOPHONES.get(s, s) for s in surnames]),
        surname_weights=weights / weights.sum(),
        chars=pl.Series("c", chars),
        chars_trad=pl.Series("c", [s2t.convert(c) for c in chars]),
        male_weights=male / male.sum(),
        female_weights=female / female.sum(),
        homophone=homophone,
        lookalike=lookalike,
    )


def draw_names(rng: np.random.Generator, male: np.ndarray, birth_year: np.ndarray) -> tuple[np.ndarray, ...]:
    """Surname and given-character indices; one-character given names are commoner among older people."""
    t = name_tables()
    n = len(male)
    surname = rng.choice(len(t.surnames), n, p=t.surname_weights).astype(np.int16)
    # Single-character given names: ~40% of people born before 1980, ~22% after.
    single = rng.random(n) < np.where(birth_year < 1980, 0.4, 0.22)
    # Sharper weights for single-character names make 王伟 / 张伟 / 李娜 frequent.
    g1 = np.empty(n, np.int16)
    g2 = np.full(n, NO_CHAR, np.int16)
    for is_male, w in ((True, t.male_weights), (False, t.female_weights)):
        sel = male == is_male
        sharp = w**1.6
        sharp /= sharp.sum()
        one = sel & single
        two = sel & ~single
        g1[one] = rng.choice(len(w), int(one.sum()), p=sharp)
        g1[two] = rng.choice(len(w), int(two.sum()), p=w)
        g2[two] = rng.choice(len(w), int(two.sum()), p=w)
    return surname, g1, g2


@dataclass(frozen=True)
class NameNoise:
    traditional: float = 0.0
    homophone: float = 0.0
    lookalike: float = 0.0
    space: float = 0.0


def render_names(
    rng: np.random.Generator,
    surname: np.ndarray,
    g1: np.ndarray,
    g2: np.ndarray,
    noise: NameNoise = NameNoise(),
) -> pl.Series:
    """Names as written: exact, or with one mistyping kind applied to a share of the rows."""
    t = name_tables()
    n = len(surname)
    u = rng.random(n)
    trad = u < noise.traditional
    homo = (u >= noise.traditional) & (u < noise.traditional + noise.homophone)
    look = (u >= noise.traditional + noise.homophone) & (
        u < noise.traditional + noise.homophone + noise.lookalike
    )
    space = rng.random(n) < noise.space
    g1 = g1.astype(np.int64).copy()
    g2 = g2.astype(np.int64).copy()
    has2 = g2 >= 0
    # The mistyped character: the last given one, or the surname for some homophones.
    hit_surname = homo & (rng.random(n) < 0.3)
    for mask, table in ((homo & ~hit_surname, t.homophone), (look, t.lookalike)):
        m2 = mask & has2
        m1 = mask & ~has2
        g2[m2] = table[g2[m2]]
        g1[m1] = table[g1[m1]]
    s_idx = pl.Series(surname.astype(np.int64))
    sur = pl.select(
        pl.when(pl.Series(trad))
        .then(t.surnames_trad.gather(s_idx))
        .when(pl.Series(hit_surname))
        .then(t.surnames_homophone.gather(s_idx))
        .otherwise(t.surnames.gather(s_idx))
    ).to_series()
    c1 = pl.select(
        pl.when(pl.Series(trad))
        .then(t.chars_trad.gather(pl.Series(g1)))
        .otherwise(t.chars.gather(pl.Series(g1)))
    ).to_series()
    g2_safe = np.where(has2, g2, 0)
    c2 = pl.select(
        pl.when(~pl.Series(has2))
        .then(pl.lit(""))
        .when(pl.Series(trad))
        .then(t.chars_trad.gather(pl.Series(g2_safe)))
        .otherwise(t.chars.gather(pl.Series(g2_safe)))
    ).to_series()
    frame = pl.DataFrame({"s": sur, "c1": c1, "c2": c2, "sp": space})
    return frame.select(
        pl.when(pl.col("sp"))
        .then(pl.concat_str("s", pl.lit(" "), "c1", "c2"))
        .otherwise(pl.concat_str("s", "c1", "c2"))
        .alias("name")
    ).to_series()
