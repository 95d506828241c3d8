"""Collector figures: working-day timeliness, accuracy from review outcomes, open findings, the
monthly score, the 1:800 staffing ratio and the street ranking, on hand-made frames."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from recon.reconcile.quarterly_collectors import (
    FORMULAS,
    collector_monthly,
    month_ranges,
    staffing,
    street_ranking,
)
from recon.reconcile.workdays import WorkCalendar

Q = "2026Q3"
LIB = pl.DataFrame(
    {
        "dwelling": ["A1", "A2", "B1"],
        "community": ["甲社区", "甲社区", "乙社区"],
        "street": ["一街道", "一街道", "二街道"],
        "police_station": ["一所", "一所", "二所"],
    }
)
REG_SCHEMA = {
    "record_id": pl.Utf8,
    "person_id": pl.Utf8,
    "dwelling": pl.Utf8,
    "community": pl.Utf8,
    "street": pl.Utf8,
    "registered_on": pl.Date,
    "deregistered_on": pl.Date,
    "collector": pl.Utf8,
}
EV_SCHEMA = {
    "person_id": pl.Utf8,
    "kind": pl.Utf8,
    "dwelling": pl.Utf8,
    "start": pl.Date,
    "gone_from": pl.Date,
}
FLAG_SCHEMA = {
    "flag_id": pl.Utf8,
    "flag_type": pl.Utf8,
    "status": pl.Utf8,
    "source": pl.Utf8,
    "record_id": pl.Utf8,
    "std_address_code": pl.Utf8,
    "detected_on": pl.Date,
    "closed_on": pl.Date,
}
DEC_SCHEMA = {"flag_id": pl.Utf8, "action": pl.Utf8, "created_at": pl.Datetime}


def regs(*rows):
    return pl.DataFrame(
        [
            dict(
                zip(
                    REG_SCHEMA,
                    (
                        r[0],
                        r[1],
                        r[2],
                        "甲社区" if r[2] != "B1" else "乙社区",
                        "一街道" if r[2] != "B1" else "二街道",
                        r[3],
                        r[4],
                        r[5],
                    ),
                    strict=True,
                )
            )
            for r in rows
        ],  # fmt: skip
        schema=REG_SCHEMA,
    )


def test_month_ranges():
    assert month_ranges("2026Q4") == [
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31)),
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    ]


# Friday 2026-07-03 start: 3 working days after it is Wednesday 2026-07-08.
TIMELY = [
    ("registered on the third working day", date(2026, 7, 3), date(2026, 7, 8), 1, 1),
    ("registered on the fourth working day", date(2026, 7, 3), date(2026, 7, 9), 0, 1),
    ("no evidence of the start: not counted", None, date(2026, 7, 9), 0, 0),
]


@pytest.mark.parametrize("case,start,registered,in_time,known", TIMELY, ids=[c[0] for c in TIMELY])
def test_registration_timeliness(case, start, registered, in_time, known):
    r = regs(("g1", "p1", "A1", registered, None, "ZG1"))
    ev = pl.DataFrame(
        [{"person_id": "p1", "kind": "presence", "dwelling": "A1", "start": start, "gone_from": None}]
        if start
        else [],
        schema=EV_SCHEMA,
    )
    m = collector_monthly(
        Q, r, ev, pl.DataFrame(schema=FLAG_SCHEMA), pl.DataFrame(schema=DEC_SCHEMA), LIB
    ).filter(pl.col("month") == "2026-07")
    row = m.row(0, named=True)
    assert (row["登记数"], row["3日内办理数"], row["可核起止日期数"]) == (1, in_time, known), case


def test_holiday_calendar_moves_the_deadline():
    r = regs(("g1", "p1", "A1", date(2026, 7, 9), None, "ZG1"))
    ev = pl.DataFrame(
        [
            {
                "person_id": "p1",
                "kind": "presence",
                "dwelling": "A1",
                "start": date(2026, 7, 3),
                "gone_from": None,
            }
        ],
        schema=EV_SCHEMA,
    )
    cal = WorkCalendar(holidays=frozenset({date(2026, 7, 6)}))
    none = pl.DataFrame(schema=FLAG_SCHEMA), pl.DataFrame(schema=DEC_SCHEMA)
    m = collector_monthly(Q, r, ev, *none, LIB, cal).filter(pl.col("month") == "2026-07")
    assert m["3日内办理数"][0] == 1  # Monday off: the deadline is Thursday 2026-07-09


def test_deregistration_timeliness_and_counts():
    r = regs(
        ("g1", "p1", "A1", date(2025, 1, 2), date(2026, 8, 6), "ZG1"),  # left 08-03 (Mon) → deadline 08-06
        ("g2", "p2", "A2", date(2025, 1, 2), date(2026, 8, 20), "ZG1"),  # left 08-03 → late
    )
    ev = pl.DataFrame(
        [
            {
                "person_id": p,
                "kind": "departure",
                "dwelling": d,
                "start": date(2026, 8, 3),
                "gone_from": date(2026, 8, 3),
            }
            for p, d in (("p1", "A1"), ("p2", "A2"))
        ],  # fmt: skip
        schema=EV_SCHEMA,
    )
    m = collector_monthly(Q, r, ev, pl.DataFrame(schema=FLAG_SCHEMA), pl.DataFrame(schema=DEC_SCHEMA), LIB)
    aug = m.filter(pl.col("month") == "2026-08").row(0, named=True)
    assert (aug["注销数"], aug["3日内办理数"], aug["可核起止日期数"], aug["3日内办理率"]) == (2, 1, 2, 0.5)
    sep = m.filter(pl.col("month") == "2026-09").row(0, named=True)
    assert sep["在册登记数"] == 0 and sep["3日内办理率"] is None


def test_accuracy_open_findings_and_score():
    r = regs(*[(f"g{i}", f"p{i}", "A1", date(2026, 1, 5), None, "ZG1") for i in range(10)])
    flags = pl.DataFrame(
        [
            ("f1", "address_inaccurate", "confirmed", "police_registry", "g1", "A1", date(2026, 7, 1), None),
            ("f2", "address_inaccurate", "dismissed", "police_registry", "g2", "A1", date(2026, 7, 1), None),
            ("f3", "not_deregistered", "open", "police_registry", "g3", "A1", date(2026, 7, 1), None),
            ("f4", "unregistered", "open", "grid_visit", "V1", "A2", date(2026, 7, 1), None),
            ("f5", "unregistered", "closed", "grid_visit", "V2", "A2", date(2026, 7, 1), date(2026, 7, 9)),
        ],
        schema=FLAG_SCHEMA,
        orient="row",
    )
    dec = pl.DataFrame(
        [("f1", "confirm", datetime(2026, 8, 2, 9)), ("f2", "dismiss", datetime(2026, 7, 2, 9))],
        schema=DEC_SCHEMA,
        orient="row",
    )
    m = collector_monthly(Q, r, pl.DataFrame(schema=EV_SCHEMA), flags, dec, LIB)
    jul, aug = (m.filter(pl.col("month") == x).row(0, named=True) for x in ("2026-07", "2026-08"))
    assert (jul["确认问题数"], jul["驳回数"], jul["准确率"]) == (0, 1, 1.0)
    assert (aug["确认问题数"], aug["准确率"]) == (1, 0.9)
    # own open: f1 (confirmed) + f3 (open) on the collector's registrations; community: those + f4
    assert (aug["本人未结问题数"], aug["社区未结问题数"], aug["未结问题率"]) == (2, 3, 0.2)
    # no start/leave evidence: timeliness unknown counts as full marks; 40 + 30*0.9 + 30*0.8
    assert aug["月度得分"] == pytest.approx(40 + 27 + 24)
    assert aug["公式"] == FORMULAS["月度得分"]


def test_staffing_ratio_against_800():
    r = regs(
        ("g1", "p1", "A1", date(2026, 1, 5), None, "ZG1"), ("g2", "p2", "B1", date(2026, 1, 5), None, "ZG2")
    )
    people = [f"q{i}" for i in range(2000)]
    current = pl.DataFrame(
        {"person_id": people, "current_dwelling": ["A1"] * 1700 + ["B1"] * 300},
    )
    locality = pl.DataFrame({"person_id": people, "is_local": [False] * 1650 + [True] * 50 + [False] * 300})
    s = {row["community"]: row for row in staffing(Q, r, current, locality, LIB).iter_rows(named=True)}
    assert (s["甲社区"]["流动人口数"], s["甲社区"]["专管员数"], s["甲社区"]["配置比"]) == (1650, 1, 1650.0)
    assert (s["甲社区"]["应配专管员数"], s["甲社区"]["缺口"], s["甲社区"]["达标"]) == (3, 2, False)
    assert (s["乙社区"]["配置比"], s["乙社区"]["缺口"], s["乙社区"]["达标"]) == (300.0, 0, True)


def test_street_ranking():
    monthly = pl.DataFrame(
        {
            "quarter": [Q] * 4,
            "street": ["一街道", "一街道", "二街道", "三街道"],
            "collector": ["a", "b", "c", "d"],
            "登记数": [1, 2, 3, 4],
            "注销数": [0, 0, 0, 0],
            "月度得分": [80.0, 90.0, 70.0, 85.0],
        }
    )
    rk = street_ranking(monthly)
    assert rk.select("排名", "street", "季度得分").rows() == [
        (1, "一街道", 85.0),
        (1, "三街道", 85.0),
        (3, "二街道", 70.0),
    ]
    assert rk["公式"][0] == FORMULAS["街道季度得分"]
