"""Read-only access to the published DuckDB file that follows the nightly swap.

The nightly run replaces the published file with `os.replace`. A reader keeps using the
file it opened (the old inode stays alive while it is open; the rename never waits for us)
and, when the path's inode, size or mtime changes, opens the new one beside it and retires
the old snapshot once its last in-flight query is done.

DuckDB caches database instances by path inside a process, so a second `duckdb.connect`
of the same path would hand back the *old* file. Each snapshot is therefore an in-memory
database that ATTACHes the published file READ_ONLY as `pub`; derived tables a reader
builds (the review app's finding index) live in the in-memory database, never in the file.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from recon.warehouse.gateway import WarehouseError

log = logging.getLogger("recon.warehouse.published")


class NotPublishedError(FileNotFoundError):
    """There is no published file at the path yet."""


def file_signature(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class _Watchdog:
    """One thread that interrupts queries running past their time limit (no thread per query)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: dict[int, tuple[float, duckdb.DuckDBPyConnection]] = {}
        self._next = 0
        self._thread: threading.Thread | None = None

    def watch(self, cur: duckdb.DuckDBPyConnection, timeout: float) -> int:
        with self._lock:
            self._next += 1
            self._watched[self._next] = (time.monotonic() + timeout, cur)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="duckdb-watchdog", daemon=True)
                self._thread.start()
            return self._next

    def done(self, ticket: int) -> None:
        with self._lock:
            self._watched.pop(ticket, None)

    def _loop(self) -> None:
        while True:
            time.sleep(0.1)
            now = time.monotonic()
            with self._lock:
                late = [(k, cur) for k, (deadline, cur) in self._watched.items() if deadline < now]
                for k, _ in late:
                    self._watched.pop(k, None)
            for _, cur in late:
                try:
                    cur.interrupt()
                    log.warning("a query on the published file ran past its time limit and was interrupted")
                except duckdb.Error:
                    pass


_WATCHDOG = _Watchdog()


