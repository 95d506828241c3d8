"""Quarterly fixtures: the small district through the nightly flow once, then `recon quarterly`
on it (shared by the statement tests and the browser sign-off test)."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import AS_OF

QUARTER = "2026Q3"


@pytest.fixture(scope="session")
def quarterly_published(small_district, prefect_harness, tmp_path_factory):
    from recon.pipelines.nightly import nightly_flow

    work = tmp_path_factory.mktemp("quarterly")
    inp = work / "input"
    shutil.copytree(small_district / "input", inp)
    db = work / "out" / "recon.duckdb"
    nightly_flow(str(inp), str(db), AS_OF.isoformat(), "330114")
    return work, inp, db


@pytest.fixture(scope="session")
def quarterly_first(quarterly_published):
    """Version 1 of the quarter's statements (its own operational store)."""
    from recon.pipelines.quarterly_run import run_quarterly

    work, inp, db = quarterly_published
    ops = f"sqlite:///{work / 'ops.sqlite'}"
    result = run_quarterly(QUARTER, inp / "community_roster", db, work / "quarterly", ops_url=ops)
    return work, inp, db, ops, result


@pytest.fixture(scope="session")
def two_rosters(quarterly_published, tmp_path_factory):
    """A rosters folder with only two communities' files of the quarter (quicker runs)."""
    _, inp, _ = quarterly_published
    folder = tmp_path_factory.mktemp("two_rosters")
    for path in sorted((inp / "community_roster").glob(f"*_{QUARTER}.*"))[:2]:
        shutil.copy(path, folder / path.name)
    return folder
