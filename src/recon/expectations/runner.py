"""Validate a pandas frame against a `SuiteSpec` with Great Expectations.

One in-memory GX context and pandas datasource serve the whole process; each suite target
gets a dataframe asset with a whole-frame batch definition, and each call runs a
`ValidationDefinition` (suite × batch definition) on the frame with the suite's expectation
parameters. (`Batch.validate` would build the batch twice, and GX fingerprints every pandas
batch by hashing all its cells: ~1 s per million rows each time.) The result is returned as a
`ValidationOutcome`: the gate decision (`success`: no critical expectation failed), the
messages, one warehouse row per expectation, and the GX objects the Data Docs render.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from recon.expectations.checks import SuiteSpec
from recon.expectations.gx_context import DATASOURCE, offline_context
from recon.expectations.results import ExpectationResult, mask_samples, to_result

log = logging.getLogger("recon.expectations")

# BASIC gives counts and a few sample values; larger formats add per-row indices and cost time.
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 5}


@dataclass
class ValidationOutcome:
    """The result of validating one batch against one suite."""

    suite: str
    target: str  # feed source or table name
    batch_name: str
    success: bool  # the gate: no critical expectation failed (warnings do not block)
    all_met: bool  # every expectation met, warnings included (GX's own `success`)
    critical_failures: list[str]  # one actionable message per failed critical expectation
    warnings: list[str]  # one message per failed non-critical expectation
    results: list[ExpectationResult]
    rows: int
    seconds: float
    run_time: datetime
    gx_suite: Any = field(repr=False, default=None)  # great_expectations.ExpectationSuite
    gx_result: Any = field(repr=False, default=None)  # ExpectationSuiteValidationResult (samples masked)

    @property
    def quarantine(self) -> bool:
        """True when the batch must be quarantined for this run."""
        return not self.success


class _Engine:
    """The process's GX context with its pandas datasource; GX objects are not thread-safe, hence the lock."""

    def __init__(self) -> None:
        self.context = offline_context()
        self.datasource = self.context.data_sources.add_pandas(DATASOURCE)
        self.batch_definitions: dict[str, Any] = {}
        self.lock = threading.Lock()

    def batch_definition(self, asset_name: str) -> Any:
        if asset_name not in self.batch_definitions:
            asset = self.datasource.add_dataframe_asset(asset_name)
            self.batch_definitions[asset_name] = asset.add_batch_definition_whole_dataframe(
                f"{asset_name}:whole"
            )
        return self.batch_definitions[asset_name]

    def run(self, suite: SuiteSpec, gx_suite: Any, df: pd.DataFrame, params: dict | None, run_id: Any) -> Any:
        import great_expectations as gx

        with self.lock:
            gx_suite = self.context.suites.add_or_update(gx_suite)
            definition = self.context.validation_definitions.add_or_update(
                gx.ValidationDefinition(
                    name=suite.name, data=self.batch_definition(suite.target), suite=gx_suite
                )
            )
            result = definition.run(
                batch_parameters={"dataframe": df},
                expectation_parameters=params,
                result_format=RESULT_FORMAT,
                run_id=run_id,
            )
            # The caller keeps the result; the in-memory store would otherwise grow with every batch.
            store = self.context.validation_results_store
            for key in store.list_keys():
                store.remove_key(key)
        return result


_engine: _Engine | None = None
_engine_lock = threading.Lock()


def engine() -> _Engine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = _Engine()
        return _engine


def validate_frame(suite: SuiteSpec, df: pd.DataFrame, batch_name: str) -> ValidationOutcome:
    """Run `suite` on `df` with GX; the batch passes the gate unless a critical expectation fails."""
    from great_expectations.core.run_identifier import RunIdentifier

    t0 = time.perf_counter()
    eng = engine()
    gx_suite = suite.to_gx()
    params = suite.expectation_parameters(len(df)) or None
    run_time = datetime.now(UTC)
    gx_result = eng.run(suite, gx_suite, df, params, RunIdentifier(run_name=batch_name, run_time=run_time))
    gx_result.meta["batch_name"] = batch_name

    results: list[ExpectationResult] = []
    seen: set[str] = set()
    for r in gx_result.results:
        check_id = (r.expectation_config.meta or {}).get("check_id")
        check = suite.check(check_id)
        seen.add(check_id)
        if check.personal and r.result:
            mask_samples(r.result)
        results.append(to_result(suite.name, batch_name, check, r, len(df)))
    missing = [c.check_id for c in suite.checks if c.check_id not in seen]
    if missing:
        raise RuntimeError(
            f"GX returned no result for checks {missing} of suite {suite.name!r}; batch {batch_name}"
        )

    order = {c.check_id: i for i, c in enumerate(suite.checks)}
    results.sort(key=lambda x: order[x.check_id])
    critical = [x.message for x in results if not x.success and x.critical]
    warnings = [x.message for x in results if not x.success and not x.critical]
    seconds = time.perf_counter() - t0
    log.info(
        "%s [%s]: %d rows, %d expectations, %d critical failures, %d warnings in %.2f s",
        suite.name,
        batch_name,
        len(df),
        len(results),
        len(critical),
        len(warnings),
        seconds,
    )
    return ValidationOutcome(
        suite=suite.name,
        target=suite.target,
        batch_name=batch_name,
        success=not critical,
        all_met=not critical and not warnings,
        critical_failures=critical,
        warnings=warnings,
        results=results,
        rows=len(df),
        seconds=seconds,
        run_time=run_time,
        gx_suite=gx_suite,
        gx_result=gx_result,
    )
