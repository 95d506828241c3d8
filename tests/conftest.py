"""Shared fixtures: a small synthetic district generated once per session, Prefect test harness."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

AS_OF = date(2026, 11, 20)
SMALL_PERSONS = 1500


@pytest.fixture(scope="session")
def small_district(tmp_path_factory) -> Path:
    """A 1,500-person synthetic district (drop folder in ./input, truth in ./truth)."""
    from recon.synth import generate

    out = tmp_path_factory.mktemp("district")
    generate(out=out, persons=SMALL_PERSONS, seed=11, as_of=AS_OF)
    return out


@pytest.fixture(scope="session")
def prefect_harness():
    """A real, temporary Prefect server for flow runs in tests."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
