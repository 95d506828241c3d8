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


def test_column_parser_agrees_with_the_expression_on_every_form():
    """parse_dates narrows form by form for speed; it must answer exactly as date_expr does."""
    import random
    from datetime import date, timedelta

    import polars as pl

    from recon.connectors.dates import date_expr, parse_dates

    rng = random.Random(4)
    forms = [
        "{d.year}-{d.month:02d}-{d.day:02d}",
        "{d.year}/{d.month}/{d.day}",
        "{d.year}年{d.month}月{d.day}日",
        "{d.year}.{d.month}.{d.day}",
        "{d.year}{d.month:02d}{d.day:02d}",
        "{d.year}{d.month:02d}{d.day:02d} 08:30",
        "{d.year}-{d.month}-{d.day} 08:30:15",
        "{d.year}-{d.month:02d}-{d.day:02d}T08:30:15.250",
    ]
    values = []
    for _ in range(3000):
        d = date(1890, 1, 1) + timedelta(days=rng.randint(0, 80_000))
        values.append(rng.choice(forms).format(d=d))
    values += [
        "45663",
        "45663.5",
        "2026/2/30",
        "20261303",
        "abc",
        "",
        None,
        " 2026-11-03 ",
        "1800-01-01",
        "2101-01-01",
    ]
    series = pl.Series("d", values)
    parsed, failed = parse_dates(series)
    expected = series.to_frame().select(date_expr(pl.col("d"))).to_series()
    assert parsed.to_list() == expected.to_list()
    assert failed.to_list() == (series.is_not_null() & expected.is_null()).to_list()
