"""Review-app fixtures: one nightly run of the small synthetic district (real files, DuckDB,
Prefect), then per test a copy of the published file, a fresh operational store with one
account per role, and the app on a real HTTP stack (Starlette's test client)."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from tests.conftest import AS_OF

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    """Where things are in the published test file: two stations, their streets, communities."""

    db: Path
    input_dir: Path
    station_a: str
    station_b: str
    street_a: str
    street_b: str
    community_a: str
    flag_a: str  # an open address_inaccurate finding of station A (in community A)
    flag_b: str  # one of station B


@pytest.fixture(scope="session")
def published(small_district, prefect_harness, tmp_path_factory) -> World:
    """The small district run through the nightly flow once; read-only base for every test."""
    import duckdb

    from recon.pipelines.nightly import nightly_flow

    work = tmp_path_factory.mktemp("review_base")
    inp = work / "input"
    shutil.copytree(small_district / "input", inp)
    db = work / "out" / "recon.duckdb"
    nightly_flow(str(inp), str(db), AS_OF.isoformat(), "330114", f"sqlite:///{work / 'out' / 'ops.sqlite'}")
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        """SELECT r.police_station, s.street, r.community, f.flag_id
           FROM flag f JOIN current_police_registry r ON f.source = 'police_registry' AND r.record_id = f.record_id
           JOIN (SELECT DISTINCT community, street FROM current_standard_address) s ON s.community = r.community
           WHERE f.flag_type = 'address_inaccurate' AND f.status = 'open'
           ORDER BY r.police_station, f.flag_id"""
    ).fetchall()
    con.close()
    by_station: dict[str, tuple] = {}
    for station, street, community, flag in rows:
        by_station.setdefault(station, (station, street, community, flag))
    (sa, ta, ca, fa), (sb, tb, _cb, fb) = [by_station[k] for k in sorted(by_station)[:2]]
    assert ta != tb, "the test district needs two stations in different streets"
    return World(db, inp, sa, sb, ta, tb, ca, fa, fb)


ROLE_SCOPES = {
    "admin": {},
    "reviewer": {"stations": "station_a"},
    "reviewer_b": {"stations": "station_b"},
    "supervisor": {"streets": "street_a"},
    "community": {"communities": "community_a"},
    "analyst": {},
}


@dataclass
class Env:
    world: World
    db: Path
    ops_url: str
    app: object
    engine: object
    clients: dict = field(default_factory=dict)

    def client(self, username: str):  # noqa: ANN201
        """A logged-in test client for one of the accounts (cached per test)."""
        if username not in self.clients:
            c = new_client(self.app)
            login(c, username, PASSWORD)
            self.clients[username] = c
        return self.clients[username]


def new_client(app):  # noqa: ANN001, ANN201
    from fastapi.testclient import TestClient

    return TestClient(app, raise_server_exceptions=False, follow_redirects=False)


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username: str, password: str):  # noqa: ANN001, ANN201
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": form_token(page.text), "next": "/"},
    )


def csrf_of(client) -> str:  # noqa: ANN001
    """The session's CSRF token, as every page's forms carry it."""
    return form_token(client.get("/dashboard").text)


def add_accounts(engine, world: World) -> None:  # noqa: ANN001
    from recon.review.accounts import add_user

    for name, scope in ROLE_SCOPES.items():
        role = "reviewer" if name.startswith("reviewer") else name
        kw = {k: [getattr(world, v)] for k, v in scope.items()}
        add_user(engine, name, PASSWORD, role, display_name=f"测试{name}", **kw)


def _make_env(published: World, folder: Path) -> Env:
    from recon.review.app import create_app

    db = folder / "recon.duckdb"
    shutil.copyfile(published.db, db)
    ops_url = f"sqlite:///{folder / 'ops.sqlite'}"
    app = create_app(db, ops_url, check_every=0.0)
    engine = app.state.ctx.engine
    add_accounts(engine, published)
    return Env(published, db, ops_url, app, engine)


def _close(e: Env) -> None:
    e.app.state.ctx.published.close()
    e.engine.dispose()


@pytest.fixture
def env(published: World, tmp_path) -> Env:
    """A private copy of the published file and a fresh ops store with one account per role."""
    e = _make_env(published, tmp_path)
    yield e
    _close(e)


@pytest.fixture(scope="module")
def module_env(published: World, tmp_path_factory) -> Env:
    """Like `env`, shared by the tests of one module (for read-mostly tests)."""
    e = _make_env(published, tmp_path_factory.mktemp("review_env"))
    yield e
    _close(e)
