"""The ingest and validate steps: drop folder → connectors → expectations → raw layer.

Plain functions over an open build `Warehouse`, so tests reach them without Prefect; the
nightly flow wraps them as tasks. Every file read is accounted for: rows read = accepted +
quarantined, and a file already loaded (same SHA-256) is not read again.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

from recon.connectors import discover, read_file
from recon.connectors.base import DropFile, ReadResult
from recon.connectors.contract import FEEDS, FeedSpec
from recon.expectations import BatchCounts, feed_suite
from recon.expectations.sampling import validate_polars
from recon.warehouse import raw
from recon.warehouse.gateway import Warehouse

log = logging.getLogger("recon.pipelines.ingest")

# Files of a feed are read by a small thread pool: polars' CSV parsing, calamine and the
# connectors' column expressions release the GIL, so two readers keep both cores busy.
READ_THREADS = int(os.environ.get("RECON_READ_THREADS", min(4, os.cpu_count() or 1)))


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
    """All accepted rows of a file whose feed batch failed a critical expectation, as quarantine rows."""
    moved = result.accepted.select(
        pl.lit(result.source).alias("source"),
        pl.col("_source_file").alias("source_file"),
        pl.col("_source_row").cast(pl.Int64).alias("source_row"),
        pl.col("record_id"),
        pl.lit([why], dtype=pl.List(pl.Utf8)).alias("reasons"),
    )
    return pl.concat([result.quarantine.select(moved.columns), moved], how="vertical_relaxed")


def _reject(
    wh: Warehouse,
    spec: FeedSpec,
    drop: DropFile,
    result: ReadResult,
    ledger: dict,
    counts: FeedCounts,
    run_id: str,
) -> None:
    rej = result.rejected
    assert rej is not None
    counts.files_rejected += 1
    counts.messages.append(rej.message)
    raw.write_rejection(
        wh,
        source=spec.source,
        source_file=result.source_file,
        message=rej.message,
        missing=rej.missing_columns,
        found=rej.found_columns,
        run_id=run_id,
    )
    raw.record_ledger(
        wh, **ledger, status=raw.REJECTED, rows_read=0, accepted=0, quarantined=0, message=rej.message
    )
    log.warning("%s: rejected %s: %s", spec.source, result.source_file, rej.message)


def validate_batch(
    wh: Warehouse, spec: FeedSpec, results: list[ReadResult], *, run_id: str, outcomes: list
) -> list[str]:
    """Validate this run's batch of a feed (every file read tonight) with its GX suite.

    Returns the critical failures (empty: the batch passes the gate). A large batch is checked
    whole for keys, nulls and counts and on a seeded sample for format rates (see
    `recon.expectations.sampling`)."""
    frames = [r.accepted.drop("_extra") for r in results]
    batch = pl.concat(frames, how="vertical_relaxed")
    rows_read = sum(r.rows_read for r in results)
    suite = feed_suite(
        spec.source, raw.last_batch_rows(wh, spec.source), counts=BatchCounts(rows_read=rows_read)
    )
    name = f"{spec.source} ({len(results)} files)"
    critical: list[str] = []
    for outcome in validate_polars(suite, batch, batch_name=name):
        outcomes.append(outcome)
        raw.write_expectations(wh, outcome, run_id=run_id, batch=outcome.batch_name)
        critical += outcome.critical_failures
    return critical


def land_batch(
    wh: Warehouse,
    spec: FeedSpec,
    drops: list[DropFile],
    results: list[ReadResult],
    *,
    run_id: str,
    counts: FeedCounts,
    outcomes: list,
) -> None:
    """Validate the feed's batch, then write it (or quarantine it whole) and ledger every file."""
    good = [(d, r) for d, r in zip(drops, results, strict=True) if r.rejected is None]
    failed_why = None
    if good:
        critical = validate_batch(wh, spec, [r for _, r in good], run_id=run_id, outcomes=outcomes)
        if critical:
            failed_why = "feed batch failed a critical data-quality expectation: " + "; ".join(critical)
            counts.batches_quarantined += 1
            counts.messages.append(failed_why)
            log.warning("%s: batch quarantined: %s", spec.source, failed_why)
    for drop, result in zip(drops, results, strict=True):
        load_seq = raw.next_load_seq(wh)
        batch_id = f"{run_id}:{spec.source}:{load_seq}"
        ledger = dict(
            source=spec.source,
            source_file=result.source_file,
            sha256=drop.sha256,
            size_bytes=drop.size,
            batch_id=batch_id,
            run_id=run_id,
            load_seq=load_seq,
            encoding=result.encoding,
        )
        if result.rejected is not None:
            _reject(wh, spec, drop, result, ledger, counts, run_id)
            continue
        counts.files_read += 1
        counts.rows_in += result.rows_read
        counts.warnings.extend(f"{result.source_file}: {w}" for w in result.warnings)
        if failed_why:
            quarantine = _batch_quarantine(result, failed_why)
            raw.write_quarantine(wh, quarantine, batch_id=batch_id, run_id=run_id)
            counts.quarantined += quarantine.height
            raw.record_ledger(
                wh,
                **ledger,
                status=raw.BATCH_QUARANTINED,
                rows_read=result.rows_read,
                accepted=0,
                quarantined=quarantine.height,
                message=failed_why,
            )
            continue
        if spec.mode == "snapshot":
            raw.clear_raw(wh, spec)
        raw.append_raw(
            wh,
            spec,
            raw.raw_frame(spec, result.accepted, batch_id=batch_id, run_id=run_id, load_seq=load_seq),
        )
        raw.write_quarantine(wh, result.quarantine, batch_id=batch_id, run_id=run_id)
        counts.accepted += result.accepted.height
        counts.quarantined += result.quarantine.height
        raw.record_ledger(
            wh,
            **ledger,
            status=raw.LOADED,
            rows_read=result.rows_read,
            accepted=result.accepted.height,
            quarantined=result.quarantine.height,
        )
        log.debug(
            "%s: %s rows in %d / accepted %d / quarantined %d (%s)",
            spec.source,
            result.source_file,
            result.rows_read,
            result.accepted.height,
            result.quarantine.height,
            result.encoding,
        )


