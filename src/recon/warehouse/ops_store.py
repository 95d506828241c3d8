"""The operational store: users, review decisions, linkage labels and the audit log.

SQLite in WAL mode by default, through SQLAlchemy Core so that a PostgreSQL URL works for a
multi-user deployment. Decisions are append-only typed events; the nightly run reads them
at its start and never writes review state into DuckDB only.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    select,
)
from sqlalchemy.engine import Engine

DEFAULT_OPS_URL = "sqlite:///data/out/ops.sqlite"

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("user_id", Integer, primary_key=True),
    Column("username", String(64), unique=True, nullable=False),
    Column("display_name", String(128), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("role", String(32), nullable=False),  # admin / reviewer / supervisor / community / analyst
    Column(
        "scope", JSON, nullable=False, default=dict
    ),  # {"stations": [...], "streets": [...], "communities": [...]}
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime),
    Column("created_at", DateTime, nullable=False),
)

decisions = Table(
    "decisions",
    metadata,
    Column("decision_id", Integer, primary_key=True, autoincrement=True),
    Column("flag_id", String(32), nullable=False, index=True),
    Column(
        "action", String(32), nullable=False
    ),  # confirm / correct_address / dismiss / not_same_person / field_visit / note / reopen
    Column("evidence_hash", String(32)),  # what the reviewer saw: a changed cause reopens a dismissal
    Column(
        "payload", JSON, nullable=False, default=dict
    ),  # before/after, chosen dwelling, reason, note, assignee
    Column("user_id", Integer, ForeignKey("users.user_id")),
    Column("created_at", DateTime, nullable=False),
    Column("client_token", String(64), unique=True),  # idempotency: a re-sent form is not a second decision
)

linkage_labels = Table(
    "linkage_labels",
    metadata,
    Column("label_id", Integer, primary_key=True, autoincrement=True),
    Column("record_a", String(200), nullable=False),  # "source:record_id"
    Column("record_b", String(200), nullable=False),
    Column("same_person", Boolean, nullable=False),
    Column("decision_id", Integer, ForeignKey("decisions.decision_id")),
    Column("user_id", Integer, ForeignKey("users.user_id")),
    Column("created_at", DateTime, nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("user_id", Integer),
    Column("action", String(64), nullable=False),  # login / reveal / decision / export / ...
    Column("target", String(200)),
    Column("detail", JSON, nullable=False, default=dict),
    Column("client", String(64)),
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def open_store(url: str = DEFAULT_OPS_URL) -> Engine:
    """Open (and create) the operational store; SQLite files get WAL and a busy timeout."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_con: Any, _: Any) -> None:
            cur = dbapi_con.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    metadata.create_all(engine)
    return engine


def record_decision(
    engine: Engine,
    *,
    flag_id: str,
    action: str,
    user_id: int | None,
    evidence_hash: str | None,
    payload: dict | None = None,
    client_token: str | None = None,
) -> int:
    """Append one decision event; returns its id (the same id again for a re-sent client token)."""
    with engine.begin() as con:
        if client_token:
            got = con.execute(
                select(decisions.c.decision_id).where(decisions.c.client_token == client_token)
            ).first()
            if got:
                return int(got[0])
        res = con.execute(
            insert(decisions).values(
                flag_id=flag_id,
                action=action,
                evidence_hash=evidence_hash,
                payload=payload or {},
                user_id=user_id,
                created_at=_now(),
                client_token=client_token,
            )
        )
        did = int(res.inserted_primary_key[0])
        con.execute(
            insert(audit_events).values(
                at=_now(),
                user_id=user_id,
                action=f"decision:{action}",
                target=flag_id,
                detail={"decision_id": did, **(payload or {})},
            )
        )
        return did


def audit(
    engine: Engine,
    *,
    user_id: int | None,
    action: str,
    target: str | None = None,
    detail: dict | None = None,
    client: str | None = None,
) -> None:
    with engine.begin() as con:
        con.execute(
            insert(audit_events).values(
                at=_now(), user_id=user_id, action=action, target=target, detail=detail or {}, client=client
            )
        )


def decisions_frame(engine: Engine) -> pl.DataFrame:
    """All decisions, for the nightly lifecycle step."""
    with engine.connect() as con:
        rows = con.execute(
            select(
                decisions.c.decision_id,
                decisions.c.flag_id,
                decisions.c.action,
                decisions.c.evidence_hash,
                decisions.c.payload,
                decisions.c.user_id,
                decisions.c.created_at,
            ).order_by(decisions.c.decision_id)
        ).all()
    schema = {
        "decision_id": pl.Int64,
        "flag_id": pl.Utf8,
        "action": pl.Utf8,
        "evidence_hash": pl.Utf8,
        "payload": pl.Utf8,
        "user_id": pl.Int64,
        "created_at": pl.Datetime,
    }
    return pl.DataFrame(
        [(r[0], r[1], r[2], r[3], json.dumps(r[4], ensure_ascii=False), r[5], r[6]) for r in rows],
        schema=schema,
        orient="row",
    )


def labels_frame(engine: Engine) -> pl.DataFrame:
    """Reviewers' same-person / not-same-person labels, for the linkage scorer."""
    with engine.connect() as con:
        rows = con.execute(
            select(linkage_labels.c.record_a, linkage_labels.c.record_b, linkage_labels.c.same_person)
        ).all()
    return pl.DataFrame(
        rows, schema={"record_a": pl.Utf8, "record_b": pl.Utf8, "same_person": pl.Boolean}, orient="row"
    )
