"""Rates over past runs for the dashboard's trend.

The published file holds only tonight's `kpi` table (each run replaces it). The first time the
review app opens a published file it copies that run's rates into `kpi_history` in the
operational store, so the trend covers every run the app has seen.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from recon.warehouse.ops_store import kpi_history
from recon.warehouse.published import Snapshot

log = logging.getLogger("recon.review.kpi")


def remember_kpis(snap: Snapshot, engine: Engine) -> int:
    """Copy the opened file's kpi rows (all levels) into the history once per run; returns rows added."""
    run = snap.cache.get("run")
    if not run or not snap.has_table("kpi"):
        return 0
    with engine.connect() as con:
        if con.execute(
            select(kpi_history.c.run_id).where(kpi_history.c.run_id == run["run_id"]).limit(1)
        ).first():
            return 0
    rows = snap.rows("SELECT level, unit, metric, numerator, denominator, value, target FROM pub.kpi")
    try:
        with engine.begin() as con:
            con.execute(
                insert(kpi_history),
                [{**r, "run_id": run["run_id"], "as_of": _dt(run["as_of"])} for r in rows],
            )
    except IntegrityError:  # another app process stored this run first
        return 0
    log.info("kpi history: %d rows of run %s kept", len(rows), run["run_id"])
    return len(rows)


def _dt(d: date | datetime) -> datetime:
    return d if isinstance(d, datetime) else datetime.combine(d, time())


def district_trend(engine: Engine) -> dict[str, list[tuple[str, float]]]:
    """metric → [(as_of label, value)] at district level (区县), oldest first, last run per day."""
    with engine.connect() as con:
        rows = con.execute(
            select(kpi_history.c.as_of, kpi_history.c.run_id, kpi_history.c.metric, kpi_history.c.value)
            .where(kpi_history.c.level == "区县")
            .order_by(kpi_history.c.as_of, kpi_history.c.run_id)
        ).all()
    per_day: dict[str, dict[str, float]] = {}
    for as_of, _run, metric, value in rows:
        per_day.setdefault(str(as_of)[:10], {})[metric] = float(value or 0)
    out: dict[str, list[tuple[str, float]]] = {}
    for day, metrics in per_day.items():
        for metric, v in metrics.items():
            out.setdefault(metric, []).append((day[5:], v))
    return out
