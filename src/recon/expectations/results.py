"""GX expectation results → warehouse rows and human-readable messages.

`ExpectationResult` holds the run-independent fields of one expectation's result (the
warehouse adds `run_id`). `kwargs` and `observed_value` are JSON-ready Python values, not
JSON text: the warehouse serializes them. Sample values of checks on personal columns (ID
numbers, phones) are reduced to their shape (`9999-99-99`, `字字`) before they leave the runner,
so neither the warehouse nor the Data Docs hold personal data from a failed check.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from recon.expectations.checks import Check

MAX_EXAMPLES = 5
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class ExpectationResult:
    """One expectation's result for one batch (a row of the warehouse's `expectation_result`)."""

    suite: str
    batch_name: str
    check_id: str
    expectation_type: str
    column: str | None
    kwargs: dict[str, Any]  # the GX kwargs as evaluated ($PARAMETERs resolved), JSON-ready
    success: bool
    critical: bool
    observed_value: Any  # JSON-ready: what was measured (see `observed`)
    unexpected_count: int | None
    unexpected_percent: float | None  # GX's: percent (0-100) of the non-null values checked
    message: str  # empty when the expectation is met

    def as_row(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def shape_mask(value: Any) -> str:
    """A value's shape without its content: digits → 9, letters → a/A, Chinese characters → 字."""
    text = str(value)
    out = []
    for ch in text[:40]:
        if ch.isdigit():
            out.append("9")
        elif _CJK.match(ch):
            out.append("字")
        elif ch.isalpha():
            out.append("A" if ch.isupper() else "a")
        else:
            out.append(ch)
    return "".join(out) + ("…" if len(text) > 40 else "")


def mask_samples(result: dict[str, Any]) -> None:
    """Replace sampled unexpected values in a GX result dict by their shapes, in place."""
    if "partial_unexpected_list" in result:
        result["partial_unexpected_list"] = [
            None if v is None else shape_mask(v) for v in result["partial_unexpected_list"]
        ]
    if "partial_unexpected_counts" in result:
        result["partial_unexpected_counts"] = [
            {**c, "value": None if c.get("value") is None else shape_mask(c["value"])}
            for c in result["partial_unexpected_counts"]
        ]


def exception_message(exception_info: Any) -> str | None:
    """The first exception message of a GX result (its shape differs between metric and top-level errors)."""
    if not exception_info:
        return None
    if "raised_exception" in exception_info:
        return exception_info.get("exception_message") if exception_info.get("raised_exception") else None
    for info in exception_info.values():
        if isinstance(info, dict) and info.get("exception_message"):
            return str(info["exception_message"])
    return None


def _json_ready(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _distinct(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def observed(check: Check, result: dict[str, Any], rows: int) -> dict[str, Any]:
    """What was measured, in the words of the check's kind."""
    if check.kind == "columns":
        missing = (result.get("details") or {}).get("mismatched", {}).get("missing", [])
        return {"missing": list(missing), "columns": list(result.get("observed_value") or [])}
    if check.kind == "row_count":
        n = result.get("observed_value")
        base = check.baseline
        return {"rows": n, "baseline": base, "ratio": (n / base) if (n is not None and base) else None}
    total = result.get("element_count", rows)
    bad = result.get("unexpected_count") or 0
    if check.kind == "not_null":
        return {"rows": total, "null_count": bad}
    if check.kind == "parsed_share":
        parsed = total - bad
        raw = check.raw_nonnull or 0
        return {
            "rows": total,
            "parsed": parsed,
            "raw_nonnull": raw,
            "parse_rate": parsed / raw if raw else None,
        }
    checked = total - (result.get("missing_count") or 0)
    return {
        "checked": checked,
        "unexpected": bad,
        "pass_rate": (1 - bad / checked) if checked else None,
        "examples": _distinct(result.get("partial_unexpected_list") or [])[:MAX_EXAMPLES],
    }


def message(suite: str, batch: str, check: Check, obs: dict[str, Any], error: str | None) -> str:
    """One sentence a data steward can act on: what failed, where, measured vs allowed, how to fix."""
    where = f" on {check.label}" if check.label else ""
    head = f"{suite} [{batch}]: {'CRITICAL' if check.critical else 'warning'} {check.description}{where}"
    if error:
        return f"{head} could not be evaluated: {error}. Fix: {check.fix}"
    if check.kind == "columns":
        body = f"missing {obs['missing']} (the frame has {obs['columns']})"
    elif check.kind == "not_null":
        body = f"{obs['null_count']:,} of {obs['rows']:,} rows are empty; none may be"
    elif check.kind == "row_count":
        lo, hi = check.kwargs.get("min_value"), check.kwargs.get("max_value")
        allowed = f"at least {lo:,}" if hi is None else f"between {lo:,} and {hi:,}"
        base = (
            f" vs {check.baseline:,} {check.baseline_label} ({_pct(obs['ratio'])})" if check.baseline else ""
        )
        body = f"{obs['rows']:,} rows{base}; allowed {allowed}"
    elif check.kind == "parsed_share":
        body = (
            f"{obs['parsed']:,} of {obs['raw_nonnull']:,} non-empty raw cells parsed "
            f"({_pct(obs['parse_rate'])}); threshold ≥ {check.min_rate:.0%}"
        )
    else:
        shown = ", ".join(repr(v) for v in obs["examples"])
        masked = " (shape-masked)" if check.personal else ""
        body = (
            f"{_pct(obs['pass_rate'])} of {obs['checked']:,} non-null values pass "
            f"({obs['unexpected']:,} do not); threshold ≥ {check.min_rate:.0%}"
            + (f"; examples{masked}: {shown}" if shown else "")
        )
    return f"{head}: {body}. Fix: {check.fix}"


def to_result(suite: str, batch: str, check: Check, gx_result: Any, rows: int) -> ExpectationResult:
    """Our row for one GX `ExpectationValidationResult` (samples already masked)."""
    config = gx_result.expectation_config.to_json_dict()
    kwargs = {k: v for k, v in (config.get("kwargs") or {}).items() if k != "batch_id"}
    result = dict(gx_result.result or {})
    error = exception_message(gx_result.exception_info)
    success = bool(gx_result.success) and error is None
    obs = {"error": error} if error else observed(check, result, rows)
    pct = result.get("unexpected_percent")
    return ExpectationResult(
        suite=suite,
        batch_name=batch,
        check_id=check.check_id,
        expectation_type=str(config.get("type")),
        column=check.column,
        kwargs=_json_ready(kwargs),
        success=success,
        critical=check.critical,
        observed_value=_json_ready(obs),
        unexpected_count=result.get("unexpected_count"),
        unexpected_percent=None if pct is None else float(pct),
        message="" if success else message(suite, batch, check, obs, error),
    )
