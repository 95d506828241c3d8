"""`recon users add/list/disable/reset-password` and `recon review` argument checks."""

from __future__ import annotations

from typer.testing import CliRunner

from recon.pipelines.cli import app


def test_users_commands(tmp_path):
    runner = CliRunner()
    ops = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    add = runner.invoke(
        app,
        [
            "users",
            "add",
            "zhang",
            "--role",
            "reviewer",
            "--name",
            "张警官",
            "--station",
            "下沙派出所",
            "--ops",
            ops,
            "--password-stdin",
        ],
        input="a-long-password\n",
    )
    assert add.exit_code == 0, add.output
    no_scope = runner.invoke(
        app,
        ["users", "add", "li", "--role", "reviewer", "--ops", ops, "--password-stdin"],
        input="a-long-password\n",
    )
    assert no_scope.exit_code == 2 and "--station" in no_scope.output
    short = runner.invoke(
        app, ["users", "add", "wang", "--role", "analyst", "--ops", ops, "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 2 and "10" in short.output
    bad_role = runner.invoke(
        app,
        ["users", "add", "zhao", "--role", "boss", "--ops", ops, "--password-stdin"],
        input="a-long-password\n",
    )
    assert bad_role.exit_code == 2 and "admin" in bad_role.output
    listed = runner.invoke(app, ["users", "list", "--ops", ops])
    assert "zhang" in listed.output and "stations=下沙派出所" in listed.output and "active" in listed.output
    assert runner.invoke(app, ["users", "disable", "zhang", "--ops", ops]).exit_code == 0
    assert "disabled" in runner.invoke(app, ["users", "list", "--ops", ops]).output
    reset = runner.invoke(
        app,
        ["users", "reset-password", "zhang", "--ops", ops, "--password-stdin"],
        input="another-long-one\n",
    )
    assert reset.exit_code == 0
    from recon.review.accounts import LoginRefused, authenticate
    from recon.warehouse.ops_store import open_store

    engine = open_store(ops)
    runner.invoke(app, ["users", "disable", "zhang", "--enable", "--ops", ops])
    assert authenticate(engine, "zhang", "another-long-one").stations == ("下沙派出所",)
    try:
        authenticate(engine, "zhang", "a-long-password")
        raise AssertionError("old password still accepted")
    except LoginRefused as e:
        assert e.code == "bad_credentials"
    missing = runner.invoke(app, ["users", "disable", "nobody", "--ops", ops])
    assert missing.exit_code == 2 and "recon users list" in missing.output


def test_review_needs_a_published_file(tmp_path):
    out = CliRunner().invoke(app, ["review", "--db", str(tmp_path / "none.duckdb")])
    assert out.exit_code == 2 and "recon nightly" in out.output
