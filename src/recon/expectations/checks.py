"""Expectations declared as data: one `Check` per GX expectation, grouped in a `SuiteSpec`.

A check names a real Great Expectations expectation class and its keyword arguments, plus
what the runner needs to speak about it: whether it is critical, what it protects, how to
fix it, and whether sample values are personal data. Feed suites (`suites.py`) and the
output-table suites of later stages are built from the same constructors below, so the
runner, the warehouse rows and the Data Docs treat them alike.

Kinds (they choose how observed values and messages are worded):

- ``columns``: the frame has at least these columns.
- ``not_null``: every value present.
- ``rate``: share of non-null values matching a regex or a value set is at least a floor.
- ``unique``: share of rows whose value is not repeated is at least a floor.
- ``between``: share of non-null values within [min, max] is at least a floor.
- ``row_count``: row count within bounds derived from a baseline (the previous batch).
- ``parsed_share``: non-null parsed values / raw non-empty cells is at least a floor; GX
  sees it as a not-null expectation whose `mostly` is an expectation parameter resolved
  from the frame's row count at validation time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

CheckKind = Literal["columns", "not_null", "rate", "unique", "between", "row_count", "parsed_share"]


@dataclass(frozen=True)
class Check:
    """One expectation of a suite, GX-free until `SuiteSpec.to_gx()`."""

    check_id: str  # unique within the suite; carried in the GX expectation's meta
    kind: CheckKind
    expectation: str  # class name in `great_expectations.expectations`
    kwargs: Mapping[str, Any]  # JSON-ready GX keyword arguments
    critical: bool
    description: str  # what is checked, in words: "ID number format rate"
    fix: str  # what to do when it fails
    column: str | None = None
    label: str | None = None  # how users know the column, e.g. "id_number (证件号码)"
    personal: bool = False  # sample values are personal data: shape-masked before they leave the runner
    min_rate: float | None = None  # the floor, for rate-like kinds
    baseline: int | None = None  # row_count: the rows it is compared with
    baseline_label: str = "rows in the previous batch"  # row_count: what the baseline counts
    raw_nonnull: int | None = None  # parsed_share: raw non-empty cells behind the column

    @property
    def parameter_name(self) -> str | None:
        """Name of the GX expectation parameter this check needs at run time, if any."""
        return f"min_share__{self.check_id.replace(':', '__')}" if self.kind == "parsed_share" else None

    def resolve_parameter(self, rows: int) -> float:
        """parsed_share: the not-null `mostly` that equals `min_rate` of the raw non-empty cells."""
        if self.kind != "parsed_share" or self.raw_nonnull is None or self.min_rate is None:
            raise ValueError(f"check {self.check_id!r} has no run-time parameter")
        if self.raw_nonnull > rows:
            raise ValueError(
                f"check {self.check_id!r}: raw non-empty count {self.raw_nonnull} exceeds the frame's {rows} rows;"
                " count raw cells over the accepted rows only"
            )
        return 0.0 if rows == 0 else min(1.0, self.min_rate * self.raw_nonnull / rows)


@dataclass(frozen=True)
class SuiteSpec:
    """A named list of checks for one kind of frame (a feed's accepted rows, an output table)."""

    name: str  # GX suite name, dotted: "feed.police_registry", later "output.person_link"
    target: str  # what the frame is: a feed source or a table name
    checks: tuple[Check, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ids = [c.check_id for c in self.checks]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"suite {self.name!r} declares check ids more than once: {dupes}")

    def check(self, check_id: str) -> Check:
        for c in self.checks:
            if c.check_id == check_id:
                return c
        raise KeyError(
            f"suite {self.name!r} has no check {check_id!r}; it has {[c.check_id for c in self.checks]}"
        )

    def expectation_parameters(self, rows: int) -> dict[str, float]:
        """Values of the `$PARAMETER`s used by the suite, for a frame of `rows` rows."""
        return {c.parameter_name: c.resolve_parameter(rows) for c in self.checks if c.parameter_name}

    def to_gx(self) -> Any:
        """The equivalent `great_expectations.ExpectationSuite` (not added to any context)."""
        from recon.expectations.gx_context import gx

        module = gx()
        suite = module.ExpectationSuite(name=self.name, meta={"target": self.target, **self.meta})
        for c in self.checks:
            cls = getattr(module.expectations, c.expectation)
            kwargs = dict(c.kwargs)
            if c.parameter_name:
                kwargs["mostly"] = {"$PARAMETER": c.parameter_name}
            notes = f"{c.description}. {'Critical' if c.critical else 'Warning'}: {c.fix}"
            suite.add_expectation(
                cls(
                    **kwargs,
                    meta={"critical": c.critical, "check_id": c.check_id},
                    notes=notes,
                    severity="critical" if c.critical else "warning",
                )
            )
        return suite


# ---- constructors shared by feed and output suites -------------------------------------------------


def _label(column: str, header: str | None) -> str:
    return f"{column} ({header})" if header else column


def columns_present(columns: Sequence[str], *, critical: bool = True, fix: str) -> Check:
    return Check(
        "columns",
        "columns",
        "ExpectTableColumnsToMatchSet",
        {"column_set": list(columns), "exact_match": False},
        critical,
        "required columns present",
        fix,
    )


def not_null(column: str, *, header: str | None = None, critical: bool = True, fix: str) -> Check:
    return Check(
        f"not_null:{column}",
        "not_null",
        "ExpectColumnValuesToNotBeNull",
        {"column": column},
        critical,
        "values present",
        fix,
        column,
        _label(column, header),
    )


def regex_rate(
    check_id: str,
    column: str,
    regex: str,
    *,
    min_rate: float,
    critical: bool,
    description: str,
    fix: str,
    header: str | None = None,
    personal: bool = True,
    row_condition: Mapping[str, Any] | None = None,
) -> Check:
    """Share of non-null values matching `regex` is at least `min_rate` (GX `mostly` counts non-null rows)."""
    kwargs: dict[str, Any] = {"column": column, "regex": regex, "mostly": min_rate}
    if row_condition is not None:
        kwargs["row_condition"] = dict(row_condition)
    return Check(
        check_id,
        "rate",
        "ExpectColumnValuesToMatchRegex",
        kwargs,
        critical,
        description,
        fix,
        column,
        _label(column, header),
        personal,
        min_rate,
    )


def in_set(
    check_id: str,
    column: str,
    values: Sequence[str],
    *,
    min_rate: float,
    critical: bool,
    fix: str,
    header: str | None = None,
) -> Check:
    return Check(
        check_id,
        "rate",
        "ExpectColumnValuesToBeInSet",
        {"column": column, "value_set": list(values), "mostly": min_rate},
        critical,
        "values in the allowed set",
        fix,
        column,
        _label(column, header),
        False,
        min_rate,
    )


def unique(column: str, *, min_rate: float, critical: bool, fix: str, header: str | None = None) -> Check:
    return Check(
        f"unique:{column}",
        "unique",
        "ExpectColumnValuesToBeUnique",
        {"column": column, "mostly": min_rate},
        critical,
        "values not repeated",
        fix,
        column,
        _label(column, header),
        False,
        min_rate,
    )


def between(
    column: str,
    min_value: float,
    max_value: float,
    *,
    min_rate: float = 1.0,
    critical: bool,
    fix: str,
    header: str | None = None,
) -> Check:
    """For output suites, e.g. every rate within [0, 1]."""
    return Check(
        f"between:{column}",
        "between",
        "ExpectColumnValuesToBeBetween",
        {"column": column, "min_value": min_value, "max_value": max_value, "mostly": min_rate},
        critical,
        f"values within [{min_value}, {max_value}]",
        fix,
        column,
        _label(column, header),
        False,
        min_rate,
    )


def row_count(
    check_id: str,
    *,
    baseline: int | None,
    low: float | None,
    high: float | None,
    critical: bool,
    description: str,
    fix: str,
    min_rows: int = 0,
    baseline_label: str = "rows in the previous batch",
) -> Check:
    """Rows within [low × baseline, high × baseline] (rounded inwards), never below `min_rows`."""
    min_value = max(min_rows, math.ceil(low * baseline)) if (low is not None and baseline) else min_rows
    max_value = math.floor(high * baseline) if (high is not None and baseline) else None
    return Check(
        check_id,
        "row_count",
        "ExpectTableRowCountToBeBetween",
        {"min_value": min_value, "max_value": max_value},
        critical,
        description,
        fix,
        baseline=baseline,
        baseline_label=baseline_label,
    )


def parsed_share(
    check_id: str,
    column: str,
    raw_nonnull: int,
    *,
    min_rate: float,
    critical: bool,
    fix: str,
    header: str | None = None,
) -> Check:
    return Check(
        check_id,
        "parsed_share",
        "ExpectColumnValuesToNotBeNull",
        {"column": column},
        critical,
        "date parse rate",
        fix,
        column,
        _label(column, header),
        False,
        min_rate,
        raw_nonnull=raw_nonnull,
    )
