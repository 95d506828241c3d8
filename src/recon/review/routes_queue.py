"""Queues: one per finding type, filtered, sorted, paginated, counted; bulk actions on a selection."""

from __future__ import annotations

import json
import math
import uuid
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from recon.review import findings_index as fx
from recon.review.case_data import lookup_dwellings
from recon.review.decisions import build_decision, store
from recon.review.deps import ctx, current_session, deciding_session, snapshot
from recon.review.errors import ReviewError, bad_request, forbidden, not_found
from recon.review.labels import FLAG_TYPES
from recon.review.masking import mask_name
from recon.review.sessions import Session
from recon.warehouse.ops_store import audit
from recon.warehouse.published import Snapshot

router = APIRouter()

BULK_LIMIT = 1000
BULK_ACTIONS = ("dismiss", "field_visit", "confirm", "accept_suggested", "assign")


def _filter(
    flag_type: str,
    street: str = "",
    community: str = "",
    station: str = "",
    reason: str = "",
    age: str = "",
    status: str = "open",
    assigned: str = "",
    sort: str = "age",
    page: int = 1,
    size: int = 50,
) -> fx.QueueFilter:
    if flag_type not in FLAG_TYPES:
        raise not_found("队列")
    return fx.QueueFilter(
        flag_type, street, community, station, reason, age, status, assigned, sort, page, size
    ).normalized()


def _rows_for(user, rows: list[dict]) -> list[dict]:  # noqa: ANN001
    if user.masks_names:
        return [{**r, "person_name": mask_name(r.get("person_name"))} for r in rows]
    return rows


@router.get("/queue/{flag_type}")
def queue(
    request: Request,
    f: fx.QueueFilter = Depends(_filter),
    sess: Session = Depends(current_session),
    snap: Snapshot = Depends(snapshot),
) -> Response:
    c = ctx(request)
    page = fx.queue_page(snap, c.engine, sess.user, f)
    pages = max(1, math.ceil(page["total"] / f.size))
    return c.templates.TemplateResponse(
        request,
        "queue.html",
        {
            "user": sess.user,
            "csrf": sess.csrf_token,
            "f": f,
            "rows": _rows_for(sess.user, page["rows"]),
            "total": page["total"],
            "pages": pages,
            "tabs": page["tabs"],
            "facets": fx.facets(snap, sess.user),
            "sorts": fx.SORT_NAMES,
            "sizes": fx.PAGE_SIZES,
            "run": snap.cache.get("run"),
            "bulk_token": uuid.uuid4().hex,
            "bulk_limit": BULK_LIMIT,
        },
    )


@router.get("/api/queue/{flag_type}")
def queue_json(
    request: Request,
    f: fx.QueueFilter = Depends(_filter),
    sess: Session = Depends(current_session),
    snap: Snapshot = Depends(snapshot),
) -> Response:
    page = fx.queue_page(snap, ctx(request).engine, sess.user, f)
    rows = [
        {k: (str(v) if k in ("detected_on",) and v is not None else v) for k, v in r.items()}
        for r in _rows_for(sess.user, page["rows"])
    ]
    return JSONResponse(
        {"total": page["total"], "page": f.page, "size": f.size, "counts": page["tabs"], "rows": rows}
    )


@router.post("/queue/{flag_type}/bulk")
def bulk(
    request: Request,
    f: fx.QueueFilter = Depends(_filter),
    bulk_action: str = Form(...),
    scope: str = Form("selected"),  # selected / all
    selected: list[str] = Form([]),
    reason: str = Form(""),
    assignee: str = Form(""),
    note: str = Form(""),
    bulk_token: str = Form(""),
    sess: Session = Depends(deciding_session),
    snap: Snapshot = Depends(snapshot),
) -> Response:
    """Apply one action to the checked findings, or to every finding matching the filter."""
    c = ctx(request)
    user = sess.user
    if bulk_action not in BULK_ACTIONS:
        raise bad_request("未知的批量操作。", "请从批量操作菜单中选择。")
    if bulk_action == "assign" and not user.can_reassign:
        raise forbidden("指派审核人（仅审核主管可以指派）")
    if bulk_action == "assign":
        from recon.review.accounts import list_users

        known = {
            u["username"]
            for u in list_users(c.engine)
            if u["role"] in ("reviewer", "supervisor") and not u["disabled"]
        }
        if assignee.strip() not in known:
            raise bad_request(
                f"“{assignee}”不是有效的审核员账号。", "请填写审核员的用户名（见管理员的账号列表）。"
            )
    if scope == "all":
        rows = fx.selection_ids(snap, c.engine, user, f, BULK_LIMIT)
        targets = [r["flag_id"] for r in rows]
    else:
        targets = list(dict.fromkeys(selected))[:BULK_LIMIT]
    if not targets:
        raise bad_request("没有选中任何线索。", "请先勾选线索，或选择“当前筛选的全部线索”。")
    findings = {r["flag_id"]: r for r in fx.finding_rows(snap, targets)}
    refused = [t for t in targets if t not in findings or not user.may_see(findings[t])]
    if refused:
        raise forbidden(f"所选线索中的 {len(refused)} 条（不在您的辖区范围内）")
    token = bulk_token or uuid.uuid4().hex
    done = skipped = 0
    for flag_id in targets:
        finding = findings[flag_id]
        action, form, dwelling = bulk_action, {"reason": reason, "assignee": assignee, "note": note}, None
        if bulk_action == "accept_suggested":
            ev = json.loads(finding["evidence"] or "{}")
            code = ev.get("current_dwelling") or ev.get("registry_dwelling")
            found = (
                lookup_dwellings(snap, [code])
                if code and finding["flag_type"] == "address_inaccurate"
                else []
            )
            if not found:
                skipped += 1
                continue
            action, dwelling = "correct_address", found[0]
        try:
            d = build_decision(finding, action, form, dwelling=dwelling)
        except ReviewError:
            if bulk_action in ("accept_suggested", "confirm"):
                skipped += 1
                continue
            raise
        store(c.engine, d, user.user_id, f"{token}:{flag_id}")
        done += 1
    audit(
        c.engine,
        user_id=user.user_id,
        action="bulk_decision",
        target=f.flag_type,
        detail={"action": bulk_action, "count": done, "skipped": skipped, "scope": scope},
    )
    args = urlencode({**f.query_args(page=1), "done": done, "skipped": skipped})
    return RedirectResponse(f"/queue/{f.flag_type}?{args}", status_code=303)
