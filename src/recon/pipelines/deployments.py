"""Prefect deployments: the nightly run on cron, reruns of a given night (backfill), and the
quarterly statements on the first day of each quarter.

`recon serve` builds them with `deployments()` and serves them from this process (a Prefect
server must be running: `prefect server start`). `prefect.yaml` at the repository root
declares the same deployments for a work pool + worker set-up.
"""

from __future__ import annotations

from pathlib import Path

from prefect.schedules import Cron

NIGHTLY_CRON = "0 2 * * *"  # 02:00 local time, every night
QUARTERLY_CRON = "0 6 1 1,4,7,10 *"  # 06:00 on the first day of each quarter (after that night's run)
TIMEZONE = "Asia/Shanghai"


def deployments(
    input_dir: Path, db: Path, district: str, ops_url: str | None = None, tz: str = TIMEZONE
) -> list:
    """The nightly deployment (as_of = the run's date) and the backfill one (as_of given at run time)."""
    from recon.pipelines.nightly import nightly_flow

    params = {"input_dir": str(input_dir), "db": str(db), "district": district}
    if ops_url:
        params["ops_url"] = ops_url
    nightly = nightly_flow.to_deployment(
        name="nightly",
        schedule=Cron(NIGHTLY_CRON, timezone=tz),
        parameters={**params, "as_of": None},
        description="Reconcile every feed of the drop folder as of today and publish the DuckDB file.",
        tags=["resident-recon", "nightly"],
        concurrency_limit=1,  # DuckDB admits one writer: never two nightly runs at once
    )
    backfill = nightly_flow.to_deployment(
        name="backfill",
        parameters={**params, "as_of": None},
        description="Rerun one night: start it with as_of=YYYY-MM-DD (prefect deployment run "
        "'recon-nightly/backfill' -p as_of=2026-11-20).",
        tags=["resident-recon", "backfill"],
        concurrency_limit=1,
    )
    from recon.pipelines.quarterly import quarterly_flow

    quarterly = quarterly_flow.to_deployment(
        name="quarterly",
        schedule=Cron(QUARTERLY_CRON, timezone=tz),
        parameters={
            "rosters": str(Path(input_dir) / "community_roster"),
            "db": str(db),
            "out": str(Path(db).parent / "quarterly"),
            "quarter": None,
            **({"ops_url": ops_url} if ops_url else {}),
        },
        description="Quarterly statements (村社人口数据对账) of the quarter that just ended: a new version, "
        "workbooks per community, sub-district and police station, collector figures.",
        tags=["resident-recon", "quarterly"],
        concurrency_limit=1,
    )
    return [nightly, backfill, quarterly]
