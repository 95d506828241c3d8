"""The operational store on a real SQLite file (WAL)."""

from __future__ import annotations

import sqlite3

from recon.warehouse.ops_store import audit, decisions_frame, open_store, record_decision


def test_wal_decisions_idempotent_and_audited(tmp_path):
    path = tmp_path / "ops.sqlite"
    engine = open_store(f"sqlite:///{path}")
    d1 = record_decision(
        engine,
        flag_id="F1",
        action="dismiss",
        user_id=None,
        evidence_hash="h1",
        payload={"reason": "登记正确"},
        client_token="tok-1",
    )
    again = record_decision(
        engine,
        flag_id="F1",
        action="dismiss",
        user_id=None,
        evidence_hash="h1",
        payload={"reason": "登记正确"},
        client_token="tok-1",
    )
    d2 = record_decision(engine, flag_id="F1", action="confirm", user_id=None, evidence_hash="h1")
    audit(engine, user_id=None, action="reveal", target="F1", detail={"field": "id_number"})
    assert again == d1 and d2 == d1 + 1
    df = decisions_frame(engine)
    assert df["action"].to_list() == ["dismiss", "confirm"]
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [r[0] for r in con.execute("SELECT action FROM audit_events ORDER BY event_id")] == [
        "decision:dismiss",
        "decision:confirm",
        "reveal",
    ]
