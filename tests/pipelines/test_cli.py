"""The `recon` command line: every command has --help; bad arguments give clear messages."""

from __future__ import annotations

from typer.testing import CliRunner

from recon.pipelines.cli import app

runner = CliRunner()


def test_every_command_has_help():
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert {"synth", "nightly", "serve"} <= set(commands)
    for name in commands:
        res = runner.invoke(app, [name, "--help"])
        assert res.exit_code == 0, (name, res.output)
        assert "--" in res.output


def test_bad_date_and_missing_input_are_explained(tmp_path):
    res = runner.invoke(app, ["nightly", "--input", str(tmp_path), "--as-of", "20-11-2026"])
    assert res.exit_code != 0 and "YYYY-MM-DD" in res.output
    res = runner.invoke(app, ["nightly", "--input", str(tmp_path / "nope"), "--as-of", "2026-11-20"])
    assert res.exit_code == 2 and "drop folder" in res.output
    res = runner.invoke(
        app, ["nightly", "--input", str(tmp_path), "--as-of", "2026-11-20", "--district", "3301"]
    )
    assert res.exit_code == 2 and "6-digit county code" in res.output
