"""`recon quarterly`: the quarterly community/collector account reconciliation (issue #7)."""

from __future__ import annotations

from pathlib import Path

import typer

from recon.pipelines.settings import DEFAULT_DB


def register(app: typer.Typer) -> None:
    """Attach the quarterly command to the top-level `recon` app."""
    app.command("quarterly")(quarterly)


def quarterly(
    quarter: str = typer.Option(..., help="The quarter to reconcile, e.g. 2026Q3."),
    rosters: Path = typer.Option(..., help="Folder of community rosters (CONTRACT.md community_roster)."),
    db: Path = typer.Option(DEFAULT_DB, help="The published DuckDB file."),
    out: Path = typer.Option(Path("data/out/quarterly"), help="Folder the statements and workbooks go to."),
) -> None:
    """Build the quarterly statements per community (村社人口数据对账) and their Excel workbooks."""
    raise NotImplementedError("recon quarterly is not built yet (issue #7)")
