"""Sessions, CSRF, login throttling and lockout, masking, and the one error shape."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from tests.review.conftest import PASSWORD, csrf_of, form_token, login, new_client

from recon.review.masking import mask_id, mask_name, mask_phone, mask_text
from recon.warehouse.ops_store import audit_events, decisions, sessions

ID = "330114199001011234"


def _count(engine, table) -> int:  # noqa: ANN001
    with engine.connect() as con:
        return int(con.execute(select(func.count()).select_from(table)).scalar_one())


def test_masking_rules():
    cases = [
        (mask_id(ID), "330114********1234"),
        (mask_id("33011419900101123X"), "330114********123X"),
        (mask_phone("13812345678"), "138****5678"),
        (mask_name("欧阳娜娜"), "欧***"),
        (
            mask_text(f"证件 {ID}，电话 13812345678，登记编号 330114202509060001839"),
            "证件 330114********1234，电话 138****5678，登记编号 330114202509060001839",
        ),
        (mask_id(None), None),
    ]
    bad = [(got, want) for got, want in cases if got != want]
    assert not bad, bad


def test_session_cookie_is_signed_httponly_samesite(env):
    c = new_client(env.app)
    resp = login(c, "reviewer", PASSWORD)
    assert resp.status_code == 303
    cookie = resp.headers["set-cookie"]
    assert (
        "recon_session=" in cookie
        and "HttpOnly" in cookie
        and "SameSite=strict" in cookie.replace("Strict", "strict")
    )
    value = re.search(r"recon_session=([^;]+)", cookie).group(1)
    # a tampered cookie is no session
    forged = new_client(env.app)
    forged.cookies.set("recon_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert forged.get("/queue/address_inaccurate").status_code == 303
    assert c.get("/queue/address_inaccurate").status_code == 200


def test_session_expires_and_disabled_account_loses_it(env):
    from recon.review.accounts import set_disabled

    c = env.client("reviewer")
    assert c.get("/dashboard").status_code == 200
    with env.engine.connect() as con:
        sid = con.execute(select(sessions.c.session_id).order_by(sessions.c.created_at.desc())).first()[0]
    env.app.state.ctx.sessions.expire_now(sid)
    assert c.get("/dashboard").status_code == 303  # idle too long → login again
    c2 = env.client("supervisor")
    assert c2.get("/dashboard").status_code == 200
    set_disabled(env.engine, "supervisor")
    assert c2.get("/api/queue/address_inaccurate").status_code == 401


def test_csrf_refused_without_or_with_wrong_token(env):
    c = env.client("reviewer")
    flag = env.world.flag_a
    before = _count(env.engine, decisions)
    for data in ({"action": "note", "note": "x"}, {"action": "note", "note": "x", "csrf_token": "forged"}):
        resp = c.post(f"/cases/{flag}/decide", data=data)
        assert resp.status_code == 403 and "安全校验未通过" in resp.text
    resp = c.post(
        f"/cases/{flag}/decide", data={"action": "note", "note": "x"}, headers={"accept": "application/json"}
    )
    assert resp.json()["error"]["code"] == "csrf_failed"
    assert _count(env.engine, decisions) == before
    # the same form with the session's token goes through
    ok = c.post(f"/cases/{flag}/decide", data={"action": "note", "note": "有效", "csrf_token": csrf_of(c)})
    assert ok.status_code == 303 and _count(env.engine, decisions) == before + 1
    # another user's token is not this session's
    other = csrf_of(env.client("admin"))
    assert (
        c.post(f"/cases/{flag}/decide", data={"action": "note", "note": "x", "csrf_token": other}).status_code
        == 403
    )
    # logging in needs the login form's own token
    anon = new_client(env.app)
    resp = anon.post("/login", data={"username": "reviewer", "password": PASSWORD, "csrf_token": "nope"})
    assert resp.status_code == 403 and "recon_session" not in resp.headers.get("set-cookie", "")


def test_login_lockout_after_five_failures(env):
    c = new_client(env.app)
    codes = [login(c, "analyst", "wrong-password-1").status_code for _ in range(5)]
    assert codes == [401, 401, 401, 401, 423]
    resp = login(c, "analyst", PASSWORD)  # the right password is refused while locked
    assert resp.status_code == 423 and "账号已锁定" in resp.text and "分钟后再试" in resp.text
    from recon.review.accounts import reset_password

    reset_password(env.engine, "analyst", PASSWORD)  # an admin's reset unlocks
    assert login(c, "analyst", PASSWORD).status_code == 303
    with env.engine.connect() as con:
        failed = con.execute(select(func.count()).where(audit_events.c.action == "login_failed")).scalar_one()
    assert failed == 6


def test_client_throttled_after_many_failures(env):
    c = new_client(env.app)
    throttle = env.app.state.ctx.throttle
    throttle.max_failures = 4  # the default (20) works the same way, only slower to reach
    names = [f"nobody{i}" for i in range(throttle.max_failures)]
    assert all(login(c, n, "x" * 12).status_code == 401 for n in names)
    resp = login(c, "admin", PASSWORD)  # even a good password waits: this client is throttled
    assert resp.status_code == 429 and "登录失败次数过多" in resp.text


def test_analyst_sees_masked_data_and_cannot_reveal(env):
    import duckdb

    con = duckdb.connect(str(env.db), read_only=True)
    name, id_number, phone = con.execute(
        "SELECT r.name, r.id_number, r.phone FROM flag f JOIN current_police_registry r ON r.record_id = f.record_id "
        "WHERE f.flag_id = ?",
        [env.world.flag_a],
    ).fetchone()
    con.close()
    a = env.client("analyst")
    page = a.get(f"/cases/{env.world.flag_a}").text
    assert id_number and id_number not in page and mask_id(id_number) in page
    if phone:
        assert phone not in page
    assert name not in page and mask_name(name) in page
    queue = a.get("/api/queue/address_inaccurate?size=100").json()
    assert queue["rows"] and all(
        r["person_name"] is None or r["person_name"].endswith("*") for r in queue["rows"]
    )
    assert a.post(f"/cases/{env.world.flag_a}/reveal", data={"csrf_token": csrf_of(a)}).status_code == 403
    assert a.get("/export/corrections.csv").status_code == 403


def test_reviewer_reveal_is_audited_and_unmasks(env):
    import duckdb

    con = duckdb.connect(str(env.db), read_only=True)
    id_number = con.execute(
        "SELECT r.id_number FROM flag f JOIN current_police_registry r ON r.record_id = f.record_id WHERE f.flag_id = ?",
        [env.world.flag_a],
    ).fetchone()[0]
    con.close()
    c = env.client("reviewer")
    assert id_number not in c.get(f"/cases/{env.world.flag_a}").text  # masked by default
    assert c.post(f"/cases/{env.world.flag_a}/reveal", data={"csrf_token": csrf_of(c)}).status_code == 303
    assert id_number in c.get(f"/cases/{env.world.flag_a}").text
    with env.engine.connect() as con:
        actions = [
            r[0]
            for r in con.execute(
                select(audit_events.c.action).where(audit_events.c.target == env.world.flag_a)
            )
        ]
    assert "reveal" in actions and "view_unmasked" in actions


def test_one_error_shape_in_chinese(env):
    c = env.client("reviewer")
    for path in ("/no/such/page", "/queue/no_such_type", "/cases/F0000000000000"):
        html = c.get(path)
        assert html.status_code == 404 and "怎么办" in html.text and 'data-code="not_found"' in html.text
        js = c.get(path, headers={"accept": "application/json"}).json()["error"]
        assert js["status"] == 404 and js["code"] == "not_found" and js["message"] and js["what_to_do"]
    bad = c.post(
        f"/cases/{env.world.flag_a}/decide",
        data={"action": "dismiss", "csrf_token": csrf_of(c)},
        headers={"accept": "application/json"},
    ).json()["error"]
    assert bad["status"] == 400 and "驳回理由" in bad["message"]
    missing = c.get("/api/queue/address_inaccurate?page=abc").json()["error"]
    assert missing["code"] == "invalid_input" and "page" in missing["message"]
    token = form_token(c.get("/dashboard").text)
    assert token  # every page carries the session's token for its forms
