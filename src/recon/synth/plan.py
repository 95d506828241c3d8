"""Which files each feed delivers: names, periods, formats, encodings and date habits.

The plan is fixed before any row is drawn so chunks of persons can append to the same files.
Every agency file has its own habit (encoding, date style, sometimes mixed); xlsx is used only
where the file stays small enough to write quickly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np

from recon.connectors.contract import FEEDS
from recon.synth.noise import CHINESE, COMPACT, DATETIME, ISO, SERIAL, SLASH, NoiseProfile

WINDOW_DAYS = 730
XLSX_MAX_ROWS = 20_000
OLD_SNAPSHOT_DAYS = 30

# The site roster's agency export names two columns its own way; a feed.yaml maps them.
SITE_ROSTER_HEADERS = {"证件号码": "身份证号", "手机号码": "手机"}

# Rows per resident over the two years, to size files (decides whether xlsx stays small).
_ROWS_PER_PERSON = {
    "intermediary_lease": 0.30,
    "property_lease": 0.16,
    "public_rental_lease": 0.06,
    "employer_roster": 0.35,
    "site_roster": 0.10,
    "grid_visit": 2.2,
    "self_declaration": 0.2,
}

# Per feed: (encodings with weights, date styles with weights, P(xlsx) when small, line terminator).
_HABITS: dict[str, tuple[dict[str, float], dict[int, float], float, str]] = {
    "intermediary_lease": (
        {"utf-8": 0.7, "utf-8-sig": 0.15, "gb18030": 0.15},
        {SLASH: 0.4, ISO: 0.4, CHINESE: 0.2},
        0.1,
        "\n",
    ),
    "property_lease": (
        {"gb18030": 0.4, "utf-8-sig": 0.3, "utf-8": 0.3},
        {ISO: 0.5, SLASH: 0.3, COMPACT: 0.2},
        0.5,
        "\r\n",
    ),
    "public_rental_lease": ({"utf-8-sig": 1.0}, {ISO: 0.6, DATETIME: 0.4}, 0.0, "\r\n"),
    "employer_roster": ({"gb18030": 0.6, "utf-8": 0.4}, {COMPACT: 0.5, SLASH: 0.5}, 0.1, "\r\n"),
    "site_roster": ({"utf-8": 0.8, "utf-8-sig": 0.2}, {ISO: 0.5, DATETIME: 0.5}, 0.3, "\n"),
    "grid_visit": ({"utf-8": 0.8, "gb18030": 0.2}, {CHINESE: 0.5, ISO: 0.5}, 0.0, "\n"),
    "self_declaration": ({"utf-8": 1.0}, {DATETIME: 0.8, ISO: 0.2}, 0.0, "\n"),
    "community_roster": ({"utf-8": 0.5, "utf-8-sig": 0.25, "gb18030": 0.25}, {ISO: 1.0}, 0.15, "\r\n"),
    "police_registry": ({"utf-8-sig": 1.0}, {ISO: 0.7, DATETIME: 0.3}, 0.0, "\r\n"),
    "standard_address": ({"utf-8": 1.0}, {ISO: 1.0}, 0.0, "\n"),
}


@dataclass(frozen=True)
class FilePlan:
    source: str
    name: str
    fmt: str  # csv / xlsx
    encoding: str | None  # utf-8 / utf-8-sig / gb18030; None for xlsx
    date_style: int
    mixed_dates: bool
    line_terminator: str
    file_date: dt.date  # delivery date: orders the feed's files and sets the file's mtime
    period_start: dt.date  # rows dated in [period_start, period_end] are delivered in this file
    period_end: dt.date
    role: str = "current"  # current / old_snapshot / resend
    community: str | None = None
    quarter: str | None = None
    date_cells: bool = False  # xlsx: serial numbers carry a date format

    @property
    def rel_path(self) -> str:
        return f"{self.source}/{self.name}"

    def headers(self) -> tuple[str, ...]:
        h = FEEDS[self.source].headers
        if self.source == "site_roster":
            return tuple(SITE_ROSTER_HEADERS.get(x, x) for x in h)
        return h


def _pick(rng: np.random.Generator, table: dict, n: int = 1) -> list:
    keys = list(table)
    p = np.array([table[k] for k in keys], float)
    return [keys[i] for i in rng.choice(len(keys), n, p=p / p.sum())]


def month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    out, d = [], dt.date(first.year, first.month, 1)
    while d <= last:
        out.append(d)
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def quarter_of(d: dt.date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def quarter_end(year: int, q: int) -> dt.date:
    nxt = dt.date(year + (q == 4), (q % 4) * 3 + 1, 1)
    return nxt - dt.timedelta(days=1)


def roster_quarters(as_of: dt.date) -> list[tuple[int, int]]:
    """The last completed quarter before as_of and the one before it (oldest first)."""
    y, q = quarter_of(as_of)
    last = (y, q - 1) if q > 1 else (y - 1, 4)
    prev = (last[0], last[1] - 1) if last[1] > 1 else (last[0] - 1, 4)
    return [prev, last]


def _file(
    source: str,
    name: str,
    habit_rng: np.random.Generator,
    p: NoiseProfile,
    expected_rows: float,
    file_date: dt.date,
    period: tuple[dt.date, dt.date],
    **extra,
) -> FilePlan:
    encodings, styles, p_xlsx, term = _HABITS[source]
    xlsx = expected_rows <= XLSX_MAX_ROWS and habit_rng.random() < p_xlsx
    force = extra.pop("force", None)
    if force in ("utf-8", "utf-8-sig", "gb18030"):
        xlsx, enc = False, force
    elif force == "xlsx" and expected_rows <= XLSX_MAX_ROWS:
        xlsx, enc = True, None
    else:
        enc = None if xlsx else _pick(habit_rng, encodings)[0]
    style = SERIAL if (xlsx and habit_rng.random() < 0.6) else _pick(habit_rng, styles)[0]
    return FilePlan(
        source=source,
        name=f"{name}.{'xlsx' if xlsx else 'csv'}",
        fmt="xlsx" if xlsx else "csv",
        encoding=enc,
        date_style=style,
        mixed_dates=bool(habit_rng.random() < p.mixed_date_files),
        line_terminator=term,
        file_date=file_date,
        period_start=period[0],
        period_end=period[1],
        date_cells=bool(xlsx and habit_rng.random() < 0.5),
        **extra,
    )


def build_plan(
    persons: int, as_of: dt.date, communities: list[str], rng: np.random.Generator, p: NoiseProfile
) -> dict[str, list[FilePlan]]:
    """Every file of the drop folder, per feed, in delivery order."""
    window_start = as_of - dt.timedelta(days=WINDOW_DAYS)
    months = month_starts(window_start, as_of)
    plans: dict[str, list[FilePlan]] = {}
    ymd = lambda d: d.strftime("%Y%m%d")  # noqa: E731
    for source in (
        "intermediary_lease",
        "property_lease",
        "employer_roster",
        "site_roster",
        "grid_visit",
        "self_declaration",
    ):
        files = []
        per_file = persons * _ROWS_PER_PERSON[source] / len(months)
        for i, m in enumerate(months):
            end = min(month_starts(m, m + dt.timedelta(days=32))[-1] - dt.timedelta(days=1), as_of)
            force = None
            if source == "employer_roster" and i % 3 == 0:
                force = "gb18030"  # this agency's exports are always partly GBK
            if source == "intermediary_lease" and i == 1:
                force = "utf-8-sig"
            if source == "property_lease" and i == 0:
                force = "xlsx"
            files.append(_file(source, f"{source}_{ymd(end)}", rng, p, per_file, end, (m, end), force=force))
        plans[source] = files
    # One monthly file of the rental agencies arrives twice, byte for byte.
    csv_files = [f for f in plans["intermediary_lease"][2:] if f.fmt == "csv"]
    if csv_files:
        f = csv_files[0]
        plans["intermediary_lease"].append(
            dataclasses.replace(f, name=f.name.replace(".csv", "_resend.csv"), role="resend")
        )
    # Public rental housing reports quarterly.
    quarters = sorted({quarter_of(m) for m in months})
    per_file = persons * _ROWS_PER_PERSON["public_rental_lease"] / len(quarters)
    plans["public_rental_lease"] = []
    for y, q in quarters:
        start = dt.date(y, 3 * q - 2, 1)
        end = min(quarter_end(y, q), as_of)
        plans["public_rental_lease"].append(
            _file(
                "public_rental_lease",
                f"public_rental_lease_{y}Q{q}_{ymd(end)}",
                rng,
                p,
                per_file,
                end,
                (start, end),
            )
        )
    old = as_of - dt.timedelta(days=OLD_SNAPSHOT_DAYS)
    plans["police_registry"] = [
        _file(
            "police_registry",
            f"police_registry_{ymd(old)}",
            rng,
            p,
            10**9,
            old,
            (dt.date(1900, 1, 1), old),
            role="old_snapshot",
            force="utf-8",
        ),
        _file(
            "police_registry",
            f"police_registry_{ymd(as_of)}",
            rng,
            p,
            10**9,
            as_of,
            (dt.date(1900, 1, 1), as_of),
            force="utf-8-sig",
        ),
    ]
    plans["standard_address"] = [
        _file(
            "standard_address",
            f"standard_address_{ymd(as_of)}",
            rng,
            p,
            10**9,
            as_of,
            (dt.date(1900, 1, 1), as_of),
            force="utf-8",
        )
    ]
    per_comm = persons / max(1, len(communities)) * 0.9
    files = []
    for qi, (y, q) in enumerate(roster_quarters(as_of)):
        qe = quarter_end(y, q)
        delivered = min(qe + dt.timedelta(days=10), as_of)
        for ci, c in enumerate(communities):
            force = "xlsx" if (qi == 1 and ci == 0) else ("gb18030" if ci == 1 else None)
            files.append(
                _file(
                    "community_roster",
                    f"{c}_{y}Q{q}",
                    rng,
                    p,
                    per_comm,
                    delivered,
                    (qe, qe),
                    community=c,
                    quarter=f"{y}Q{q}",
                    force=force,
                )
            )
    plans["community_roster"] = files
    return plans
