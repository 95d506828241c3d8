"""`recon review` and `recon users ...`: the review web app's commands (issue #6)."""

from __future__ import annotations

from pathlib import Path

import typer

from recon.pipelines.settings import DEFAULT_DB

users_app = typer.Typer(help="Manage review-app accounts (admin, reviewer, supervisor, community, analyst).")


def register(app: typer.Typer) -> None:
    """Attach the review-app commands to the top-level `recon` app."""
    app.add_typer(users_app, name="users")
    app.command("review")(review)


def review(
    db: Path = typer.Option(DEFAULT_DB, help="The published DuckDB file (opened read-only)."),
    ops: str = typer.Option(None, help="Operational store URL (default: sqlite:///<db folder>/ops.sqlite)."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Start the review web app where police work the finding queues."""
    raise NotImplementedError("recon review is not built yet (issue #6)")
