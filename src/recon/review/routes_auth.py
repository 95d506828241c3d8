"""Login (throttled, CSRF-protected even before a session exists), logout, the front door."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from recon.review.accounts import LoginRefused, authenticate
from recon.review.deps import client_of, csrf_session, ctx
from recon.review.errors import ReviewError
from recon.review.sessions import COOKIE, PRELOGIN_COOKIE, Session
from recon.warehouse.ops_store import audit

router = APIRouter()


def _safe_next(target: str | None) -> str:
    # only local paths: never redirect to another site after login
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_page(
    request: Request, *, error: ReviewError | None = None, next_url: str = "/", username: str = ""
) -> Response:
    c = ctx(request)
    cookie, token = c.sessions.login_token()
    resp = c.templates.TemplateResponse(
        request,
        "login.html",
        {"error": error, "token": token, "next": _safe_next(next_url), "username": username, "user": None},
        status_code=error.status if error else 200,
    )
    resp.set_cookie(
        PRELOGIN_COOKIE,
        cookie,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=c.secure_cookies,
        path="/login",
    )
    return resp


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:  # noqa: A002
    return _login_page(request, next_url=next)


@router.post("/login")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/"),  # noqa: A002
) -> Response:
    c = ctx(request)
    client = client_of(request)
    username = username.strip()
    if not c.sessions.check_login_token(request.cookies.get(PRELOGIN_COOKIE), csrf_token):
        err = ReviewError(
            403, "csrf_failed", "登录表单已失效（安全校验未通过）。", "请刷新登录页后重新输入用户名和密码。"
        )
        return _login_page(request, error=err, next_url=next, username=username)
    if c.throttle.blocked(client):
        audit(c.engine, user_id=None, action="login_throttled", target=username[:200], client=client)
        err = ReviewError(
            429,
            "too_many_attempts",
            "本机登录失败次数过多，已暂停登录。",
            "请 10 分钟后再试，或联系系统管理员。",
        )
        return _login_page(request, error=err, next_url=next, username=username)
    try:
        user = authenticate(c.engine, username, password)
    except LoginRefused as e:
        c.throttle.failed(client)
        audit(
            c.engine,
            user_id=None,
            action="login_failed",
            target=username[:200],
            detail={"code": e.code},
            client=client,
        )
        status = 423 if e.code == "account_locked" else 401
        return _login_page(
            request,
            error=ReviewError(status, e.code, e.message, e.what_to_do),
            next_url=next,
            username=username,
        )
    cookie, _csrf = c.sessions.create(user, client)
    audit(c.engine, user_id=user.user_id, action="login", client=client)
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(
        COOKIE,
        cookie,
        max_age=int(c.sessions.absolute.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=c.secure_cookies,
        path="/",
    )
    resp.delete_cookie(PRELOGIN_COOKIE, path="/login")
    return resp


@router.post("/logout")
def logout(request: Request, sess: Session = Depends(csrf_session)) -> Response:
    c = ctx(request)
    c.sessions.revoke(sess.session_id)
    audit(c.engine, user_id=sess.user.user_id, action="logout", client=client_of(request))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/")
    return resp


@router.get("/")
def home() -> Response:
    return RedirectResponse("/queue/address_inaccurate", status_code=303)
