"""The one gateway through which all DuckDB SQL runs (Splink `database_api` style).

Every statement is logged at DEBUG with its table, and a failure is re-raised with the
table name and the SQL so that a broken nightly run says where it broke.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

log = logging.getLogger("recon.warehouse")


class WarehouseError(RuntimeError):
    """A SQL statement failed; the message names the table and shows the SQL."""


class Warehouse:
    """A DuckDB database file opened for one purpose (building, or reading)."""

    def __init__(
        self,
        path: Path | str,
        *,
        read_only: bool = False,
        threads: int | None = None,
        memory_limit: str | None = None,
    ) -> None:
        """`memory_limit` (e.g. "4GB") caps DuckDB's own buffers; beyond it DuckDB spills to a
        temporary folder beside the file, leaving the memory to the polars steps."""
        self.path = Path(path) if str(path) != ":memory:" else None
        self.read_only = read_only
        config: dict[str, Any] = {}
        if threads:
            config["threads"] = threads
        if memory_limit:
            config["memory_limit"] = memory_limit
        try:
            self.con = duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.Error as e:
            raise WarehouseError(
                f"cannot open DuckDB file {path} ({'read-only' if read_only else 'read-write'}): {e}. "
                "If another process is writing it, wait for it to finish; if the file is damaged, "
                "restore it from the previous published copy."
            ) from e

    # -- execution -------------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | dict | None = None, *, table: str = "-") -> None:
        """Run one statement for its effect (DDL, DML); its result is drained."""
        cur = self._run(sql, params, table=table)
        try:
            cur.fetchall()
        except duckdb.Error as e:
            raise WarehouseError(f"SQL failed on table {table}: {e}\n--- SQL ---\n{sql.strip()}") from e

    def _run(
        self, sql: str, params: Sequence[Any] | dict | None = None, *, table: str = "-"
    ) -> duckdb.DuckDBPyConnection:
        """Run one statement and return the cursor; failures name the table and carry the SQL."""
        started = time.perf_counter()
        try:
            cur = self.con.execute(sql, params) if params is not None else self.con.execute(sql)
        except duckdb.Error as e:
            raise WarehouseError(f"SQL failed on table {table}: {e}\n--- SQL ---\n{sql.strip()}") from e
        log.debug("sql table=%s %.3fs: %s", table, time.perf_counter() - started, " ".join(sql.split())[:300])
        return cur

    def query_pl(
        self, sql: str, params: Sequence[Any] | dict | None = None, *, table: str = "-"
    ) -> pl.DataFrame:
        return pl.from_arrow(self._run(sql, params, table=table).to_arrow_table())

    def scalar(self, sql: str, params: Sequence[Any] | dict | None = None, *, table: str = "-") -> Any:
        rows = self._run(sql, params, table=table).fetchall()
        return rows[0][0] if rows else None

    def rows(self, sql: str, params: Sequence[Any] | dict | None = None, *, table: str = "-") -> list[tuple]:
        return self._run(sql, params, table=table).fetchall()

    # -- frames in and out ---------------------------------------------------------------------
    def insert_frame(self, table: str, df: pl.DataFrame) -> int:
        """Append a polars frame to an existing table, matching columns by name."""
        if df.height == 0:
            return 0
        name = f"_frame_{table}"
        self.con.register(name, df.to_arrow())
        try:
            self.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM "{name}"', table=table)
        finally:
            self.con.unregister(name)
        return df.height

    def replace_table(self, table: str, df: pl.DataFrame) -> int:
        """Create or replace a table from a polars frame."""
        name = f"_frame_{table}"
        self.con.register(name, df.to_arrow())
        try:
            self.execute(f'CREATE OR REPLACE TABLE "{table}" AS SELECT * FROM "{name}"', table=table)
        finally:
            self.con.unregister(name)
        return df.height

    def table_exists(self, table: str) -> bool:
        return bool(
            self.scalar(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = 'main'",
                [table],
                table=table,
            )
        )

    def tables(self) -> list[str]:
        return [
            r[0]
            for r in self.rows(
                "SELECT table_name FROM information_schema.tables WHERE table_schema='main' ORDER BY 1"
            )
        ]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def close(self) -> None:
        if not self.read_only:
            try:
                self.con.execute("CHECKPOINT")
            except duckdb.Error as e:  # closing anyway; the caller decides whether to publish
                log.warning("checkpoint before close failed on %s: %s", self.path, e)
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
