"""Admin pages: accounts (read-only here; `recon users` changes them) and the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from recon.review.accounts import ROLES, list_users
from recon.review.deps import ctx, current_session
from recon.review.errors import forbidden
from recon.review.sessions import Session
from recon.warehouse.ops_store import audit_events, users

router = APIRouter()


def _admin(sess: Session = Depends(current_session)) -> Session:
    if not sess.user.is_admin:
        raise forbidden("管理页面（仅系统管理员）")
    return sess


@router.get("/admin/users")
def admin_users(request: Request, sess: Session = Depends(_admin)) -> Response:
    c = ctx(request)
    rows = [{k: v for k, v in u.items() if k != "password_hash"} for u in list_users(c.engine)]
    return c.templates.TemplateResponse(
        request,
        "admin_users.html",
        {"user": sess.user, "csrf": sess.csrf_token, "rows": rows, "roles": ROLES},
    )


@router.get("/admin/audit")
def admin_audit(request: Request, action: str = "", sess: Session = Depends(_admin)) -> Response:
    c = ctx(request)
    stmt = (
        select(audit_events, users.c.username)
        .join(users, users.c.user_id == audit_events.c.user_id, isouter=True)
        .order_by(audit_events.c.event_id.desc())
        .limit(300)
    )
    if action:
        stmt = stmt.where(audit_events.c.action == action)
    with c.engine.connect() as con:
        rows = [dict(r._mapping) for r in con.execute(stmt).all()]
    return c.templates.TemplateResponse(
        request,
        "admin_audit.html",
        {"user": sess.user, "csrf": sess.csrf_token, "rows": rows, "action": action},
    )
