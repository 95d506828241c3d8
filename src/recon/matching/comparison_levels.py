"""Comparison levels: the building blocks a comparison stacks, first match wins (like SQL CASE).

Records are dictionary-encoded once per run (`EncodedRecords`: per column an int32 code per
record, -1 for null, and the sorted distinct values). A `PairContext` holds candidate pairs as
two arrays of record indices and evaluates levels over all of them at once. Every string
similarity is computed with rapidfuzz (character-correct for Chinese, unlike SQL engines that
compare UTF-8 bytes) and only once per *distinct value pair*: most candidate pairs carry equal
values, and the rest repeat, so this is far cheaper than one call per pair.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

Metric = Callable[["EncodedRecords", str, np.ndarray, np.ndarray], np.ndarray]


def _cpdist(scorer, dtype) -> Metric:
    def run(enc: EncodedRecords, col: str, ca: np.ndarray, cb: np.ndarray) -> np.ndarray:
        if len(ca) == 0:
            return np.zeros(0, dtype=dtype)
        vals = enc.objects(col)  # Python strings made once per distinct value, not per pair
        return process.cpdist(vals[ca].tolist(), vals[cb].tolist(), scorer=scorer, workers=-1).astype(dtype)

    return run


def _day_month_swap(enc: EncodedRecords, col: str, ca: np.ndarray, cb: np.ndarray) -> np.ndarray:
    """YYYYMMDD strings equal once day and month are swapped (a common date-entry error)."""
    chars, lens = enc.char_matrix(col)
    if chars.shape[1] < 8:
        return np.zeros(len(ca), dtype=bool)
    x, y = chars[ca, :8], chars[cb, :8]
    swapped = np.concatenate([y[:, :4], y[:, 6:8], y[:, 4:6]], axis=1)
    return (lens[ca] == 8) & (lens[cb] == 8) & (x == swapped).all(axis=1)


def _mask_compatible(enc: EncodedRecords, col: str, ca: np.ndarray, cb: np.ndarray) -> np.ndarray:
    """Equal-length patterns whose visible characters agree wherever both show one ('*' hides)."""
    chars, lens = enc.char_matrix(col)
    star = np.uint32(ord("*"))
    has_star = (chars == star).any(axis=1)
    out = np.zeros(len(ca), dtype=bool)
    todo = np.flatnonzero((has_star[ca] | has_star[cb]) & (lens[ca] == lens[cb]))
    for s in range(0, len(todo), 1_000_000):  # bounded memory
        k = todo[s : s + 1_000_000]
        x, y = chars[ca[k]], chars[cb[k]]
        out[k] = ((x == y) | (x == star) | (y == star)).all(axis=1)
    return out


METRICS: dict[str, Metric] = {
    "levenshtein": _cpdist(Levenshtein.distance, np.int32),
    "osa": _cpdist(OSA.distance, np.int32),  # one substitution or adjacent transposition = 1
    "jaro_winkler": _cpdist(JaroWinkler.normalized_similarity, np.float32),
    "day_month_swap": _day_month_swap,
    "mask_compatible": _mask_compatible,
}


def factorize_u64(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first index of each distinct value in order of first appearance, code of every element)
    of a uint64 array: a hash table (pandas), about twice as fast as np.unique's sort."""
    import pandas as pd

    codes, uniq = pd.factorize(h, sort=False)
    codes = codes.astype(np.int64)
    first = np.empty(len(uniq), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1, dtype=np.int64)
    return first, codes


def factorize(s: pl.Series) -> tuple[np.ndarray, pl.Series]:
    """(int32 code per row, -1 for null; distinct values, a string Series) of a string series.

    Codes come from 64-bit hashes (np.unique over hashes: far faster than sorting strings),
    checked with a second, independent 64-bit hash; if the two disagree anywhere (a collision)
    it falls back to an exact sort-based rank."""
    valid = s.is_not_null().to_numpy()
    codes = np.full(len(s), -1, dtype=np.int32)
    nonnull = s.filter(pl.Series(valid)) if not valid.all() else s
    if len(nonnull) == 0:
        return codes, pl.Series(s.name, [], dtype=pl.String)
    h = nonnull.hash(seed=0x5EED).to_numpy()
    first, inv = factorize_u64(h)
    values = nonnull.gather(first)
    h2 = nonnull.hash(seed=0xC0FFEE).to_numpy()
    if not np.array_equal(h2[first][inv], h2):  # a collision: exact but slower
        ranks = (nonnull.rank("dense") - 1).cast(pl.Int64).to_numpy()
        values = nonnull.unique().sort()
        inv = ranks
    codes[valid] = inv.astype(np.int32)
    return codes, values


