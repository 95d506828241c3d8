"""Quarterly statement versions and sign-off in the operational store (additive tables).

A statement version is a folder `<out>/<quarter>/v<N>/` written once and never overwritten; this
store records which versions exist and the sign-off state per community and quarter:

* `quarterly_versions`: one row per (quarter, version): folder, published run, as-of date.
* `quarterly_signoffs`: confirmations (role `community` or `collector`) of one community's
  statement in one version. The community's confirmation freezes the quarter for that community:
  a rerun still writes a new version, but the confirmed version stays the one of record, and
  no further confirmation or item resolution of that quarter is accepted.
* `quarterly_resolutions`: items marked resolved, with a note.

Every write is audited in `audit_events` (ops_store.audit) in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
)
from sqlalchemy.engine import Engine

from recon.warehouse.ops_store import audit_events, metadata, open_store

ROLES = {"community": "社区", "collector": "专管员"}

quarterly_versions = Table(
    "quarterly_versions",
    metadata,
    Column("version_id", Integer, primary_key=True, autoincrement=True),
    Column("quarter", String(8), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("folder", String(500), nullable=False),
    Column("run_id", String(64)),
    Column("as_of", String(10)),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("quarter", "version", name="uq_quarter_version"),
)

quarterly_signoffs = Table(
    "quarterly_signoffs",
    metadata,
    Column("signoff_id", Integer, primary_key=True, autoincrement=True),
    Column("quarter", String(8), nullable=False, index=True),
    Column("community", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("role", String(16), nullable=False),  # community / collector
    Column("user_id", Integer),
    Column("note", Text),
    Column("confirmed_at", DateTime, nullable=False),
    UniqueConstraint("quarter", "community", "role", name="uq_signoff_once"),
)

quarterly_resolutions = Table(
    "quarterly_resolutions",
    metadata,
    Column("resolution_id", Integer, primary_key=True, autoincrement=True),
    Column("quarter", String(8), nullable=False, index=True),
    Column("community", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("item_id", String(200), nullable=False),
    Column("user_id", Integer),
    Column("note", Text, nullable=False),
    Column("resolved_at", DateTime, nullable=False),
)


class SignOffRefused(RuntimeError):
    """A confirmation or resolution the state does not allow; the message is for the user (Chinese)."""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def open_quarterly_tables(engine: Engine) -> Engine:
    """Create the quarterly tables in an open operational store (idempotent)."""
    metadata.create_all(engine, tables=[quarterly_versions, quarterly_signoffs, quarterly_resolutions])
    return engine


def open_quarterly_store(url: str) -> Engine:
    """The operational store with the quarterly tables created (idempotent)."""
    return open_quarterly_tables(open_store(url))


def next_version(engine: Engine, quarter: str) -> int:
    with engine.connect() as con:
        got = con.execute(
            select(quarterly_versions.c.version)
            .where(quarterly_versions.c.quarter == quarter)
            .order_by(quarterly_versions.c.version.desc())
        ).first()
    return (int(got[0]) if got else 0) + 1


def register_version(
    engine: Engine, *, quarter: str, version: int, folder: str, run_id: str, as_of: str
) -> None:
    with engine.begin() as con:
        con.execute(
            insert(quarterly_versions).values(
                quarter=quarter, version=version, folder=folder, run_id=run_id, as_of=as_of, created_at=_now()
            )
        )
        con.execute(
            insert(audit_events).values(
                at=_now(),
                user_id=None,
                action="quarterly:version",
                target=f"{quarter}/v{version}",
                detail={"folder": folder, "run_id": run_id, "as_of": as_of},
            )
        )


def versions(engine: Engine, quarter: str | None = None) -> list[dict]:
    q = select(quarterly_versions).order_by(quarterly_versions.c.quarter, quarterly_versions.c.version)
    if quarter:
        q = q.where(quarterly_versions.c.quarter == quarter)
    with engine.connect() as con:
        return [dict(r._mapping) for r in con.execute(q)]


def frozen(engine: Engine, quarter: str) -> dict[str, int]:
    """Community → the version its community confirmed (the quarter is frozen for it)."""
    with engine.connect() as con:
        rows = con.execute(
            select(quarterly_signoffs.c.community, quarterly_signoffs.c.version).where(
                (quarterly_signoffs.c.quarter == quarter) & (quarterly_signoffs.c.role == "community")
            )
        ).all()
    return {c: int(v) for c, v in rows}


def signoffs(engine: Engine, quarter: str) -> pl.DataFrame:
    with engine.connect() as con:
        rows = con.execute(
            select(
                quarterly_signoffs.c.community,
                quarterly_signoffs.c.version,
                quarterly_signoffs.c.role,
                quarterly_signoffs.c.user_id,
                quarterly_signoffs.c.note,
                quarterly_signoffs.c.confirmed_at,
            ).where(quarterly_signoffs.c.quarter == quarter)
        ).all()
    schema = {
        "community": pl.Utf8,
        "version": pl.Int64,
        "role": pl.Utf8,
        "user_id": pl.Int64,
        "note": pl.Utf8,
        "confirmed_at": pl.Datetime,
    }
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def resolutions(engine: Engine, quarter: str, community: str | None = None) -> pl.DataFrame:
    q = select(
        quarterly_resolutions.c.community,
        quarterly_resolutions.c.version,
        quarterly_resolutions.c.item_id,
        quarterly_resolutions.c.user_id,
        quarterly_resolutions.c.note,
        quarterly_resolutions.c.resolved_at,
    ).where(quarterly_resolutions.c.quarter == quarter)
    if community:
        q = q.where(quarterly_resolutions.c.community == community)
    with engine.connect() as con:
        rows = con.execute(q.order_by(quarterly_resolutions.c.resolution_id)).all()
    schema = {
        "community": pl.Utf8,
        "version": pl.Int64,
        "item_id": pl.Utf8,
        "user_id": pl.Int64,
        "note": pl.Utf8,
        "resolved_at": pl.Datetime,
    }
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def _frozen_message(quarter: str, community: str, version: int) -> str:
    return (
        f"{community} {quarter} 对账单已由社区确认(版本 v{version}),本季度已冻结,不能再次确认或修改;"
        "如需更正,请由派出所重新生成新版本并另行说明。"
    )


def confirm(
    engine: Engine,
    *,
    quarter: str,
    community: str,
    version: int,
    role: str,
    user_id: int | None,
    note: str = "",
) -> int:
    """Record one party's confirmation; refuses (SignOffRefused, Chinese message) a second
    confirmation by the same party or any community confirmation of a frozen quarter."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {sorted(ROLES)}; got {role!r}")
    with engine.begin() as con:
        done = con.execute(
            select(quarterly_signoffs.c.role, quarterly_signoffs.c.version).where(
                (quarterly_signoffs.c.quarter == quarter) & (quarterly_signoffs.c.community == community)
            )
        ).all()
        by_role = {r: int(v) for r, v in done}
        if role in by_role:
            if "community" in by_role:
                raise SignOffRefused(_frozen_message(quarter, community, by_role["community"]))
            raise SignOffRefused(
                f"{community} {quarter} 对账单已由{ROLES[role]}确认(版本 v{by_role[role]}),不能重复确认。"
            )
        res = con.execute(
            insert(quarterly_signoffs).values(
                quarter=quarter,
                community=community,
                version=version,
                role=role,
                user_id=user_id,
                note=note,
                confirmed_at=_now(),
            )
        )
        sid = int(res.inserted_primary_key[0])
        con.execute(
            insert(audit_events).values(
                at=_now(),
                user_id=user_id,
                action="quarterly:confirm",
                target=f"{quarter}/{community}",
                detail={"role": role, "version": version, "note": note, "signoff_id": sid},
            )
        )
        return sid


