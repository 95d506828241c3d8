"""Rule-table tests for CONTRACT.md section 2, including its edge cases."""

from __future__ import annotations

from datetime import date, timedelta

from recon.reconcile.evidence import build_evidence, current_address
from recon.reconcile.findings import all_findings
from tests.reconcile.conftest import D, World


def findings(w: World, as_of: date = D):
    feeds, links, dw, regs, persons = w.frames()
    ev = build_evidence(feeds, links, dw)
    return all_findings(regs, ev, persons, as_of)


def kinds(w: World, as_of: date = D) -> set[tuple[str, str, str]]:
    return {(r["flag_type"], r["reason"], r["record_id"]) for r in findings(w, as_of).iter_rows(named=True)}


def flagged(w: World, flag_type: str, as_of: date = D) -> set[tuple[str, str]]:
    return {(r, i) for t, r, i in kinds(w, as_of) if t == flag_type}


def days(n: int) -> date:
    return D - timedelta(days=n)


# (name, world builder, flag type, expected {(reason, record_id)})
CASES = [
    (
        "tenant with no registration is unregistered",
        lambda w: w.lease("p1", "L1", "A", days(60)),
        "unregistered",
        {("no_active_registration", "L1")},
    ),
    (
        "local-hukou tenant is never unregistered",
        lambda w: w.person("p1", local=True).lease("p1", "L1", "A", days(60)),
        "unregistered",
        set(),
    ),
    (
        "registered tenant is not unregistered",
        lambda w: w.lease("p1", "L1", "A", days(60)).reg("p1", "R1", "A", days(59)),
        "unregistered",
        set(),
    ),
    (
        "partial address proves presence, still unregistered",
        lambda w: w.lease("p1", "L1", None, days(60)),
        "unregistered",
        {("no_active_registration", "L1")},
    ),
    (
        "a 在住 visit 180 days old is in force",
        lambda w: w.visit("p1", "V1", "A", days(180)),
        "unregistered",
        {("no_active_registration", "V1")},
    ),
    (
        "a 在住 visit 181 days old is not",
        lambda w: w.visit("p1", "V1", "A", days(181)),
        "unregistered",
        set(),
    ),
    (
        "registration deregistered on D is not active",
        lambda w: w.lease("p1", "L1", "A", days(60)).reg("p1", "R1", "A", days(59), dereg=D),
        "unregistered",
        {("no_active_registration", "L1")},
    ),
    (
        "move proven by newer evidence",
        lambda w: w.reg("p1", "R1", "A", days(300)).lease("p1", "L2", "B", days(30)),
        "address_inaccurate",
        {("moved", "R1")},
    ),
    (
        "move proven only by evidence older than the registration is not a move",
        lambda w: w.lease("p1", "L2", "B", days(400)).reg("p1", "R1", "A", days(300)),
        "address_inaccurate",
        set(),
    ),
    (
        "evidence starting on the registration day does not prove a move",
        lambda w: w.reg("p1", "R1", "A", days(30)).lease("p1", "L2", "B", days(30)),
        "address_inaccurate",
        set(),
    ),
    (
        "partial current evidence cannot prove a move",
        lambda w: w.reg("p1", "R1", "A", days(300)).lease("p1", "L2", None, days(30)),
        "address_inaccurate",
        set(),
    ),
    (
        "unresolvable registry address",
        lambda w: w.reg("p1", "R1", None, days(300)),
        "address_inaccurate",
        {("unresolvable", "R1")},
    ),
    (
        "held code differs from resolved dwelling",
        lambda w: w.reg("p1", "R1", "A", days(300), held="Z"),
        "address_inaccurate",
        {("code_mismatch", "R1")},
    ),
    (
        "blank held code is never a mismatch",
        lambda w: w.reg("p1", "R1", "A", days(300), held=None),
        "address_inaccurate",
        set(),
    ),
    (
        "departure 8 days before D: not deregistered",
        lambda w: w.lease("p1", "L1", "A", days(200), out=days(8)).reg("p1", "R1", "A", days(199)),
        "not_deregistered",
        {("left_over_7_days", "R1")},
    ),
    (
        "departure 7 days before D: not yet",
        lambda w: w.lease("p1", "L1", "A", days(200), out=days(7)).reg("p1", "R1", "A", days(199)),
        "not_deregistered",
        set(),
    ),
    (
        "left but living elsewhere in the district: not not_deregistered",
        lambda w: (
            w.lease("p1", "L1", "A", days(200), out=days(30))
            .reg("p1", "R1", "A", days(199))
            .lease("p1", "L2", "B", days(29))
        ),
        "not_deregistered",
        set(),
    ),
    (
        "no evidence at all is not leaving",
        lambda w: w.reg("p1", "R1", "A", days(199)),
        "not_deregistered",
        set(),
    ),
    (
        "grid visit 已搬离 is a departure that ends the lease",
        lambda w: (
            w.lease("p1", "L1", "A", days(200))
            .visit("p1", "V1", "A", days(20), "已搬离")
            .reg("p1", "R1", "A", days(199))
        ),
        "not_deregistered",
        {("left_over_7_days", "R1")},
    ),
    (
        "two active registrations",
        lambda w: w.reg("p1", "R1", "A", days(100)).reg("p1", "R2", "B", days(50)),
        "duplicate_registration",
        {("multiple_active", "R1")},
    ),
    (
        "a deregistered one is not a duplicate",
        lambda w: w.reg("p1", "R1", "A", days(100), dereg=days(60)).reg("p1", "R2", "B", days(50)),
        "duplicate_registration",
        set(),
    ),
    (
        "invalid ID on an active registration",
        lambda w: w.reg("p1", "R1", "A", days(100), id_status="bad_check"),
        "invalid_identity",
        {("bad_check", "R1")},
    ),
    (
        "invalid ID on an inactive registration is not raised",
        lambda w: w.reg("p1", "R1", "A", days(100), dereg=days(10), id_status="bad_check"),
        "invalid_identity",
        set(),
    ),
    (
        "other document types are not checked as resident IDs",
        lambda w: w.reg("p1", "R1", "A", days(100), id_status="bad_format", id_type="护照"),
        "invalid_identity",
        set(),
    ),
    # D is Friday 2026-11-20; a lease starting Friday 11-13 must be declared by Wednesday 11-18.
    (
        "declared on the 3rd working day is in time",
        lambda w: w.lease("p1", "L1", "A", date(2026, 11, 13)).reg("p1", "R1", "A", date(2026, 11, 18)),
        "late_declaration",
        set(),
    ),
    (
        "declared on the 4th working day is late",
        lambda w: w.lease("p1", "L1", "A", date(2026, 11, 13)).reg("p1", "R1", "A", date(2026, 11, 19)),
        "late_declaration",
        {("declared_late", "L1")},
    ),
    (
        "never declared, deadline passed",
        lambda w: w.lease("p1", "L1", "A", date(2026, 11, 13)),
        "late_declaration",
        {("undeclared", "L1")},
    ),
    (
        "never declared, deadline not passed yet",
        lambda w: w.lease("p1", "L1", "A", date(2026, 11, 17)),
        "late_declaration",
        set(),
    ),
    (
        "already registered at the dwelling on the start date",
        lambda w: w.reg("p1", "R1", "A", date(2026, 1, 5)).lease("p1", "L1", "A", date(2026, 11, 2)),
        "late_declaration",
        set(),
    ),
    (
        "renewal within 7 days is not a new start",
        lambda w: (
            w.lease("p1", "L1", "A", date(2025, 11, 1), end=date(2026, 10, 31))
            .reg("p1", "R1", "A", date(2025, 11, 3), dereg=date(2026, 11, 1))
            .lease("p1", "L2", "A", date(2026, 11, 5))
        ),
        "late_declaration",
        set(),
    ),
    (
        "a new lease 8 days after the last one is a new start",
        lambda w: (
            w.lease("p1", "L1", "A", date(2025, 11, 1), end=date(2026, 10, 31))
            .reg("p1", "R1", "A", date(2025, 11, 3), dereg=date(2026, 11, 1))
            .lease("p1", "L2", "A", date(2026, 11, 8))
        ),
        "late_declaration",
        {("undeclared", "L2")},
    ),
    (
        "local-hukou tenant has no declaration duty",
        lambda w: w.person("p1", local=True).lease("p1", "L1", "A", date(2026, 11, 2)),
        "late_declaration",
        set(),
    ),
    (
        "dormitory row counts as a residence start",
        lambda w: w.roster("p1", "E1", "A", date(2026, 11, 2)),
        "late_declaration",
        {("undeclared", "E1")},
    ),
    (
        "self-rented roster row is not a declaration duty of the employer",
        lambda w: w.roster("p1", "E1", "A", date(2026, 11, 2), lodging="自行租房"),
        "late_declaration",
        set(),
    ),
]


