"""Working days: Monday–Friday, minus holidays from an optional calendar, plus make-up workdays.

The calendar file (CSV or YAML) lists dates with a kind: `holiday` (a weekday off) or
`workday` (a weekend day worked, 调休). Deadlines count from the day after the start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)  # weekend days that are worked

    @classmethod
    def load(cls, path: Path | None) -> WorkCalendar:
        """Read `date,kind` rows (kind: holiday / workday; 节假日 / 调休上班 accepted too)."""
        if path is None:
            return cls()
        df = pl.read_csv(path, infer_schema=False)
        if not {"date", "kind"} <= set(df.columns):
            raise ValueError(
                f"holiday calendar {path} needs columns 'date' and 'kind' (holiday/workday); it has {df.columns}"
            )
        hol, work = set(), set()
        for d, k in df.select("date", "kind").iter_rows():
            day = date.fromisoformat(d.strip())
            kind = k.strip()
            if kind in ("holiday", "节假日", "休"):
                hol.add(day)
            elif kind in ("workday", "调休上班", "班"):
                work.add(day)
            else:
                raise ValueError(
                    f"holiday calendar {path}: kind {kind!r} on {d} is neither 'holiday' nor 'workday'"
                )
        return cls(frozenset(hol), frozenset(work))

    def is_workday(self, d: date) -> bool:
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after `start` (counting from the day after)."""
        d, left = start, n
        while left > 0:
            d += timedelta(days=1)
            if self.is_workday(d):
                left -= 1
        return d

    def deadlines(self, starts: pl.Series, n: int) -> pl.Series:
        """Vectorized add_workdays over a Date series (nulls stay null)."""
        if not self.holidays and not self.workdays:
            arr = starts.to_numpy().astype("datetime64[D]")
            valid = ~np.isnat(arr)
            out = np.full(arr.shape, np.datetime64("NaT"), dtype="datetime64[D]")
            # busday_offset rolls forward from the day after the start to the n-th business day
            out[valid] = np.busday_offset(arr[valid] + np.timedelta64(1, "D"), n - 1, roll="forward")
            return pl.Series(starts.name, out).cast(pl.Date)
        uniq = starts.drop_nulls().unique()
        mapping = {d: self.add_workdays(d, n) for d in uniq.to_list()}
        return starts.map_elements(lambda d: mapping.get(d), return_dtype=pl.Date)
