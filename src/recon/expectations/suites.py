"""One Great Expectations suite per raw feed, derived from the contract (never repeating it).

The frame validated is a connector's accepted rows (`ReadResult.accepted` without `_extra`,
converted to pandas): `record_id`, every contract column under its English name, typed
(dates parsed), and the lineage columns. What each feed suite checks, and why:

- **columns present** (critical): `record_id` and every contract column. The connector fills
  an optional column the file lacks with nulls, so a missing one is a connector/read-back bug.
- **required values present** (critical): `record_id` and the contract's required columns. The
  connector quarantines rows missing one, so a null here means the gate was bypassed.
- **key uniqueness**: only for snapshot and quarterly feeds, and only as a warning below 99%.
  Append feeds are not checked: a batch may span several drops and a later drop legitimately
  repeats a key to supersede it (a lease gains its 退租日期). Even within one file an identical
  re-listed row is accepted (only a key repeated with *different* content is quarantined), so
  a few repeats are harmless; many mean a wrong key mapping.
- **ID number format rate** (`id_number`): share of non-null values shaped as an 18-digit,
  15-digit or masked resident-ID number. Below 50% the column is not ID numbers at all (a wrong
  mapping in feed.yaml): critical. Below 90%: warning. Check characters, birth dates and area
  codes are *not* checked here: an invalid ID is a finding (`invalid_identity`), not bad input.
  Rows whose `id_type` names another document (passport…) are left out where the feed has one.
  Other ID columns (`landlord_id_number`) get the warning only: they do not drive linkage.
- **phone format rate** (every `*phone` column): warning below 90%.
- **date parse rate** (non-required date columns): the accepted frame holds parsed dates, and a
  blank cell and an unparseable one both end up null, so the rate needs the connector's count of
  non-empty raw cells per column over the accepted rows (`BatchCounts.raw_nonnull`). Parsed
  non-null / raw non-empty below 95%: warning; below 50% (a new date format): critical.
  Without a count for a column the check is skipped. Required dates need no rate: a row whose
  required date does not parse is quarantined, which the accepted-share check below sees.
- **enum values in set**: warning below 99%; critical below 50% for required enums
  (走访结果, 申报类型), whose values drive the findings.
- **accepted share** (needs `BatchCounts.rows_read`): accepted rows / rows read below 95%:
  warning; below 50%: critical (most of the file failed: format or mapping change).
- **row count vs the previous batch** of the same feed (`previous_row_count`, accepted rows):
  warning when it changes by more than 50% either way; for snapshot feeds, critical when it
  falls below 10% of the previous one, or to zero (a snapshot replaces the feed's whole state).
  Append and quarterly batches vary with the delivery, so they only warn.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from recon.connectors.contract import FeedSpec, feed
from recon.expectations import checks as ck

ID_FORMAT_FLOOR = 0.50
ID_FORMAT_TARGET = 0.90
PHONE_FORMAT_TARGET = 0.90
DATE_PARSE_FLOOR = 0.50
DATE_PARSE_TARGET = 0.95
ENUM_FLOOR = 0.50
ENUM_TARGET = 0.99
KEY_UNIQUE_TARGET = 0.99
ACCEPTED_FLOOR = 0.50
ACCEPTED_TARGET = 0.95
ROW_CHANGE_WARNING = 0.50
ROW_DROP_CRITICAL = 0.10

# 18 digits with a digit/X check character, the 15-digit legacy form, or a masked form
# (341221********1234): shape only, validity is the reconcile stage's business.
ID_NUMBER_REGEX = r"^(?:[\d*]{17}[\dXx*]|\d{15})$"
# Mobile (optionally +86, or masked 138****1234), landline with area code and extension, or local.
PHONE_REGEX = r"^(?:(?:\+?86)?1[3-9]\d{9}|1\d{2}\*{4}\d{4}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?|\d{7,8})$"
RESIDENT_ID_TYPE = "居民身份证"  # 证件类型: blank also means this


@dataclass(frozen=True)
class BatchCounts:
    """What the connector saw in the raw cells of one batch, for rates the typed frame cannot show.

    rows_read: data rows read from the file(s) of the batch (accepted + quarantined).
    raw_nonnull: per English column name, accepted rows whose raw cell was non-empty after
      trimming and NULL-marker removal (counted before date parsing). Only date columns are used.
    """

    rows_read: int
    raw_nonnull: Mapping[str, int] = field(default_factory=dict)


def suite_name(source: str) -> str:
    return f"feed.{source}"


def feed_suite(
    source: str, previous_row_count: int | None, *, counts: BatchCounts | None = None
) -> ck.SuiteSpec:
    """The expectation suite for one batch of a feed's accepted rows (see the module docstring)."""
    spec = feed(source)
    if counts is not None:
        unknown = sorted(set(counts.raw_nonnull) - set(spec.names))
        if unknown:
            raise KeyError(
                f"raw_nonnull names columns {unknown} that feed {source!r} does not have: {list(spec.names)}"
            )
    checks: list[ck.Check] = [
        ck.columns_present(
            ["record_id", *spec.names],
            fix="the connector must return record_id and every contract column (nulls when the file lacks an "
            "optional one); fix the connector or the code that reads the batch back",
        ),
        ck.not_null(
            "record_id", fix="every accepted row needs its record id; fix the connector's key handling"
        ),
    ]
    for c in spec.columns:
        if c.required:
            checks.append(
                ck.not_null(
                    c.name,
                    header=c.header,
                    fix=(
                        f"rows without {c.header} must be quarantined by the connector; check that feed.yaml maps "
                        f"{c.header} to the right file column and that the connector's required-value rule runs"
                    ),
                )
            )
    if spec.mode in ("snapshot", "quarterly"):
        checks.append(
            ck.unique(
                "record_id",
                min_rate=KEY_UNIQUE_TARGET,
                critical=False,
                fix=(
                    f"one key appears in many rows: check that feed.yaml maps the key column "
                    f"({_header(spec, spec.key)}) and that the file is one export, not several concatenated"
                ),
            )
        )
    checks += _format_checks(spec)
    checks += _date_checks(spec, counts)
    checks += _enum_checks(spec)
    checks += _count_checks(spec, previous_row_count, counts)
    meta = {
        "source": source,
        "mode": spec.mode,
        "previous_row_count": previous_row_count,
        "rows_read": counts.rows_read if counts else None,
    }
    return ck.SuiteSpec(suite_name(source), source, tuple(checks), meta)


