"""Matching a file's header row to the feed's contract columns (after the feed.yaml mapping)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from recon.connectors.cells import clean_header, header_key
from recon.connectors.contract import FeedSpec
from recon.connectors.feed_config import FEED_CONFIG_NAME

# Title rows ("2026年10月走访登记表") above the header are common; look this far down for it.
HEADER_SEARCH_ROWS = 10


@dataclass
class ColumnPlan:
    """Where each file column goes: a contract column, `_extra`, or nowhere."""

    contract: dict[int, str] = field(default_factory=dict)  # file column index → English name
    extra: dict[int, str] = field(default_factory=dict)  # file column index → `_extra` key
    found: tuple[str, ...] = ()  # the file's non-empty headers, cleaned
    missing_required: tuple[str, ...] = ()  # contract headers
    missing_optional: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)  # ambiguous columns; the file is rejected


def _targets(spec: FeedSpec, header_map: dict[str, str] | None) -> dict[str, str]:
    """Header key → contract header, for the contract's own headers and the feed.yaml mapping."""
    targets = {header_key(h): h for h in spec.headers}
    for file_header, contract_header in (header_map or {}).items():
        targets[header_key(file_header)] = clean_header(contract_header)
    return targets


def header_score(cells: Sequence[object], spec: FeedSpec, header_map: dict[str, str] | None = None) -> int:
    """How many distinct contract columns a row would supply if it were the header row."""
    targets = _targets(spec, header_map)
    return len({targets[k] for k in (header_key(c) for c in cells) if k in targets})


def find_header_row(
    rows: Sequence[Sequence[object]], spec: FeedSpec, header_map: dict[str, str] | None = None
) -> int:
    """Index of the header row: the first of the top rows naming the most contract columns (0 if none)."""
    best, best_score = 0, 0
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = header_score(row, spec, header_map)
        if score > best_score:
            best, best_score = i, score
    return best


def plan_columns(
    headers: Sequence[object], spec: FeedSpec, header_map: dict[str, str] | None = None
) -> ColumnPlan:
    """Map each header to a contract column or to an `_extra` key; collect every problem."""
    targets = _targets(spec, header_map)
    plan = ColumnPlan(found=tuple(h for h in (clean_header(x) for x in headers) if h))
    by_header: dict[str, list[int]] = {}
    for i, raw in enumerate(headers):
        key = header_key(raw)
        contract_header = targets.get(key)
        if contract_header is not None:
            by_header.setdefault(contract_header, []).append(i)
            continue
        name = clean_header(raw) or f"column_{i + 1}"
        while name in plan.extra.values():
            name += "_2"
        plan.extra[i] = name
    for contract_header, positions in by_header.items():
        if len(positions) > 1:
            written = [clean_header(headers[i]) for i in positions]
            plan.problems.append(
                f"columns {written} (positions {[i + 1 for i in positions]}) all mean {contract_header};"
                " keep one of them, or map only one in feed.yaml"
            )
        plan.contract[positions[0]] = spec.by_header(contract_header).name  # type: ignore[union-attr]
    present = set(by_header)
    plan.missing_required = tuple(h for h in spec.required_headers if h not in present)
    plan.missing_optional = tuple(
        c.header for c in spec.columns if not c.required and c.header not in present
    )
    return plan


def missing_columns_message(source_file: str, spec: FeedSpec, plan: ColumnPlan) -> str:
    """The rejection message for a file without some required columns: what is missing, what is there, the fix."""
    missing = "、".join(plan.missing_required)
    found = "、".join(plan.found) if plan.found else "(no headers at all)"
    return (
        f"{source_file}: missing required column(s) {missing}; the file has columns: {found}."
        f" Rename the columns in the export to the contract's headers, or add {spec.source}/{FEED_CONFIG_NAME}"
        f" mapping the file's headers to them (e.g. `身份证号: 证件号码`)."
    )
