"""The ingest and validate steps: drop folder → connectors → expectations → raw layer.

Plain functions over an open build `Warehouse`, so tests reach them without Prefect; the
nightly flow wraps them as tasks. Every file read is accounted for: rows read = accepted +
quarantined, and a file already loaded (same SHA-256) is not read again.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

from recon.connectors import discover, read_file
from recon.connectors.base import DropFile, ReadResult
from recon.connectors.contract import FEEDS, FeedSpec
from recon.expectations import BatchCounts, feed_suite, validate_frame
from recon.warehouse import raw
from recon.warehouse.gateway import Warehouse

log = logging.getLogger("recon.pipelines.ingest")


@dataclass
class FeedCounts:
    """One feed's accounting for one run (CONTRACT.md section 3, `run.counts`)."""

    files_found: int = 0
    files_read: int = 0
    files_skipped: int = 0  # already loaded, or an older snapshot the newest replaces
    files_rejected: int = 0
    rows_in: int = 0
    accepted: int = 0
    quarantined: int = 0
    batches_quarantined: int = 0
    warnings: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def check(self, source: str) -> None:
        if self.rows_in != self.accepted + self.quarantined:
            raise AssertionError(
                f"{source}: rows read {self.rows_in} != accepted {self.accepted} + quarantined {self.quarantined}"
            )

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class IngestReport:
    feeds: dict[str, FeedCounts]
    outcomes: list  # expectations ValidationOutcome, for Data Docs
    unknown_folders: list[str]

    @property
    def degraded(self) -> bool:
        return any(c.files_rejected or c.batches_quarantined for c in self.feeds.values())


def _batch_quarantine(result: ReadResult, why: str) -> pl.DataFrame:
    """All accepted rows of a batch that failed a critical expectation, as quarantine rows."""
    moved = result.accepted.select(
        pl.lit(result.source).alias("source"),
        pl.col("_source_file").alias("source_file"),
        pl.col("_source_row").cast(pl.Int64).alias("source_row"),
        pl.col("record_id"),
        pl.lit([why], dtype=pl.List(pl.Utf8)).alias("reasons"),
    )
    return pl.concat([result.quarantine.select(moved.columns), moved], how="vertical_relaxed")


def ingest_file(
    wh: Warehouse, spec: FeedSpec, drop: DropFile, header_map: dict[str, str] | None, *, run_id: str,
    counts: FeedCounts, outcomes: list,
) -> None:
    """Read one file, validate its batch, write it to the raw layer (or quarantine), ledger it."""
    result = read_file(spec, drop, header_map)
    with wh.transaction():  # a file lands whole or not at all, so a retried step never doubles rows
        _land(wh, spec, drop, result, run_id=run_id, counts=counts, outcomes=outcomes)


