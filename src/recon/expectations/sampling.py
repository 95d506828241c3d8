"""Validating large batches: exact checks on the whole batch, rate checks on a sample.

A feed batch of millions of rows costs GX about 10 s per million rows plus the pandas
conversion of every column. The checks split in two by what they need:

- **whole batch** (``not_null``, ``unique``, ``row_count``, ``parsed_share``): a single null key,
  a repeated key or a row count is a fact about the whole batch, so these run on every row,
  but only on the columns they name (a narrow frame converts and validates quickly);
- **sample** (``columns``, ``rate``, ``between``): shares of values matching a format or a
  value set, whose floors (50%, 90%, 95%, 99%) sit far from what a sample can blur. They run
  on a uniform random sample of ``SAMPLE_ROWS`` rows drawn with a fixed seed (the same batch
  gives the same sample, so reruns give the same results). With 200,000 rows the standard
  error of a share is at most 0.11 percentage points, so a verdict can differ from the
  whole-batch one only for a share within about 0.3 points of its floor.

Batches up to ``SAMPLE_ROWS`` rows are validated whole, in one suite, as before. Each part is
its own GX validation (suite ``<name>`` on the whole batch and ``<name>.sampled`` on the
sample, whose batch name says the sample size), so Data Docs and the `expectation_result`
table show exactly what each expectation saw.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from recon.expectations.checks import SuiteSpec
from recon.expectations.runner import ValidationOutcome, validate_frame

SAMPLE_ROWS = 200_000
SAMPLE_SEED = 20_261_120
WHOLE_BATCH_KINDS = frozenset({"not_null", "unique", "row_count", "parsed_share"})


def split_suite(suite: SuiteSpec) -> tuple[SuiteSpec, SuiteSpec]:
    """The suite's whole-batch checks and its sampled checks, as two suites."""
    whole = tuple(c for c in suite.checks if c.kind in WHOLE_BATCH_KINDS)
    sampled = tuple(c for c in suite.checks if c.kind not in WHOLE_BATCH_KINDS)
    return (
        replace(suite, checks=whole),
        replace(suite, name=f"{suite.name}.sampled", checks=sampled),
    )


def _narrow(frame: pl.DataFrame, suite: SuiteSpec) -> pl.DataFrame:
    """The batch as the suite's checks read it: turning every column into pandas objects costs
    more than the checks themselves. Columns no check reads the values of are left out, or,
    when the suite checks which columns are present, passed as empty columns of the same name
    (that check reads names only, so it sees exactly the batch's columns)."""
    read = {c.column for c in suite.checks if c.column and c.column in frame.columns}
    if any(c.kind == "columns" for c in suite.checks):
        return frame.select(pl.col(c) if c in read else pl.lit(None).alias(c) for c in frame.columns)
    return frame.select(sorted(read) or frame.columns[:1])


def validate_polars(
    suite: SuiteSpec, frame: pl.DataFrame, batch_name: str, *, sample_rows: int = SAMPLE_ROWS
) -> list[ValidationOutcome]:
    """Validate a polars batch; above `sample_rows` rows, rate checks see a seeded sample."""
    if frame.height <= sample_rows:
        return [validate_frame(suite, _narrow(frame, suite).to_pandas(), batch_name=batch_name)]
    whole, sampled = split_suite(suite)
    outcomes = []
    if whole.checks:
        outcomes.append(validate_frame(whole, _narrow(frame, whole).to_pandas(), batch_name=batch_name))
    if sampled.checks:
        sample = _narrow(frame, sampled).sample(n=sample_rows, seed=SAMPLE_SEED)
        outcomes.append(
            validate_frame(
                sampled,
                sample.to_pandas(),
                batch_name=f"{batch_name} [sample of {sample_rows:,} of {frame.height:,} rows]",
            )
        )
    return outcomes
