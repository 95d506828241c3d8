"""The app follows the nightly swap: a new file replaced with os.replace is picked up, the old
one is released when its last request ends, and a broken file never replaces a good one."""

from __future__ import annotations

import os
import shutil

from recon.warehouse.gateway import Warehouse
from recon.warehouse.published import file_signature


def _open_total(env) -> int:  # noqa: ANN001
    return env.client("admin").get("/api/queue/address_inaccurate").json()["total"]


def _next_file(env, tmp_path, sql: str):  # noqa: ANN001
    """What a nightly run does: build beside the published file, close, os.replace over it."""
    build = tmp_path / "recon.duckdb.build-test"
    shutil.copyfile(env.db, build)
    with Warehouse(build) as wh:
        wh.execute(sql)
    os.replace(build, env.db)


def test_swapped_file_is_picked_up(env, tmp_path):
    pf = env.app.state.ctx.published
    before = _open_total(env)
    old_sig = file_signature(env.db)
    with pf.snapshot() as held:  # a request in flight on the old file does not block the rename
        _next_file(
            env,
            tmp_path,
            "DELETE FROM flag WHERE flag_id IN (SELECT flag_id FROM flag WHERE flag_type = 'address_inaccurate' "
            "AND status = 'open' ORDER BY flag_id LIMIT 5)",
        )
        assert held.signature == old_sig
        assert held.scalar("SELECT count(*) FROM q WHERE flag_type = 'address_inaccurate'") >= before
    new = pf.wait_for(lambda s: s.signature == file_signature(env.db), timeout=60)
    assert held._closed  # the old snapshot is released once nobody uses it
    assert new.signature != old_sig
    assert _open_total(env) == before - 5
    # decisions stored before the swap still count in the new file's queue
    c = env.client("reviewer")
    flag = env.world.flag_a
    still = c.get(f"/api/cases/{flag}")
    if still.status_code == 200:  # flag_a may have been one of the five removed
        from tests.review.conftest import csrf_of

        c.post(
            f"/cases/{flag}/decide", data={"action": "dismiss", "reason": "测试", "csrf_token": csrf_of(c)}
        )
        _next_file(env, tmp_path, "UPDATE run SET status = status")
        pf.wait_for(lambda s: s.signature == file_signature(env.db), timeout=60)
        assert c.get(f"/api/cases/{flag}").json()["eff_status"] == "dismissed"


def test_broken_new_file_keeps_the_old_one(env, tmp_path):
    pf = env.app.state.ctx.published
    before = _open_total(env)
    junk = tmp_path / "junk"
    junk.write_bytes(b"this is not a duckdb file" * 1000)
    os.replace(junk, env.db)
    import time

    deadline = time.time() + 30
    while pf.failures == 0 and time.time() < deadline:
        _open_total(env)
        time.sleep(0.1)
    assert pf.failures >= 1
    assert _open_total(env) == before  # still serving the last good file


def test_no_published_file_yet_says_what_to_do(tmp_path):
    from tests.review.conftest import add_accounts, new_client  # noqa: F401

    from recon.review.app import create_app

    app = create_app(tmp_path / "missing.duckdb", f"sqlite:///{tmp_path / 'ops.sqlite'}")
    from recon.review.accounts import add_user

    add_user(app.state.ctx.engine, "admin", "correct-horse-battery", "admin")
    from tests.review.conftest import login

    c = new_client(app)
    login(c, "admin", "correct-horse-battery")
    resp = c.get("/api/queue/address_inaccurate")
    assert resp.status_code == 503
    assert "recon nightly" in resp.json()["error"]["what_to_do"]


def test_each_published_run_adds_to_the_kpi_trend(env, tmp_path):
    from sqlalchemy import func, select

    from recon.warehouse.ops_store import kpi_history

    pf = env.app.state.ctx.published
    c = env.client("analyst")
    assert c.get("/dashboard").status_code == 200

    def runs() -> int:
        with env.engine.connect() as con:
            return con.execute(select(func.count(func.distinct(kpi_history.c.run_id)))).scalar_one()

    assert runs() == 1
    _next_file(
        env,
        tmp_path,
        "INSERT INTO run SELECT * REPLACE (run_id || '-next' AS run_id, as_of + 1 AS as_of, "
        "started_at + INTERVAL 1 DAY AS started_at) FROM run ORDER BY started_at DESC LIMIT 1; "
        "UPDATE kpi SET value = value * 0.9 WHERE level = '区县'",
    )
    pf.wait_for(lambda s: s.signature == file_signature(env.db), timeout=60)
    page = c.get("/dashboard").text
    assert runs() == 2
    assert page.count("<polyline") >= 4  # one trend line per rate, now over two runs


def test_resent_form_after_the_finding_closed_returns_the_stored_decision(env, tmp_path):
    from tests.review.conftest import csrf_of

    c = env.client("reviewer")
    flag = env.world.flag_a
    form = {"action": "note", "note": "测试", "client_token": "resend-1", "csrf_token": csrf_of(c)}
    first = c.post(f"/cases/{flag}/decide", data=form)
    assert first.status_code == 303
    _next_file(env, tmp_path, f"DELETE FROM flag WHERE flag_id = '{flag}'")  # the next night closes it
    env.app.state.ctx.published.wait_for(lambda s: s.signature == file_signature(env.db), timeout=60)
    assert c.get(f"/cases/{flag}").status_code == 404
    again = c.post(f"/cases/{flag}/decide", data=form)  # the retry of a dropped response
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
    other = env.client("reviewer_b")  # another user's form cannot reuse the token
    assert other.post(f"/cases/{flag}/decide", data={**form, "csrf_token": csrf_of(other)}).status_code == 400
