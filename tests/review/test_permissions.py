"""Every role × every route → allowed or refused (Datasette's permission-matrix habit).

A route added to the app without a row here fails `test_matrix_covers_every_route`.
"""

from __future__ import annotations

import pytest
from tests.review.conftest import csrf_of, new_client

ROLES = ["admin", "reviewer", "reviewer_b", "supervisor", "community", "analyst"]
OK, REDIRECT, DENIED = 200, 303, 403

# (method, path template, data builder key, expected per role)
# {own} = an address finding of station A (the reviewer's, in the supervisor's street and the
# community account's community); {other} = one of station B (another street).
MATRIX = [
    ("GET", "/queue/address_inaccurate", None, dict.fromkeys(ROLES, OK)),
    ("GET", "/api/queue/address_inaccurate", None, dict.fromkeys(ROLES, OK)),
    ("GET", "/dashboard", None, dict.fromkeys(ROLES, OK)),
    (
        "GET",
        "/cases/{own}",
        None,
        {"admin": OK, "reviewer": OK, "reviewer_b": DENIED, "supervisor": OK, "community": OK, "analyst": OK},
    ),
    (
        "GET",
        "/cases/{other}",
        None,
        {
            "admin": OK,
            "reviewer": DENIED,
            "reviewer_b": OK,
            "supervisor": DENIED,
            "community": DENIED,
            "analyst": OK,
        },
    ),
    (
        "GET",
        "/api/cases/{own}",
        None,
        {"admin": OK, "reviewer": OK, "reviewer_b": DENIED, "supervisor": OK, "community": OK, "analyst": OK},
    ),
    (
        "GET",
        "/api/cases/{other}",
        None,
        {
            "admin": OK,
            "reviewer": DENIED,
            "reviewer_b": OK,
            "supervisor": DENIED,
            "community": DENIED,
            "analyst": OK,
        },
    ),
    (
        "POST",
        "/cases/{own}/decide",
        "note",
        {
            "admin": REDIRECT,
            "reviewer": REDIRECT,
            "reviewer_b": DENIED,
            "supervisor": REDIRECT,
            "community": DENIED,
            "analyst": DENIED,
        },
    ),
    (
        "POST",
        "/cases/{other}/decide",
        "note",
        {
            "admin": REDIRECT,
            "reviewer": DENIED,
            "reviewer_b": REDIRECT,
            "supervisor": DENIED,
            "community": DENIED,
            "analyst": DENIED,
        },
    ),
    (
        "POST",
        "/cases/{own}/assign",
        "assign",
        {
            "admin": REDIRECT,
            "reviewer": DENIED,
            "reviewer_b": DENIED,
            "supervisor": REDIRECT,
            "community": DENIED,
            "analyst": DENIED,
        },
    ),
    (
        "POST",
        "/cases/{own}/reveal",
        "csrf",
        {
            "admin": REDIRECT,
            "reviewer": REDIRECT,
            "reviewer_b": DENIED,
            "supervisor": REDIRECT,
            "community": REDIRECT,
            "analyst": DENIED,
        },
    ),
    (
        "POST",
        "/queue/address_inaccurate/bulk",
        "bulk_own",
        {
            "admin": REDIRECT,
            "reviewer": REDIRECT,
            "reviewer_b": DENIED,  # the checked finding is another station's
            "supervisor": REDIRECT,
            "community": DENIED,
            "analyst": DENIED,
        },
    ),
    (
        "GET",
        "/api/addresses?q=1",
        None,
        {
            "admin": OK,
            "reviewer": OK,
            "reviewer_b": OK,
            "supervisor": OK,
            "community": DENIED,
            "analyst": DENIED,
        },
    ),
    (
        "GET",
        "/export/corrections.csv",
        None,
        {
            "admin": OK,
            "reviewer": OK,
            "reviewer_b": OK,
            "supervisor": OK,
            "community": DENIED,
            "analyst": DENIED,
        },
    ),
    (
        "GET",
        "/export/corrections.xlsx",
        None,
        {
            "admin": OK,
            "reviewer": OK,
            "reviewer_b": OK,
            "supervisor": OK,
            "community": DENIED,
            "analyst": DENIED,
        },
    ),
    ("GET", "/admin/users", None, {r: (OK if r == "admin" else DENIED) for r in ROLES}),
    ("GET", "/admin/audit", None, {r: (OK if r == "admin" else DENIED) for r in ROLES}),
    ("POST", "/logout", "csrf", dict.fromkeys(ROLES, REDIRECT)),
]
# routers whose own tests hold their permission matrix (the quarterly sign-off of issue #7)
OWN_MATRIX_ELSEWHERE = {"recon.review.routes_quarterly"}
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/"), ("GET", "/static/app.css")}


