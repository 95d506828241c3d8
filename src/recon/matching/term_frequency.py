"""Term-frequency adjustment: agreeing on 王伟 is weak evidence, agreeing on a rare name strong.

For a level with a `tf_col`, the level's weight log2(m/u) becomes log2(m/tf), where tf is the
share of records carrying that value (the larger of the two sides'), i.e. the adjustment
log2(u/tf) is added (as in Splink). Frequencies are facts about tonight's data, so they are
recomputed each run; the model artifact keeps the frequent values so an explanation made from
the saved model alone reproduces the run's weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from recon.matching.comparison_levels import EncodedRecords, PairContext

TF_KEEP = 200_000  # values kept in the model artifact (the most frequent)


@dataclass
class TermFrequencies:
    """Counts of values of one column; values not listed count 1 (they are rare)."""

    column: str
    total: int
    counts: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def from_encoded(enc: EncodedRecords, column: str) -> TermFrequencies:
        c = enc.counts(column)
        t = pl.DataFrame({"v": enc.values[column], "c": c}).filter(pl.col("c") >= 2)
        t = t.sort(["c", "v"], descending=[True, False]).head(TF_KEEP)
        return TermFrequencies(
            column, int(c.sum()), dict(zip(t["v"].to_list(), t["c"].to_list(), strict=True))
        )

    def frequency(self, value: str | None) -> float:
        if value is None or self.total <= 0:
            return float("nan")
        return self.counts.get(value, 1) / self.total

    def to_dict(self) -> dict:
        return {"column": self.column, "total": self.total, "counts": self.counts}

    @staticmethod
    def from_dict(d: dict) -> TermFrequencies:
        return TermFrequencies(d["column"], int(d["total"]), {k: int(v) for k, v in d["counts"].items()})


def record_frequencies(enc: EncodedRecords, column: str, table: TermFrequencies | None = None) -> np.ndarray:
    """tf of every distinct value of `column` (indexed by code); from the data unless a table is given."""
    if table is None:
        c = enc.counts(column).astype(float)
        total = c.sum()
        return c / total if total else c
    return np.array([table.frequency(v) for v in enc.values[column].to_list()], dtype=float)


def pair_tf(ctx: PairContext, column: str, freq_by_code: np.ndarray) -> np.ndarray:
    """max(tf_left, tf_right) per pair (NaN where either value is missing)."""
    a, b = ctx.codes(column)
    f = np.append(freq_by_code, np.nan)  # code -1 -> NaN
    return np.fmax(f[a], f[b]) if len(f) else np.full(ctx.n, np.nan)


def tf_adjustment(u_level: float, tf: np.ndarray, min_tf: float) -> np.ndarray:
    """log2(u / tf): positive for rarer-than-average values, negative for common ones."""
    t = np.where(np.isnan(tf), u_level, np.maximum(tf, min_tf))
    return np.log2(u_level) - np.log2(t)
