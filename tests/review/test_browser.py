"""End to end in real headless Chromium (Debian's `chromium`, driven by Playwright): a reviewer
logs in, opens the address queue, opens a case, corrects the address, sees the decision; the
nightly flow runs again and the decision is kept and the finding not asked again.

Screenshots of the queue, a case and the dashboard are saved to data/out/screenshots/.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from pathlib import Path

import duckdb
import pytest
from tests.conftest import AS_OF
from tests.review.conftest import PASSWORD, add_accounts

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "data" / "out" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Debian chromium is not installed (apt-get install -y chromium; .ci/run installs it)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(published, tmp_path):
    """The app on a real uvicorn server on 127.0.0.1, over a private copy of the published file."""
    import uvicorn

    from recon.review.app import create_app

    db = tmp_path / "out" / "recon.duckdb"
    db.parent.mkdir()
    shutil.copyfile(published.db, db)
    ops_url = f"sqlite:///{tmp_path / 'out' / 'ops.sqlite'}"
    app = create_app(db, ops_url, check_every=0.1)
    add_accounts(app.state.ctx.engine, published)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    deadline = time.time() + 30
    while not srv.started:
        assert time.time() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "app": app, "db": db, "ops_url": ops_url}
    srv.should_exit = True
    th.join(timeout=10)
    app.state.ctx.published.close()


def test_reviewer_corrects_an_address_and_the_next_night_keeps_it(server, published, prefect_harness):
    from playwright.sync_api import expect, sync_playwright

    from recon.pipelines.nightly import nightly_flow
    from recon.warehouse.ops_store import open_store, record_decision
    from recon.warehouse.published import file_signature

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = server["url"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "reviewer")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/queue/address_inaccurate")
        expect(page.locator(".tabs a.on")).to_contain_text("地址不准确")
        total_before = int(page.locator("#total").inner_text().replace(",", ""))
        assert total_before > 0
        page.screenshot(path=str(SCREENSHOTS / "queue.png"))

        # open a case from the queue (j selects the first row, Enter opens it)
        page.keyboard.press("j")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/cases/*")
        flag_id = page.url.rsplit("/", 1)[1]
        expect(page.locator("h1")).to_contain_text("地址不准确")
        expect(page.locator("table.records tr.subject")).to_have_count(1)
        page.screenshot(path=str(SCREENSHOTS / "case.png"), full_page=True)

        # pick the dwelling through the address search, then confirm with the shortcut
        code = page.locator("#dwelling").input_value()
        assert code, "the case page suggests a dwelling"
        page.keyboard.press("/")
        page.keyboard.type(code)
        page.locator(f"#addr-results li[data-code='{code}']").click()
        expect(page.locator("#chosen")).not_to_have_text("（未选择）")
        page.locator("#f-correct input[name=go_next]").uncheck()
        page.keyboard.press("Escape")  # leave the search box so that the shortcut is not typed into it
        page.keyboard.press("c")
        page.wait_for_url(f"{base}/cases/{flag_id}?saved=*")
        expect(page.locator("#saved")).to_contain_text("已保存处理记录")
        expect(page.locator("#history li").first).to_contain_text("确认并更正地址")
        expect(page.locator("#case-status")).to_have_text("已确认")

        page.goto(f"{base}/queue/address_inaccurate")
        assert int(page.locator("#total").inner_text().replace(",", "")) == total_before - 1
        assert page.locator(f"a[href='/cases/{flag_id}']").count() == 0
        page.goto(f"{base}/dashboard")
        expect(page.locator(".kpi")).to_have_count(4)
        page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

        # a not-same-person decision elsewhere: the next run must read its negative linkage label
        db = server["db"]
        con = duckdb.connect(str(db), read_only=True)
        other_flag, other_hash, other_ev, other_rec = con.execute(
            "SELECT flag_id, evidence_hash, evidence, record_id FROM flag WHERE flag_id = ?",
            [published.flag_b],
        ).fetchone()
        con.close()
        current = json.loads(other_ev).get("current_evidence")
        assert current, "the other station's finding names the evidence behind it"
        engine = open_store(server["ops_url"])
        record_decision(
            engine,
            flag_id=other_flag,
            action="dismiss",
            user_id=None,
            evidence_hash=other_hash,
            payload={"kind": "not_same_person", "reason": "非同一人"},
            labels=[(f"police_registry:{other_rec}", current, False)],
        )
        engine.dispose()

        # the nightly run reads the decisions, and publishes a new file the app picks up
        old_sig = file_signature(db)
        nightly_flow(str(published.input_dir), str(db), AS_OF.isoformat(), "330114", server["ops_url"])
        assert file_signature(db) != old_sig
        server["app"].state.ctx.published.wait_for(lambda s: s.signature == file_signature(db), timeout=120)
        con = duckdb.connect(str(db), read_only=True)
        status, reason, decision_id = con.execute(
            "SELECT status, status_reason, decision_id FROM flag WHERE flag_id = ?", [flag_id]
        ).fetchone()
        runs = con.execute("SELECT count(*) FROM run").fetchone()[0]
        con.close()
        assert (
            (status, reason) == ("confirmed", "reviewer decision") and decision_id is not None and runs >= 2
        )
        con = duckdb.connect(str(db), read_only=True)
        other = con.execute(
            "SELECT status, status_reason, evidence FROM flag WHERE flag_id = ?", [other_flag]
        ).fetchone()
        con.close()
        # the label kept the records apart: the finding is dismissed, closed, or (its evidence
        # changed) asked again on other evidence, never on the record labelled as someone else
        assert (
            other is None
            or other[0] in ("dismissed", "closed")
            or (other[1] == "reopened: evidence changed since dismissal" and current not in other[2])
        ), other

        page.goto(f"{base}/cases/{flag_id}")
        expect(page.locator("#case-status")).to_have_text("已确认")
        expect(page.locator(".casehead .tag", has_text="今日已处理")).to_have_count(
            0
        )  # applied by the file now
        expect(page.locator("#history li")).to_have_count(1)
        page.goto(f"{base}/queue/address_inaccurate")
        assert page.locator(f"a[href='/cases/{flag_id}']").count() == 0  # not asked again
        assert int(page.locator("#total").inner_text().replace(",", "")) == total_before - 1
        browser.close()
