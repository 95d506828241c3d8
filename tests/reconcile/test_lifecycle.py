"""Finding lifecycle: stable ids, decisions kept, reopen on changed evidence, auto-close."""

from __future__ import annotations

from datetime import date

import polars as pl

from recon.reconcile.findings import FINDING_SCHEMA
from recon.reconcile.lifecycle import advance, with_ids

N1, N2, N3 = date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)


def f(*rows):
    return pl.DataFrame([dict(zip(FINDING_SCHEMA, r, strict=True)) for r in rows], schema=FINDING_SCHEMA)


MOVED = ("address_inaccurate", "moved", "p1", "police_registry", "R1", "B", '{"current_evidence": "L2"}')
UNREG = (
    "unregistered",
    "current_address",
    "p2",
    "intermediary_lease",
    "L9",
    "C",
    '{"current_evidence": "L9"}',
)
NO_DECISIONS = pl.DataFrame(
    schema={"decision_id": pl.Int64, "flag_id": pl.Utf8, "action": pl.Utf8, "evidence_hash": pl.Utf8}
)


def decide(flags: pl.DataFrame, flag_type: str, action: str, did: int = 1) -> pl.DataFrame:
    row = flags.filter(pl.col("flag_type") == flag_type).row(0, named=True)
    return pl.DataFrame(
        {
            "decision_id": [did],
            "flag_id": [row["flag_id"]],
            "action": [action],
            "evidence_hash": [row["evidence_hash"]],
        }
    )


def status(flags: pl.DataFrame, flag_type: str) -> str:
    return flags.filter(pl.col("flag_type") == flag_type)["status"].item()


def test_ids_stable_and_detected_on_kept():
    n1 = advance(None, f(MOVED, UNREG), NO_DECISIONS, N1)
    n2 = advance(n1, f(MOVED, UNREG), NO_DECISIONS, N2)
    assert n1["flag_id"].to_list() == n2["flag_id"].to_list()
    assert set(n2["detected_on"].to_list()) == {N1} and set(n2["last_seen_on"].to_list()) == {N2}
    # the unregistered finding is about the person: a different evidence record keeps its id
    moved_evidence = ("unregistered", "current_address", "p2", "grid_visit", "V3", "C", "{}")
    assert with_ids(f(UNREG))["flag_id"].item() == with_ids(f(moved_evidence))["flag_id"].item()


def test_dismissal_survives_next_night():
    n1 = advance(None, f(MOVED), NO_DECISIONS, N1)
    d = decide(n1, "address_inaccurate", "dismiss")
    n2 = advance(n1, f(MOVED), d, N2)
    n3 = advance(n2, f(MOVED), d, N3)
    assert status(n2, "address_inaccurate") == "dismissed" and status(n3, "address_inaccurate") == "dismissed"


def test_changed_cause_reopens_dismissed():
    n1 = advance(None, f(MOVED), NO_DECISIONS, N1)
    d = decide(n1, "address_inaccurate", "dismiss")
    changed = MOVED[:5] + ("D", '{"current_evidence": "V7"}')  # newer evidence points to another dwelling
    n2 = advance(n1, f(changed), d, N2)
    row = n2.row(0, named=True)
    assert row["status"] == "open" and "evidence changed" in row["status_reason"]
    assert row["flag_id"] == n1["flag_id"].item()


def test_confirmed_stays_and_cause_gone_closes():
    n1 = advance(None, f(MOVED, UNREG), NO_DECISIONS, N1)
    d = decide(n1, "address_inaccurate", "confirm")
    n2 = advance(n1, f(MOVED, UNREG), d, N2)
    assert status(n2, "address_inaccurate") == "confirmed"
    n3 = advance(n2, f(UNREG), d, N3)  # the registry was corrected
    closed = n3.filter(pl.col("flag_type") == "address_inaccurate").row(0, named=True)
    assert closed["status"] == "closed" and closed["closed_on"] == N3
    assert status(n3, "unregistered") == "open"
    n4 = advance(n3, f(UNREG), d, date(2026, 11, 21))
    assert n4.filter(pl.col("flag_type") == "address_inaccurate")["closed_on"].item() == N3