def test_finding_rule_table():
    failures = []
    for name, build, flag_type, expected in CASES:
        w = World()
        build(w)
        got = flagged(w, flag_type)
        if got != expected:
            failures.append(f"{name}: {flag_type} expected {sorted(expected)} got {sorted(got)}")
    assert not failures, "\n".join(failures)


def test_newest_evidence_tie_break_prefers_declaration_then_lease():
    w = World()
    w.lease("p1", "L1", "A", days(10)).visit("p1", "V1", "B", days(10)).declare(
        "p1", "S1", "C", "新登记", days(10)
    )
    feeds, links, dw, _, _ = w.frames()
    cur = current_address(build_evidence(feeds, links, dw), D)
    assert cur.row(0, named=True)["current_dwelling"] == "C"
    w2 = World()
    w2.lease("p1", "L1", "A", days(10)).visit("p1", "V1", "B", days(10))
    feeds, links, dw, _, _ = w2.frames()
    assert current_address(build_evidence(feeds, links, dw), D).row(0, named=True)["current_dwelling"] == "A"


def test_departure_ends_earlier_evidence_from_any_feed():
    w = World()
    w.roster("p1", "E1", "A", days(100), lodging="自行租房", address="x").declare(
        "p1", "S1", "A", "注销", days(5)
    )
    feeds, links, dw, _, _ = w.frames()
    assert current_address(build_evidence(feeds, links, dw), D).height == 0
