"""Dashboard: the four rates per 街道/社区/派出所 against targets, trends over runs, open findings
per station by age."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from recon.review import charts
from recon.review.deps import ctx, current_session, snapshot
from recon.review.findings_index import refresh_decisions
from recon.review.kpi_history import district_trend
from recon.review.labels import LEVELS
from recon.review.sessions import Session
from recon.warehouse.published import Snapshot

router = APIRouter()

METRICS = (  # (metric, higher is better)
    ("collection_rate", True),
    ("accuracy_rate", True),
    ("not_deregistered_7d_rate", False),
    ("permit_rate", True),
)
AGE_SERIES = [
    ("d7", "7 天内", "#90caf9"),
    ("d30", "8–30 天", "#42a5f5"),
    ("d90", "31–90 天", "#1e88e5"),
    ("older", "90 天以上", "#0d47a1"),
]


def _kpis(snap: Snapshot) -> list[dict]:
    if "kpi_rows" not in snap.cache:
        snap.cache["kpi_rows"] = (
            snap.rows(
                "SELECT level, unit, metric, metric_name, numerator, denominator, value, target FROM pub.kpi"
            )
            if snap.has_table("kpi")
            else []
        )
    return snap.cache["kpi_rows"]


def _run_trend(snap: Snapshot) -> list[tuple[str, float]]:
    """Open-or-decided findings per run, from the run table's step log (kept in every published file)."""
    if "run_trend" not in snap.cache:
        pts = []
        if snap.has_table("run"):
            for r in snap.rows("SELECT as_of, started_at, steps FROM pub.run ORDER BY started_at"):
                steps = json.loads(r["steps"] or "{}").get("steps", [])
                by_type = next((s.get("findings_by_type") for s in steps if s.get("findings_by_type")), None)
                if by_type is not None:
                    label = f"{str(r['as_of'])[5:]} {r['started_at']:%H:%M}"
                    pts.append((label, float(sum(by_type.values()))))
        snap.cache["run_trend"] = pts[-30:]
    return snap.cache["run_trend"]


@router.get("/dashboard")
def dashboard(
    request: Request,
    level: str = "街道",
    sess: Session = Depends(current_session),
    snap: Snapshot = Depends(snapshot),
) -> Response:
    c = ctx(request)
    user = sess.user
    level = level if level in LEVELS else "街道"
    kpis = _kpis(snap)
    district = {r["metric"]: r for r in kpis if r["level"] == "区县"}
    by_metric = []
    trend = district_trend(c.engine)
    for metric, higher in METRICS:
        rows = sorted(
            (r for r in kpis if r["level"] == level and r["metric"] == metric), key=lambda r: r["unit"]
        )
        if not rows:
            continue
        target = float(rows[0]["target"])
        name = rows[0]["metric_name"]
        missed = [r for r in rows if (r["value"] < target if higher else r["value"] > target)]
        by_metric.append(
            {
                "metric": metric,
                "name": name,
                "target": target,
                "higher": higher,
                "district": district.get(metric),
                "missed": len(missed),
                "rows": rows,
                "chart": charts.rate_bars(rows, target, higher, f"{level}{name}"),
                "trend": charts.trend_chart(trend.get(metric, []), target, f"全区{name}趋势"),
            }
        )
    version = refresh_decisions(snap, c.engine)
    scope, params = user.scope_sql("q")
    key = ("ages", user.role, user.stations, user.streets, user.communities, version)
    cache = snap.cache.setdefault("counts", {})
    if key not in cache:
        cache[key] = snap.rows(
            f"""SELECT coalesce(q.station, '（未定位）') AS unit,
                  count(*) FILTER (WHERE q.age_days <= 7) AS d7,
                  count(*) FILTER (WHERE q.age_days BETWEEN 8 AND 30) AS d30,
                  count(*) FILTER (WHERE q.age_days BETWEEN 31 AND 90) AS d90,
                  count(*) FILTER (WHERE q.age_days > 90) AS older,
                  count(*) AS total,
                  count(*) FILTER (WHERE q.flag_type = 'address_inaccurate') AS address_inaccurate,
                  max(q.age_days) AS oldest
               FROM qv q WHERE {scope} AND q.eff_status = 'open' GROUP BY 1 ORDER BY total DESC""",
            params,
        )
    ages = cache[key]
    return c.templates.TemplateResponse(
        request,
        "dashboard.html",
        {
            "user": user,
            "csrf": sess.csrf_token,
            "level": level,
            "levels": LEVELS,
            "metrics": by_metric,
            "ages": ages,
            "ages_chart": charts.stacked_bars(ages, AGE_SERIES, "各派出所待处理线索及时长") if ages else None,
            "findings_trend": charts.trend_chart(_run_trend(snap), None, "未关闭线索数趋势", percent=False),
            "run": snap.cache.get("run"),
        },
    )
