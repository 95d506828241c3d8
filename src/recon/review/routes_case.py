"""The case page and its actions: correct, confirm, dismiss, not the same person, field visit,
note, reassign; the audited reveal of personal data; the standard-address search."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from recon.review import charts
from recon.review import findings_index as fx
from recon.review.accounts import Principal, list_users
from recon.review.case_data import load_case, lookup_dwellings, search_dwellings
from recon.review.decisions import build_decision, by_client_token, history, store
from recon.review.deps import client_of, csrf_session, ctx, current_session, deciding_session, snapshot
from recon.review.errors import bad_request, forbidden, not_found
from recon.review.labels import DISMISS_REASONS, SOURCES
from recon.review.masking import mask_name, mask_record, mask_text
from recon.review.sessions import Session, SessionStore
from recon.warehouse.ops_store import audit
from recon.warehouse.published import Snapshot

router = APIRouter()

COMPARISON_LABELS = {
    "id_number": "证件号码",
    "name": "姓名",
    "birth_date": "出生日期",
    "gender": "性别",
    "phone": "电话",
    "dwelling": "住址",
    "hukou_area": "户籍地",
}


def _finding(snap: Snapshot, request: Request, user: Principal, flag_id: str) -> dict:
    row = fx.finding_row(snap, ctx(request).engine, flag_id)
    if row is None:
        raise not_found("线索（可能已在最新一次比对中关闭）")
    if not user.may_see(row):
        audit(
            ctx(request).engine,
            user_id=user.user_id,
            action="refused",
            target=flag_id,
            client=client_of(request),
        )
        raise forbidden("该线索（不在您的辖区范围内）")
    return row


def _next_case(snap: Snapshot, request: Request, user: Principal, finding: dict) -> str | None:
    f = fx.QueueFilter(flag_type=finding["flag_type"], size=2)
    where, params = f.where(user)
    got = snap.rows(
        f"SELECT q.flag_id FROM qv q WHERE {where} AND q.flag_id <> ? ORDER BY {fx.SORTS['age']} LIMIT 1",
        [*params, finding["flag_id"]],
    )
    return got[0]["flag_id"] if got else None


def _reviewers_for(request: Request, finding: dict) -> list[dict]:
    out = []
    for u in list_users(ctx(request).engine):
        scope = u["scope"] or {}
        if u["disabled"] or u["role"] not in ("reviewer", "supervisor"):
            continue
        if finding.get("station") in (scope.get("stations") or []) or finding.get("street") in (
            scope.get("streets") or []
        ):
            out.append({"username": u["username"], "display_name": u["display_name"], "role": u["role"]})
    return out


def _mask_responsible(text: str) -> str:
    parts = [x.strip() for x in text.split("/")]
    return " / ".join([parts[0], *[mask_name(x) or "" for x in parts[1:]]]) if len(parts) > 1 else text


def _collectors(snap: Snapshot, community: str | None) -> list[str]:
    """Registration collectors (专管员) of a community, for the field-visit form (cached per file)."""
    if not community:
        return []
    if "collectors" not in snap.cache:
        by: dict[str, list[str]] = {}
        for r in snap.rows(
            "SELECT DISTINCT community, collector FROM pub.current_police_registry "
            "WHERE collector IS NOT NULL AND community IS NOT NULL ORDER BY 1, 2"
        ):
            by.setdefault(r["community"], []).append(r["collector"])
        snap.cache["collectors"] = by
    return snap.cache["collectors"].get(community, [])[:50]


@router.get("/cases/{flag_id}")
def case_page(
    request: Request,
    flag_id: str,
    saved: int | None = None,
    sess: Session = Depends(current_session),
    snap: Snapshot = Depends(snapshot),
) -> Response:
    c = ctx(request)
    user = sess.user
    finding = _finding(snap, request, user, flag_id)
    case = load_case(snap, finding)
    reveal = user.can_reveal and SessionStore.revealed(sess, flag_id)
    names = user.masks_names

    def m(rec: dict) -> dict:
        out = mask_record(rec, reveal=reveal, names=names)
        if names and out.get("responsible"):  # "agency / landlord": the landlord is a person
            out["responsible"] = _mask_responsible(out["responsible"])
        return out

    def masked(v: object) -> object:
        if reveal:
            return v
        if isinstance(v, list):
            return [mask_text(str(x)) for x in v]
        return mask_text(str(v)) if isinstance(v, str) else v

    evidence_text = {k: masked(v) for k, v in case.evidence.items()}
    if names and isinstance(evidence_text.get("responsible"), str):
        evidence_text["responsible"] = _mask_responsible(evidence_text["responsible"])
    explanation = [
        {
            **e,
            "chart": charts.weights_chart(
                e["prior"], e["steps"], COMPARISON_LABELS, f"{e['record_l']} 与 {e['record_r']} 的匹配权重"
            ),
        }
        for e in case.explanation
    ]
    collectors = _collectors(snap, finding.get("community")) if user.can_decide else []
    if reveal:  # every view of unmasked personal data is audited
        audit(
            c.engine, user_id=user.user_id, action="view_unmasked", target=flag_id, client=client_of(request)
        )
    return c.templates.TemplateResponse(
        request,
        "case.html",
        {
            "user": user,
            "csrf": sess.csrf_token,
            "f": finding,
            "person_name": m({"name": finding.get("person_name")})["name"],
            "registry": [m(r) for r in case.registry],
            "records": [m(r) for r in case.records],
            "evidence": evidence_text,
            "explanation": explanation,
            "suggested": case.suggested,
            "history": history(c.engine, flag_id),
            "reveal": reveal,
            "client_token": uuid.uuid4().hex,
            "next_case": _next_case(snap, request, user, finding),
            "saved": saved,
            "dismiss_reasons": DISMISS_REASONS,
            "reviewers": _reviewers_for(request, finding) if user.can_reassign else [],
            "collectors": collectors,
            "sources": SOURCES,
            "run": snap.cache.get("run"),
        },
    )


@router.get("/api/cases/{flag_id}")
def case_json(
    request: Request,
    flag_id: str,
    sess: Session = Depends(current_session),
    snap: Snapshot = Depends(snapshot),
) -> Response:
    finding = _finding(snap, request, sess.user, flag_id)
    keep = (
        "flag_id",
        "flag_type",
        "reason",
        "status",
        "eff_status",
        "pending",
        "station",
        "community",
        "street",
        "source",
        "record_id",
        "std_address_code",
        "evidence_hash",
        "assignee",
        "assign_kind",
    )
    out = {k: finding.get(k) for k in keep}
    out["detected_on"] = str(finding["detected_on"])
    out["decisions"] = [
        {
            "decision_id": d["decision_id"],
            "action": d["action"],
            "kind": d["kind"],
            "by": d["username"],
            "at": str(d["created_at"]),
            "after": (d["payload"] or {}).get("after"),
        }
        for d in history(ctx(request).engine, flag_id)
    ]
    return JSONResponse(out)


@router.post("/cases/{flag_id}/decide")
def decide(
    request: Request,
    flag_id: str,
    action: str = Form(...),
    dwelling: str = Form(""),
    reason: str = Form(""),
    note: str = Form(""),
    assignee: str = Form(""),
    due: str = Form(""),
    records: list[str] = Form([]),
    client_token: str = Form(""),
    evidence_hash: str = Form(""),
    go_next: str = Form(""),
    sess: Session = Depends(deciding_session),
    snap: Snapshot = Depends(snapshot),
) -> Response:
    c = ctx(request)
    user = sess.user
    # A re-sent form (double click, retry after a dropped connection) answers with the decision
    # already stored, even if the finding has since been closed by a newer published file.
    earlier = by_client_token(c.engine, client_token)
    if earlier is not None:
        if earlier["flag_id"] != flag_id or earlier["user_id"] != user.user_id:
            raise bad_request("表单编号与该线索不符。", "请刷新页面后重新操作。")
        return RedirectResponse(
            f"/cases/{flag_id}?{urlencode({'saved': earlier['decision_id']})}", status_code=303
        )
    finding = _finding(snap, request, user, flag_id)
    if action == "assign" and not user.can_reassign:
        raise forbidden("指派审核人（仅审核主管可以指派）")
    if evidence_hash and evidence_hash != finding["evidence_hash"]:
        raise bad_request(
            "该线索的证据在您打开页面后已更新（夜间比对发布了新结果）。",
            "请刷新页面，查看最新证据后再作决定。",
        )
    found = lookup_dwellings(snap, [dwelling.strip()]) if dwelling.strip() else []
    d = build_decision(
        finding,
        action,
        {"reason": reason, "note": note, "assignee": assignee, "due": due, "records": records},
        dwelling=found[0] if found else None,
    )
    decision_id = store(c.engine, d, user.user_id, client_token)
    if go_next and action not in ("note", "field_visit", "assign"):
        nxt = _next_case(snap, request, user, finding)
        if nxt:
            return RedirectResponse(f"/cases/{nxt}?{urlencode({'saved': decision_id})}", status_code=303)
    return RedirectResponse(f"/cases/{flag_id}?{urlencode({'saved': decision_id})}", status_code=303)


@router.post("/cases/{flag_id}/assign")
def assign(
    request: Request,
    flag_id: str,
    assignee: str = Form(...),
    client_token: str = Form(""),
    sess: Session = Depends(csrf_session),
    snap: Snapshot = Depends(snapshot),
) -> Response:
    """Supervisors (and admins) reassign a finding to a reviewer."""
    user = sess.user
    if not user.can_reassign:
        raise forbidden("指派审核人（仅审核主管可以指派）")
    finding = _finding(snap, request, user, flag_id)
    names = {r["username"] for r in _reviewers_for(request, finding)}
    if assignee not in names:
        raise bad_request(f"“{assignee}”不是负责该辖区的审核员。", "请从下拉列表中选择审核员。")
    d = build_decision(finding, "assign", {"assignee": assignee})
    decision_id = store(ctx(request).engine, d, user.user_id, client_token)
    return RedirectResponse(f"/cases/{flag_id}?{urlencode({'saved': decision_id})}", status_code=303)


@router.post("/cases/{flag_id}/reveal")
def reveal(
    request: Request, flag_id: str, sess: Session = Depends(csrf_session), snap: Snapshot = Depends(snapshot)
) -> Response:
    """Show the unmasked ID numbers and phones of one case for 10 minutes; audited."""
    c = ctx(request)
    user = sess.user
    if not user.can_reveal:
        raise forbidden("查看未脱敏的个人信息（分析员只能看到脱敏数据）")
    _finding(snap, request, user, flag_id)
    c.sessions.grant_reveal(sess, flag_id)
    audit(
        c.engine,
        user_id=user.user_id,
        action="reveal",
        target=flag_id,
        client=client_of(request),
        detail={"fields": ["id_number", "phone"]},
    )
    return RedirectResponse(f"/cases/{flag_id}", status_code=303)


@router.get("/api/addresses")
def address_search(
    request: Request,
    q: str = "",
    sess: Session = Depends(current_session),
    snap: Snapshot = Depends(snapshot),
) -> Response:
    if not sess.user.can_decide:
        raise forbidden("标准地址检索（仅处理线索的角色可用）")
    return JSONResponse({"q": q, "results": search_dwellings(snap, q[:100])})