def _header(spec: FeedSpec, name: str) -> str | None:
    try:
        return spec.column(name).header
    except KeyError:
        return None


def _format_checks(spec: FeedSpec) -> list[ck.Check]:
    out: list[ck.Check] = []
    id_condition = None
    if "id_type" in spec.names:  # other documents (passports…) are not expected to look like resident IDs
        id_condition = {
            "type": "or",
            "conditions": [
                {"type": "nullity", "column": {"name": "id_type"}, "is_null": True},
                {
                    "type": "comparison",
                    "column": {"name": "id_type"},
                    "operator": "==",
                    "parameter": RESIDENT_ID_TYPE,
                },
            ],
        }
    for c in spec.columns:
        if c.name.endswith("id_number"):
            fix = (
                f"most {c.header} values are not shaped like resident-ID numbers: check that feed.yaml maps "
                f"{c.header} to the file's ID column (not a phone, name or date column) and that full-width "
                "digits are folded"
            )
            levels = [(ID_FORMAT_TARGET, False)] + (
                [(ID_FORMAT_FLOOR, True)] if c.name == "id_number" else []
            )
            for rate, critical in levels:
                out.append(
                    ck.regex_rate(
                        f"id_format:{c.name}:{'critical' if critical else 'warning'}",
                        c.name,
                        ID_NUMBER_REGEX,
                        min_rate=rate,
                        critical=critical,
                        description="ID number format rate",
                        fix=fix,
                        header=c.header,
                        row_condition=id_condition if c.name == "id_number" else None,
                    )
                )
        elif c.name.endswith("phone"):
            out.append(
                ck.regex_rate(
                    f"phone_format:{c.name}",
                    c.name,
                    PHONE_REGEX,
                    min_rate=PHONE_FORMAT_TARGET,
                    critical=False,
                    description="phone format rate",
                    header=c.header,
                    fix=f"check that feed.yaml maps {c.header} to the file's phone column; numbers should be 11-digit "
                    "mobiles or landlines with an area code",
                )
            )
    return out


