"""The `recon` command line."""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path

import typer

from recon.pipelines.settings import DEFAULT_DB, DEFAULT_DISTRICT, quiet_prefect

app = typer.Typer(
    help="resident-recon: reconcile agencies' floating-population records against the police registry.",
    no_args_is_help=True,
    add_completion=False,
)


def _as_of(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-20"
        ) from None


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # our own loggers speak at INFO (rows in / accepted / quarantined per step); libraries stay quiet
    logging.getLogger("recon").setLevel(logging.DEBUG if verbose else logging.INFO)


@app.command()
def synth(
    persons: int = typer.Option(20_000, help="Number of persons in the synthetic district."),
    seed: int = typer.Option(7, help="Random seed; the same seed gives byte-identical files."),
    as_of: str = typer.Option(None, help="The date the data is generated for (YYYY-MM-DD; default today)."),
    out: Path = typer.Option(
        Path("data/demo"), help="Output folder: input/ (drop folder) and truth/ are written here."
    ),
    district: str = typer.Option(
        DEFAULT_DISTRICT, help="County code of the district to simulate (330114 or 440306)."
    ),
) -> None:
    """Generate a synthetic district: a drop folder of every feed plus its ground truth."""
    from recon.synth import generate

    summary = generate(out=out, persons=persons, seed=seed, as_of=_as_of(as_of), district=district)
    typer.echo(
        f"synthetic district written to {out} ({persons:,} persons, seed {seed}) in {summary.seconds:.1f} s"
    )
    for feed, n in summary.rows.items():
        typer.echo(f"  {feed:<22}{n:>10,} rows")
    typer.echo(
        f"  bad rows (to be quarantined): {summary.bad_rows:,}; true findings: "
        + ", ".join(f"{k} {v:,}" for k, v in summary.findings.items())
    )


@app.command()
def nightly(
    input: Path = typer.Option(..., "--input", help="The drop folder (CONTRACT.md section 1)."),
    db: Path = typer.Option(DEFAULT_DB, help="The published DuckDB file; replaced atomically on success."),
    as_of: str = typer.Option(None, help="Reconcile as of this date (YYYY-MM-DD; default today)."),
    district: str = typer.Option(DEFAULT_DISTRICT, help="6-digit county code of the district (e.g. 330114)."),
    ops: str = typer.Option(None, help="Operational store URL (default: sqlite:///<db folder>/ops.sqlite)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every SQL statement."),
) -> None:
    """Run the nightly job: ingest, validate, resolve addresses, link persons, findings, rates, publish."""
    _logging(verbose)
    quiet_prefect()
    from recon.pipelines.nightly import main
    from recon.pipelines.output_checks import OutputCheckFailed

    try:
        result = main(input, db, _as_of(as_of), district, ops)
    except (FileNotFoundError, ValueError) as e:
        typer.secho(f"error: {e}", fg="red", err=True)
        raise typer.Exit(2) from e
    except OutputCheckFailed as e:
        typer.secho(f"error: {e}\nthe published file {db} was left unchanged", fg="red", err=True)
        raise typer.Exit(1) from e
    _print_summary(result)
    if result["status"] not in ("succeeded", "degraded"):
        raise typer.Exit(1)


@app.command()
def serve(
    input: Path = typer.Option(..., "--input", help="The drop folder the scheduled runs read."),
    db: Path = typer.Option(DEFAULT_DB, help="The published DuckDB file."),
    district: str = typer.Option(DEFAULT_DISTRICT, help="6-digit county code of the district."),
    timezone: str = typer.Option("Asia/Shanghai", help="Time zone of the 02:00 schedule."),
) -> None:
    """Serve the Prefect deployments: nightly at 02:00 and backfill (needs `prefect server start`)."""
    quiet_prefect()
    from prefect import serve as prefect_serve

    from recon.pipelines.deployments import deployments

    typer.echo(
        "serving deployments recon-nightly/nightly (cron 0 2 * * *), recon-nightly/backfill and "
        "recon-quarterly/quarterly (06:00 on the first day of each quarter); Ctrl-C stops"
    )
    prefect_serve(*deployments(input.resolve(), db.resolve(), district, tz=timezone))


@app.command()
def address(
    text: str = typer.Argument(..., help="The address as written, e.g. '下沙街道学林街88号文泽苑3-2-1502'."),
    db: Path = typer.Option(DEFAULT_DB, help="Published DuckDB file whose standard address library is used."),
    input: Path = typer.Option(
        None, "--input", help="Drop folder whose reference/address_aliases.csv is used."
    ),
) -> None:
    """Show how one address is parsed and resolved to a standard dwelling, with the candidates."""
    from recon.connectors.reference import read_address_aliases
    from recon.matching.address_index import AddressIndex
    from recon.matching.address_resolve import explain_address
    from recon.warehouse.gateway import Warehouse
    from recon.warehouse.schema import current_view

    if not db.exists():
        typer.secho(
            f"error: {db} does not exist; run `recon nightly` first or point --db at a published file",
            fg="red",
            err=True,
        )
        raise typer.Exit(2)
    with Warehouse(db, read_only=True) as wh:
        library = wh.query_pl(f'SELECT * FROM "{current_view("standard_address")}"')
    aliases = read_address_aliases(input) if input else None
    typer.echo(explain_address(text, AddressIndex.build(library, aliases)))


def _print_summary(result: dict) -> None:
    counts = result["counts"]
    typer.echo(f"\nrun {result['run_id']}: {result['status']} in {result['seconds']} s -> {result['db']}")
    typer.echo(
        f"{'feed':<22}{'files':>6}{'skip':>6}{'rej':>5}{'rows in':>11}{'accepted':>11}{'quarant.':>10}"
    )
    for s, c in counts.items():
        typer.echo(
            f"{s:<22}{c['files_read']:>6}{c['files_skipped']:>6}{c['files_rejected']:>5}{c['rows_in']:>11,}"
            f"{c['accepted']:>11,}{c['quarantined']:>10,}"
        )
    for st in result.get("steps", []):
        extra = {k: v for k, v in st.items() if k not in ("step", "rows_in", "rows_out", "seconds")}
        typer.echo(
            f"step {st['step']:<20} {st['seconds']:>7} s  rows in {st['rows_in']:>10,}  out {st['rows_out']:>10,}"
            f"  {extra}"
        )
    for s, c in counts.items():
        for m in c["messages"]:
            typer.secho(f"  ! {s}: {m}", fg="yellow", err=True)


def _register_commands() -> None:
    # commands owned by other modules (each keeps its heavy imports inside the command body)
    from recon.pipelines.explain_command import register as register_explain
    from recon.pipelines.quarterly_commands import register as register_quarterly
    from recon.review.commands import register as register_review

    register_explain(app)
    register_quarterly(app)
    register_review(app)


_register_commands()


def run() -> None:  # pragma: no cover - console entry
    app(prog_name="recon")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
