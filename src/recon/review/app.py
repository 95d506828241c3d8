"""The review web app: `create_app(db_path, ops_url)` wires the routers of this package.

Each router lives in its own module; a new one (e.g. `routes_quarterly.router`) is added to
ROUTERS below with one line.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from recon.review import labels
from recon.review.accounts import LoginThrottle
from recon.review.deps import AppContext
from recon.review.errors import install_error_handlers
from recon.review.findings_index import prepare_snapshot
from recon.review.kpi_history import remember_kpis
from recon.review.masking import mask_id, mask_name, mask_phone
from recon.review.sessions import SessionStore
from recon.warehouse.ops_store import open_store
from recon.warehouse.published import PublishedFile, Snapshot

log = logging.getLogger("recon.review")
HERE = Path(__file__).parent


def _routers() -> list:
    from recon.review import (
        routes_admin,
        routes_auth,
        routes_case,
        routes_dashboard,
        routes_export,
        routes_quarterly,
        routes_queue,
    )

    return [
        routes_auth.router,
        routes_queue.router,
        routes_case.router,
        routes_dashboard.router,
        routes_export.router,
        routes_admin.router,
        routes_quarterly.router,
    ]


def default_ops_url(db_path: Path) -> str:
    return f"sqlite:///{(Path(db_path).parent / 'ops.sqlite').resolve()}"


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.globals.update(L=labels, t=labels.t)
    env.filters.update(mask_id=mask_id, mask_phone=mask_phone, mask_name=mask_name)
    env.filters["pct"] = lambda v: "—" if v is None else f"{float(v):.1%}"
    env.filters["num"] = lambda v: "—" if v is None else f"{int(v):,}"
    env.filters["d"] = lambda v: "—" if v in (None, "") else str(v)[:10]
    env.filters["dt"] = lambda v: "—" if v in (None, "") else str(v)[:16].replace("T", " ")
    return templates


def create_app(
    db_path: Path | str,
    ops_url: str | None = None,
    *,
    secure_cookies: bool = False,
    check_every: float = 0.2,
) -> FastAPI:
    """The review app over a published DuckDB file (read-only) and an operational store.

    secure_cookies: mark the session cookie Secure (set it when served over HTTPS).
    check_every: how often (seconds) to look whether the nightly run published a new file.
    """
    db_path = Path(db_path)
    engine = open_store(ops_url or default_ops_url(db_path))

    def prepare(snap: Snapshot) -> None:
        prepare_snapshot(snap, engine)
        remember_kpis(snap, engine)

    app = FastAPI(title="流动人口登记核查", docs_url=None, redoc_url=None, openapi_url=None)
    templates = make_templates()
    app.state.templates = templates
    app.state.ctx = AppContext(
        db_path=db_path,
        engine=engine,
        published=PublishedFile(db_path, prepare=prepare, check_every=check_every),
        sessions=SessionStore(engine),
        throttle=LoginThrottle(),
        templates=templates,
        secure_cookies=secure_cookies,
    )
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for r in _routers():
        app.include_router(r)

    @app.middleware("http")
    async def security_headers(request: Request, call_next) -> Response:  # noqa: ANN001
        response = await call_next(request)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        if request.url.path.startswith(("/cases", "/api", "/export")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.on_event("shutdown")
    def _close() -> None:
        app.state.ctx.published.close()
        engine.dispose()

    return app