def _date_checks(spec: FeedSpec, counts: BatchCounts | None) -> list[ck.Check]:
    if counts is None:
        return []
    out: list[ck.Check] = []
    for c in spec.columns:
        raw = counts.raw_nonnull.get(c.name, 0)
        if c.kind != "date" or c.required or raw <= 0:
            continue
        fix = (
            f"{c.header} values did not parse as dates: teach the connector's date parser the new format "
            f"or fix feed.yaml's mapping of {c.header}"
        )
        for rate, critical in ((DATE_PARSE_TARGET, False), (DATE_PARSE_FLOOR, True)):
            out.append(
                ck.parsed_share(
                    f"date_parse:{c.name}:{'critical' if critical else 'warning'}",
                    c.name,
                    raw,
                    min_rate=rate,
                    critical=critical,
                    fix=fix,
                    header=c.header,
                )
            )
    return out


def _enum_checks(spec: FeedSpec) -> list[ck.Check]:
    out: list[ck.Check] = []
    for c in spec.columns:
        if c.kind != "enum":
            continue
        fix = (
            f"{c.header} holds values outside {list(c.values)}: map the agency's wording to the contract's "
            "values in the connector (or extend the contract)"
        )
        levels = [(ENUM_TARGET, False)] + ([(ENUM_FLOOR, True)] if c.required else [])
        for rate, critical in levels:
            out.append(
                ck.in_set(
                    f"in_set:{c.name}:{'critical' if critical else 'warning'}",
                    c.name,
                    c.values,
                    min_rate=rate,
                    critical=critical,
                    fix=fix,
                    header=c.header,
                )
            )
    return out


def _count_checks(spec: FeedSpec, previous: int | None, counts: BatchCounts | None) -> list[ck.Check]:
    out: list[ck.Check] = []
    if counts is not None and counts.rows_read > 0:
        fix = (
            "rows of the batch were quarantined: read the quarantine reasons for this file (a share this "
            "large usually means a new date format or a changed column mapping)"
        )
        for rate, critical in ((ACCEPTED_TARGET, False), (ACCEPTED_FLOOR, True)):
            out.append(
                ck.row_count(
                    f"accepted_share:{'critical' if critical else 'warning'}",
                    baseline=counts.rows_read,
                    low=rate,
                    high=None,
                    critical=critical,
                    description="accepted share of rows read",
                    fix=fix,
                    baseline_label="rows read",
                )
            )
    change_fix = (
        "compare with the previous delivery: a partial export, a filter applied by the agency or the "
        "wrong file in the folder; re-deliver the full file"
    )
    if previous:
        out.append(
            ck.row_count(
                "row_count:change",
                baseline=previous,
                low=1 - ROW_CHANGE_WARNING,
                high=1 + ROW_CHANGE_WARNING,
                critical=False,
                description="row count change against the previous batch",
                fix=change_fix,
            )
        )
    if spec.mode == "snapshot":
        out.append(
            ck.row_count(
                "row_count:drop",
                baseline=previous or None,
                low=ROW_DROP_CRITICAL,
                high=None,
                critical=True,
                min_rows=1,
                description="snapshot row count against the previous batch",
                fix=change_fix,
            )
        )
    return out
