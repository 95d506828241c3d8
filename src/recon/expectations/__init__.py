"""Data-quality gate: Great Expectations suites as code, their runner, results and Data Docs.

    suite = feed_suite("police_registry", previous_row_count, counts=BatchCounts(rows_read, raw_nonnull))
    outcome = validate_frame(suite, accepted.to_pandas(), batch_name="police_registry/2026-11-20.csv")
    if not outcome.success:           # a critical expectation failed: quarantine this batch, run degraded
        ...outcome.critical_failures  # actionable messages
    rows = [r.as_row() for r in outcome.results]   # → warehouse `expectation_result`
    build_data_docs(outcomes, Path("data/out/docs"))  # → data/out/docs/index.html

Output-table suites (person_link, address_match, flag, kpi) plug in the same way: build a
`SuiteSpec` from the constructors in `checks` (`not_null`, `between`, `in_set`, `row_count`…)
over the frame to check, e.g. accepted records left-joined to person_link with
`not_null("person_id")`, or kpi with `between("value", 0, 1)`, and pass it to `validate_frame`.
GX itself is imported on first validation, not on import of this package.
"""

from recon.expectations.checks import Check, SuiteSpec
from recon.expectations.docs import build_data_docs
from recon.expectations.results import ExpectationResult
from recon.expectations.runner import ValidationOutcome, validate_frame
from recon.expectations.suites import BatchCounts, feed_suite

__all__ = [
    "BatchCounts",
    "Check",
    "ExpectationResult",
    "SuiteSpec",
    "ValidationOutcome",
    "build_data_docs",
    "feed_suite",
    "validate_frame",
]
