"""Section assignment of the quarterly statement as a rule table: each case is a tiny world (roster
rows, registrations, locality, evidence, visits) and the sections every roster row and registration
must land in."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from recon.reconcile.quarterly import (
    CONSISTENT,
    GRID,
    LOCAL,
    MISMATCH,
    REGISTRY_ONLY,
    ROSTER_ONLY,
    quarter_bounds,
    statement,
)

Q = "2026Q3"
A, B = "甲社区", "乙社区"
LIB = pl.DataFrame(
    {
        "dwelling": ["A101", "A102", "A201", "B101"],
        "community": [A, A, A, B],
        "street": ["一街道", "一街道", "一街道", "二街道"],
        "building_key": ["A|1", "A|1", "A|2", "B|1"],
    }
)


def roster_row(rid, person, dwelling="A101", name="张三", phone="13800000001", community=A, candidates=None):
    return {
        "record_id": f"{community}_{Q}:{rid}",
        "community": community,
        "seq": str(rid),
        "name": name,
        "id_number": "110101199001011234",
        "phone": phone,
        "address": "某地址",
        "person_category": "流动",
        "remark": None,
        "person_id": person,
        "dwelling": dwelling,
        "candidates": candidates or [],
    }


def reg(
    rid,
    person,
    dwelling="A101",
    name="张三",
    phone="13800000001",
    on=date(2026, 1, 5),
    off=None,
    community=None,
):
    comm = community or (LIB.filter(pl.col("dwelling") == dwelling)["community"].to_list() or [A])[0]
    return {
        "record_id": rid,
        "person_id": person,
        "dwelling": dwelling,
        "community": comm,
        "street": "一街道" if comm == A else "二街道",
        "police_station": "某派出所",
        "registered_on": on,
        "deregistered_on": off,
        "name": name,
        "id_number": "110101199001011234",
        "phone": phone,
        "address": "某地址",
        "collector": "ZG01",
    }


def visit(rid, person, dwelling, result, day=date(2026, 8, 1)):
    return {
        "record_id": rid,
        "person_id": person,
        "dwelling": dwelling,
        "community": LIB.filter(pl.col("dwelling") == dwelling)["community"][0],
        "street": "一街道",
        "visit_date": day,
        "visit_result": result,
        "grid_worker": "网格员甲",
        "name": "张三",
        "id_number": None,
        "phone": None,
        "address": "某地址",
    }


ROSTER_SCHEMA = {
    "record_id": pl.Utf8, "community": pl.Utf8, "seq": pl.Utf8, "name": pl.Utf8, "id_number": pl.Utf8,
    "phone": pl.Utf8, "address": pl.Utf8, "person_category": pl.Utf8, "remark": pl.Utf8, "person_id": pl.Utf8,
    "dwelling": pl.Utf8, "candidates": pl.List(pl.Utf8),
}  # fmt: skip
REG_SCHEMA = {
    "record_id": pl.Utf8, "person_id": pl.Utf8, "dwelling": pl.Utf8, "community": pl.Utf8, "street": pl.Utf8,
    "police_station": pl.Utf8, "registered_on": pl.Date, "deregistered_on": pl.Date, "name": pl.Utf8,
    "id_number": pl.Utf8, "phone": pl.Utf8, "address": pl.Utf8, "collector": pl.Utf8,
}  # fmt: skip
VISIT_SCHEMA = {
    "record_id": pl.Utf8, "person_id": pl.Utf8, "dwelling": pl.Utf8, "community": pl.Utf8, "street": pl.Utf8,
    "visit_date": pl.Date, "visit_result": pl.Utf8, "grid_worker": pl.Utf8, "name": pl.Utf8,
    "id_number": pl.Utf8, "phone": pl.Utf8, "address": pl.Utf8,
}  # fmt: skip


def run(rosters=(), regs=(), local=(), current=None, visits=()):
    persons = (
        {r["person_id"] for r in rosters} | {g["person_id"] for g in regs} | {v["person_id"] for v in visits}
    )
    locality = pl.DataFrame(
        {"person_id": sorted(persons), "is_local": [p in local for p in sorted(persons)]},
        schema={"person_id": pl.Utf8, "is_local": pl.Boolean},
    )
    cur = pl.DataFrame(
        [
            {
                "person_id": p,
                "current_dwelling": d,
                "current_since": date(2026, 6, 1),
                "current_source": "grid_visit",
                "current_record_id": f"V{p}",
            }
            for p, d in (current or {}).items()
        ],  # fmt: skip
        schema={
            "person_id": pl.Utf8,
            "current_dwelling": pl.Utf8,
            "current_since": pl.Date,
            "current_source": pl.Utf8,
            "current_record_id": pl.Utf8,
        },
    )
    deps = pl.DataFrame(schema={"person_id": pl.Utf8, "dwelling": pl.Utf8, "gone_from": pl.Date})
    return statement(
        Q,
        pl.DataFrame(list(rosters), schema=ROSTER_SCHEMA),
        pl.DataFrame(list(regs), schema=REG_SCHEMA),
        locality,
        cur,
        deps,
        pl.DataFrame(list(visits), schema=VISIT_SCHEMA),
        LIB,
    )


def sections(st) -> dict[str, str]:
    out = {
        f"roster:{r.split(':')[-1]}": s
        for r, s in st.roster_sections.select("record_id", "section").iter_rows()
    }
    out |= {
        f"reg:{r}": s for r, s in st.registration_sections.select("registration_id", "section").iter_rows()
    }
    return out


# (case, world, expected sections by "roster:<seq>" / "reg:<id>")
CASES = [
    ("same person, same dwelling, same name and phone", dict(rosters=[roster_row(1, "p1")], regs=[reg("g1", "p1")]),
     {"roster:1": CONSISTENT, "reg:g1": CONSISTENT}),
    ("listed, no registration", dict(rosters=[roster_row(1, "p1")]), {"roster:1": ROSTER_ONLY}),
    ("registered, not listed", dict(rosters=[roster_row(1, "p1")], regs=[reg("g1", "p1"), reg("g2", "p2", "A102")]),
     {"roster:1": CONSISTENT, "reg:g1": CONSISTENT, "reg:g2": REGISTRY_ONLY}),
    ("same person, other dwelling in the community", dict(rosters=[roster_row(1, "p1")], regs=[reg("g1", "p1", "A201")]),
     {"roster:1": MISMATCH, "reg:g1": MISMATCH}),
    ("registered in another community that has no roster: out of that statement",
     dict(rosters=[roster_row(1, "p1")], regs=[reg("g1", "p1", "B101")]), {"roster:1": MISMATCH}),
    ("registered in another community that has a roster without the person",
     dict(rosters=[roster_row(1, "p1"), roster_row(2, "p9", "B101", community=B)], regs=[reg("g1", "p1", "B101")]),
     {"roster:1": MISMATCH, "roster:2": ROSTER_ONLY, "reg:g1": REGISTRY_ONLY}),
    ("homophone name", dict(rosters=[roster_row(1, "p1", name="张山")], regs=[reg("g1", "p1")]),
     {"roster:1": MISMATCH, "reg:g1": MISMATCH}),
    ("traditional characters and a space are the same name",
     dict(rosters=[roster_row(1, "p1", name="張 三")], regs=[reg("g1", "p1")]),
     {"roster:1": CONSISTENT, "reg:g1": CONSISTENT}),
    ("different phone", dict(rosters=[roster_row(1, "p1", phone="13900000009")], regs=[reg("g1", "p1")]),
     {"roster:1": MISMATCH, "reg:g1": MISMATCH}),
    ("blank or masked roster phone is no difference",
     dict(rosters=[roster_row(1, "p1", phone=None), roster_row(2, "p2", "A102", phone="138****0001")],
          regs=[reg("g1", "p1"), reg("g2", "p2", "A102")]),
     {"roster:1": CONSISTENT, "roster:2": CONSISTENT, "reg:g1": CONSISTENT, "reg:g2": CONSISTENT}),
    ("full-width digits in the phone", dict(rosters=[roster_row(1, "p1", phone="１３８０００００００１")], regs=[reg("g1", "p1")]),
     {"roster:1": CONSISTENT, "reg:g1": CONSISTENT}),
    ("local hukou on the roster", dict(rosters=[roster_row(1, "p1")], local={"p1"}), {"roster:1": LOCAL}),
    ("deregistered before the quarter ended", dict(rosters=[roster_row(1, "p1")], regs=[reg("g1", "p1", off=date(2026, 9, 30))]),
     {"roster:1": ROSTER_ONLY}),
    ("registered after the quarter ended", dict(rosters=[roster_row(1, "p1")], regs=[reg("g1", "p1", on=date(2026, 10, 1))]),
     {"roster:1": ROSTER_ONLY}),
    ("registered on the quarter's last day, deregistered after it",
     dict(rosters=[roster_row(1, "p1")], regs=[reg("g1", "p1", on=date(2026, 9, 30), off=date(2026, 10, 2))]),
     {"roster:1": CONSISTENT, "reg:g1": CONSISTENT}),
    ("two active registrations: the one at the roster's dwelling is picked, the other is a duplicate",
     dict(rosters=[roster_row(1, "p1")], regs=[reg("g1", "p1", "A201", on=date(2026, 3, 1)), reg("g2", "p1", "A101")]),
     {"roster:1": CONSISTENT, "reg:g2": CONSISTENT, "reg:g1": MISMATCH}),
    ("partial roster address: candidates include the registration's dwelling",
     dict(rosters=[roster_row(1, "p1", None, candidates=["A101", "A102"])], regs=[reg("g1", "p1")]),
     {"roster:1": CONSISTENT, "reg:g1": CONSISTENT}),
    ("partial roster address: same building though the list is cut short",
     dict(rosters=[roster_row(1, "p1", None, candidates=["A102"])], regs=[reg("g1", "p1")]),
     {"roster:1": CONSISTENT, "reg:g1": CONSISTENT}),
    ("partial roster address in another building",
     dict(rosters=[roster_row(1, "p1", None, candidates=["A201"])], regs=[reg("g1", "p1")]),
     {"roster:1": MISMATCH, "reg:g1": MISMATCH}),
    ("unmatched roster address, registration in the same community",
     dict(rosters=[roster_row(1, "p1", None)], regs=[reg("g1", "p1")]), {"roster:1": CONSISTENT, "reg:g1": CONSISTENT}),
    ("registration address resolves to nothing",
     dict(rosters=[roster_row(1, "p1")], regs=[reg("g1", "p1", None, community=A)]),
     {"roster:1": MISMATCH, "reg:g1": MISMATCH}),
    ("roster row linked to nobody", dict(rosters=[roster_row(1, None)]), {"roster:1": ROSTER_ONLY}),
]  # fmt: skip


@pytest.mark.parametrize("case,world,expected", CASES, ids=[c[0] for c in CASES])
def test_section_rules(case, world, expected):
    got = sections(run(**world))
    assert got == expected, f"{case}\n got:  {got}\n want: {expected}"


def test_every_roster_row_and_registration_once():
    st = run(
        rosters=[roster_row(1, "p1"), roster_row(2, "p2", "A102"), roster_row(3, "p3", "A201")],
        regs=[reg("g1", "p1"), reg("g2", "p2", "A201"), reg("g4", "p4", "A102")],
    )
    assert st.roster_sections["record_id"].is_unique().all() and st.roster_sections.height == 3
    assert sorted(st.registration_sections["registration_id"]) == ["g1", "g2", "g4"]
    s = st.summary.row(0, named=True)
    assert (s["一致"], s["信息不一致"], s["底册有、登记无"], s["登记有、底册无"]) == (1, 1, 1, 1)
    assert s["对账项"] == 4 and s["一致率"] == 0.25 and s["底册人数"] == 3 and s["在册登记数"] == 3


def test_evidence_says_which_side():
    st = run(
        rosters=[roster_row(1, "p1"), roster_row(2, "p2", "A102")],
        regs=[reg("g1", "p1", "A201"), reg("g2", "p2", "A201")],
        current={"p1": "A101", "p2": "A201"},
    )
    items = {r["roster_seq"]: r for r in st.items.iter_rows(named=True)}
    assert items["1"]["evidence_supports"] == "底册" and "更正登记地址" in items["1"]["suggested_action"]
    assert items["2"]["evidence_supports"] == "登记" and "更正底册地址" in items["2"]["suggested_action"]
    assert items["1"]["differences"] == "居住地址"


def test_registry_only_suggests_deregistration_when_evidence_says_gone():
    st = run(
        rosters=[roster_row(1, "p1")], regs=[reg("g1", "p1"), reg("g2", "p2", "A102")], current={"p2": "A201"}
    )
    g2 = st.items.filter(pl.col("registration_id") == "g2").row(0, named=True)
    assert g2["section"] == REGISTRY_ONLY and g2["evidence_supports"] == "均不符"


GRID_CASES = [
    ("seen living, no registration there", [visit("v1", "p1", "A101", "在住")], [], set(), ["v1"]),
    ("seen living, registered there", [visit("v1", "p1", "A101", "在住")], [reg("g1", "p1")], set(), []),
    ("seen living, local hukou", [visit("v1", "p1", "A101", "在住")], [], {"p1"}, []),
    ("reported gone, registration still active", [visit("v1", "p1", "A101", "已搬离")], [reg("g1", "p1")], set(), ["v1"]),
    ("reported gone, registered after the visit", [visit("v1", "p1", "A101", "查无此人", date(2026, 7, 2))],
     [reg("g1", "p1", on=date(2026, 8, 1))], set(), []),
    ("visit outside the quarter", [visit("v1", "p1", "A101", "在住", date(2026, 6, 30))], [], set(), []),
    ("newest visit of the quarter wins", [visit("v1", "p1", "A101", "已搬离", date(2026, 7, 5)),
     visit("v2", "p1", "A101", "在住", date(2026, 9, 5))], [reg("g1", "p1")], set(), []),
]  # fmt: skip


@pytest.mark.parametrize("case,visits,regs,local,expected", GRID_CASES, ids=[c[0] for c in GRID_CASES])
def test_grid_visit_rules(case, visits, regs, local, expected):
    st = run(rosters=[roster_row(9, "p9", "A201")], regs=regs, visits=visits, local=local)
    got = st.items.filter(pl.col("section") == GRID)["visit_id"].to_list()
    assert got == expected, case


@pytest.mark.parametrize(
    "text,want",
    [("2026Q3", (date(2026, 7, 1), date(2026, 9, 30))), ("2026q4", (date(2026, 10, 1), date(2026, 12, 31))),
     (" 2027Q1 ", (date(2027, 1, 1), date(2027, 3, 31))), ("2026Q2", (date(2026, 4, 1), date(2026, 6, 30)))],
)  # fmt: skip
def test_quarter_bounds(text, want):
    assert quarter_bounds(text) == want


@pytest.mark.parametrize("bad", ["2026Q5", "2026-09", "Q3", "", "2026Q0"])
def test_quarter_bounds_rejects(bad):
    with pytest.raises(ValueError, match="2026Q3"):
        quarter_bounds(bad)
