"""A nightly run killed at any step leaves the published file as it was; the next run completes.

Each case starts the real CLI in its own process group, lets it pause at a named step (the
RECON_PAUSE_AT hook writes a marker file beside the build), SIGKILLs the group, checks the
published file byte for byte, then reruns the flow and checks the new delivery landed and the
leftover build file was removed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from tests.conftest import AS_OF
from tests.pipelines.test_nightly_ingest import last_run, run_flow

STEPS = [
    "ingest:grid_visit",  # mid-ingest: some feeds landed in the build, others not yet
    "resolve",
    "link",
    "findings",
    "validate_outputs",
    "publish",  # the build is complete and checkpointed, not yet renamed
]


@pytest.fixture(scope="module")
def published(small_district, prefect_harness, tmp_path_factory):
    work = tmp_path_factory.mktemp("kill")
    inp = work / "input"
    shutil.copytree(small_district / "input", inp)
    db = work / "out" / "recon.duckdb"
    run_flow(inp, db)
    return inp, db


@pytest.mark.parametrize("step", STEPS)
def test_sigkill_at_any_step_leaves_the_published_file_and_a_rerun_completes(published, step):
    from prefect.settings import PREFECT_API_URL

    inp, db = published
    before = db.read_bytes()
    n = STEPS.index(step) + 1
    (inp / "grid_visit" / f"grid_visit_2026-11-2{n}.csv").write_text(
        f"走访编号,走访日期,走访地址,姓名,走访结果\nGV-KILL-{n},2026-11-20,下沙街道某路{n}号,王五,在住\n",
        encoding="utf-8",
    )
    # use the test's Prefect server, so the process group we kill holds only the run
    env = dict(
        os.environ, RECON_PAUSE_AT=step, RECON_PAUSE_SECONDS="120", PREFECT_API_URL=PREFECT_API_URL.value()
    )
    cmd = [sys.executable, "-m", "recon.pipelines.cli", "nightly", "--input", str(inp), "--db", str(db)]
    cmd += ["--as-of", AS_OF.isoformat()]
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    marker_glob = f"*.paused-{step}"
    deadline = time.time() + 240
    marker = None
    while marker is None:
        if proc.poll() is not None:
            pytest.fail(f"the run ended before reaching {step}: {proc.stderr.read().decode()[-2000:]}")
        assert time.time() < deadline, f"the run did not reach {step} in time"
        marker = next(iter(db.parent.glob(marker_glob)), None)
        time.sleep(0.2)
    assert int(marker.read_text()) == proc.pid
    assert list(db.parent.glob("*.build-*")), "a build file exists beside the published one while running"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()

    assert db.read_bytes() == before, f"killed at {step}: the published file changed"
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM flag").fetchone()[0] > 0
    con.close()

    marker.unlink()
    run_flow(inp, db)
    assert last_run(db)["counts"]["grid_visit"]["accepted"] == 1
    assert not list(db.parent.glob("*.build-*")), "the rerun removes the killed run's build file"
    con = duckdb.connect(str(db), read_only=True)
    assert (
        con.execute("SELECT count(*) FROM raw_grid_visit WHERE record_id = ?", [f"GV-KILL-{n}"]).fetchone()[0]
        == 1
    )
    con.close()
