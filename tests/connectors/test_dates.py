"""Every date form of CONTRACT.md 1, Excel serials, and what is not a date."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from recon.connectors.dates import parse_dates

D = date(2026, 11, 3)

CASES = [
    ("2026-11-03", D),
    ("2026/11/3", D),
    ("2026/11/03", D),
    ("20261103", D),
    ("2026年11月3日", D),
    ("2026年11月03日 14:20", D),
    ("2026-11-03 14:20:00", D),
    ("2026-11-03T14:20:00", D),
    ("2026-11-03 14:20:00.125", D),
    ("2026/11/3 14:20", D),
    ("2026.11.03", D),
    ("2026.11.3 8:05", D),
    (" 2026-11-03 ", D),
    ("46329", D),  # Excel serial, epoch 1899-12-30
    ("46329.6", D),  # serial with a time of day
    ("2", date(1900, 1, 1)),
    ("73415", date(2100, 12, 31)),
    ("2024-02-29", date(2024, 2, 29)),
    # not dates
    ("2026-02-30", None),
    ("2026-13-01", None),
    ("2026113", None),  # 7 digits: ambiguous
    ("202611031", None),
    ("0026-11-03", None),  # outside 1900..2100
    ("26-11-03", None),
    ("1", None),  # serial before 1900
    ("73416", None),  # serial after 2100
    ("next week", None),
    ("2026-11", None),
]


def test_date_rule_table() -> None:
    values = pl.Series("d", [v for v, _ in CASES], dtype=pl.Utf8)
    parsed, failed = parse_dates(values)
    assert parsed.dtype == pl.Date
    rows = list(zip(CASES, parsed.to_list(), failed.to_list(), strict=True))
    wrong = [(v, want, got, bad) for (v, want), got, bad in rows if got != want or bad != (want is None)]
    assert not wrong, "(input, expected, got, failed-flag) = " + repr(wrong)


def test_null_is_not_a_failure() -> None:
    parsed, failed = parse_dates(pl.Series("d", [None, "2026-11-03"], dtype=pl.Utf8))
    assert parsed.to_list() == [None, D]
    assert failed.to_list() == [False, False]


def test_real_date_and_datetime_columns_pass_through() -> None:
    parsed, failed = parse_dates(pl.Series("d", [datetime(2026, 11, 3, 14, 20)]))
    assert parsed.to_list() == [D] and failed.to_list() == [False]
    parsed, failed = parse_dates(pl.Series("d", [D]))
    assert parsed.to_list() == [D] and failed.to_list() == [False]