@dataclass
class Snapshot:
    """One opened published file: `pub.<table>` reads it; unqualified tables are in memory."""

    path: Path
    signature: tuple[int, int, int]
    con: duckdb.DuckDBPyConnection
    opened_at: float = field(default_factory=time.time)
    cache: dict[str, Any] = field(default_factory=dict)  # per-file cache (counts, run info)
    lock: threading.Lock = field(default_factory=threading.Lock)  # for writers of in-memory tables
    _users: int = 0
    _retired: bool = False
    _closed: bool = False

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.con.cursor()

    def _run(self, sql: str, params: Sequence[Any] | dict | None, timeout: float | None):
        cur = self.con.cursor()
        ticket = _WATCHDOG.watch(cur, timeout) if timeout else None
        try:
            return cur, (cur.execute(sql, params) if params is not None else cur.execute(sql))
        except duckdb.Error as e:
            cur.close()
            raise WarehouseError(
                f"SQL failed on the published file {self.path}: {e}\n--- SQL ---\n{sql.strip()}"
            ) from e
        finally:
            if ticket is not None:
                _WATCHDOG.done(ticket)

    def rows(
        self, sql: str, params: Sequence[Any] | dict | None = None, *, timeout: float | None = 10.0
    ) -> list[dict]:
        """Rows as dicts (bound parameters; a time limit interrupts runaway queries)."""
        cur, res = self._run(sql, params, timeout)
        try:
            names = [d[0] for d in res.description or []]
            return [dict(zip(names, r, strict=True)) for r in res.fetchall()]
        finally:
            cur.close()

    def scalar(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        got = self.rows(sql, params)
        return next(iter(got[0].values())) if got else None

    def query_pl(self, sql: str, params: Sequence[Any] | dict | None = None) -> pl.DataFrame:
        cur, res = self._run(sql, params, 30.0)
        try:
            return pl.from_arrow(res.to_arrow_table())
        finally:
            cur.close()

    def execute(self, sql: str, params: Sequence[Any] | dict | None = None) -> None:
        """For in-memory derived tables only: the published file is attached read-only."""
        cur, res = self._run(sql, params, None)
        try:
            res.fetchall()
        finally:
            cur.close()

    def has_table(self, table: str) -> bool:
        """Whether the published file has this table or view (cached: the file never changes)."""
        known = self.cache.setdefault("_has_table", {})
        if table not in known:
            known[table] = self._has_table(table)
        return known[table]

    def _has_table(self, table: str) -> bool:
        return bool(
            self.scalar(
                "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'pub' AND table_name = ?", [table]
            )
            or self.scalar(
                "SELECT count(*) FROM duckdb_views() WHERE database_name = 'pub' AND view_name = ?", [table]
            )
        )

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.con.close()


class PublishedFile:
    """Follows the published file: `with pf.snapshot() as snap:` always gives the newest one.

    prepare: run on each newly opened snapshot before any request sees it (build in-memory
    indexes there). A file that fails to open or prepare is logged and the previous snapshot
    stays in use.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        prepare: Callable[[Snapshot], None] | None = None,
        threads: int = 2,
        check_every: float = 0.2,
    ) -> None:
        self.path = Path(path)
        self.prepare = prepare
        self.threads = threads
        self.check_every = check_every
        self._current: Snapshot | None = None
        self._lock = threading.Lock()  # guards _current and the ref counts
        self._open_lock = threading.Lock()  # one opener at a time
        self._checked_at = 0.0
        self.opened: list[tuple[int, int, int]] = []  # signatures opened, oldest first
        self.failures = 0  # new files that could not be opened

    def _open(self, sig: tuple[int, int, int]) -> Snapshot:
        con = duckdb.connect(":memory:", config={"threads": self.threads})
        try:
            con.execute(f"ATTACH '{str(self.path.resolve())!s}' AS pub (READ_ONLY)")
        except duckdb.Error as e:
            con.close()
            raise WarehouseError(f"cannot open the published file {self.path} read-only: {e}") from e
        snap = Snapshot(self.path, sig, con)
        # The inode we attached may already have been replaced again; that is fine: the next
        # check sees the newer signature and opens it.
        if self.prepare:
            try:
                self.prepare(snap)
            except BaseException:
                snap.close()
                raise
        return snap

    def _refresh(self) -> None:
        now = time.monotonic()
        if self._current is not None and now - self._checked_at < self.check_every:
            return
        self._checked_at = now
        try:
            sig = file_signature(self.path)
        except FileNotFoundError:
            if self._current is None:
                raise NotPublishedError(str(self.path)) from None
            return  # between unlink and rename on odd filesystems: keep the old one
        if self._current is not None and sig == self._current.signature:
            return
        if self._current is None:
            with self._open_lock:  # the first open: every request waits for it
                if self._current is None:
                    self._swap_to(file_signature(self.path), raise_errors=True)
            return
        # A newer file: open it in the background and keep serving the current one meanwhile,
        # so that no request waits for the new file's indexes to be built.
        if self._open_lock.acquire(blocking=False):
            threading.Thread(target=self._open_in_background, name="published-file-open", daemon=True).start()

    def _open_in_background(self) -> None:
        try:
            self._swap_to(file_signature(self.path), raise_errors=False)
        except FileNotFoundError:
            pass
        finally:
            self._open_lock.release()

    def _swap_to(self, sig: tuple[int, int, int], *, raise_errors: bool) -> None:
        if self._current is not None and sig == self._current.signature:
            return
        t0 = time.perf_counter()
        try:
            snap = self._open(sig)
        except Exception:
            if raise_errors:
                raise
            self.failures += 1
            log.exception("new published file %s could not be opened; still serving the old one", self.path)
            return
        log.info("opened published file %s (%.2f s)", self.path, time.perf_counter() - t0)
        with self._lock:
            old, self._current = self._current, snap
            self.opened.append(sig)
            if old is not None:
                old._retired = True
                if old._users == 0:
                    old.close()

    def wait_for(self, predicate: Callable[[Snapshot], bool], timeout: float = 30.0) -> Snapshot:
        """Block until the current snapshot satisfies `predicate` (tests and benchmarks)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.snapshot() as snap:
                if predicate(snap):
                    return snap
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"published file {self.path} did not reach the expected state in {timeout} s"
                )
            time.sleep(0.05)

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        self._refresh()
        with self._lock:
            snap = self._current
            assert snap is not None
            snap._users += 1
        try:
            yield snap
        finally:
            with self._lock:
                snap._users -= 1
                if snap._retired and snap._users == 0:
                    snap.close()

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current._retired = True
                if self._current._users == 0:
                    self._current.close()
                self._current = None
