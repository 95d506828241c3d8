"""Annual-report tables and penalty exposure on a hand-built district."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from recon.reconcile.annual_report import annual_tables, penalty_exposure
from recon.reconcile.evidence import build_evidence, current_address
from recon.reconcile.findings import all_findings
from recon.reconcile.lifecycle import advance
from tests.reconcile.conftest import D, World


def test_annual_tables_and_penalties():
    d = lambda n: D - timedelta(days=n)  # noqa: E731
    w = World()
    w.lease("p1", "L1", "A", d(30), agency="甲中介")  # rented, <6 months, undeclared
    w.lease("p2", "L2", "B", d(400), agency="甲中介").reg("p2", "R2", "B", d(399))  # rented, 1-2 years
    w.roster("p3", "E1", "C", d(20))  # employer dormitory, undeclared
    w.person("p4", local=True).lease("p4", "L4", "A", d(10))  # local: not counted
    feeds, links, dw, regs, persons = w.frames()
    regs = regs.with_columns(pl.lit("租赁房屋").alias("dwelling_kind"))
    ev = build_evidence(feeds, links, dw)
    people = persons.with_columns(
        pl.Series("birth_date", [date(2010, 1, 1), date(1990, 1, 1), date(1950, 1, 1), date(1980, 1, 1)]),
        pl.lit("安徽省").alias("province"),
        pl.lit("阜阳市").alias("city"),
    )
    t = annual_tables(current_address(ev, D), ev, regs, people, D)
    assert dict(t["report_age_band"].select("age_band", "persons").iter_rows()) == {
        "<18": 1,
        "18-60": 1,
        ">60": 1,
    }
    assert dict(t["report_dwelling_type"].select("dwelling_type", "persons").iter_rows()) == {
        "租赁房屋": 2,
        "单位宿舍": 1,
    }
    assert dict(t["report_residence_length"].select("residence_length", "persons").iter_rows()) == {
        "<6个月": 2,
        "1-2年": 1,
    }
    flags = advance(
        None,
        all_findings(regs, ev, persons, D),
        pl.DataFrame(
            schema={"decision_id": pl.Int64, "flag_id": pl.Utf8, "action": pl.Utf8, "evidence_hash": pl.Utf8}
        ),
        D,
    )
    pen = penalty_exposure(flags, ev, D)
    got = {r["responsible"]: (r["undeclared_persons"], r["exposure_yuan"]) for r in pen.iter_rows(named=True)}
    assert got == {"甲中介 / 房东甲": (1, 200), "某公司": (1, 200)}