class EncodedRecords:
    """Columns of a record frame as int32 codes (-1 = null) plus their distinct values (a string
    Series per column, gathered by code when a metric needs the text)."""

    def __init__(self, frame: pl.DataFrame, columns: Iterable[str], weights: np.ndarray | None = None):
        self.n = frame.height
        self.weights = weights  # records per row when rows are collapsed profiles (term frequencies)
        self.codes: dict[str, np.ndarray] = {}
        self.values: dict[str, pl.Series] = {}
        self._chars: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._objects: dict[str, np.ndarray] = {}
        for col in dict.fromkeys(columns):
            s = frame.get_column(col)
            if s.dtype != pl.String:
                s = s.cast(pl.String)
            self.codes[col], self.values[col] = factorize(s.replace("", None))

    def objects(self, col: str) -> np.ndarray:
        """Distinct values of `col` as a numpy object array of Python strings (cached)."""
        if col not in self._objects:
            self._objects[col] = np.array(self.values[col].to_list(), dtype=object)
        return self._objects[col]

    def char_matrix(self, col: str) -> tuple[np.ndarray, np.ndarray]:
        """Distinct values of `col` as a (values × width) code-point matrix (0-padded) and lengths."""
        if col not in self._chars:
            vals = self.values[col]
            width = max(1, int(vals.str.len_chars().max() or 1))
            u = np.asarray(vals.to_list(), dtype=f"<U{width}")
            self._chars[col] = (u.view(np.uint32).reshape(len(u), width), np.char.str_len(u))
        return self._chars[col]

    def counts(self, col: str) -> np.ndarray:
        """Records per distinct value of `col` (for term frequencies)."""
        c = self.codes[col]
        w = None if self.weights is None else self.weights[c >= 0]
        return np.bincount(c[c >= 0], weights=w, minlength=len(self.values[col])).astype(np.int64)