def _land(wh: Warehouse, spec: FeedSpec, drop: DropFile, result: ReadResult, *, run_id: str, counts: FeedCounts,
          outcomes: list) -> None:
    load_seq = raw.next_load_seq(wh)
    batch_id = f"{run_id}:{spec.source}:{load_seq}"
    rel = result.source_file
    ledger = dict(source=spec.source, source_file=rel, sha256=drop.sha256, size_bytes=drop.size, batch_id=batch_id,
                  run_id=run_id, load_seq=load_seq, encoding=result.encoding)
    if result.rejected is not None:
        rej = result.rejected
        counts.files_rejected += 1
        counts.messages.append(rej.message)
        raw.write_rejection(wh, source=spec.source, source_file=rel, message=rej.message,
                            missing=rej.missing_columns, found=rej.found_columns, run_id=run_id)
        raw.record_ledger(wh, **ledger, status=raw.REJECTED, rows_read=0, accepted=0, quarantined=0,
                          message=rej.message)
        log.warning("%s: rejected %s: %s", spec.source, rel, rej.message)
        return
    counts.files_read += 1
    counts.rows_in += result.rows_read
    counts.warnings.extend(f"{rel}: {w}" for w in result.warnings)

    suite = feed_suite(spec.source, raw.last_batch_rows(wh, spec.source), counts=BatchCounts(rows_read=result.rows_read))
    outcome = validate_frame(suite, result.accepted.drop("_extra").to_pandas(), batch_name=rel)
    outcomes.append(outcome)
    raw.write_expectations(wh, outcome, run_id=run_id, batch=rel)

    if not outcome.success and outcome.critical_failures:
        why = "batch failed a critical data-quality expectation: " + "; ".join(outcome.critical_failures)
        quarantine = _batch_quarantine(result, why)
        counts.batches_quarantined += 1
        counts.quarantined += quarantine.height
        counts.messages.append(f"{rel}: {why}")
        raw.write_quarantine(wh, quarantine, batch_id=batch_id, run_id=run_id)
        raw.record_ledger(wh, **ledger, status=raw.BATCH_QUARANTINED, rows_read=result.rows_read, accepted=0,
                          quarantined=quarantine.height, message=why)
        log.warning("%s: batch %s quarantined: %s", spec.source, rel, why)
        return

    if spec.mode == "snapshot":
        raw.clear_raw(wh, spec)
    raw.append_raw(wh, spec, raw.raw_frame(spec, result.accepted, batch_id=batch_id, run_id=run_id, load_seq=load_seq))
    raw.write_quarantine(wh, result.quarantine, batch_id=batch_id, run_id=run_id)
    counts.accepted += result.accepted.height
    counts.quarantined += result.quarantine.height
    raw.record_ledger(wh, **ledger, status=raw.LOADED, rows_read=result.rows_read, accepted=result.accepted.height,
                      quarantined=result.quarantine.height)
    log.info("%s: %s rows in %d / accepted %d / quarantined %d (%s)", spec.source, rel, result.rows_read,
             result.accepted.height, result.quarantine.height, result.encoding)


def ingest_feed(wh: Warehouse, spec: FeedSpec, files: list[DropFile], header_map: dict[str, str] | None, *,
                run_id: str, outcomes: list) -> FeedCounts:
    """Ingest one feed's files in delivery order, applying its load semantics."""
    counts = FeedCounts(files_found=len(files))
    seen = raw.loaded_hashes(wh, spec.source)
    todo = files
    if spec.mode == "snapshot" and files:
        counts.files_skipped += len(files) - 1  # older snapshots: the newest file wins
        todo = files[-1:]
    for drop in todo:
        if drop.sha256 in seen:
            counts.files_skipped += 1
            continue
        ingest_file(wh, spec, drop, header_map, run_id=run_id, counts=counts, outcomes=outcomes)
        seen.add(drop.sha256)  # an identical copy delivered in the same run is not read twice
    counts.check(spec.source)
    return counts


def record_discovery_rejections(wh: Warehouse, source: str, rejected: list, counts: FeedCounts, *, run_id: str) -> None:
    """Files refused at discovery (bad name, unsupported type) are reported with the feed's counts."""
    for rej in rejected:
        counts.files_rejected += 1
        counts.messages.append(rej.message)
        raw.write_rejection(wh, source=source, source_file=rej.source_file, message=rej.message,
                            missing=rej.missing_columns, found=rej.found_columns, run_id=run_id)


def ingest_all(wh: Warehouse, input_dir: Path, *, run_id: str) -> IngestReport:
    """Ingest every feed folder of the drop folder; a broken feed never stops the others."""
    found = discover(input_dir)
    feeds: dict[str, FeedCounts] = {}
    outcomes: list = []
    for source, spec in FEEDS.items():
        counts = ingest_feed(wh, spec, found.files.get(source, []), found.header_maps.get(source), run_id=run_id,
                             outcomes=outcomes)
        record_discovery_rejections(wh, source, [r for r in found.rejected if r.source == source], counts, run_id=run_id)
        feeds[source] = counts
    return IngestReport(feeds=feeds, outcomes=outcomes, unknown_folders=list(found.unknown_folders))
