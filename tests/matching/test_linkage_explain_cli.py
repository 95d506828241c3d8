"""`recon explain` and the `pair_explanation` table on a published file from a real nightly run."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from recon.pipelines.cli import app
from tests.conftest import AS_OF

runner = CliRunner()


@pytest.fixture(scope="module")
def published(small_district: Path, prefect_harness, tmp_path_factory) -> Path:
    from recon.pipelines.nightly import nightly_flow

    db = tmp_path_factory.mktemp("explain") / "recon.duckdb"
    nightly_flow(str(small_district / "input"), str(db), AS_OF.isoformat(), "330114")
    return db


def test_explain_prints_the_waterfall_the_run_scored(published: Path) -> None:
    con = duckdb.connect(str(published), read_only=True)
    row = con.execute(
        "SELECT source_l, record_id_l, source_r, record_id_r, match_weight FROM linkage_pair "
        "WHERE linked ORDER BY match_weight LIMIT 1"
    ).fetchone()
    con.close()
    a, b = f"{row[0]}:{row[1]}", f"{row[2]}:{row[3]}"
    res = runner.invoke(app, ["explain", a, b, "--db", str(published)])
    assert res.exit_code == 0, res.output
    out = res.output
    for step in ("prior", "id_number", "name", "birth_date", "phone", "dwelling", "hukou_area"):
        assert re.search(rf"^{step}\s", out, re.M), f"{step} missing from\n{out}"
    total = float(re.search(r"match weight (-?[\d.]+)", out).group(1))
    assert total == pytest.approx(row[4], abs=0.02), out
    assert "same person" in out


def test_explain_rejects_unknown_and_malformed_records(published: Path) -> None:
    con = duckdb.connect(str(published), read_only=True)
    src, rid = con.execute("SELECT source, record_id FROM person_link LIMIT 1").fetchone()
    con.close()
    res = runner.invoke(app, ["explain", f"{src}:{rid}", f"{src}:NO-SUCH-ID", "--db", str(published)])
    assert res.exit_code == 2 and "NO-SUCH-ID" in res.output
    res = runner.invoke(app, ["explain", f"{src}:{rid}", "nosuchfeed:1", "--db", str(published)])
    assert res.exit_code == 2 and "unknown source 'nosuchfeed'" in res.output
    res = runner.invoke(app, ["explain", f"{src}:{rid}", "no-colon", "--db", str(published)])
    assert res.exit_code == 2 and "SOURCE:RECORD_ID" in res.output
    res = runner.invoke(app, ["explain", "a:1", "b:2", "--db", str(published.parent / "missing.duckdb")])
    assert res.exit_code == 2 and "does not exist" in res.output


def test_pair_explanations_stored_for_findings_add_up(published: Path) -> None:
    con = duckdb.connect(str(published), read_only=True)
    # every pair's steps: prior first, running total ends at the pair's match weight
    bad = con.execute(
        """SELECT flag_id, source_l, record_id_l, source_r, record_id_r,
                  max(match_weight) AS w, arg_max(running_total, step) AS last, min(step) AS first
           FROM pair_explanation GROUP BY ALL
           HAVING abs(w - last) > 0.01 OR first <> 0"""
    ).fetchall()
    assert bad == []
    # each pair touches the finding's person; findings whose person has pairs are all explained
    stray = con.execute(
        """SELECT count(*) FROM pair_explanation e JOIN flag f USING (flag_id)
           WHERE f.person_id NOT IN (e.person_id_l, e.person_id_r)"""
    ).fetchone()[0]
    assert stray == 0
    missing = con.execute(
        """SELECT count(*) FROM flag f WHERE f.status <> 'closed'
           AND EXISTS (SELECT 1 FROM linkage_pair p JOIN person_link a
                       ON a.source = p.source_l AND a.record_id = p.record_id_l
                       WHERE a.person_id = f.person_id)
           AND NOT EXISTS (SELECT 1 FROM pair_explanation e WHERE e.flag_id = f.flag_id)"""
    ).fetchone()[0]
    assert missing == 0
    con.close()
