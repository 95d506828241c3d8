"""What every feed builder shares: the chunk context and the person / address renderers.

A feed builder returns one polars frame per chunk with the contract's English column names
(text columns already rendered, date columns still typed `pl.Date`) plus truth columns:
`_file` (index into the feed's file plan), `_order` (sort key inside the file), `_person`,
`_dwelling` (library index or null) and `_identifies` (the address text still identifies it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from recon.synth.addresses import AddressHabit, render
from recon.synth.histories import OPEN, Histories
from recon.synth.library import Library
from recon.synth.names import NameNoise, render_names
from recon.synth.noise import NoiseProfile, render_ids, render_phones
from recon.synth.plan import FilePlan
from recon.synth.population import Population, to_days

EPOCH = dt.date(1970, 1, 1)


@dataclass
class ChunkContext:
    lib: Library
    pop: Population
    hist: Histories
    today: int  # as_of in days since 1970-01-01
    window_start: int
    rng: np.random.Generator
    noise: NoiseProfile  # already scaled for the feed
    plans: list[FilePlan]
    key_start: int  # first free sequence number of this feed's keys

    # --- people -------------------------------------------------------------------------
    def names(self, who: np.ndarray, force_variant: bool = False) -> pl.Series:
        p = self.pop
        noise = self.noise.names()
        if force_variant:
            noise = NameNoise(traditional=0.45, homophone=0.35, lookalike=0.1, space=0.1)
        return render_names(self.rng, p.surname[who], p.g1[who], p.g2[who], noise)

    def ids(
        self, who: np.ndarray, blank: float = 0.0, masked: float = 0.0, ids: np.ndarray | None = None
    ) -> pl.Series:
        before_2000 = self.pop.birth[who] < to_days(dt.date(2000, 1, 1))
        return render_ids(
            self.rng, self.pop.ids[who] if ids is None else ids, before_2000, self.noise, blank, masked
        )

    def phones(self, who: np.ndarray, day: np.ndarray, blank: float | None = None) -> pl.Series:
        return render_phones(
            self.rng, self.pop.phone_on(who, day), self.noise, self.lib.spec.landline_prefix, blank
        )

    def addresses(
        self, dwellings: np.ndarray, habit: AddressHabit, garbage: float | None = None
    ) -> tuple[pl.Series, np.ndarray]:
        noise = self.noise.addresses()
        if garbage is not None:
            noise = dataclasses.replace(noise, garbage=garbage)
        return render(self.lib, dwellings, self.rng, noise, habit)

    # --- files --------------------------------------------------------------------------
    def file_for(self, days: np.ndarray) -> np.ndarray:
        """Index of the plan file whose period holds each day (earlier days go to the first file)."""
        current = [i for i, f in enumerate(self.plans) if f.role == "current"]
        ends = np.array([to_days(self.plans[i].period_end) for i in current])
        pos = np.clip(np.searchsorted(ends, days, side="left"), 0, len(current) - 1)
        return np.array(current)[pos]

    def keys(self, prefix: str, days: np.ndarray, n: int | None = None) -> pl.Series:
        """Unique keys `<prefix><yyyymm><8-digit sequence>`; the sequence runs across chunks."""
        n = len(days) if n is None else n
        seq = pl.Series(np.arange(self.key_start, self.key_start + n)).cast(pl.Utf8).str.zfill(8)
        self.key_start += n
        ym = to_date(days).dt.strftime("%Y%m")
        return (
            pl.DataFrame({"ym": ym, "seq": seq})
            .select(pl.concat_str(pl.lit(prefix), "ym", "seq"))
            .to_series()
        )


def to_date(days: np.ndarray) -> pl.Series:
    """Days since 1970-01-01 → polars Date; OPEN (or more) becomes null."""
    d = np.asarray(days, np.int64)
    is_open = d >= OPEN
    s = pl.Series(np.where(is_open, 0, d).astype(np.int32)).cast(pl.Date)
    if is_open.any():
        s = pl.select(pl.when(pl.Series(is_open)).then(pl.lit(None, pl.Date)).otherwise(s)).to_series()
    return s


def delays(rng: np.random.Generator, n: int) -> np.ndarray:
    """Days between a start and its declaration: most within 3 days, a long tail of late ones."""
    kind = rng.choice(4, n, p=[0.65, 0.2, 0.11, 0.04])
    lo = np.array([0, 5, 15, 91])[kind]
    hi = np.array([5, 15, 91, 300])[kind]
    return rng.integers(lo, hi)


def maybe(rng: np.random.Generator, n: int, p: float | np.ndarray) -> np.ndarray:
    return rng.random(n) < p


def gender_text(male: np.ndarray) -> pl.Series:
    return pl.Series(np.where(male, "男", "女"))


def truth_columns(person: np.ndarray, dwelling: np.ndarray | None, identifies: np.ndarray | None) -> dict:
    n = len(person)
    dw = pl.Series("_dwelling", dwelling if dwelling is not None else np.zeros(n), pl.Int64)
    if dwelling is None:
        dw = pl.Series("_dwelling", [None] * n, pl.Int64)
    return {
        "_person": pl.Series(person.astype(np.int64)),
        "_dwelling": dw,
        "_identifies": pl.Series(identifies if identifies is not None else np.zeros(n, bool)),
    }
