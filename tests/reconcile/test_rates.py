"""The four rates on a hand-built district of a few persons."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from recon.reconcile.evidence import build_evidence
from recon.reconcile.rates import _months_before, compute_rates
from tests.reconcile.conftest import D, World

LIB = pl.DataFrame(
    {
        "address_code": ["A", "B", "C"],
        "street": ["下沙街道", "下沙街道", "白杨街道"],
        "community": ["文泽社区", "文泽社区", "云滨社区"],
        "police_station": ["下沙派出所", "下沙派出所", "白杨派出所"],
    }
)


def rates(w: World) -> dict[tuple[str, str, str], tuple[int, int]]:
    feeds, links, dw, regs, persons = w.frames()
    regs = regs.with_columns(
        pl.lit(None, pl.Utf8).alias("reg_community"),
        pl.lit("登记派出所").alias("reg_police_station"),
        pl.lit(None, pl.Utf8).alias("permit_number"),
    )
    if "p4" in w.persons:
        regs = regs.with_columns(
            pl.when(pl.col("person_id") == "p4").then(pl.lit("JZ1")).otherwise(None).alias("permit_number")
        )
    ev = build_evidence(feeds, links, dw)
    k = compute_rates(regs, ev, persons, LIB, D, "330114")
    return {
        (r["metric"], r["level"], r["unit"]): (r["numerator"], r["denominator"])
        for r in k.iter_rows(named=True)
    }


def test_rates_by_unit():
    d = lambda n: D - timedelta(days=n)  # noqa: E731
    w = World()
    w.lease("p1", "L1", "A", d(400)).reg("p1", "R1", "A", d(399))  # registered, accurate
    w.lease("p2", "L2", "B", d(30))  # unregistered at B
    w.lease("p3", "L3", "C", d(30)).reg("p3", "R3", "A", d(300))  # moved A -> C
    w.lease("p4", "L4", "C", d(300)).reg("p4", "R4", "C", d(299))  # permit holder
    w.lease("p5", "L5", "B", d(300), out=d(20)).reg("p5", "R5", "B", d(299))  # left, not deregistered
    w.lease("p6", "L6", "B", d(300), out=d(20)).reg(
        "p6", "R6", "B", d(299), dereg=d(18)
    )  # left, deregistered
    w.person("p7", local=True).lease("p7", "L7", "A", d(30))  # local: not in collection rate
    r = rates(w)
    assert r[("collection_rate", "区县", "330114")] == (3, 4)  # p1, p3, p4 of p1..p4
    assert r[("collection_rate", "街道", "下沙街道")] == (1, 2)  # p1 yes, p2 no
    assert r[("accuracy_rate", "区县", "330114")] == (2, 3)  # p1, p4 accurate; p3 moved
    assert r[("accuracy_rate", "社区", "文泽社区")] == (1, 2)  # p1 and p3 registered at A
    assert r[("not_deregistered_7d_rate", "区县", "330114")] == (1, 2)
    assert r[("permit_rate", "区县", "330114")] == (
        1,
        4,
    )  # p1, p3, p4 (and p5) registered >= 6 months; p4 holds
    assert r[("permit_rate", "派出所", "白杨派出所")] == (1, 1)


def test_months_before_clamps():
    assert _months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert _months_before(date(2026, 11, 20), 6) == date(2026, 5, 20)
