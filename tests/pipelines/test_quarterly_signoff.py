"""Sign-off of a quarterly statement in the review app, in a real browser (Debian's Chromium via
Playwright) against the app on a real HTTP server: community staff resolve an item and confirm;
the police station sees the confirmation; a second confirmation of the frozen quarter is refused
with a clear Chinese message; everything is in the audit log."""

from __future__ import annotations

import shutil
import socket
import threading
import time

import pytest

QUARTER = "2026Q3"
PASSWORD = "correct-horse-battery"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(quarterly_published, two_rosters, tmp_path_factory):
    import polars as pl
    import uvicorn

    from recon.pipelines.quarterly_run import run_quarterly
    from recon.review.accounts import add_user
    from recon.review.app import create_app
    from recon.warehouse.ops_store import open_store

    work, inp, db = quarterly_published
    here = tmp_path_factory.mktemp("signoff")
    ops = f"sqlite:///{here / 'ops.sqlite'}"
    result = run_quarterly(QUARTER, two_rosters, db, here / "quarterly", ops_url=ops)
    summary = pl.read_parquet(result.folder / "statement_summary.parquet").sort("community")
    row = summary.filter(pl.col("信息不一致") > 0).row(0, named=True)
    engine = open_store(ops)
    add_user(engine, "shequ", PASSWORD, "community", display_name="社区甲", communities=[row["community"]])
    add_user(
        engine, "paichusuo", PASSWORD, "reviewer", display_name="民警甲", stations=[row["police_station"]]
    )
    add_user(engine, "other", PASSWORD, "community", display_name="社区乙", communities=["不存在社区"])
    app = create_app(db, ops)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", row, engine, result
    srv.should_exit = True
    th.join(10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def _login(browser, base: str, user: str):  # noqa: ANN001, ANN202
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return context, page


def test_community_confirms_police_sees_second_confirmation_refused(server, browser):
    base, row, engine, _ = server
    community = row["community"]
    ctx, page = _login(browser, base, "shequ")
    page.goto(f"{base}/quarterly?quarter={QUARTER}")
    cells = page.locator(f"#quarterly-status tr[data-community='{community}'] td.confirm-community")
    assert cells.inner_text() == "未确认"
    assert page.locator("#quarterly-status tbody tr").count() == 1  # only the user's own community

    page.click(f"#quarterly-status a:text('{community}')")
    page.wait_for_selector("#items")
    assert "信息不一致" in page.locator("nav.tabs a.on").inner_text()
    stale = ctx.new_page()  # the same statement open in a second tab, before confirming
    stale.goto(page.url)

    first = page.locator("#items tbody tr").first
    item_id = first.get_attribute("data-item")
    first.locator("input[name=note]").fill("已上门核实,底册已更正")
    first.locator("button:text('标记已处理')").click()
    page.wait_for_selector("#msg")
    assert (
        "已处理：已上门核实" in page.locator(f"#items tr[data-item='{item_id}'] td.resolution").inner_text()
    )

    page.fill("#confirm-form input[name=note]", "本季度对账完成")
    page.click("#confirm")
    page.wait_for_selector("#frozen")
    assert page.locator("#msg").inner_text() == "已确认对账单。"
    assert "已确认（v1" in page.locator("td.signoff-community").inner_text()
    assert page.locator("#confirm").count() == 0  # no confirm button on a frozen statement

    stale.click("#confirm")  # the second confirmation, from the stale tab
    stale.wait_for_load_state()
    text = stale.locator("main").inner_text()
    assert "已冻结" in text and "不能再次确认" in text and community in text
    ctx.close()

    pctx, police = _login(browser, base, "paichusuo")
    police.goto(f"{base}/quarterly?quarter={QUARTER}")
    status = police.locator(f"#quarterly-status tr[data-community='{community}']")
    assert "已确认（v1" in status.locator("td.confirm-community").inner_text()
    assert status.locator("td.confirm-collector").inner_text() == "未确认"
    assert int(status.locator("td").nth(8).inner_text()) == 1  # one item resolved
    police.click(f"#quarterly-status a:text('{community}')")
    police.click("#confirm")  # the station's collector confirms its side once
    police.wait_for_selector("#msg")
    assert "已确认（v1" in police.locator("td.signoff-collector").inner_text()
    pctx.close()

    with engine.connect() as con:
        actions = [r[0] for r in con.exec_driver_sql("SELECT action FROM audit_events ORDER BY event_id")]
    for action in ("quarterly:view", "quarterly:resolve", "quarterly:confirm", "quarterly:confirm_refused"):
        assert action in actions, action
    assert actions.count("quarterly:confirm") == 2


def test_out_of_scope_and_csrf(server):
    """Over plain HTTP: another community's user cannot open the statement; a form without the
    CSRF token is refused."""
    import httpx

    base, row, _, _ = server
    with httpx.Client(base_url=base, follow_redirects=False) as c:
        page = c.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        c.post("/login", data={"username": "other", "password": PASSWORD, "csrf_token": token, "next": "/"})
        r = c.get(f"/quarterly/{QUARTER}/{row['community']}")
        assert r.status_code == 403 and "无权" in r.text
        r = c.post(f"/quarterly/{QUARTER}/{row['community']}/confirm", data={"version": "1"})
        assert r.status_code == 403 and "安全校验" in r.text
        r = c.get(f"/quarterly?quarter={QUARTER}")
        assert r.status_code == 200 and row["community"] not in r.text
