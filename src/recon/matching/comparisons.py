"""Comparisons as small declarative classes; each docstring lists its levels, strongest first.

A comparison turns a candidate pair into a *level* (gamma): -1 when the null level applies (no
evidence, weight 0), else the index of the first level whose predicate holds. Levels are
ordered from strongest agreement to the catch-all `else`, and the model keeps their weights in
that order (so a record always matches itself best). This module holds the base class and the
generic comparisons for any string column (FEBRL, or a new feed nobody has seen); the person
comparisons are in `person_comparisons`.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

import numpy as np

from recon.matching import comparison_levels as cl
from recon.matching.comparison_levels import Level, PairContext

REGISTRY: dict[str, type[Comparison]] = {}


class Comparison:
    """Base class: subclasses build their levels in `create_levels` from constructor parameters."""

    name: str
    default_m: ClassVar[tuple[float, ...] | None] = None  # EM starting values, strongest level first

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        REGISTRY[cls.__name__] = cls

    def __init__(self, name: str, **params: Any):
        self.name = name
        self.params = params

    def create_null_level(self) -> Level:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} defines no null level")

    def create_levels(self) -> list[Level]:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} defines no levels")

    @cached_property
    def null_level(self) -> Level:
        return self.create_null_level()

    @cached_property
    def levels(self) -> list[Level]:
        return self.create_levels()

    @property
    def labels(self) -> list[str]:
        return [lv.label for lv in self.levels]

    @property
    def columns(self) -> list[str]:
        """Every record column the levels read (so the run encodes exactly these)."""
        cols: list[str] = list(getattr(self.null_level, "cols", ()))
        for lv in self.levels:
            for attr in ("col", "flag_col", "finer_col", "tf_col"):
                v = getattr(lv, attr, None)
                if v:
                    cols.append(v)
        return list(dict.fromkeys(cols))

    def initial_m(self) -> np.ndarray:
        k = len(self.levels)
        if self.default_m and len(self.default_m) == k:
            return np.array(self.default_m, dtype=float)
        m = np.array([0.9 * 0.5**i for i in range(k)])  # mostly the strongest level among matches
        m[-1] = max(m[-1], 0.02)
        return m / m.sum()

    def gamma(self, ctx: PairContext) -> np.ndarray:
        """The level index of every pair (-1 = null level)."""
        out = np.full(ctx.n, -1, dtype=np.int8)
        undecided = ~self.null_level.mask(ctx)
        for k, lv in enumerate(self.levels):
            hit = undecided & lv.mask(ctx)
            out[hit] = k
            undecided &= ~hit
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"type": type(self).__name__, "name": self.name, **self.params}

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Comparison:
        d = dict(d)
        kind = d.pop("type")
        if kind not in REGISTRY:
            import recon.matching.person_comparisons  # noqa: F401  (registers the person comparisons)
        if kind not in REGISTRY:
            raise ValueError(f"unknown comparison type {kind!r} in model; known: {sorted(REGISTRY)}")
        return REGISTRY[kind](**d)

    def describe(self) -> str:
        return f"{self.name}: " + " / ".join(self.labels)


class ExactMatch(Comparison):
    """`col` compared as is.

    Levels: null (either missing) · exact · else.
    """

    def __init__(self, name: str, col: str | None = None, tf: bool = False):
        super().__init__(name, col=col or name, tf=tf)

    def create_null_level(self) -> Level:
        return cl.NullLevel("null", "either value missing", cols=(self.params["col"],))

    def create_levels(self) -> list[Level]:
        c = self.params["col"]
        tf = c if self.params["tf"] else None
        return [cl.ExactLevel("exact", f"{c} identical", tf_col=tf, col=c), cl.ElseLevel("else", "different")]


class StringComparison(Comparison):
    """A free-text column (names, streets, suburbs), generic settings for any script.

    Levels: null · exact (optionally term-frequency adjusted) · one_edit (one substitution,
    insertion, deletion or adjacent transposition) · jw_<t> for each Jaro–Winkler threshold
    t (default 0.92, 0.80) · else.
    """

    def __init__(
        self,
        name: str,
        col: str | None = None,
        tf: bool = False,
        jw: tuple[float, ...] | list[float] = (0.92, 0.80),
        one_edit: bool = True,
    ):
        super().__init__(name, col=col or name, tf=tf, jw=list(jw), one_edit=one_edit)

    def create_null_level(self) -> Level:
        return cl.NullLevel("null", "either value missing", cols=(self.params["col"],))

    def create_levels(self) -> list[Level]:
        c = self.params["col"]
        lv: list[Level] = [
            cl.ExactLevel("exact", f"{c} identical", tf_col=c if self.params["tf"] else None, col=c)
        ]
        if self.params["one_edit"]:
            lv.append(
                cl.DistanceLevel(
                    "one_edit",
                    "one character substituted, inserted, deleted or transposed",
                    col=c,
                    metric="osa",
                    max_distance=1,
                )
            )
        for t in self.params["jw"]:
            lv.append(
                cl.SimilarityLevel(
                    f"jw_{t:.2f}", f"Jaro–Winkler ≥ {t:.2f}", col=c, metric="jaro_winkler", min_similarity=t
                )
            )
        lv.append(cl.ElseLevel("else", "different"))
        return lv


class DateComparison(Comparison):
    """A date held as YYYYMMDD text (birth dates).

    Levels: null · exact · typo (one digit substituted or two adjacent digits transposed) ·
    day_month_swap · else.
    """

    def __init__(self, name: str, col: str | None = None):
        super().__init__(name, col=col or name)

    def create_null_level(self) -> Level:
        return cl.NullLevel("null", "either date missing", cols=(self.params["col"],))

    def create_levels(self) -> list[Level]:
        c = self.params["col"]
        return [
            cl.ExactLevel("exact", "same date", col=c),
            cl.DistanceLevel(
                "typo",
                "one digit substituted or adjacent digits transposed",
                col=c,
                metric="osa",
                max_distance=1,
            ),
            cl.PredicateLevel("day_month_swap", "day and month swapped", col=c, metric="day_month_swap"),
            cl.ElseLevel("else", "different dates"),
        ]
