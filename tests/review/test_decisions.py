"""Decisions: typed append-only events with before/after, idempotent per client token, in the
shapes the nightly lifecycle and the linkage read; the queue, bulk actions and the exports."""

from __future__ import annotations

import io
import json

import duckdb
import polars as pl
from sqlalchemy import select
from tests.review.conftest import csrf_of

from recon.reconcile.lifecycle import latest_decisions
from recon.warehouse.ops_store import decisions, decisions_frame, labels_frame, linkage_labels


def _finding(env, flag_id: str) -> dict:  # noqa: ANN001
    con = duckdb.connect(str(env.db), read_only=True)
    row = con.execute(
        "SELECT flag_id, reason, evidence, evidence_hash FROM flag WHERE flag_id = ?", [flag_id]
    ).fetchone()
    con.close()
    return {"flag_id": row[0], "reason": row[1], "evidence": json.loads(row[2]), "evidence_hash": row[3]}


def _suggested(f: dict) -> str:
    return f["evidence"].get("current_dwelling") or f["evidence"].get("registry_dwelling")


def _rows(env) -> list[dict]:  # noqa: ANN001
    with env.engine.connect() as con:
        return [
            dict(r._mapping) for r in con.execute(select(decisions).order_by(decisions.c.decision_id)).all()
        ]


def test_correction_is_idempotent_typed_and_read_by_the_lifecycle(env):
    c = env.client("reviewer")
    f = _finding(env, env.world.flag_a)
    form = {
        "action": "correct_address",
        "dwelling": _suggested(f),
        "client_token": "tok-correct-1",
        "evidence_hash": f["evidence_hash"],
        "csrf_token": csrf_of(c),
    }
    first = c.post(f"/cases/{f['flag_id']}/decide", data=form)
    again = c.post(f"/cases/{f['flag_id']}/decide", data=form)  # a double click / re-sent form
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    rows = [r for r in _rows(env) if r["flag_id"] == f["flag_id"]]
    assert len(rows) == 1
    d = rows[0]
    assert d["action"] == "correct_address" and d["evidence_hash"] == f["evidence_hash"]
    assert d["payload"]["before"]["status"] == "open"
    assert d["payload"]["after"] == {
        "status": "confirmed",
        "std_address_code": _suggested(f),
        "standard_address": d["payload"]["after"]["standard_address"],
    }
    assert d["payload"]["after"]["standard_address"]
    latest = latest_decisions(decisions_frame(env.engine))
    assert latest.filter(pl.col("flag_id") == f["flag_id"])["decided_status"].to_list() == ["confirmed"]
    # the decided finding leaves the open queue at once and shows as decided today
    q = c.get("/api/queue/address_inaccurate?size=100&status=open").json()
    assert f["flag_id"] not in {r["flag_id"] for r in q["rows"]}
    case = c.get(f"/api/cases/{f['flag_id']}").json()
    assert case["eff_status"] == "confirmed" and case["pending"] is True
    assert [x["kind"] for x in case["decisions"]] == ["correct_address"]


def test_stale_evidence_and_unknown_dwelling_are_refused(env):
    c = env.client("reviewer")
    f = _finding(env, env.world.flag_a)
    base = {"action": "correct_address", "csrf_token": csrf_of(c)}
    stale = c.post(
        f"/cases/{f['flag_id']}/decide", data={**base, "dwelling": _suggested(f), "evidence_hash": "0" * 16}
    )
    assert stale.status_code == 400 and "证据" in stale.text and "刷新" in stale.text
    nowhere = c.post(f"/cases/{f['flag_id']}/decide", data={**base, "dwelling": "999"})
    assert nowhere.status_code == 400 and "标准地址" in nowhere.text
    assert _rows(env) == []


def test_not_same_person_is_a_dismissal_plus_a_negative_label(env):
    c = env.client("reviewer")
    f = _finding(env, env.world.flag_a)
    other = f["evidence"]["current_evidence"]
    resp = c.post(
        f"/cases/{f['flag_id']}/decide",
        data={
            "action": "not_same_person",
            "records": [other],
            "client_token": "nsp-1",
            "csrf_token": csrf_of(c),
        },
    )
    assert resp.status_code == 303
    (d,) = _rows(env)
    assert d["action"] == "dismiss" and d["payload"]["kind"] == "not_same_person"
    with env.engine.connect() as con:
        labels = con.execute(
            select(linkage_labels.c.record_a, linkage_labels.c.record_b, linkage_labels.c.same_person)
        ).all()
    assert labels == [(f"police_registry:{_record_of(env, f['flag_id'])}", other, False)]
    lf = labels_frame(env.engine)  # the columns recon.matching.link_persons reads
    assert {"source_l", "record_id_l", "source_r", "record_id_r", "is_match"} <= set(lf.columns)
    assert lf.row(0, named=True)["source_r"] == other.split(":")[0] and lf["is_match"].to_list() == [False]


