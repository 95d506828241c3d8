"""The quarterly oracle on hand-made truth: each case is a few true roster rows and registrations."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from recon.synth.truth_quarterly import true_sections

Q = "2026Q3"
DW = pl.DataFrame({"dwelling": ["a1", "a2", "b1"], "community": ["甲", "甲", "乙"]})


def ros(rid, person, dwelling="a1", community="甲", name="张三", phone="13800000001", bad=False):
    return (f"{community}_{Q}:{rid}", community, Q, person, dwelling, name, phone, bad)


def reg(
    rid,
    person,
    dwelling="a1",
    on=date(2026, 1, 1),
    off=None,
    identifies=True,
    name="张三",
    phone="13800000001",
):
    return (rid, person, dwelling, identifies, on, off, name, phone, False)


R_SCHEMA = ["record_id", "community", "quarter", "person_id", "dwelling", "name", "phone", "is_bad"]
G_SCHEMA = [
    "registration_id", "person_id", "dwelling", "identifies", "registered_on", "deregistered_on", "name", "phone",
    "is_bad",
]  # fmt: skip

CASES = [
    ("consistent", [ros(1, 1)], [reg("g1", 1)], {"r1": "一致", "g1": "一致"}),
    ("other dwelling", [ros(1, 1)], [reg("g1", 1, "a2")], {"r1": "信息不一致", "g1": "信息不一致"}),
    ("unidentifiable registry address", [ros(1, 1)], [reg("g1", 1, identifies=False)],
     {"r1": "信息不一致", "g1": "信息不一致"}),
    ("not registered", [ros(1, 1)], [], {"r1": "底册有、登记无"}),
    ("not listed", [ros(1, 1)], [reg("g1", 1), reg("g2", 2, "a2")], {"r1": "一致", "g1": "一致", "g2": "登记有、底册无"}),
    ("local", [ros(1, 9)], [], {"r1": "户籍人口"}),
    ("deregistered on the last day", [ros(1, 1)], [reg("g1", 1, off=date(2026, 9, 30))], {"r1": "底册有、登记无"}),
    ("traditional name", [ros(1, 1, name="張三")], [reg("g1", 1)], {"r1": "一致", "g1": "一致"}),
    ("homophone name", [ros(1, 1, name="张山")], [reg("g1", 1)], {"r1": "信息不一致", "g1": "信息不一致"}),
    ("phone differs", [ros(1, 1, phone="13900000000")], [reg("g1", 1)], {"r1": "信息不一致", "g1": "信息不一致"}),
    ("masked phone", [ros(1, 1, phone="138****0001")], [reg("g1", 1)], {"r1": "一致", "g1": "一致"}),
    ("duplicate registration", [ros(1, 1)], [reg("g1", 1), reg("g2", 1, "a2")],
     {"r1": "一致", "g1": "一致", "g2": "信息不一致"}),
    ("registered in another community without a roster", [ros(1, 1)], [reg("g1", 1, "b1")], {"r1": "信息不一致"}),
    ("quarantined roster row is not read", [ros(1, 1, bad=True), ros(2, 2, "a2")], [reg("g1", 1)],
     {"r2": "底册有、登记无", "g1": "登记有、底册无"}),
    ("a community whose roster has no readable row is out of scope", [ros(1, 1, bad=True)], [reg("g1", 1)], {}),
]  # fmt: skip


@pytest.mark.parametrize("case,roster,regs,want", CASES, ids=[c[0] for c in CASES])
def test_oracle(case, roster, regs, want):
    r = pl.DataFrame(roster, schema=R_SCHEMA, orient="row")
    g = pl.DataFrame(regs, schema=dict.fromkeys(G_SCHEMA) | {"registered_on": pl.Date, "deregistered_on": pl.Date},
                     orient="row") if regs else pl.DataFrame(schema={
        "registration_id": pl.Utf8, "person_id": pl.Int64, "dwelling": pl.Utf8, "identifies": pl.Boolean,
        "registered_on": pl.Date, "deregistered_on": pl.Date, "name": pl.Utf8, "phone": pl.Utf8, "is_bad": pl.Boolean})  # fmt: skip
    persons = pl.DataFrame({"person_id": [1, 2, 9], "is_local": [False, False, True]})
    out = true_sections(Q, r, g, persons, DW)
    got = {
        ("r" + rid.split(":")[-1] if kind == "roster" else rid): s
        for kind, rid, s in out.select("kind", "record_id", "section").iter_rows()
    }
    assert got == want, case


V_SCHEMA = {
    "visit_id": pl.Utf8, "person_id": pl.Int64, "dwelling": pl.Utf8, "identifies": pl.Boolean,
    "visit_date": pl.Date, "visit_result": pl.Utf8, "is_bad": pl.Boolean,
}  # fmt: skip
GRID_CASES = [
    ("seen living, not registered", [("v1", 1, "a1", True, date(2026, 8, 1), "在住", False)], [], ["v1"]),
    ("seen living, registered there", [("v1", 1, "a1", True, date(2026, 8, 1), "在住", False)], [reg("g1", 1)], []),
    ("local", [("v1", 9, "a1", True, date(2026, 8, 1), "在住", False)], [], []),
    ("gone, still registered", [("v1", 1, "a1", True, date(2026, 8, 1), "已搬离", False)], [reg("g1", 1)], ["v1"]),
    ("gone, registered after the visit", [("v1", 1, "a1", True, date(2026, 8, 1), "查无此人", False)],
     [reg("g1", 1, on=date(2026, 8, 5))], []),
    ("address identifies no dwelling", [("v1", 1, "a1", False, date(2026, 8, 1), "在住", False)], [], []),
    ("newest visit of the quarter", [("v1", 1, "a1", True, date(2026, 7, 1), "在住", False),
                                     ("v2", 1, "a1", True, date(2026, 9, 1), "已搬离", False)], [], []),
    ("community without a roster", [("v1", 1, "b1", True, date(2026, 8, 1), "在住", False)], [], []),
]  # fmt: skip


@pytest.mark.parametrize("case,visits,regs,want", GRID_CASES, ids=[c[0] for c in GRID_CASES])
def test_grid_oracle(case, visits, regs, want):
    from recon.synth.truth_quarterly import true_grid_items

    v = pl.DataFrame(visits, schema=V_SCHEMA, orient="row")
    types = (pl.Utf8, pl.Int64, pl.Utf8, pl.Boolean, pl.Date, pl.Date, pl.Utf8, pl.Utf8, pl.Boolean)
    g = pl.DataFrame(regs, schema=dict(zip(G_SCHEMA, types, strict=True)), orient="row")
    persons = pl.DataFrame({"person_id": [1, 2, 9], "is_local": [False, False, True]})
    out = true_grid_items(Q, v, g, persons, DW, ["甲"])
    assert out["record_id"].to_list() == want, case
