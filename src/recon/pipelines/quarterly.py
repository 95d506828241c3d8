"""The quarterly Prefect flow `recon-quarterly`: statements, collector figures and workbooks.

Scheduled on the first day of each quarter (Asia/Shanghai, see deployments.py); with no quarter
given it reconciles the quarter that just ended. The work itself is `run_quarterly` (a plain
function the CLI and the tests call without Prefect).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from recon.pipelines.quarterly_run import run_quarterly
from recon.pipelines.settings import quiet_prefect
from recon.reconcile.quarterly import quarter_label
from recon.reconcile.workdays import WorkCalendar


def previous_quarter(today: date) -> str:
    """The last completed quarter before `today` (run on 2026-10-01 → 2026Q3)."""
    q = (today.month - 1) // 3 + 1
    return f"{today.year}Q{q - 1}" if q > 1 else f"{today.year - 1}Q4"


@flow(name="recon-quarterly", log_prints=False)
def quarterly_flow(
    rosters: str,
    db: str,
    out: str,
    quarter: str | None = None,
    ops_url: str | None = None,
    holidays: str | None = None,
) -> dict:
    """Reconcile one quarter (default: the one that just ended) and write a new statement version."""
    logger = get_run_logger()
    q = quarter_label(quarter) if quarter else previous_quarter(date.today())
    result = run_quarterly(
        q,
        Path(rosters),
        Path(db),
        Path(out),
        ops_url=ops_url,
        calendar=WorkCalendar.load(Path(holidays) if holidays else None),
    )
    lines = "\n".join(f"| {s} | {n:,} |" for s, n in result.sections.items())
    create_markdown_artifact(
        key="recon-quarterly-summary",
        markdown=f"# Quarterly statements {result.quarter} v{result.version}\n\n"
        f"{result.communities} communities, {result.items:,} items, {len(result.workbooks)} workbooks "
        f"in {result.seconds['total']:.1f} s → `{result.folder}`\n\n| section | items |\n|---|---:|\n{lines}\n",
        description=f"resident-recon quarterly statements {result.quarter}",
    )
    logger.info("quarterly %s v%d written to %s", result.quarter, result.version, result.folder)
    return {
        "quarter": result.quarter,
        "version": result.version,
        "folder": str(result.folder),
        "communities": result.communities,
        "items": result.items,
        "sections": result.sections,
        "workbooks": len(result.workbooks),
        "frozen": result.frozen,
        "seconds": result.seconds,
    }


def main(rosters: Path, db: Path, out: Path, quarter: str | None = None, ops_url: str | None = None) -> dict:
    quiet_prefect()
    return quarterly_flow(str(rosters), str(db), str(out), quarter, ops_url)
