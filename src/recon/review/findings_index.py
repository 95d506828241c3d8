"""The finding index of one published file, and the queue queries over it.

When a published file is opened, every finding that is not closed is copied into an
in-memory table `q` with where it is (派出所, 街道, 社区: from the registration when the finding
is about one, else from the resolved dwelling), whom it is about and how old it is. The
reviewers' decisions made since the file was built live beside it in `dec`, refreshed
incrementally from the operational store, so a decided finding leaves the queue at once
rather than the next night. Queue pages are then one indexed-free scan of ~100k narrow rows
with LIMIT/OFFSET; counts are cached per file, scope and decision version.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine

from recon.review.accounts import Principal
from recon.review.labels import AGE_BUCKETS, FLAG_TYPES
from recon.warehouse.ops_store import decisions_since
from recon.warehouse.published import Snapshot

log = logging.getLogger("recon.review.index")

STATUS_OF_ACTION = {
    "confirm": "confirmed",
    "correct_address": "confirmed",
    "dismiss": "dismissed",
    "reopen": "open",
}
ASSIGN_ACTIONS = ("field_visit", "assign")

SORTS = {
    "age": "q.detected_on ASC, q.flag_id",
    "newest": "q.detected_on DESC, q.flag_id",
    "station": "q.station, q.community, q.flag_id",
    "community": "q.community, q.flag_id",
    "reason": "q.reason, q.detected_on, q.flag_id",
    "id": "q.flag_id",
}
SORT_NAMES = {
    "age": "最早发现优先",
    "newest": "最新发现优先",
    "station": "按派出所",
    "community": "按社区",
    "reason": "按原因",
    "id": "按编号",
}
PAGE_SIZES = (25, 50, 100)

_EMPTY_Q = """CREATE OR REPLACE TABLE q (flag_id VARCHAR, flag_type VARCHAR, reason VARCHAR, status VARCHAR,
  person_id VARCHAR, source VARCHAR, record_id VARCHAR, std_address_code VARCHAR, detected_on DATE,
  evidence VARCHAR, evidence_hash VARCHAR, file_decision_id BIGINT, station VARCHAR, community VARCHAR,
  street VARCHAR, person_name VARCHAR, address_text VARCHAR, age_days INTEGER)"""


def prepare_snapshot(snap: Snapshot, engine: Engine) -> None:
    """Build `q`, `dec` and the run facts of a newly opened published file."""
    run = (
        snap.rows(
            "SELECT run_id, as_of, started_at, finished_at, status FROM pub.run ORDER BY started_at DESC LIMIT 1"
        )
        if snap.has_table("run")
        else []
    )
    snap.cache["run"] = run[0] if run else None
    as_of = run[0]["as_of"] if run else date.today()
    if snap.has_table("flag") and snap.has_table("address_match"):
        snap.execute(
            """CREATE OR REPLACE TABLE q AS
            WITH sa AS (SELECT address_code, street, community, police_station FROM pub.current_standard_address),
            comm AS (SELECT community, any_value(street) AS street, any_value(police_station) AS station
                     FROM sa GROUP BY community),
            f AS (SELECT * FROM pub.flag WHERE status <> 'closed'),
            reg AS (SELECT record_id, police_station, community FROM pub.current_police_registry
                    WHERE record_id IN (SELECT record_id FROM f WHERE source = 'police_registry'))
            SELECT f.flag_id, f.flag_type, f.reason, f.status, f.person_id, f.source, f.record_id,
                   f.std_address_code, f.detected_on, f.evidence, f.evidence_hash,
                   f.decision_id AS file_decision_id,
                   coalesce(reg.police_station, s.police_station, c.station) AS station,
                   coalesce(reg.community, s.community) AS community,
                   coalesce(c.street, s.street) AS street,
                   p.name AS person_name,
                   am.address_raw AS address_text,
                   (?::DATE - f.detected_on)::INTEGER AS age_days
            FROM f
            LEFT JOIN reg ON f.source = 'police_registry' AND reg.record_id = f.record_id
            LEFT JOIN sa s ON s.address_code = f.std_address_code
            LEFT JOIN comm c ON c.community = coalesce(reg.community, s.community)
            LEFT JOIN pub.person p ON p.person_id = f.person_id
            LEFT JOIN pub.address_match am ON am.source = f.source AND am.record_id = f.record_id
            ORDER BY f.flag_type, f.detected_on, f.flag_id""",
            [as_of],
        )
    else:
        snap.execute(_EMPTY_Q)
    snap.execute("CREATE INDEX IF NOT EXISTS q_flag_id ON q (flag_id)")
    build_case_tables(snap)
    if snap.has_table("current_standard_address"):  # the dwelling library, for lookups and search
        snap.execute(
            "CREATE OR REPLACE TABLE sa AS SELECT address_code, standard_address, street, community, police_station "
            "FROM pub.current_standard_address ORDER BY address_code"
        )
        snap.execute("CREATE INDEX sa_code ON sa (address_code)")
    else:
        snap.execute(
            "CREATE OR REPLACE TABLE sa (address_code VARCHAR, standard_address VARCHAR, street VARCHAR, "
            "community VARCHAR, police_station VARCHAR)"
        )
    if snap.has_table("pair_explanation"):  # the run's waterfalls, indexed by finding
        snap.execute(
            "CREATE OR REPLACE TABLE pe AS SELECT * FROM pub.pair_explanation "
            "WHERE flag_id IN (SELECT flag_id FROM q) ORDER BY flag_id"
        )
        snap.execute("CREATE INDEX pe_flag ON pe (flag_id)")
    snap.execute(
        """CREATE OR REPLACE TABLE dec (flag_id VARCHAR PRIMARY KEY, status_decision_id BIGINT,
           decided_status VARCHAR, decided_action VARCHAR, decided_by INTEGER, decided_at TIMESTAMP,
           assign_decision_id BIGINT, assignee VARCHAR, assign_kind VARCHAR)"""
    )
    snap.execute(
        """CREATE OR REPLACE VIEW qv AS
        SELECT q.*,
          CASE WHEN d.status_decision_id > coalesce(q.file_decision_id, 0) THEN d.decided_status ELSE q.status END
            AS eff_status,
          d.status_decision_id > coalesce(q.file_decision_id, 0) AS pending,
          d.decided_action, d.decided_by, d.decided_at, d.assignee, d.assign_kind
        FROM q LEFT JOIN dec d USING (flag_id)"""
    )
    import recon.matching.explain  # noqa: F401  (heavy import done before the first case page)

    snap.cache["dec_max"] = 0
    snap.cache["dec_lock"] = threading.Lock()
    refresh_decisions(snap, engine)
    log.info("finding index: %s findings not closed", snap.scalar("SELECT count(*) FROM q"))


def build_case_tables(snap: Snapshot) -> None:
    """`recs`: every record of every person with a finding (what it says, where it resolved, what
    evidence it is), and `lp`: their stored linkage pairs; both indexed by person for the case page."""
    from recon.connectors.contract import PERSON_SOURCES
    from recon.review.case_data import DATE_COLUMN, DETAIL_COLUMNS

    needed = ("person_link", "address_match", "evidence", "current_standard_address")
    if not all(snap.has_table(t) for t in needed):
        snap.execute(
            "CREATE OR REPLACE TABLE recs (person_id VARCHAR, source VARCHAR, record_id VARCHAR, "
            "match_probability DOUBLE, address_raw VARCHAR, std_address_code VARCHAR, address_status VARCHAR, "
            'confidence DOUBLE, standard_address VARCHAR, kind VARCHAR, start DATE, "end" DATE, gone_from DATE, '
            "responsible VARCHAR, name VARCHAR, id_number VARCHAR, phone VARCHAR, date DATE, details VARCHAR)"
        )
        snap.execute("CREATE OR REPLACE TABLE lp AS SELECT NULL::VARCHAR AS person_id WHERE FALSE")
        return
    parts = []
    for s in PERSON_SOURCES:
        if not snap.has_table(f"current_{s}"):
            continue
        dc = DATE_COLUMN.get(s)
        det = DETAIL_COLUMNS.get(s, ())
        date_sql = f'"{dc}"' if dc else "NULL"
        details_sql = (
            "json_object(" + ", ".join(f"'{k}', \"{k}\"::VARCHAR" for k in det) + ")" if det else "NULL"
        )
        parts.append(
            f"SELECT '{s}' AS source, record_id, name, id_number, phone, {date_sql}::DATE AS date, "
            f'{details_sql}::VARCHAR AS details FROM pub."current_{s}"'
        )
    snap.execute(
        f"""CREATE OR REPLACE TABLE recs AS
        WITH who AS (SELECT DISTINCT person_id FROM q WHERE person_id IS NOT NULL),
        r AS ({" UNION ALL ".join(parts)})
        SELECT l.person_id, l.source, l.record_id, l.match_probability, am.address_raw, am.std_address_code,
               am.status AS address_status, am.confidence, sa.standard_address, e.kind, e.start, e."end",
               e.gone_from, e.responsible, r.name, r.id_number, r.phone, r.date, r.details
        FROM pub.person_link l JOIN who USING (person_id)
        LEFT JOIN pub.address_match am USING (source, record_id)
        LEFT JOIN pub.current_standard_address sa ON sa.address_code = am.std_address_code
        LEFT JOIN pub.evidence e ON e.source = l.source AND e.record_id = l.record_id
        LEFT JOIN r ON r.source = l.source AND r.record_id = l.record_id
        ORDER BY l.person_id"""
    )
    snap.execute("CREATE INDEX recs_person ON recs (person_id)")
    if snap.has_table("linkage_pair"):
        snap.execute(
            """CREATE OR REPLACE TABLE lp AS
            SELECT a.person_id, p.* FROM pub.linkage_pair p
            JOIN recs a ON a.source = p.source_l AND a.record_id = p.record_id_l
            ORDER BY a.person_id"""
        )
        snap.execute("CREATE INDEX lp_person ON lp (person_id)")
    else:
        snap.execute("CREATE OR REPLACE TABLE lp AS SELECT NULL::VARCHAR AS person_id WHERE FALSE")


def refresh_decisions(snap: Snapshot, engine: Engine) -> int:
    """Fold the decisions stored since the last refresh into `dec`; returns the decision version."""
    with snap.cache["dec_lock"]:
        new = decisions_since(engine, snap.cache["dec_max"])
        if not new:
            return snap.cache["dec_max"]
        latest_status: dict[str, dict] = {}
        latest_assign: dict[str, dict] = {}
        for d in new:
            if d["action"] in STATUS_OF_ACTION:
                latest_status[d["flag_id"]] = d
            elif d["action"] in ASSIGN_ACTIONS:
                latest_assign[d["flag_id"]] = d
        cur = snap.cursor()
        try:
            if latest_status:
                cur.executemany(
                    """INSERT INTO dec (flag_id, status_decision_id, decided_status, decided_action, decided_by, decided_at)
                       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (flag_id) DO UPDATE SET
                       status_decision_id = excluded.status_decision_id, decided_status = excluded.decided_status,
                       decided_action = excluded.decided_action, decided_by = excluded.decided_by,
                       decided_at = excluded.decided_at""",
                    [
                        (
                            f,
                            d["decision_id"],
                            STATUS_OF_ACTION[d["action"]],
                            d["action"],
                            d["user_id"],
                            d["created_at"],
                        )
                        for f, d in latest_status.items()
                    ],
                )
            if latest_assign:
                cur.executemany(
                    """INSERT INTO dec (flag_id, assign_decision_id, assignee, assign_kind) VALUES (?, ?, ?, ?)
                       ON CONFLICT (flag_id) DO UPDATE SET assign_decision_id = excluded.assign_decision_id,
                       assignee = excluded.assignee, assign_kind = excluded.assign_kind""",
                    [
                        (f, d["decision_id"], (d["payload"] or {}).get("assignee"), d["action"])
                        for f, d in latest_assign.items()
                    ],
                )
        finally:
            cur.close()
        snap.cache["dec_max"] = new[-1]["decision_id"]
        return snap.cache["dec_max"]


@dataclass
class QueueFilter:
    flag_type: str = "address_inaccurate"
    street: str = ""
    community: str = ""
    station: str = ""
    reason: str = ""
    age: str = ""
    status: str = "open"  # open / confirmed / dismissed / all
    assigned: str = ""  # "" / mine / visit / none
    sort: str = "age"
    page: int = 1
    size: int = 50

    def normalized(self) -> QueueFilter:
        f = QueueFilter(**self.__dict__)
        f.sort = f.sort if f.sort in SORTS else "age"
        f.size = f.size if f.size in PAGE_SIZES else 50
        f.page = max(1, f.page)
        f.status = f.status if f.status in ("open", "confirmed", "dismissed", "all") else "open"
        f.age = f.age if f.age in AGE_BUCKETS else ""
        f.assigned = f.assigned if f.assigned in ("mine", "visit", "none") else ""
        return f

    def where(self, user: Principal, *, with_type: bool = True) -> tuple[str, list]:
        scope, params = user.scope_sql("q")
        parts = [scope]
        if with_type:
            parts.append("q.flag_type = ?")
            params.append(self.flag_type)
        for col in ("street", "community", "station", "reason"):
            v = getattr(self, col)
            if v:
                parts.append(f"q.{col} = ?")
                params.append(v)
        if self.age:
            _, lo, hi = AGE_BUCKETS[self.age]
            parts.append("q.age_days >= ?")
            params.append(lo)
            if hi is not None:
                parts.append("q.age_days <= ?")
                params.append(hi)
        if self.status != "all":
            parts.append("q.eff_status = ?")
            params.append(self.status)
        if self.assigned == "mine":
            parts.append("q.assign_kind = 'assign' AND q.assignee = ?")
            params.append(user.username)
        elif self.assigned == "visit":
            parts.append("q.assign_kind = 'field_visit'")
        elif self.assigned == "none":
            parts.append("q.assign_kind IS NULL")
        return " AND ".join(parts), params

    def query_args(self, **override: object) -> dict:
        args = {k: v for k, v in self.__dict__.items() if k != "flag_type" and v not in ("", None)}
        args.update({k: v for k, v in override.items()})
        return {k: v for k, v in args.items() if v not in ("", None)}


QUEUE_COLUMNS = """q.flag_id, q.flag_type, q.reason, q.eff_status, q.pending, q.person_id, q.source, q.record_id,
  q.std_address_code, q.detected_on, q.age_days, q.station, q.community, q.street, q.person_name,
  q.address_text, q.assignee, q.assign_kind, q.decided_action"""


def queue_page(snap: Snapshot, engine: Engine, user: Principal, f: QueueFilter) -> dict:
    """One page of a queue plus its total and per-type counts."""
    version = refresh_decisions(snap, engine)
    where, params = f.where(user)
    rows = snap.rows(
        f"SELECT {QUEUE_COLUMNS} FROM qv q WHERE {where} ORDER BY {SORTS[f.sort]} LIMIT ? OFFSET ?",
        [*params, f.size, (f.page - 1) * f.size],
    )
    key = ("total", user.user_id, repr(sorted(f.__dict__.items())), version)
    total = _cached(snap, key, lambda: snap.scalar(f"SELECT count(*) FROM qv q WHERE {where}", params))
    return {"rows": rows, "total": total, "tabs": type_counts(snap, user, version)}


def selection_ids(snap: Snapshot, engine: Engine, user: Principal, f: QueueFilter, limit: int) -> list[dict]:
    """Every finding matching the filter (for bulk actions), up to `limit`."""
    refresh_decisions(snap, engine)
    where, params = f.where(user)
    return snap.rows(
        f"SELECT q.flag_id, q.evidence_hash, q.eff_status, q.evidence FROM qv q WHERE {where} "
        f"ORDER BY {SORTS[f.sort]} LIMIT ?",
        [*params, limit],
    )


def type_counts(snap: Snapshot, user: Principal, version: int) -> dict[str, int]:
    """Open findings per type within the user's scope (the queue tabs)."""

    def compute() -> dict[str, int]:
        scope, params = user.scope_sql("q")
        got = dict(
            (r["flag_type"], r["n"])
            for r in snap.rows(
                f"SELECT q.flag_type, count(*) AS n FROM qv q WHERE {scope} AND q.eff_status = 'open' GROUP BY 1",
                params,
            )
        )
        return {t: got.get(t, 0) for t in FLAG_TYPES}

    return _cached(snap, ("tabs", user.role, user.stations, user.streets, user.communities, version), compute)