class PairContext:
    """Candidate pairs (left[k], right[k]) over one `EncodedRecords`, with cached gathers and metrics."""

    def __init__(self, enc: EncodedRecords, left: np.ndarray, right: np.ndarray):
        self.enc = enc
        self.left = np.asarray(left, dtype=np.int64)
        self.right = np.asarray(right, dtype=np.int64)
        self.n = len(self.left)
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._metric: dict[tuple[str, str], np.ndarray] = {}
        self._distinct: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}

    def codes(self, col: str) -> tuple[np.ndarray, np.ndarray]:
        if col not in self._codes:
            c = self.enc.codes[col]
            self._codes[col] = (c[self.left], c[self.right])
        return self._codes[col]

    def present(self, col: str) -> np.ndarray:
        a, b = self.codes(col)
        return (a >= 0) & (b >= 0)

    def equal(self, col: str) -> np.ndarray:
        a, b = self.codes(col)
        return (a == b) & (a >= 0)

    def values(self, col: str) -> tuple[np.ndarray, np.ndarray]:
        """The pair's values as object arrays (None for null): for explanations, not the hot path."""
        vals = np.append(self.enc.values[col].to_numpy().astype(object), None)
        a, b = self.codes(col)
        return vals[a], vals[b]

    def distinct(self, col: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Pairs with both values present and different: their mask, the distinct code pairs
        (a < b, so metrics stay symmetric) and each pair's index into them."""
        if col not in self._distinct:
            a, b = self.codes(col)
            m = (a >= 0) & (b >= 0) & (a != b)
            lo, hi = np.minimum(a[m], b[m]).astype(np.int64), np.maximum(a[m], b[m]).astype(np.int64)
            nv = max(len(self.enc.values[col]), 1)
            uniq, inv = np.unique(lo * nv + hi, return_inverse=True)
            self._distinct[col] = (m, uniq // nv, uniq % nv, inv)
        return self._distinct[col]

    def metric(self, col: str, metric: str) -> np.ndarray:
        """`metric` on every pair whose two values are present and different (NaN elsewhere)."""
        key = (col, metric)
        if key not in self._metric:
            m, ca, cb, inv = self.distinct(col)
            out = np.full(self.n, np.nan, dtype=np.float64)
            if len(ca):
                out[m] = np.asarray(METRICS[metric](self.enc, col, ca, cb), dtype=np.float64)[inv]
            self._metric[key] = out
        return self._metric[key]


@dataclass(frozen=True)
class Level:
    """One comparison level: a label, a one-line description, and a predicate over pairs."""

    label: str
    description: str
    tf_col: str | None = None  # term-frequency adjustment on this column's value when the level applies
    agreement: bool = (
        False  # equal values fall here: its weight is kept >= 0 (identity is never evidence against)
    )

    def mask(self, ctx: PairContext) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError(f"level {self.label!r} ({type(self).__name__}) defines no predicate")


@dataclass(frozen=True)
class NullLevel(Level):
    """Either side lacks every one of `cols`: no evidence either way (weight 0)."""

    cols: tuple[str, ...] = ()

    def mask(self, ctx: PairContext) -> np.ndarray:
        has_common = np.zeros(ctx.n, dtype=bool)
        for c in self.cols:
            has_common |= ctx.present(c)
        return ~has_common


@dataclass(frozen=True)
class ExactLevel(Level):
    col: str = ""
    agreement: bool = True

    def mask(self, ctx: PairContext) -> np.ndarray:
        return ctx.equal(self.col)


@dataclass(frozen=True)
class PartialLevel(Level):
    """Equal on `col` while `finer_col` is missing on at least one side: consistent, as far as
    the coarser value goes (an address that resolved only to its building)."""

    col: str = ""
    finer_col: str = ""
    agreement: bool = True

    def mask(self, ctx: PairContext) -> np.ndarray:
        return ctx.equal(self.col) & ~ctx.present(self.finer_col)


@dataclass(frozen=True)
class DistanceLevel(Level):
    """Distance (`levenshtein`, `osa`) between the two values at most `max_distance`."""

    col: str = ""
    metric: str = "levenshtein"
    max_distance: float = 1

    def mask(self, ctx: PairContext) -> np.ndarray:
        return ctx.metric(self.col, self.metric) <= self.max_distance


@dataclass(frozen=True)
class SimilarityLevel(Level):
    """Similarity (`jaro_winkler`) between the two values at least `min_similarity`."""

    col: str = ""
    metric: str = "jaro_winkler"
    min_similarity: float = 0.9

    def mask(self, ctx: PairContext) -> np.ndarray:
        return ctx.metric(self.col, self.metric) >= self.min_similarity


@dataclass(frozen=True)
class PredicateLevel(Level):
    """A boolean metric (`day_month_swap`, `mask_compatible`) holds on the two values (equal
    values count as holding)."""

    col: str = ""
    metric: str = ""
    agreement: bool = True

    def mask(self, ctx: PairContext) -> np.ndarray:
        return (ctx.metric(self.col, self.metric) == 1) | ctx.equal(self.col)


@dataclass(frozen=True)
class BothFlagLevel(Level):
    """Both records carry `flag_col` == `flag_value` and the values of `col` differ."""

    col: str = ""
    flag_col: str = ""
    flag_value: str = "true"

    def mask(self, ctx: PairContext) -> np.ndarray:
        a, b = ctx.codes(self.flag_col)
        vals = ctx.enc.values[self.flag_col]
        hit = np.flatnonzero((vals == self.flag_value).to_numpy())
        if len(hit) == 0:
            return np.zeros(ctx.n, dtype=bool)
        code = hit[0]
        return (a == code) & (b == code) & ctx.present(self.col) & ~ctx.equal(self.col)


@dataclass(frozen=True)
class ElseLevel(Level):
    def mask(self, ctx: PairContext) -> np.ndarray:
        return np.ones(ctx.n, dtype=bool)