def ingest_feed(
    wh: Warehouse,
    spec: FeedSpec,
    files: list[DropFile],
    header_map: dict[str, str] | None,
    *,
    run_id: str,
    outcomes: list,
) -> FeedCounts:
    """Ingest one feed's new files in delivery order as one batch, applying its load semantics."""
    counts = FeedCounts(files_found=len(files))
    seen = raw.loaded_hashes(wh, spec.source)
    candidates = files
    if spec.mode == "snapshot" and files:
        counts.files_skipped += len(files) - 1  # older snapshots: the newest file wins
        candidates = files[-1:]
    todo: list[DropFile] = []
    for drop in candidates:
        if drop.sha256 in seen:  # already loaded, or an identical copy delivered in this run
            counts.files_skipped += 1
            continue
        seen.add(drop.sha256)
        todo.append(drop)
    results = read_files(spec, todo, header_map)
    with wh.transaction():  # the feed's batch lands whole or not at all: a retried step never doubles rows
        land_batch(wh, spec, todo, results, run_id=run_id, counts=counts, outcomes=outcomes)
    counts.check(spec.source)
    log.info(
        "%s: files read %d, skipped %d, rejected %d; rows in %d / accepted %d / quarantined %d",
        spec.source,
        counts.files_read,
        counts.files_skipped,
        counts.files_rejected,
        counts.rows_in,
        counts.accepted,
        counts.quarantined,
    )
    return counts


def read_files(spec: FeedSpec, drops: list[DropFile], header_map: dict[str, str] | None) -> list[ReadResult]:
    """Read a feed's files (in parallel when there are several), results in delivery order."""
    if READ_THREADS <= 1 or len(drops) <= 1:
        return [read_file(spec, drop, header_map) for drop in drops]
    with ThreadPoolExecutor(max_workers=READ_THREADS, thread_name_prefix=f"read-{spec.source}") as pool:
        return list(pool.map(lambda drop: read_file(spec, drop, header_map), drops))


def record_discovery_rejections(
    wh: Warehouse, source: str, rejected: list, counts: FeedCounts, *, run_id: str
) -> None:
    """Files refused at discovery (bad name, unsupported type) are reported with the feed's counts."""
    for rej in rejected:
        counts.files_rejected += 1
        counts.messages.append(rej.message)
        raw.write_rejection(
            wh,
            source=source,
            source_file=rej.source_file,
            message=rej.message,
            missing=rej.missing_columns,
            found=rej.found_columns,
            run_id=run_id,
        )


def ingest_all(wh: Warehouse, input_dir: Path, *, run_id: str) -> IngestReport:
    """Ingest every feed folder of the drop folder; a broken feed never stops the others."""
    found = discover(input_dir)
    feeds: dict[str, FeedCounts] = {}
    outcomes: list = []
    for source, spec in FEEDS.items():
        counts = ingest_feed(
            wh,
            spec,
            found.files.get(source, []),
            found.header_maps.get(source),
            run_id=run_id,
            outcomes=outcomes,
        )
        record_discovery_rejections(
            wh, source, [r for r in found.rejected if r.source == source], counts, run_id=run_id
        )
        feeds[source] = counts
    return IngestReport(feeds=feeds, outcomes=outcomes, unknown_folders=list(found.unknown_folders))
