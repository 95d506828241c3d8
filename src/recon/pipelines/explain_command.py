"""`recon explain`: why two records are (or are not) the same person (issue #4)."""

from __future__ import annotations

from pathlib import Path

import typer

from recon.pipelines.settings import DEFAULT_DB


def register(app: typer.Typer) -> None:
    """Attach the explain command to the top-level `recon` app."""
    app.command("explain")(explain)


def explain(
    record_a: str = typer.Argument(..., help="First record as SOURCE:RECORD_ID, e.g. rental_lease:L000123."),
    record_b: str = typer.Argument(..., help="Second record as SOURCE:RECORD_ID."),
    db: Path = typer.Option(
        DEFAULT_DB, help="The published DuckDB file (model and records are read from it)."
    ),
) -> None:
    """Show the per-comparison match weights (a waterfall) for two records."""
    raise NotImplementedError("recon explain is not built yet (issue #4)")