def _record_of(env, flag_id: str) -> str:  # noqa: ANN001
    con = duckdb.connect(str(env.db), read_only=True)
    rid = con.execute("SELECT record_id FROM flag WHERE flag_id = ?", [flag_id]).fetchone()[0]
    con.close()
    return rid


def test_field_visit_note_and_reassign_do_not_change_status(env):
    s = env.client("supervisor")
    flag = env.world.flag_a
    tok = csrf_of(s)
    assert (
        s.post(
            f"/cases/{flag}/decide",
            data={"action": "field_visit", "assignee": "网格员甲", "due": "2026-12-01", "csrf_token": tok},
        ).status_code
        == 303
    )
    assert (
        s.post(
            f"/cases/{flag}/decide", data={"action": "note", "note": "房东称已搬走", "csrf_token": tok}
        ).status_code
        == 303
    )
    assert (
        s.post(f"/cases/{flag}/assign", data={"assignee": "reviewer", "csrf_token": tok}).status_code == 303
    )
    assert (
        s.post(f"/cases/{flag}/assign", data={"assignee": "reviewer_b", "csrf_token": tok}).status_code == 400
    )
    assert [r["action"] for r in _rows(env)] == ["field_visit", "note", "assign"]
    assert latest_decisions(decisions_frame(env.engine)).height == 0  # nothing the lifecycle counts
    mine = env.client("reviewer").get("/api/queue/address_inaccurate?assigned=mine").json()
    assert [r["flag_id"] for r in mine["rows"]] == [flag]


def test_bulk_dismiss_on_a_filtered_selection(env):
    c = env.client("reviewer")
    q = c.get("/api/queue/address_inaccurate?size=100").json()
    reason = q["rows"][0]["reason"]
    want = {r["flag_id"] for r in q["rows"] if r["reason"] == reason}
    total = c.get(f"/api/queue/address_inaccurate?reason={reason}").json()["total"]
    resp = c.post(
        f"/queue/address_inaccurate/bulk?reason={reason}",
        data={
            "bulk_action": "dismiss",
            "scope": "all",
            "reason": "已现场核实在住",
            "bulk_token": "b1",
            "csrf_token": csrf_of(c),
        },
    )
    assert resp.status_code == 303 and f"done={total}" in resp.headers["location"]
    again = c.post(  # the same bulk form sent twice stores nothing new
        f"/queue/address_inaccurate/bulk?reason={reason}&status=all",
        data={
            "bulk_action": "dismiss",
            "scope": "all",
            "reason": "已现场核实在住",
            "bulk_token": "b1",
            "csrf_token": csrf_of(c),
        },
    )
    assert again.status_code == 303
    rows = _rows(env)
    assert len(rows) == total and want <= {r["flag_id"] for r in rows}
    assert all(r["action"] == "dismiss" and r["payload"]["reason"] == "已现场核实在住" for r in rows)
    assert c.get(f"/api/queue/address_inaccurate?reason={reason}").json()["total"] == 0
    no_reason = c.post(
        "/queue/address_inaccurate/bulk",
        data={"bulk_action": "dismiss", "scope": "all", "csrf_token": csrf_of(c)},
    )
    assert no_reason.status_code == 400 and "驳回理由" in no_reason.text


def test_export_of_confirmed_corrections(env):
    from openpyxl import load_workbook

    c = env.client("reviewer")
    f = _finding(env, env.world.flag_a)
    c.post(
        f"/cases/{f['flag_id']}/decide",
        data={"action": "correct_address", "dwelling": _suggested(f), "csrf_token": csrf_of(c)},
    )
    text = c.get("/export/corrections.csv").content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("登记编号,姓名,证件号码（脱敏）") and len(lines) == 2
    assert _suggested(f) in lines[1] and f["flag_id"] in lines[1]
    wb = load_workbook(io.BytesIO(c.get("/export/corrections.xlsx").content))
    ws = wb.active
    assert ws.max_row == 2 and ws.cell(2, 8).value == _suggested(f)  # codes stay text, not 3.3e18
    # another station's reviewer exports nothing of station A
    other = env.client("reviewer_b").get("/export/corrections.csv").content.decode("utf-8-sig")
    assert len(other.strip().splitlines()) == 1


def test_bulk_assign_needs_a_supervisor_and_a_real_reviewer(env):
    s = env.client("supervisor")
    flag = env.world.flag_a
    data = {"bulk_action": "assign", "scope": "selected", "selected": [flag], "csrf_token": csrf_of(s)}
    assert s.post("/queue/address_inaccurate/bulk", data={**data, "assignee": "nobody"}).status_code == 400
    assert s.post("/queue/address_inaccurate/bulk", data={**data, "assignee": "reviewer"}).status_code == 303
    r = env.client("reviewer")
    refused = r.post(
        "/queue/address_inaccurate/bulk",
        data={**data, "assignee": "reviewer", "csrf_token": csrf_of(r)},
    )
    assert refused.status_code == 403
    assert [(d["action"], d["payload"]["assignee"]) for d in _rows(env)] == [("assign", "reviewer")]