def facets(snap: Snapshot, user: Principal) -> dict[str, list[str]]:
    """The values the filter menus offer, within the user's scope (cached per file)."""

    def compute() -> dict[str, list[str]]:
        scope, params = user.scope_sql("q")
        out = {}
        for col in ("street", "community", "station", "reason"):
            out[col] = [
                r["v"]
                for r in snap.rows(
                    f"SELECT DISTINCT q.{col} AS v FROM q WHERE {scope} AND q.{col} IS NOT NULL ORDER BY 1",
                    params,
                )
            ]
        return out

    return _cached(snap, ("facets", user.role, user.stations, user.streets, user.communities), compute)


def _cached(snap: Snapshot, key: tuple, compute):  # noqa: ANN001, ANN202
    cache = snap.cache.setdefault("counts", {})
    if key not in cache:
        if len(cache) > 5000:  # bounded: a long day of filter combinations
            cache.clear()
        cache[key] = compute()
    return cache[key]


def finding_row(snap: Snapshot, engine: Engine, flag_id: str) -> dict | None:
    """One finding with its effective state (two indexed point lookups, not a scan of `qv`)."""
    refresh_decisions(snap, engine)
    got = snap.rows("SELECT * FROM q WHERE flag_id = ?", [flag_id])
    if not got:
        return None
    row = got[0]
    d = snap.rows("SELECT * FROM dec WHERE flag_id = ?", [flag_id])
    d = d[0] if d else {}
    pending = bool(d.get("status_decision_id")) and d["status_decision_id"] > (row["file_decision_id"] or 0)
    row.update(
        eff_status=d["decided_status"] if pending else row["status"],
        pending=pending,
        decided_action=d.get("decided_action"),
        decided_by=d.get("decided_by"),
        decided_at=d.get("decided_at"),
        assignee=d.get("assignee"),
        assign_kind=d.get("assign_kind"),
    )
    return row


def finding_rows(snap: Snapshot, flag_ids: list[str]) -> list[dict]:
    if not flag_ids:
        return []
    return snap.rows(
        f"SELECT q.* FROM qv q WHERE q.flag_id IN ({', '.join('?' * len(flag_ids))})", list(flag_ids)
    )
