"""Every error in one shape: a page for people, JSON for scripts, in Chinese, saying what to do."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("recon.review")


@dataclass
class ReviewError(Exception):
    """An error the user can act on: status, a stable code, what happened, what to do."""

    status: int
    code: str
    message: str
    what_to_do: str

    def as_json(self) -> dict:
        return {
            "error": {
                "status": self.status,
                "code": self.code,
                "message": self.message,
                "what_to_do": self.what_to_do,
            }
        }


class LoginRequired(ReviewError):
    def __init__(self) -> None:
        super().__init__(401, "login_required", "尚未登录或登录已过期。", "请重新登录后再继续操作。")


def forbidden(what: str = "该页面或操作") -> ReviewError:
    return ReviewError(
        403,
        "forbidden",
        f"您的账号无权访问{what}。",
        "如确需处理，请联系所属派出所的审核主管或系统管理员调整您的权限范围。",
    )


def not_found(what: str = "页面") -> ReviewError:
    return ReviewError(
        404, "not_found", f"找不到该{what}。", "请从工作队列重新进入；如链接来自他人，请确认链接完整。"
    )


def bad_request(message: str, what_to_do: str) -> ReviewError:
    return ReviewError(400, "bad_request", message, what_to_do)


STATUS_TEXT = {
    400: ("bad_request", "请求内容不完整或格式不对。", "请返回上一页检查填写的内容后重新提交。"),
    401: ("login_required", "尚未登录或登录已过期。", "请重新登录后再继续操作。"),
    403: ("forbidden", "您的账号无权执行该操作。", "如确需处理，请联系审核主管或系统管理员。"),
    404: ("not_found", "找不到该页面。", "请从工作队列重新进入。"),
    405: ("method_not_allowed", "不支持该请求方式。", "请通过页面上的按钮操作，不要直接修改地址栏。"),
    429: ("too_many_requests", "操作过于频繁。", "请稍等几分钟后再试。"),
    503: (
        "unavailable",
        "数据暂不可用。",
        "夜间比对结果尚未发布或正在切换，请稍后刷新；持续出现请联系数据组。",
    ),
}


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def render_error(request: Request, err: ReviewError) -> Response:
    if wants_json(request):
        return JSONResponse(err.as_json(), status_code=err.status)
    if err.status == 401 and request.method == "GET":
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "error.html",
        {
            "err": err,
            "user": getattr(request.state, "user", None),
            "csrf": getattr(request.state, "csrf", ""),
        },
        status_code=err.status,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ReviewError)
    async def _review_error(request: Request, exc: ReviewError) -> Response:
        return render_error(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code, message, todo = STATUS_TEXT.get(
            exc.status_code, ("error", "请求未能完成。", "请返回上一页重试；持续出现请联系系统管理员。")
        )
        return render_error(request, ReviewError(exc.status_code, code, message, todo))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        fields = "、".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
        return render_error(
            request,
            ReviewError(
                400,
                "invalid_input",
                f"提交的内容有误（字段：{fields}）。",
                "请返回上一页检查这些字段后重新提交。",
            ),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return render_error(
            request,
            ReviewError(
                500,
                "internal_error",
                "系统内部错误，操作未完成。",
                "请稍后重试；如仍失败，请把出错时间告知系统管理员（错误已记录在日志中）。",
            ),
        )
