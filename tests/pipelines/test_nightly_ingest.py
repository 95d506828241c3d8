"""The nightly flow end to end on a small synthetic district: real files, real DuckDB, real Prefect."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from recon.connectors.contract import FEEDS
from tests.conftest import AS_OF

BUSINESS_TABLES = ["raw_" + s for s in FEEDS] + [
    "quarantine",
    "address_match",
    "person_link",
    "person",
    "flag",
    "kpi",
]


def run_flow(input_dir: Path, db: Path) -> dict:
    from recon.pipelines.nightly import nightly_flow

    return nightly_flow(str(input_dir), str(db), AS_OF.isoformat(), "330114")


def table_digest(db: Path, tables: list[str]) -> dict[str, str]:
    """Content hash per table, independent of run ids and row order."""
    con = duckdb.connect(str(db), read_only=True)
    out = {}
    for t in tables:
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name=?", [t]
            ).fetchall()
            if r[0] not in ("_batch_id", "_run_id", "batch_id", "run_id", "_load_seq")
        ]
        sel = ", ".join(f'"{c}"' for c in cols)
        out[t] = con.execute(
            f'SELECT count(*), coalesce(sum(hash({sel})), 0) FROM (SELECT {sel} FROM "{t}")'
        ).fetchone()
    con.close()
    return out


def last_run(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    row = con.execute("SELECT status, counts FROM run ORDER BY started_at DESC LIMIT 1").fetchone()
    con.close()
    return {"status": row[0], "counts": json.loads(row[1])}


@pytest.fixture(scope="module")
def first_run(small_district, prefect_harness, tmp_path_factory):
    work = tmp_path_factory.mktemp("nightly")
    inp = work / "input"
    shutil.copytree(small_district / "input", inp)
    db = work / "out" / "recon.duckdb"
    result = run_flow(inp, db)
    return inp, db, result


def test_every_row_accounted_for(first_run):
    inp, db, result = first_run
    counts = last_run(db)["counts"]
    assert set(counts) == set(FEEDS)
    for source, c in counts.items():
        assert c["rows_in"] == c["accepted"] + c["quarantined"], source
    assert sum(c["rows_in"] for c in counts.values()) > 10_000
    con = duckdb.connect(str(db), read_only=True)
    q = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    assert q == sum(c["quarantined"] for c in counts.values()) and q > 0  # the generator writes some bad rows
    for source, c in counts.items():
        raw = con.execute(f"SELECT count(*) FROM raw_{source}").fetchone()[0]
        assert raw == c["accepted"], source
    con.close()


def test_quarantine_matches_truth_bad_rows(first_run, small_district):
    import polars as pl

    _, db, _ = first_run
    truth = pl.read_parquet(small_district / "truth" / "bad_rows.parquet")
    con = duckdb.connect(str(db), read_only=True)
    got = con.sql("SELECT source, source_file, source_row FROM quarantine").pl()
    con.close()
    want = {
        (s, Path(f).name, r) for s, f, r in truth.select("source", "source_file", "source_row").iter_rows()
    }
    have = {(s, Path(f).name, r) for s, f, r in got.iter_rows()}
    assert want <= have, f"bad rows not quarantined: {sorted(want - have)[:10]}"


def test_rerun_same_input_reads_nothing_and_changes_nothing(first_run):
    inp, db, _ = first_run
    before = table_digest(db, BUSINESS_TABLES)
    run_flow(inp, db)
    counts = last_run(db)["counts"]
    assert all(c["files_read"] == 0 and c["rows_in"] == 0 for c in counts.values())
    assert table_digest(db, BUSINESS_TABLES) == before


def test_redelivered_identical_file_changes_nothing(first_run):
    inp, db, _ = first_run
    folder = inp / "grid_visit"
    src = sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".xlsx"))[0]
    shutil.copyfile(src, folder / f"resent_{src.name}")
    before = table_digest(db, BUSINESS_TABLES)
    run_flow(inp, db)
    c = last_run(db)["counts"]["grid_visit"]
    assert c["files_read"] == 0 and c["files_skipped"] >= 1
    assert table_digest(db, BUSINESS_TABLES) == before


def test_missing_column_file_rejected_others_proceed(first_run, tmp_path):
    inp, db, _ = first_run
    bad = inp / "employer_roster" / "employer_roster_2026-11-21.csv"
    bad.write_text("记录编号,姓名,入职日期\nE-X1,张三,2026-11-01\n", encoding="utf-8")
    (inp / "self_declaration" / "self_declaration_2026-11-21.csv").write_text(
        "申报编号,申报类型,姓名,证件号码,居住地址,申报日期\nSD-NEW-1,新登记,李四,110101199001011237,下沙街道某路1号,2026-11-19\n",
        encoding="utf-8",
    )
    try:
        run_flow(inp, db)
        run = last_run(db)
        c = run["counts"]
        assert run["status"] == "degraded"
        assert c["employer_roster"]["files_rejected"] == 1
        msg = " ".join(c["employer_roster"]["messages"])
        assert "employer_roster_2026-11-21.csv" in msg and "单位名称" in msg and "记录编号" in msg
        assert c["self_declaration"]["files_read"] == 1 and c["self_declaration"]["accepted"] == 1
    finally:
        bad.unlink()


def test_sigkill_during_publish_leaves_published_file(first_run, tmp_path):
    inp, db, _ = first_run
    before = db.read_bytes()
    (inp / "grid_visit" / "grid_visit_2026-11-22.csv").write_text(
        "走访编号,走访日期,走访地址,姓名,走访结果\nGV-KILL-1,2026-11-20,下沙街道某路1号,王五,在住\n",
        encoding="utf-8",
    )
    env = dict(os.environ, RECON_PAUSE_AT="publish", RECON_PAUSE_SECONDS="120")
    cmd = [
        sys.executable,
        "-m",
        "recon.pipelines.cli",
        "nightly",
        "--input",
        str(inp),
        "--db",
        str(db),
        "--as-of",
        AS_OF.isoformat(),
    ]
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.time() + 180
    marker = None
    while marker is None:
        assert proc.poll() is None, "the run ended before reaching publish"
        assert time.time() < deadline, "the run did not reach publish in time"
        marker = next(iter(db.parent.glob("*.paused-publish")), None)
        time.sleep(0.2)
    assert int(marker.read_text()) == proc.pid
    os.killpg(proc.pid, signal.SIGKILL)  # the run and its temporary Prefect server
    proc.wait(timeout=30)
    assert db.read_bytes() == before
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM run").fetchone()[0] >= 1
    con.close()
    marker.unlink()
    run_flow(inp, db)  # a rerun completes and cleans the leftover build file
    assert last_run(db)["counts"]["grid_visit"]["accepted"] == 1
    assert not list(db.parent.glob("*.build-*"))


def test_output_suites_pass_on_the_run_and_catch_broken_outputs(first_run, tmp_path):
    from recon.pipelines.output_checks import OutputCheckFailed, validate_outputs
    from recon.warehouse.gateway import Warehouse

    _, db, _ = first_run
    work = tmp_path / "copy.duckdb"
    shutil.copyfile(db, work)
    with Warehouse(work) as wh:
        assert len(validate_outputs(wh, run_id="t")) == 4
        wh.execute("UPDATE kpi SET value = 1.5 WHERE rowid = (SELECT min(rowid) FROM kpi)")
        wh.execute("DELETE FROM person_link WHERE rowid = (SELECT min(rowid) FROM person_link)")
        wh.execute(
            "UPDATE flag SET record_id = 'no-such-record' WHERE rowid = (SELECT min(rowid) FROM flag WHERE status <> 'closed')"
        )
        with pytest.raises(OutputCheckFailed) as e:
            validate_outputs(wh, run_id="t")
    msg = str(e.value)
    assert "value" in msg and "unlinked" in msg and "missing_record" in msg


def test_reviewer_dismissal_survives_the_next_night(first_run):
    from recon.warehouse.ops_store import open_store, record_decision

    inp, db, _ = first_run
    con = duckdb.connect(str(db), read_only=True)
    flag_id, ev_hash = con.execute(
        "SELECT flag_id, evidence_hash FROM flag WHERE status = 'open' AND flag_type = 'address_inaccurate' "
        "ORDER BY flag_id LIMIT 1"
    ).fetchone()
    con.close()
    engine = open_store(f"sqlite:///{db.parent / 'ops.sqlite'}")
    record_decision(
        engine,
        flag_id=flag_id,
        action="dismiss",
        user_id=None,
        evidence_hash=ev_hash,
        payload={"reason": "登记地址正确"},
    )
    engine.dispose()
    run_flow(inp, db)
    con = duckdb.connect(str(db), read_only=True)
    status, reason = con.execute(
        "SELECT status, status_reason FROM flag WHERE flag_id = ?", [flag_id]
    ).fetchone()
    con.close()
    assert (status, reason) == ("dismissed", "reviewer decision")
