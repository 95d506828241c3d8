"""Reviewers' decisions as typed, append-only events in the operational store.

Each event says who decided what about which finding, on which evidence (its hash: a dismissal
stands until the evidence changes), with the state before and after. The `action` values are
the ones `recon.reconcile.lifecycle` reads: confirm / correct_address → confirmed, dismiss →
dismissed, reopen → open; notes, field visits and assignments do not change the status.
"Not the same person" is stored as a dismissal (kind not_same_person) plus a negative linkage
label, so the finding is not asked again and the next linkage run keeps the records apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from recon.review.errors import bad_request
from recon.review.labels import STATUSES
from recon.warehouse.ops_store import decisions, linkage_labels, record_decision, users

ACTIONS = (
    "correct_address",
    "confirm",
    "dismiss",
    "not_same_person",
    "field_visit",
    "assign",
    "note",
    "reopen",
)
MAX_TEXT = 500


@dataclass
class Decision:
    """One typed decision event, before it is stored."""

    flag_id: str
    action: str
    evidence_hash: str | None
    before: dict
    after: dict
    detail: dict = field(default_factory=dict)
    labels: list[tuple[str, str, bool]] = field(default_factory=list)

    @property
    def stored_action(self) -> str:
        return "dismiss" if self.action == "not_same_person" else self.action

    def payload(self) -> dict[str, Any]:
        return {"kind": self.action, "before": self.before, "after": self.after, **self.detail}


def _text(value: str | None, what: str, *, required: bool) -> str:
    v = (value or "").strip()
    if required and not v:
        raise bad_request(f"请填写{what}。", f"{what}不能为空，请补充后重新提交。")
    if len(v) > MAX_TEXT:
        raise bad_request(f"{what}过长（{len(v)} 字）。", f"请精简到 {MAX_TEXT} 字以内。")
    return v


def build_decision(
    finding: dict,
    action: str,
    form: dict[str, Any],
    *,
    dwelling: dict | None = None,
) -> Decision:
    """Validate a form against the finding and build its event (raises ReviewError with what to fix)."""
    if action not in ACTIONS:
        raise bad_request(f"未知的操作“{action}”。", "请使用页面上的按钮操作。")
    before = {
        "status": finding.get("eff_status") or finding.get("status"),
        "std_address_code": finding.get("std_address_code"),
        "reason": finding.get("reason"),
    }
    ev_hash = finding.get("evidence_hash")
    flag_id = finding["flag_id"]
    if action == "correct_address":
        if finding["flag_type"] != "address_inaccurate":
            raise bad_request("只有“地址不准确”线索可以更正地址。", "其他类型请使用“确认问题属实”。")
        if not dwelling:
            raise bad_request(
                "没有找到所选的标准地址。", "请用“搜索标准地址”选一个地址，或采用系统建议的地址后再确认。"
            )
        after = {
            "status": "confirmed",
            "std_address_code": dwelling["address_code"],
            "standard_address": dwelling.get("standard_address"),
        }
        note = _text(form.get("note"), "备注", required=False)
        return Decision(
            flag_id, action, ev_hash, before, after, {"dwelling": dwelling["address_code"], "note": note}
        )
    if action == "confirm":
        note = _text(form.get("note"), "备注", required=False)
        return Decision(flag_id, action, ev_hash, before, {"status": "confirmed"}, {"note": note})
    if action == "dismiss":
        reason = _text(form.get("reason"), "驳回理由", required=True)
        note = _text(form.get("note"), "备注", required=False)
        return Decision(
            flag_id, action, ev_hash, before, {"status": "dismissed"}, {"reason": reason, "note": note}
        )
    if action == "not_same_person":
        others = [k for k in form.get("records", []) if k and ":" in k]
        if not others:
            raise bad_request("请选择与登记人不是同一人的记录。", "在证据列表中勾选属于他人的记录后再提交。")
        subject = f"{finding['source']}:{finding['record_id']}"
        others = [k for k in dict.fromkeys(others) if k != subject][:20]
        note = _text(form.get("note"), "备注", required=False)
        return Decision(
            flag_id,
            action,
            ev_hash,
            before,
            {"status": "dismissed"},
            {"reason": "非同一人", "records": others, "note": note},
            labels=[(subject, k, False) for k in others],
        )
    if action == "field_visit":
        assignee = _text(form.get("assignee"), "核查人（专管员或网格员）", required=True)
        due = _text(form.get("due"), "期限", required=False)
        note = _text(form.get("note"), "核查要求", required=False)
        return Decision(
            flag_id,
            action,
            ev_hash,
            before,
            {"status": before["status"], "assignee": assignee},
            {"assignee": assignee, "due": due, "note": note},
        )
    if action == "assign":
        assignee = _text(form.get("assignee"), "审核人", required=True)
        return Decision(
            flag_id,
            action,
            ev_hash,
            before,
            {"status": before["status"], "assignee": assignee},
            {"assignee": assignee},
        )
    if action == "note":
        note = _text(form.get("note"), "备注", required=True)
        return Decision(flag_id, action, ev_hash, before, dict(before), {"note": note})
    # reopen
    if before["status"] == "open":
        raise bad_request("该线索已是待处理状态。", "无需重新打开。")
    reason = _text(form.get("reason") or form.get("note"), "重新打开的理由", required=True)
    return Decision(flag_id, action, ev_hash, before, {"status": "open"}, {"reason": reason})


def store(engine: Engine, d: Decision, user_id: int, client_token: str | None) -> int:
    return record_decision(
        engine,
        flag_id=d.flag_id,
        action=d.stored_action,
        user_id=user_id,
        evidence_hash=d.evidence_hash,
        payload=d.payload(),
        client_token=client_token or None,
        labels=d.labels,
    )


def by_client_token(engine: Engine, client_token: str) -> dict | None:
    """The decision already stored for a form's client token (a re-sent form), if any."""
    if not client_token:
        return None
    with engine.connect() as con:
        got = con.execute(
            select(decisions.c.decision_id, decisions.c.flag_id, decisions.c.user_id).where(
                decisions.c.client_token == client_token
            )
        ).first()
    return dict(got._mapping) if got else None


def history(engine: Engine, flag_id: str) -> list[dict]:
    """Every decision on a finding, newest first, with who made it."""
    with engine.connect() as con:
        rows = con.execute(
            select(
                decisions.c.decision_id,
                decisions.c.action,
                decisions.c.payload,
                decisions.c.created_at,
                decisions.c.evidence_hash,
                users.c.display_name,
                users.c.username,
            )
            .join(users, users.c.user_id == decisions.c.user_id, isouter=True)
            .where(decisions.c.flag_id == flag_id)
            .order_by(decisions.c.decision_id.desc())
        ).all()
        labels = con.execute(
            select(linkage_labels.c.decision_id, linkage_labels.c.record_b).where(
                linkage_labels.c.decision_id.in_([r.decision_id for r in rows])
            )
        ).all()
    out = []
    for r in rows:
        d = dict(r._mapping)
        p = d["payload"] or {}
        d["kind"] = p.get("kind", d["action"])
        d["labels"] = [b for did, b in labels if did == d["decision_id"]]
        d["after_status"] = STATUSES.get((p.get("after") or {}).get("status", ""), "")
        out.append(d)
    return out
