"""Atomic publish: the published file changes only when a build succeeds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from recon.warehouse.gateway import Warehouse
from recon.warehouse.publish import building, remove_stale_builds


def _write(path, value):
    with Warehouse(path) as wh:
        wh.execute("CREATE OR REPLACE TABLE t AS SELECT ? AS v", [value])


def _read(path):
    with Warehouse(path, read_only=True) as wh:
        return wh.scalar("SELECT v FROM t")


def test_success_replaces_and_seeds_from_previous(tmp_path):
    db = tmp_path / "out" / "recon.duckdb"
    with building(db, "r1") as b:
        _write(b, "one")
    assert _read(db) == "one"
    with building(db, "r2") as b:
        assert _read(b) == "one"  # the build starts from the published state
        _write(b, "two")
    assert _read(db) == "two"
    assert sorted(p.name for p in db.parent.iterdir()) == ["recon.duckdb"]


def test_failure_leaves_published_file_and_no_build(tmp_path):
    db = tmp_path / "recon.duckdb"
    with building(db, "r1") as b:
        _write(b, "one")
    before = db.read_bytes()
    with pytest.raises(RuntimeError, match="boom"), building(db, "r2") as b:
        _write(b, "two")
        raise RuntimeError("boom")
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recon.duckdb"]


def test_killed_builder_leaves_published_file_readable(tmp_path):
    """SIGKILL a process in the middle of building: the published file is unchanged, the next run cleans up."""
    db = tmp_path / "recon.duckdb"
    with building(db, "r1") as b:
        _write(b, "one")
    before = db.read_bytes()
    code = f"""
import time, pathlib
from recon.warehouse.publish import building
from recon.warehouse.gateway import Warehouse
with building(pathlib.Path({str(db)!r}), "killed") as b:
    with Warehouse(b) as wh:
        wh.execute("CREATE OR REPLACE TABLE t AS SELECT 'half' AS v")
    pathlib.Path({str(tmp_path / "ready")!r}).write_text("1")
    time.sleep(60)
"""
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.time() + 30
    while not (tmp_path / "ready").exists():
        assert time.time() < deadline and proc.poll() is None, "builder did not reach its pause"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert db.read_bytes() == before
    assert _read(db) == "one"
    assert any(p.name.startswith("recon.duckdb.build-killed") for p in tmp_path.iterdir())
    removed = remove_stale_builds(db)
    assert [p.name for p in removed] == ["recon.duckdb.build-killed"]
    with building(db, "r3") as b:
        _write(b, "three")
    assert _read(db) == "three"
