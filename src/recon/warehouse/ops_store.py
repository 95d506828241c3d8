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
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

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


# -- review app: sessions, app settings (the cookie-signing key), KPI history -------------------
sessions = Table(
    "sessions",
    metadata,
    Column("session_id", String(64), primary_key=True),  # random; the cookie carries it signed
    Column("user_id", Integer, ForeignKey("users.user_id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),  # absolute end; idle expiry is checked on last_seen_at
    Column("revoked", Boolean, nullable=False, default=False),
    Column("client", String(64)),
    Column("reveals", JSON, nullable=False, default=dict),  # flag_id -> until (ISO): audited reveals
)

app_settings = Table(
    "app_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(512), nullable=False),
)

# The published file keeps only tonight's kpi table; the review app copies each published run's
# rates here the first time it opens that file, so the dashboard can draw a trend over runs.
kpi_history = Table(
    "kpi_history",
    metadata,
    Column("run_id", String(64), nullable=False),
    Column("as_of", DateTime, nullable=False),
    Column("level", String(16), nullable=False),
    Column("unit", String(128), nullable=False),
    Column("metric", String(64), nullable=False),
    Column("numerator", Integer),
    Column("denominator", Integer),
    Column("value", Float),
    Column("target", Float),
    Index("ix_kpi_history_run", "run_id", "level", "unit", "metric", unique=True),
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
    labels: list[tuple[str, str, bool]] | None = None,
) -> int:
    """Append one decision event; returns its id (the same id again for a re-sent client token).

    labels: (record_a, record_b, same_person) linkage labels written in the same transaction.
    """
    try:
        return _record_decision(
            engine, flag_id, action, user_id, evidence_hash, payload, client_token, labels or []
        )
    except IntegrityError:
        # two requests with one client token raced past the check: the first one stored it
        if not client_token:
            raise
        with engine.connect() as con:
            got = con.execute(
                select(decisions.c.decision_id).where(decisions.c.client_token == client_token)
            ).first()
        if not got:
            raise
        return int(got[0])


def _record_decision(
    engine: Engine,
    flag_id: str,
    action: str,
    user_id: int | None,
    evidence_hash: str | None,
    payload: dict | None,
    client_token: str | None,
    labels: list[tuple[str, str, bool]],
) -> int:
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
        for record_a, record_b, same in labels:
            con.execute(
                insert(linkage_labels).values(
                    record_a=record_a,
                    record_b=record_b,
                    same_person=same,
                    decision_id=did,
                    user_id=user_id,
                    created_at=_now(),
                )
            )
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
    """Reviewers' same-person / not-same-person labels, for the linkage scorer.

    record_a / record_b are "source:record_id"; they are also split into the columns that
    `recon.matching.link_persons` reads (source_l, record_id_l, source_r, record_id_r, is_match).
    """
    with engine.connect() as con:
        rows = con.execute(
            select(linkage_labels.c.record_a, linkage_labels.c.record_b, linkage_labels.c.same_person)
        ).all()
    out = []
    for a, b, same in rows:
        sa, _, ra = a.partition(":")
        sb, _, rb = b.partition(":")
        out.append((a, b, same, sa, ra, sb, rb, same))
    return pl.DataFrame(
        out,
        schema={
            "record_a": pl.Utf8,
            "record_b": pl.Utf8,
            "same_person": pl.Boolean,
            "source_l": pl.Utf8,
            "record_id_l": pl.Utf8,
            "source_r": pl.Utf8,
            "record_id_r": pl.Utf8,
            "is_match": pl.Boolean,
        },
        orient="row",
    )


def decisions_since(engine: Engine, after_id: int) -> list[dict]:
    """Decisions with an id above `after_id`, oldest first (the review app's incremental refresh)."""
    with engine.connect() as con:
        rows = con.execute(
            select(
                decisions.c.decision_id,
                decisions.c.flag_id,
                decisions.c.action,
                decisions.c.payload,
                decisions.c.user_id,
                decisions.c.created_at,
            )
            .where(decisions.c.decision_id > after_id)
            .order_by(decisions.c.decision_id)
        ).all()
    return [dict(r._mapping) for r in rows]


def setting(engine: Engine, key: str, default: str) -> str:
    """An app setting; `default` is stored (first writer wins) when the key is missing."""
    with engine.begin() as con:
        got = con.execute(select(app_settings.c.value).where(app_settings.c.key == key)).first()
        if got:
            return str(got[0])
        try:
            with con.begin_nested():
                con.execute(insert(app_settings).values(key=key, value=default))
        except IntegrityError:
            got = con.execute(select(app_settings.c.value).where(app_settings.c.key == key)).first()
            return str(got[0])
        return default


def set_user_fields(engine: Engine, user_id: int, **values: Any) -> None:
    with engine.begin() as con:
        con.execute(update(users).where(users.c.user_id == user_id).values(**values))
