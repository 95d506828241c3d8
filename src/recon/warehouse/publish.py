"""Build the next state beside the published file and swap it in atomically.

DuckDB admits one writing process and no readers from other processes while it writes, so
a run never writes the published file: it copies it to `<name>.build-<run>`, works there,
checkpoints and closes, fsyncs, and `os.replace`s it over the published path. Readers see
the old file or the new one, never a half-written one. A run that fails or is killed leaves
only its build file behind, which the next run removes.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("recon.warehouse.publish")

BUILD_MARK = ".build-"


def build_path(db_path: Path, run_id: str) -> Path:
    return db_path.with_name(f"{db_path.name}{BUILD_MARK}{run_id}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_build(build: Path) -> None:
    """A build file and its companions: owner pid file, WAL and DuckDB's spill folder."""
    for q in (build, build.with_name(build.name + ".pid"), Path(str(build) + ".wal")):
        q.unlink(missing_ok=True)
    shutil.rmtree(Path(str(build) + ".tmp"), ignore_errors=True)


def remove_stale_builds(db_path: Path) -> list[Path]:
    """Delete build files left by runs that died (their owner process is gone)."""
    removed = []
    for p in db_path.parent.glob(f"{db_path.name}{BUILD_MARK}*"):
        owner = p.with_name(p.name + ".pid")
        if p.name.endswith((".pid", ".wal", ".tmp")) or ".paused-" in p.name:
            continue  # companions of a build file, handled with it
        pid = int(owner.read_text()) if owner.exists() and owner.read_text().strip().isdigit() else None
        if pid is not None and pid != os.getpid() and _pid_alive(pid):
            continue
        _remove_build(p)
        removed.append(p)
        log.info("removed stale build file %s", p)
    return removed


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def building(db_path: Path, run_id: str) -> Iterator[Path]:
    """Yield a build file seeded from the published one; publish it if the block succeeds.

    The caller must close every connection to the build file before the block ends.
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_builds(db_path)
    build = build_path(db_path, run_id)
    owner = build.with_name(build.name + ".pid")
    owner.write_text(str(os.getpid()))
    if db_path.exists():
        shutil.copyfile(
            db_path, build
        )  # the previous state: raw layer, ledger, stable ids, decisions applied
    try:
        yield build
    except BaseException:
        _remove_build(build)
        raise
    wal = Path(str(build) + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise RuntimeError(
            f"build file {build} still has a write-ahead log; close every connection before publishing"
        )
    wal.unlink(missing_ok=True)
    _fsync(build)
    os.replace(build, db_path)
    _fsync(db_path.parent)
    owner.unlink(missing_ok=True)
    shutil.rmtree(Path(str(build) + ".tmp"), ignore_errors=True)  # DuckDB's spill folder, if it made one
    log.info("published %s", db_path)
