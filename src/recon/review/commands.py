"""`recon review` and `recon users ...`: the review web app's commands (issue #6)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from recon.pipelines.settings import DEFAULT_DB

users_app = typer.Typer(
    help="Manage review-app accounts (admin, reviewer, supervisor, community, analyst).", no_args_is_help=True
)

OPS_HELP = "Operational store URL (default: sqlite:///<db folder>/ops.sqlite)."
PASSWORD_ENV = "RECON_USER_PASSWORD"


def register(app: typer.Typer) -> None:
    """Attach the review-app commands to the top-level `recon` app."""
    app.add_typer(users_app, name="users")
    app.command("review")(review)


def _engine(db: Path, ops: str | None):  # noqa: ANN202
    from recon.review.app import default_ops_url
    from recon.warehouse.ops_store import open_store

    return open_store(ops or default_ops_url(db))


def _password(password_stdin: bool) -> str:
    """The new password: from stdin (--password-stdin), $RECON_USER_PASSWORD, or a hidden prompt."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    return typer.prompt("Password (at least 10 characters)", hide_input=True, confirmation_prompt=True)


def review(
    db: Path = typer.Option(DEFAULT_DB, help="The published DuckDB file (opened read-only)."),
    ops: str = typer.Option(None, help=OPS_HELP),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    secure_cookies: bool = typer.Option(
        False, help="Mark the session cookie Secure (when served over HTTPS)."
    ),
) -> None:
    """Start the review web app where police work the finding queues."""
    import uvicorn

    from recon.review.accounts import user_count
    from recon.review.app import create_app

    if not db.exists():
        typer.echo(
            f"no published file at {db}: run `recon nightly --input DIR --db {db} ...` first "
            "(the app opens the file read-only and follows each new publication)",
            err=True,
        )
        raise typer.Exit(2)
    app = create_app(db, ops, secure_cookies=secure_cookies)
    if user_count(app.state.ctx.engine) == 0:
        typer.echo("no accounts yet: add one with `recon users add NAME --role admin`", err=True)
    import time

    t0 = time.perf_counter()
    with app.state.ctx.published.snapshot():  # open the file and build its index before serving
        pass
    typer.echo(f"published file {db} opened in {time.perf_counter() - t0:.1f} s")
    typer.echo(f"review app on http://{host}:{port} (published file {db})")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@users_app.command("add")
def users_add(
    username: str = typer.Argument(..., help="Login name, e.g. xiasha_zhang."),
    role: str = typer.Option(..., help="admin / reviewer / supervisor / community / analyst."),
    name: str = typer.Option(None, "--name", help="Display name (e.g. 张警官)."),
    station: list[str] = typer.Option([], help="派出所 a reviewer works on (repeat for several)."),
    street: list[str] = typer.Option([], help="街道 a supervisor oversees (repeat for several)."),
    community: list[str] = typer.Option([], help="社区 a community staff member belongs to (repeat)."),
    password_stdin: bool = typer.Option(False, help="Read the password from standard input."),
    db: Path = typer.Option(DEFAULT_DB, help="The published DuckDB file (locates the default ops store)."),
    ops: str = typer.Option(None, help=OPS_HELP),
) -> None:
    """Add an account. The password comes from a prompt, --password-stdin or $RECON_USER_PASSWORD."""
    from recon.review.accounts import AccountError, add_user

    engine = _engine(db, ops)
    try:
        uid = add_user(
            engine,
            username,
            _password(password_stdin),
            role,
            display_name=name,
            stations=station,
            streets=street,
            communities=community,
        )
    except AccountError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"added user {username} (id {uid}, role {role})")


@users_app.command("list")
def users_list(
    db: Path = typer.Option(DEFAULT_DB, help="The published DuckDB file (locates the default ops store)."),
    ops: str = typer.Option(None, help=OPS_HELP),
) -> None:
    """List the accounts with role, scope and state."""
    from recon.review.accounts import list_users

    rows = list_users(_engine(db, ops))
    if not rows:
        typer.echo("no accounts; add one with `recon users add NAME --role admin`")
        return
    typer.echo(f"{'id':>4}  {'username':<20}{'role':<12}{'state':<10}scope")
    for u in rows:
        scope = u["scope"] or {}
        parts = [f"{k}={','.join(v)}" for k, v in scope.items() if v]
        state = "disabled" if u["disabled"] else ("locked" if u["locked_until"] else "active")
        typer.echo(
            f"{u['user_id']:>4}  {u['username']:<20}{u['role']:<12}{state:<10}{' '.join(parts) or '-'}"
        )


@users_app.command("disable")
def users_disable(
    username: str = typer.Argument(..., help="The account to disable (its sessions end at once)."),
    enable: bool = typer.Option(False, "--enable", help="Enable the account again instead."),
    db: Path = typer.Option(DEFAULT_DB, help="The published DuckDB file (locates the default ops store)."),
    ops: str = typer.Option(None, help=OPS_HELP),
) -> None:
    """Disable an account (or --enable it again)."""
    from recon.review.accounts import AccountError, set_disabled

    try:
        set_disabled(_engine(db, ops), username, not enable)
    except AccountError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{'enabled' if enable else 'disabled'} {username}")


@users_app.command("reset-password")
def users_reset_password(
    username: str = typer.Argument(..., help="The account whose password is set anew (also unlocks it)."),
    password_stdin: bool = typer.Option(False, help="Read the password from standard input."),
    db: Path = typer.Option(DEFAULT_DB, help="The published DuckDB file (locates the default ops store)."),
    ops: str = typer.Option(None, help=OPS_HELP),
) -> None:
    """Set a new password and clear a lockout."""
    from recon.review.accounts import AccountError, reset_password

    try:
        reset_password(_engine(db, ops), username, _password(password_stdin))
    except AccountError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"password of {username} reset")