def _data(kind: str | None, csrf: str, env, flag_id: str) -> dict | None:  # noqa: ANN001
    if kind is None:
        return None
    data = {"csrf_token": csrf}
    if kind == "note":
        data.update(action="note", note="权限矩阵测试备注")
    elif kind == "assign":
        data.update(assignee="reviewer")
    elif kind == "bulk_own":
        data.update(bulk_action="field_visit", scope="selected", selected=[flag_id], assignee="网格员甲")
    return data


def _path(template: str, env) -> tuple[str, str]:  # noqa: ANN001
    own, other = env.world.flag_a, env.world.flag_b
    flag = other if "{other}" in template else own
    return template.format(own=own, other=other), flag


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(module_env, role):
    env = module_env
    failures = []
    for method, template, kind, expected in MATRIX:
        if template == "/logout":
            continue  # run last: it ends the session
        client = env.client(role)
        path, flag = _path(template, env)
        data = _data(kind, csrf_of(client), env, flag)
        resp = client.request(method, path, data=data)
        if resp.status_code != expected[role]:
            failures.append(f"{role} {method} {path}: got {resp.status_code}, want {expected[role]}")
    client = env.client(role)
    resp = client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert resp.status_code == REDIRECT
    assert client.get("/queue/address_inaccurate").status_code == 303  # logged out → to the login page
    env.clients.pop(role)
    assert not failures, "\n".join(failures)


def test_anonymous_is_refused_everywhere(module_env):
    env = module_env
    client = new_client(env.app)
    for method, template, _kind, _ in MATRIX:
        path, _ = _path(template, env)
        resp = client.request(method, path, data={"csrf_token": "x"} if method == "POST" else None)
        if method == "GET" and not path.startswith("/api/"):
            assert resp.status_code == 303 and resp.headers["location"].startswith("/login"), path
        else:
            assert resp.status_code == 401, (method, path, resp.status_code)
            if path.startswith("/api/"):
                assert resp.json()["error"]["code"] == "login_required"


def _flat(routes: list) -> list:
    out = []
    for r in routes:  # FastAPI 0.150 keeps included routers as one route each (no prefixes here)
        out += _flat(r.original_router.routes) if hasattr(r, "original_router") else [r]
    return out


def test_matrix_covers_every_route(module_env):
    env = module_env
    concrete = [(m, _path(t, env)[0].split("?")[0]) for m, t, _, _ in MATRIX] + sorted(PUBLIC)
    missing = []
    for r in _flat(env.app.routes):
        if getattr(getattr(r, "endpoint", None), "__module__", "") in OWN_MATRIX_ELSEWHERE:
            continue
        regex = getattr(r, "path_regex", None)
        for m in getattr(r, "methods", None) or {"GET"}:
            if m == "HEAD":
                continue
            if not any(cm == m and (regex.match(cp) if regex else False) for cm, cp in concrete):
                missing.append((m, r.path))
    assert not missing, f"routes without a permission-matrix row: {missing}"


def test_other_station_case_refusal_is_audited_and_explained(env):
    client = env.client("reviewer")
    resp = client.get(f"/cases/{env.world.flag_b}")
    assert resp.status_code == 403
    assert "不在您的辖区范围内" in resp.text and "怎么办" in resp.text
    api = client.get(f"/api/cases/{env.world.flag_b}")
    assert api.json()["error"]["code"] == "forbidden" and api.json()["error"]["what_to_do"]
    from sqlalchemy import select

    from recon.warehouse.ops_store import audit_events

    with env.engine.connect() as con:
        refused = con.execute(select(audit_events.c.target).where(audit_events.c.action == "refused")).all()
    assert (env.world.flag_b,) in refused
