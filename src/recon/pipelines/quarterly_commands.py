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
    ops_url: str = typer.Option(
        None, help="Operational store URL (versions, sign-off); default: ops.sqlite beside --db."
    ),
    holidays: Path = typer.Option(None, help="Optional holiday calendar (date,kind) for working days."),
) -> None:
    """Build the quarterly statements per community (村社人口数据对账) and their Excel workbooks."""
    from recon.pipelines.quarterly_run import run_quarterly
    from recon.reconcile.quarterly import quarter_label
    from recon.reconcile.workdays import WorkCalendar

    try:
        q = quarter_label(quarter)
        result = run_quarterly(q, rosters, db, out, ops_url=ops_url, calendar=WorkCalendar.load(holidays))
    except (ValueError, FileNotFoundError, LookupError) as e:
        typer.echo(f"recon quarterly: {e}", err=True)
        raise typer.Exit(2) from e
    typer.echo(
        f"{result.quarter} statements v{result.version}: {result.communities} communities, {result.items:,} items, "
        f"{len(result.workbooks)} workbooks in {result.seconds['total']:.1f} s -> {result.folder}"
    )
    typer.echo("  seconds: " + ", ".join(f"{k} {v}" for k, v in result.seconds.items()))
    for section, n in result.sections.items():
        typer.echo(f"  {section:<12} {n:>9,}")
    if result.frozen:
        typer.echo(
            "  already confirmed (frozen, the confirmed version stays of record): "
            + ", ".join(f"{c} v{v}" for c, v in sorted(result.frozen.items()))
        )