def resolve_item(
    engine: Engine,
    *,
    quarter: str,
    community: str,
    version: int,
    item_id: str,
    user_id: int | None,
    note: str,
) -> int:
    """Mark one statement item resolved with a note; refused once the quarter is frozen."""
    if not note or not note.strip():
        raise SignOffRefused("请填写处理说明后再标记为已处理。")
    with engine.begin() as con:
        got = con.execute(
            select(quarterly_signoffs.c.version).where(
                (quarterly_signoffs.c.quarter == quarter)
                & (quarterly_signoffs.c.community == community)
                & (quarterly_signoffs.c.role == "community")
            )
        ).first()
        if got:
            raise SignOffRefused(_frozen_message(quarter, community, int(got[0])))
        res = con.execute(
            insert(quarterly_resolutions).values(
                quarter=quarter,
                community=community,
                version=version,
                item_id=item_id,
                user_id=user_id,
                note=note.strip(),
                resolved_at=_now(),
            )
        )
        rid = int(res.inserted_primary_key[0])
        con.execute(
            insert(audit_events).values(
                at=_now(),
                user_id=user_id,
                action="quarterly:resolve",
                target=f"{quarter}/{community}/{item_id}",
                detail={"version": version, "note": note.strip(), "resolution_id": rid},
            )
        )
        return rid
