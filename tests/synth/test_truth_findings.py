"""Hand-built evidence → the findings CONTRACT.md section 2 and its "Exact readings" demand.

Each case is a small story about one or two people; a failing case prints its whole table.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from recon.synth.truth_findings import compute_findings, declaration_deadline, id_problems

D = dt.date(2026, 11, 20)  # a Friday
A, B = "330114001001000001", "330114001001000002"
VALID_ID = "342224198606067719"

EVIDENCE_SCHEMA = {
    "source": pl.Utf8,
    "record_id": pl.Utf8,
    "file_order": pl.Int64,
    "source_row": pl.Int64,
    "person_id": pl.Int64,
    "dwelling": pl.Utf8,
    "has_address": pl.Boolean,
    "is_bad": pl.Boolean,
    "lease_start": pl.Date,
    "lease_end": pl.Date,
    "moved_out_on": pl.Date,
    "declared_on": pl.Date,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "visit_date": pl.Date,
    "residence_start": pl.Date,
    "lodging": pl.Utf8,
    "visit_result": pl.Utf8,
    "declaration_type": pl.Utf8,
    "responsible": pl.Utf8,
}
REG_SCHEMA = {
    "registration_id": pl.Utf8,
    "person_id": pl.Int64,
    "dwelling": pl.Utf8,
    "std_address_code": pl.Utf8,
    "registered_on": pl.Date,
    "deregistered_on": pl.Date,
    "id_type": pl.Utf8,
    "id_number": pl.Utf8,
    "is_bad": pl.Boolean,
}


def days(n: int) -> dt.date:
    return D - dt.timedelta(days=n)


def lease(rid, person, dwelling, start, end=None, moved_out=None, **kw):
    return {
        "source": kw.pop("source", "intermediary_lease"),
        "record_id": rid,
        "person_id": person,
        "dwelling": dwelling,
        "lease_start": start,
        "lease_end": end,
        "moved_out_on": moved_out,
        "responsible": "某某中介",
        **kw,
    }


def visit(rid, person, dwelling, day, result="在住", **kw):
    return {
        "source": "grid_visit",
        "record_id": rid,
        "person_id": person,
        "dwelling": dwelling,
        "visit_date": day,
        "visit_result": result,
        **kw,
    }


def declaration(rid, person, dwelling, kind, declared, start=None, **kw):
    return {
        "source": "self_declaration",
        "record_id": rid,
        "person_id": person,
        "dwelling": dwelling,
        "declaration_type": kind,
        "declared_on": declared,
        "residence_start": start,
        **kw,
    }


def dorm(rid, person, dwelling, start, end=None, lodging="单位宿舍", **kw):
    return {
        "source": "employer_roster",
        "record_id": rid,
        "person_id": person,
        "dwelling": dwelling,
        "start_date": start,
        "end_date": end,
        "lodging": lodging,
        "responsible": "某某公司",
        **kw,
    }


def reg(rid, person, dwelling, registered, deregistered=None, code="", id_number=VALID_ID, **kw):
    return {
        "registration_id": rid,
        "person_id": person,
        "dwelling": dwelling,
        "std_address_code": code,
        "registered_on": registered,
        "deregistered_on": deregistered,
        "id_type": "",
        "id_number": id_number,
        "is_bad": False,
        **kw,
    }


def run(evidence: list[dict], registrations: list[dict], local: tuple[int, ...] = ()) -> pl.DataFrame:
    ev_rows = [
        {"file_order": 0, "source_row": i + 1, "has_address": True, "is_bad": False, **e}
        for i, e in enumerate(evidence)
    ]
    ev = pl.DataFrame(ev_rows, schema=EVIDENCE_SCHEMA) if ev_rows else pl.DataFrame(schema=EVIDENCE_SCHEMA)
    regs = (
        pl.DataFrame(registrations, schema=REG_SCHEMA) if registrations else pl.DataFrame(schema=REG_SCHEMA)
    )
    people = sorted({e["person_id"] for e in evidence} | {r["person_id"] for r in registrations})
    persons = pl.DataFrame(
        {"person_id": people, "is_local": [p in local for p in people]},
        schema={"person_id": pl.Int64, "is_local": pl.Boolean},
    )
    return compute_findings(persons, ev, regs, D, "330114")


def summary(found: pl.DataFrame) -> set[tuple]:
    return {(r["flag_type"], r["reason"], r["record_id"]) for r in found.iter_rows(named=True)}


# (name, evidence, registrations, local persons, findings expected to be present, findings expected absent)
CASES = [
    (
        "move proven only by evidence older than the registration is not moved",
        [lease("L1", 1, B, days(200), days(-200))],
        [reg("R1", 1, A, days(100), code=A)],
        (),
        set(),
        {("address_inaccurate", "moved", "R1")},
    ),
    (
        "move proven by evidence after the registration is moved",
        [lease("L1", 1, B, days(50), days(-300))],
        [reg("R1", 1, A, days(100), code=A)],
        (),
        {("address_inaccurate", "moved", "R1")},
        set(),
    ),
    (
        "evidence starting on the registration day does not prove a move",
        [lease("L1", 1, B, days(100), days(-300))],
        [reg("R1", 1, A, days(100), code=A)],
        (),
        set(),
        {("address_inaccurate", "moved", "R1")},
    ),
    (
        "partial evidence proves presence but not a move",
        [lease("L1", 1, None, days(50), days(-300))],
        [reg("R1", 1, A, days(100), code=A)],
        (),
        set(),
        {("address_inaccurate", "moved", "R1")},
    ),
    (
        "partial evidence still makes an unregistered person",
        [lease("L1", 1, None, days(50), days(-300))],
        [],
        (),
        {("unregistered", "no_active_registration", "L1")},
        set(),
    ),
    (
        "a 在住 visit 180 days old is in force",
        [visit("V1", 1, A, days(180))],
        [],
        (),
        {("unregistered", "no_active_registration", "V1")},
        set(),
    ),
    (
        "a 在住 visit 181 days old is not in force",
        [visit("V1", 1, A, days(181))],
        [],
        (),
        set(),
        {("unregistered", "no_active_registration", "V1")},
    ),
    (
        "未遇 is no evidence",
        [visit("V1", 1, A, days(10), "未遇")],
        [],
        (),
        set(),
        {("unregistered", "no_active_registration", "V1")},
    ),
    (
        "a local-hukou tenant is never unregistered nor late",
        [lease("L1", 1, A, days(60), days(-300))],
        [],
        (1,),
        set(),
        {("unregistered", "no_active_registration", "L1"), ("late_declaration", "still_unregistered", "L1")},
    ),
    (
        "departure 7 days before D is not yet not_deregistered",
        [lease("L1", 1, A, days(300), days(-60), moved_out=days(7))],
        [reg("R1", 1, A, days(299), code=A)],
        (),
        set(),
        {("not_deregistered", "left_without_deregistration", "R1")},
    ),
    (
        "departure 8 days before D is not_deregistered",
        [lease("L1", 1, A, days(300), days(-60), moved_out=days(8))],
        [reg("R1", 1, A, days(299), code=A)],
        (),
        {("not_deregistered", "left_without_deregistration", "R1")},
        set(),
    ),
    (
        "a departure in another feed ends the lease (查无此人 by a grid worker)",
        [lease("L1", 1, A, days(300), days(-60)), visit("V1", 1, A, days(20), "查无此人")],
        [reg("R1", 1, A, days(299), code=A)],
        (),
        {("not_deregistered", "left_without_deregistration", "R1")},
        set(),
    ),
    (
        "a departure does not end evidence that started after it",
        [visit("V1", 1, A, days(40), "已搬离"), lease("L2", 1, A, days(30), days(-300))],
        [reg("R1", 1, A, days(299), code=A)],
        (),
        set(),
        {("not_deregistered", "left_without_deregistration", "R1")},
    ),
    (
        "no evidence at all is not leaving",
        [],
        [reg("R1", 1, A, days(299), code=A)],
        (),
        set(),
        {("not_deregistered", "left_without_deregistration", "R1")},
    ),
    (
        "someone who left but lives elsewhere in the district is not not_deregistered",
        [
            lease("L1", 1, A, days(300), days(-60), moved_out=days(30)),
            lease("L2", 1, B, days(29), days(-300)),
        ],
        [reg("R1", 1, A, days(299), code=A)],
        (),
        {("address_inaccurate", "moved", "R1")},
        {("not_deregistered", "left_without_deregistration", "R1")},
    ),
    (
        "a blank or NULL code is never a code mismatch",
        [],
        [
            reg("R1", 1, A, days(10), code=""),
            reg("R2", 2, A, days(10), code="NULL"),
            reg("R3", 3, A, days(10), code=" 无 "),
        ],
        (),
        set(),
        {("address_inaccurate", "code_mismatch", r) for r in ("R1", "R2", "R3")},
    ),
    (
        "a code of another dwelling is a mismatch; an unresolvable address comes first",
        [],
        [reg("R1", 1, A, days(10), code=B), reg("R2", 2, None, days(10), code=B)],
        (),
        {("address_inaccurate", "code_mismatch", "R1"), ("address_inaccurate", "unresolvable", "R2")},
        set(),
    ),
    (
        "two active registrations are one duplicate finding; a deregistered one does not count",
        [],
        [
            reg("R1", 1, A, days(100), code=A),
            reg("R2", 1, B, days(50), code=B),
            reg("R3", 2, A, days(100), days(20), code=A),
            reg("R4", 2, B, days(50), code=B),
        ],
        (),
        {("duplicate_registration", "multiple_active_registrations", "R1")},
        {("duplicate_registration", "multiple_active_registrations", "R3")},
    ),
    (
        "invalid identity only for active registrations",
        [],
        [
            reg("R1", 1, A, days(100), code=A, id_number="342224198606067718"),
            reg("R2", 2, A, days(100), days(3), code=A, id_number="342224198606067718"),
        ],
        (),
        {("invalid_identity", "check_char", "R1")},
        {("invalid_identity", "check_char", "R2")},
    ),
    (
        "a renewal within 7 days is not a new start",
        [
            lease("L1", 1, A, dt.date(2026, 1, 5), dt.date(2026, 7, 4)),
            lease("L2", 1, A, dt.date(2026, 7, 10), dt.date(2027, 7, 9)),
        ],
        [reg("R1", 1, A, dt.date(2026, 1, 6), dt.date(2026, 7, 5), code=A)],
        (),
        set(),
        {("late_declaration", "still_unregistered", "L2"), ("late_declaration", "registered_late", "L1")},
    ),
    (
        "a lease 9 days after the previous one ended is a new start",
        [
            lease("L1", 1, A, dt.date(2026, 1, 5), dt.date(2026, 7, 4)),
            lease("L2", 1, A, dt.date(2026, 7, 13), dt.date(2027, 7, 12)),
        ],
        [reg("R1", 1, A, dt.date(2026, 1, 6), dt.date(2026, 7, 5), code=A)],
        (),
        {("late_declaration", "still_unregistered", "L2")},
        {("late_declaration", "registered_late", "L1")},
    ),
    (
        "a registration already active on the start date declares it in time",
        [lease("L1", 1, A, days(100), days(-300))],
        [reg("R1", 1, A, days(400), code=A)],
        (),
        set(),
        {("late_declaration", "still_unregistered", "L1"), ("late_declaration", "registered_late", "L1")},
    ),
    (
        "Friday start: registered the next Wednesday is in time, Thursday is late",
        [lease("L1", 1, A, dt.date(2026, 11, 6)), lease("L2", 2, A, dt.date(2026, 11, 6))],
        [reg("R1", 1, A, dt.date(2026, 11, 11), code=A), reg("R2", 2, A, dt.date(2026, 11, 12), code=A)],
        (),
        {("late_declaration", "registered_late", "L2")},
        {("late_declaration", "registered_late", "L1")},
    ),
    (
        "a dormitory start counts; a room rented by oneself does not",
        [dorm("Y1", 1, A, days(60)), dorm("Y2", 2, B, days(60), lodging="自行租房")],
        [],
        (),
        {("late_declaration", "still_unregistered", "Y1")},
        {("late_declaration", "still_unregistered", "Y2")},
    ),
    (
        "not yet 3 working days after the start is not late",
        [lease("L1", 1, A, dt.date(2026, 11, 17))],
        [],
        (),
        set(),
        {("late_declaration", "still_unregistered", "L1")},
    ),
    (
        "a registration elsewhere does not declare this start",
        [lease("L1", 1, A, days(60))],
        [reg("R1", 1, B, days(59), code=B)],
        (),
        {("late_declaration", "still_unregistered", "L1")},
        set(),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_rule_cases(case):
    name, evidence, registrations, local, present, absent = case
    found = run(evidence, registrations, local)
    got = summary(found)
    with pl.Config(tbl_rows=50, tbl_width_chars=200):
        assert present <= got, f"{name}: missing {present - got}\n{found}"
        assert not (absent & got), f"{name}: unexpected {absent & got}\n{found}"


def test_newest_evidence_ties_go_to_self_declaration_then_leases():
    same_day = days(30)
    found = run(
        [
            lease("L1", 1, A, same_day, days(-300)),
            declaration("S1", 1, B, "变更", same_day, same_day),
            visit("V1", 1, A, same_day),
        ],
        [],
    )
    row = found.filter(pl.col("flag_type") == "unregistered").row(0, named=True)
    assert (row["source"], row["record_id"], row["std_address_code"]) == ("self_declaration", "S1", B)
    found = run([lease("L1", 1, A, same_day, days(-300)), visit("V1", 1, B, same_day)], [])
    assert found.filter(pl.col("flag_type") == "unregistered")["record_id"].to_list() == ["L1"]


def test_latest_version_wins_and_quarantined_rows_are_not_evidence():
    old = lease("L1", 1, A, days(300), days(-60), file_order=0)
    new = lease("L1", 1, A, days(300), days(-60), moved_out=days(30), file_order=3)
    bad = lease("L2", 1, B, days(10), days(-300), is_bad=True)
    found = run([old, new, bad], [reg("R1", 1, A, days(299), code=A)])
    assert ("not_deregistered", "left_without_deregistration", "R1") in summary(found)
    assert not found.filter(pl.col("flag_type") == "unregistered").height


def test_self_declaration_注销_is_a_departure():
    found = run(
        [declaration("S1", 1, A, "新登记", days(200), days(200)), declaration("S2", 1, A, "注销", days(20))],
        [reg("R1", 1, A, days(199), code=A)],
    )
    assert ("not_deregistered", "left_without_deregistration", "R1") in summary(found)


@pytest.mark.parametrize(
    ("start", "deadline"),
    [
        (dt.date(2026, 11, 2), dt.date(2026, 11, 5)),  # Monday → Thursday
        (dt.date(2026, 11, 6), dt.date(2026, 11, 11)),  # Friday → Wednesday
        (dt.date(2026, 11, 7), dt.date(2026, 11, 11)),  # Saturday → Wednesday
        (dt.date(2026, 11, 8), dt.date(2026, 11, 11)),  # Sunday → Wednesday
    ],
)
def test_working_day_deadline(start, deadline):
    assert declaration_deadline(pl.Series([start])).to_list() == [deadline]


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("342224198606067719", None),
        ("34222419860606771x", "check_char"),
        ("342224860606771", None),  # legacy 15 digits, upgradable
        ("３４２２２４１９８６０６０６７７１９", None),  # full-width
        ("342224198613067719", "birth_date"),
        ("342224203001017719", "birth_date"),  # born after D
        ("990101198606067719", "area_code"),
        ("330114198606067717", None),  # the district's own code is valid even where python-stdnum lacks it
        ("3422241986060677", "format"),
        ("341221********1234", "format"),
        ("", "format"),
    ],
)
def test_id_problems(number, problem):
    assert id_problems(pl.Series([number]), "330114", D).to_list() == [problem]
