"""`make bench-review`: the review app's figures (issue #6), measured on this machine.

1. A published file with 100,000 open findings: a copy of the demo file (`make demo`,
   20,000 persons, ~9k findings) whose `flag` table gets synthetic extra rows, written
   through the Warehouse gateway: every open finding is replicated with a new flag_id and a
   spread of detection dates (so the age filters and sorts have work to do) until 100,000
   are open. The replicas point at the same records and persons as their originals.
2. The app is started as `recon review` (uvicorn, one process) on 127.0.0.1.
3. Latency: concurrent virtual reviewers (asyncio + httpx) load queue pages (random type,
   filters, sort, page) and case pages; p50/p95/p99 per page kind.
4. Concurrency: 20 reviewers decide for 2 minutes (queue → case page → decision, a few
   re-sent forms on purpose) while `recon nightly` publishes a new file into the app's path.
   Decisions acknowledged by the server are compared with the decisions stored: none lost,
   none duplicated, no server errors.

    python benchmarks/review_bench.py                 # everything (about 4 minutes)
    python benchmarks/review_bench.py --latency-seconds 30 --decide-seconds 120 --reviewers 20

Results are printed and written to data/bench/review/results.json. Run it alone on the
machine (others' load inflates every figure): `flock /tmp/recon-heavy.lock make bench-review`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "bench" / "review"
DEMO_DB = ROOT / "data" / "out" / "recon.duckdb"
DEMO_INPUT = ROOT / "data" / "demo" / "input"
RECON = str(Path(sys.executable).with_name("recon"))
AS_OF = "2026-11-20"
PASSWORD = "bench-password-123"
FLAG_TYPES = [
    "address_inaccurate",
    "unregistered",
    "not_deregistered",
    "duplicate_registration",
    "invalid_identity",
    "late_declaration",
]


# -- the published file with 100,000 open findings ----------------------------------------------
def build_file(target_open: int) -> tuple[Path, int, list[str]]:
    from recon.warehouse.gateway import Warehouse

    if not DEMO_DB.exists() or not DEMO_INPUT.exists():
        subprocess.run(["make", "demo"], cwd=ROOT, check=True)
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "recon.duckdb"
    for p in OUT.glob("recon.duckdb*"):
        p.unlink()
    shutil.copyfile(DEMO_DB, db)
    with Warehouse(db) as wh:
        n_open = wh.scalar("SELECT count(*) FROM flag WHERE status = 'open'")
        wh.execute("CREATE TEMP TABLE original AS SELECT flag_id FROM flag")
        copies = -(-target_open // n_open) - 1  # replicas per original
        wh.execute(
            f"""INSERT INTO flag
            SELECT * EXCLUDE (k) REPLACE (
                'F' || substr(md5(flag_id || ':' || k::VARCHAR), 1, 14) AS flag_id,
                (detected_on - INTERVAL (k * 7 % 180) DAY)::DATE AS detected_on,
                NULL AS decision_id)
            FROM flag, range(1, {copies + 1}) AS t(k)
            WHERE status = 'open'""",
            table="flag",
        )
        extra = wh.scalar("SELECT count(*) FROM flag WHERE status = 'open'") - target_open
        if extra > 0:  # trim the surplus replicas so that exactly target_open are open
            wh.execute(
                f"""DELETE FROM flag WHERE flag_id IN (
                    SELECT flag_id FROM flag WHERE flag_id NOT IN (SELECT flag_id FROM original)
                    ORDER BY flag_id LIMIT {extra})""",
                table="flag",
            )
        got = wh.scalar("SELECT count(*) FROM flag WHERE status = 'open'")
        stations = [
            r[0] for r in wh.rows("SELECT DISTINCT police_station FROM current_standard_address ORDER BY 1")
        ]
    print(f"published file {db}: {got:,} open findings ({n_open:,} real, the rest replicas)")
    return db, got, stations


# -- the server ---------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_accounts(ops_url: str, stations: list[str], n: int) -> list[str]:
    from recon.review.accounts import add_user
    from recon.warehouse.ops_store import open_store

    engine = open_store(ops_url)
    names = []
    for i in range(n):
        name = f"rev{i:02d}"
        add_user(engine, name, PASSWORD, "reviewer", stations=[stations[i % len(stations)]])
        names.append(name)
    add_user(engine, "bench_admin", PASSWORD, "admin")
    engine.dispose()
    return names


def start_server(db: Path, ops_url: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [RECON, "review", "--db", str(db), "--ops", ops_url, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(OUT / "server.log", "w"),  # noqa: SIM115
        start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the review server did not start; see data/bench/review/server.log")


async def login(client: httpx.AsyncClient, name: str) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    resp = await client.post(
        "/login", data={"username": name, "password": PASSWORD, "csrf_token": token, "next": "/"}
    )
    if resp.status_code != 303:
        raise SystemExit(f"login of {name} failed: {resp.status_code}")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def summary(times: list[float]) -> dict:
    ms = [t * 1000 for t in times]
    return {
        "requests": len(ms),
        "p50_ms": round(pct(ms, 50), 1),
        "p95_ms": round(pct(ms, 95), 1),
        "p99_ms": round(pct(ms, 99), 1),
        "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
    }


# -- phase 1: latency ---------------------------------------------------------------------------
async def latency(base: str, users: list[str], seconds: float, concurrency: int) -> dict:
    times: dict[str, list[float]] = {"queue": [], "case": []}
    errors: list[str] = []
    rng = random.Random(1)

    async def user(name: str) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=False) as c:
            await login(c, name)
            ids = [
                r["flag_id"] for r in (await c.get("/api/queue/address_inaccurate?size=100")).json()["rows"]
            ]
            for t in FLAG_TYPES[1:]:
                ids += [r["flag_id"] for r in (await c.get(f"/api/queue/{t}?size=50")).json()["rows"]]
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                if rng.random() < 0.5:
                    params = {
                        "page": rng.randint(1, 40),
                        "sort": rng.choice(["age", "newest", "community", "reason"]),
                        "age": rng.choice(["", "", "8-30", "90+"]),
                        "size": rng.choice([25, 50, 100]),
                    }
                    path, kind = f"/queue/{rng.choice(FLAG_TYPES[:3] + ['address_inaccurate'] * 3)}", "queue"
                else:
                    path, params, kind = f"/cases/{rng.choice(ids)}", None, "case"
                t0 = time.perf_counter()
                r = await c.get(path, params=params)
                dt = time.perf_counter() - t0
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {path}")
                else:
                    times[kind].append(dt)

    await asyncio.gather(*(user(users[i % len(users)]) for i in range(concurrency)))
    return {
        "queue": summary(times["queue"]),
        "case": summary(times["case"]),
        "errors": errors[:20],
        "n_errors": len(errors),
    }


# -- phase 2: 20 reviewers deciding while the nightly run publishes -------------------------------
ACTIONS = ["note", "dismiss", "field_visit", "correct_address", "confirm"]


async def deciding(base: str, users: list[str], seconds: float, db: Path, ops_url: str) -> dict:
    acked: dict[str, int] = {}  # client token → decision id the server answered with (from ?saved=)
    resent = 0
    refused: dict[str, int] = {}
    errors: list[str] = []
    times: list[float] = []
    rng = random.Random(2)
    phase = {"name": "before_nightly"}  # before_nightly / nightly_running / after_publish
    by_phase: dict[str, int] = {}
    published_at: list[float] = []

    def keep_going(end: float) -> bool:
        # at least `seconds`, and at least 10 s past the new file's publication
        now = time.monotonic()
        return now < end or not published_at or now < published_at[0] + 10

    async def post(c: httpx.AsyncClient, url: str, data: dict) -> httpx.Response | None:
        for attempt in range(3):  # a dropped connection is retried with the same client token
            try:
                return await c.post(url, data=data)
            except httpx.TransportError as e:
                errors.append(f"transport {type(e).__name__} (attempt {attempt + 1})")
                await asyncio.sleep(0.5)
        return None

    async def reviewer(name: str) -> None:
        nonlocal resent
        async with httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False) as c:
            await login(c, name)
            end = time.monotonic() + seconds
            while keep_going(end):
                ftype = rng.choice(["address_inaccurate"] * 3 + ["late_declaration", "unregistered"])
                q = await c.get(f"/api/queue/{ftype}", params={"page": rng.randint(1, 5), "size": 50})
                if q.status_code != 200:
                    errors.append(f"queue {q.status_code}")
                    continue
                rows = q.json()["rows"]
                if not rows:
                    continue
                flag = rng.choice(rows)["flag_id"]
                t0 = time.perf_counter()
                page = await c.get(f"/cases/{flag}")
                times.append(time.perf_counter() - t0)
                if page.status_code == 404:  # closed by the file published meanwhile
                    refused["case_closed_by_new_file"] = refused.get("case_closed_by_new_file", 0) + 1
                    continue
                if page.status_code != 200:
                    errors.append(f"case {page.status_code}")
                    continue
                html = page.text
                csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
                ev_hash = re.search(r'name="evidence_hash" value="([^"]*)"', html).group(1)
                dwelling = re.search(r'id="dwelling" value="([^"]*)"', html)
                action = rng.choice(
                    ACTIONS
                    if ftype == "address_inaccurate"
                    else ["note", "dismiss", "field_visit", "confirm"]
                )
                if action == "correct_address" and not (dwelling and dwelling.group(1)):
                    action = "note"
                token = uuid.uuid4().hex
                data = {
                    "csrf_token": csrf,
                    "client_token": token,
                    "evidence_hash": ev_hash,
                    "action": action,
                    "reason": "登记地址正确，证据有误",
                    "note": f"压测 {name}",
                    "assignee": "网格员甲",
                    "dwelling": dwelling.group(1) if dwelling else "",
                }
                t0 = time.perf_counter()
                resp = await post(c, f"/cases/{flag}/decide", data)
                times.append(time.perf_counter() - t0)
                if resp is None:
                    errors.append("decision never answered")
                    continue
                if resp.status_code == 303:
                    acked[token] = int(re.search(r"saved=(\d+)", resp.headers["location"]).group(1))
                    by_phase[phase["name"]] = by_phase.get(phase["name"], 0) + 1
                    if rng.random() < 0.05:  # a double click: the same form again
                        again = await post(c, f"/cases/{flag}/decide", data)
                        resent += 1
                        if again is None or again.status_code != 303:
                            errors.append(f"re-sent form answered {again.status_code if again else None}")
                        elif (
                            int(re.search(r"saved=(\d+)", again.headers["location"]).group(1)) != acked[token]
                        ):
                            errors.append("re-sent form got a different decision id")
                elif resp.status_code in (400, 404):
                    refused[f"decide_{resp.status_code}"] = refused.get(f"decide_{resp.status_code}", 0) + 1
                else:
                    errors.append(f"decide {resp.status_code}")

    async def nightly() -> dict:
        await asyncio.sleep(10)
        phase["name"] = "nightly_running"
        t0 = time.perf_counter()
        before = os.stat(db).st_ino
        proc = await asyncio.create_subprocess_exec(
            RECON,
            "nightly",
            "--input",
            str(DEMO_INPUT),
            "--db",
            str(db),
            "--as-of",
            AS_OF,
            "--ops",
            ops_url,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        code = await proc.wait()
        published_at.append(time.monotonic())
        phase["name"] = "after_publish"
        return {
            "exit_code": code,
            "seconds": round(time.perf_counter() - t0, 1),
            "published_new_file": os.stat(db).st_ino != before,
        }

    t_start = time.perf_counter()
    results = await asyncio.gather(nightly(), *(reviewer(u) for u in users))
    wall = time.perf_counter() - t_start

    from sqlalchemy import select

    from recon.warehouse.ops_store import decisions, open_store

    engine = open_store(ops_url)
    with engine.connect() as con:
        stored = con.execute(select(decisions.c.client_token, decisions.c.decision_id)).all()
    engine.dispose()
    by_token: dict[str, list[int]] = {}
    for tok, did in stored:
        by_token.setdefault(tok, []).append(did)
    lost = [t for t in acked if t not in by_token]
    duplicated = [t for t, ids in by_token.items() if len(ids) > 1]
    mismatched = [t for t, did in acked.items() if t in by_token and by_token[t] != [did]]
    unacked_stored = [t for t in by_token if t not in acked]
    return {
        "reviewers": len(users),
        "seconds": round(wall, 1),
        "nightly": results[0],
        "decisions_acknowledged": len(acked),
        "acknowledged_by_phase": by_phase,
        "forms_resent": resent,
        "decisions_stored": len(stored),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "id_mismatch": len(mismatched),
        "stored_without_ack": len(unacked_stored),
        "refused": refused,
        "errors": len(errors),
        "error_samples": errors[:20],
        "page_and_decision_latency": summary(times),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--open", type=int, default=100_000, help="open findings in the published file")
    ap.add_argument("--latency-seconds", type=float, default=30)
    ap.add_argument("--concurrency", type=int, default=8, help="virtual users in the latency phase")
    ap.add_argument("--decide-seconds", type=float, default=120)
    ap.add_argument("--reviewers", type=int, default=20)
    args = ap.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

    db, n_open, stations = build_file(args.open)
    ops_url = f"sqlite:///{OUT / 'ops.sqlite'}"
    for p in OUT.glob("ops.sqlite*"):
        p.unlink()
    users = add_accounts(ops_url, stations, args.reviewers)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(db, ops_url, port)
    try:
        t0 = time.perf_counter()
        warm = httpx.Client(base_url=base, timeout=120)
        page = warm.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        warm.post("/login", data={"username": "bench_admin", "password": PASSWORD, "csrf_token": token})
        total = warm.get("/api/queue/address_inaccurate").json()["counts"]
        open_seconds = round(time.perf_counter() - t0, 1)
        print(
            f"server up; first page (opens the file, builds the index) after {open_seconds} s; open per type {total}"
        )
        lat = asyncio.run(latency(base, users, args.latency_seconds, args.concurrency))
        print(
            f"latency ({args.concurrency} concurrent users, {args.latency_seconds:.0f} s): queue {lat['queue']}, case {lat['case']}, errors {lat['n_errors']}"
        )
        dec = asyncio.run(deciding(base, users, args.decide_seconds, db, ops_url))
        print(f"deciding: {json.dumps(dec, ensure_ascii=False)}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    results = {
        "open_findings": n_open,
        "first_page_seconds": open_seconds,
        "latency": {"concurrency": args.concurrency, "seconds": args.latency_seconds, **lat},
        "deciding": dec,
        "machine": {"cpus": os.cpu_count(), "load_avg_at_end": os.getloadavg()},
    }
    (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"results written to {OUT / 'results.json'}")
    ok = (
        lat["queue"]["p95_ms"] < 300
        and lat["case"]["p95_ms"] < 300
        and dec["lost"] == dec["duplicated"] == dec["errors"] == 0
        and dec["nightly"]["exit_code"] == 0
    )
    print("targets met" if ok else "TARGETS NOT MET")


if __name__ == "__main__":
    main()
