"""What every route needs: the app context, the signed-in user, CSRF checks, the published file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fastapi import Depends, Form, Header, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine

from recon.review.accounts import LoginThrottle
from recon.review.errors import LoginRequired, ReviewError, forbidden
from recon.review.sessions import COOKIE, Session, SessionStore, csrf_ok
from recon.warehouse.gateway import WarehouseError
from recon.warehouse.ops_store import audit
from recon.warehouse.published import NotPublishedError, PublishedFile, Snapshot


@dataclass
class AppContext:
    db_path: Path
    engine: Engine
    published: PublishedFile
    sessions: SessionStore
    throttle: LoginThrottle
    templates: Jinja2Templates
    secure_cookies: bool = False


def ctx(request: Request) -> AppContext:
    return request.app.state.ctx


def client_of(request: Request) -> str:
    return request.client.host if request.client else "-"


def current_session(request: Request) -> Session:
    """The signed-in user's session (401 → the login page for browsers)."""
    c = ctx(request)
    sess = c.sessions.load(request.cookies.get(COOKIE))
    if sess is None:
        raise LoginRequired()
    request.state.user = sess.user
    request.state.csrf = sess.csrf_token
    return sess


def csrf_session(
    request: Request,
    sess: Session = Depends(current_session),
    csrf_token: str = Form(""),
    x_csrf_token: str = Header(""),
) -> Session:
    """For state-changing requests: the form's (or header's) CSRF token must be the session's."""
    if not csrf_ok(sess, csrf_token or x_csrf_token):
        audit(
            ctx(request).engine,
            user_id=sess.user.user_id,
            action="csrf_refused",
            target=request.url.path,
            client=client_of(request),
        )
        raise ReviewError(
            403,
            "csrf_failed",
            "表单已失效（安全校验未通过），操作未执行。",
            "请刷新页面后重新操作；不要从其他网站或旧页面提交表单。",
        )
    return sess


def deciding_session(sess: Session = Depends(csrf_session)) -> Session:
    if not sess.user.can_decide:
        raise forbidden("处理线索（您的角色为只读）")
    return sess


def snapshot(request: Request) -> Iterator[Snapshot]:
    try:
        with ctx(request).published.snapshot() as snap:
            yield snap
    except NotPublishedError:
        raise ReviewError(
            503,
            "not_published",
            "尚无发布的比对结果文件。",
            "请先运行夜间比对（recon nightly）生成结果，再刷新本页。",
        ) from None
    except WarehouseError as e:
        raise ReviewError(
            503, "data_unavailable", "比对结果文件暂时无法读取。", "请稍后刷新；持续出现请联系数据组。"
        ) from e
