"""Shared fixtures: clean contract frames and one warmed-up GX engine for the whole session."""

from __future__ import annotations

import pandas as pd
import pytest

from recon.expectations.bench import contract_frame


def clean_frame(source: str, rows: int = 200, seed: int = 0) -> pd.DataFrame:
    """Accepted rows of a feed, built from the contract, converted the way the ingest step does."""
    return contract_frame(source, rows, seed).to_pandas()


@pytest.fixture(scope="session")
def gx_engine():
    """The process-wide GX context (importing GX costs seconds: pay it once)."""
    from recon.expectations.runner import engine

    return engine()
