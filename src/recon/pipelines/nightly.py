"""The nightly Prefect flow: ingest → validate → publish (later issues add matching and findings).

Each step is a task wrapping a plain function of `recon.pipelines.ingest` / `recon.warehouse`,
logs rows in / accepted / quarantined / out, and the run ends with a markdown artifact.
The published DuckDB file is replaced only when the whole flow succeeds.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from recon.connectors import discover
from recon.connectors.contract import FEEDS
from recon.connectors.reference import read_address_aliases
from recon.expectations import build_data_docs
from recon.pipelines import reconcile_steps as steps
from recon.pipelines.ingest import FeedCounts, ingest_feed, record_discovery_rejections
from recon.pipelines.output_checks import validate_outputs
from recon.pipelines.settings import NightlyConfig, quiet_prefect
from recon.warehouse.gateway import Warehouse
from recon.warehouse.ops_store import decisions_frame, labels_frame, open_store
from recon.warehouse.publish import building
from recon.warehouse.schema import ensure_schema, snapshot_current

log = logging.getLogger("recon.pipelines.nightly")

PAUSE_ENV = "RECON_PAUSE_AT"  # test hook at the process boundary: pause at a named step so a test can kill us


def pause_point(step: str, build: Path) -> None:
    """If RECON_PAUSE_AT names this step, announce it in a marker file and wait to be killed."""
    if os.environ.get(PAUSE_ENV) == step:
        Path(str(build) + f".paused-{step}").write_text(str(os.getpid()))
        time.sleep(float(os.environ.get("RECON_PAUSE_SECONDS", "120")))


@dataclass
class RunSummary:
    run_id: str
    as_of: date
    status: str
    db_path: Path
    feeds: dict[str, FeedCounts]
    seconds: float
    docs_index: Path | None = None
    messages: list[str] = field(default_factory=list)

    steps: list = field(default_factory=list)
    report: str = ""  # findings per type, rates against targets, streets with most open findings

    def table(self) -> str:
        """Per-feed counts as a markdown table (artifact and terminal)."""
        head = "| feed | files read | skipped | rejected | rows in | accepted | quarantined |\n|---|---:|---:|---:|---:|---:|---:|"
        lines = [head]
        for s, c in self.feeds.items():
            lines.append(
                f"| {s} | {c.files_read} | {c.files_skipped} | {c.files_rejected} | {c.rows_in:,} | "
                f"{c.accepted:,} | {c.quarantined:,} |"
            )
        tot = [
            sum(getattr(c, k) for c in self.feeds.values()) for k in ("rows_in", "accepted", "quarantined")
        ]
        lines.append(f"| **total** | | | | {tot[0]:,} | {tot[1]:,} | {tot[2]:,} |")
        return "\n".join(lines)


def run_report(wh: Warehouse, done: list) -> str:
    """Markdown: rows per step, findings per type, district rates against targets, top streets."""
    out = ["## Steps\n", "| step | seconds | rows in | rows out |", "|---|---:|---:|---:|"]
    out += [f"| {st.step} | {st.seconds} | {st.rows_in:,} | {st.rows_out:,} |" for st in done]
    out += ["\n## Findings (not closed)\n", "| type | open | confirmed | dismissed |", "|---|---:|---:|---:|"]
    for t, o, c, d in wh.rows(
        "SELECT flag_type, count(*) FILTER (WHERE status='open'), count(*) FILTER (WHERE status='confirmed'), "
        "count(*) FILTER (WHERE status='dismissed') FROM flag GROUP BY 1 ORDER BY 1"
    ):
        out.append(f"| {t} | {o:,} | {c:,} | {d:,} |")
    out += ["\n## District rates\n", "| rate | value | target | met |", "|---|---:|---:|---|"]
    for name, v, target, met in wh.rows(
        "SELECT metric_name, value, target, meets_target FROM kpi WHERE level = '区县' ORDER BY metric"
    ):
        out.append(f"| {name} | {v:.1%} | {target:.0%} | {'yes' if met else '**no**'} |")
    out += ["\n## Streets with most open findings\n", "| 街道 | open findings |", "|---|---:|"]
    for street, n in wh.rows(
        "SELECT coalesce(s.street, '(no dwelling)'), count(*) FROM flag f LEFT JOIN current_standard_address s "
        "ON s.address_code = f.std_address_code WHERE f.status = 'open' GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
    ):
        out.append(f"| {street} | {n:,} |")
    return "\n".join(out) + "\n\n"


def _peak_rss_gb() -> float:
    """This process's peak resident memory so far (Linux reports ru_maxrss in KiB)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024, 2)


def _release_freed_memory() -> None:
    """Give the C heap's free pages back to the system between steps (glibc keeps freed numpy
    and Arrow buffers in its arenas, where the next step's DuckDB or polars work cannot use
    them). A no-op where glibc is not the C library."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _rss_gb() -> float:
    """This process's resident memory now (Linux /proc/self/statm, in pages)."""
    try:
        with open("/proc/self/statm") as fh:
            return round(int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024**3, 2)
    except OSError:
        return 0.0


def new_run_id(as_of: date) -> str:
    return f"{as_of:%Y%m%d}-{datetime.now():%H%M%S}-{uuid.uuid4().hex[:6]}"


@task(name="prepare-warehouse", cache_policy=NO_CACHE)
def prepare_task(wh: Warehouse) -> None:
    ensure_schema(wh)


@task(name="discover-drop-folder", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def discover_task(input_dir: Path):
    found = discover(input_dir)
    n = sum(len(v) for v in found.files.values())
    get_run_logger().info("found %d data files in %d feed folders", n, len(found.files))
    return found


@task(name="ingest-and-validate-feed", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def ingest_feed_task(wh: Warehouse, source: str, found, run_id: str, outcomes: list) -> FeedCounts:
    """I/O step with retries: files land in per-file transactions and the ledger skips loaded ones."""
    counts = ingest_feed(
        wh,
        FEEDS[source],
        found.files.get(source, []),
        found.header_maps.get(source),
        run_id=run_id,
        outcomes=outcomes,
    )
    record_discovery_rejections(
        wh, source, [r for r in found.rejected if r.source == source], counts, run_id=run_id
    )
    return counts


@task(name="resolve-addresses", cache_policy=NO_CACHE)
def resolve_task(wh: Warehouse, input_dir: Path) -> steps.StepCount:
    return steps.resolve_step(wh, read_address_aliases(input_dir))


@task(name="link-persons", cache_policy=NO_CACHE)
def link_task(wh: Warehouse, labels) -> steps.StepCount:
    return steps.link_step(wh, labels)


@task(name="findings-and-rates", cache_policy=NO_CACHE)
def findings_task(wh: Warehouse, as_of: date, district: str, decisions) -> steps.StepCount:
    return steps.findings_step(wh, as_of, district, decisions)


@task(name="validate-outputs", cache_policy=NO_CACHE)
def validate_outputs_task(wh: Warehouse, run_id: str) -> list:
    return validate_outputs(wh, run_id=run_id)


@task(name="read-review-decisions", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def decisions_task(ops_url: str):
    engine = open_store(ops_url)
    try:
        return decisions_frame(engine), labels_frame(engine)
    finally:
        engine.dispose()


@task(name="data-docs", retries=1, cache_policy=NO_CACHE)
def data_docs_task(outcomes: list, docs_dir: Path) -> Path | None:
    if not outcomes:
        return None
    return build_data_docs(outcomes, docs_dir)


def _write_run(
    wh: Warehouse, summary: RunSummary, cfg: NightlyConfig, started: datetime, finished: datetime
) -> None:
    counts = {s: c.as_json() for s, c in summary.feeds.items()}
    step_list = [st.as_json() for st in summary.steps]
    wh.execute(
        "INSERT INTO run (run_id, as_of, district, started_at, finished_at, status, counts, steps, messages)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
        [
            summary.run_id,
            cfg.as_of,
            cfg.district,
            started,
            finished,
            summary.status,
            json.dumps(counts, ensure_ascii=False),
            json.dumps({"steps": step_list}, ensure_ascii=False),
            summary.messages,
        ],
        table="run",
    )


@flow(name="recon-nightly", log_prints=True)
def nightly_flow(
    input_dir: str, db: str, as_of: str | None = None, district: str = "330114", ops_url: str | None = None
) -> dict:
    """Ingest every feed of the drop folder, validate it, and publish the DuckDB file atomically.

    as_of: the night to reconcile (YYYY-MM-DD); None means today (the scheduled run).
    """
    day = date.fromisoformat(as_of) if as_of else date.today()
    cfg = NightlyConfig(Path(input_dir), Path(db), day, district, ops_url=ops_url)
    summary = run_nightly(cfg)
    create_markdown_artifact(
        key="recon-nightly-summary",
        markdown=f"# Nightly run {summary.run_id} ({summary.as_of}, {summary.status})\n\n{summary.table()}\n\n"
        + summary.report
        + "".join(f"- {m}\n" for m in summary.messages),
        description=f"resident-recon nightly run for {summary.as_of}",
    )
    return {
        "run_id": summary.run_id,
        "status": summary.status,
        "db": str(summary.db_path),
        "steps": [st.as_json() for st in summary.steps],
        "counts": {s: c.as_json() for s, c in summary.feeds.items()},
        "seconds": summary.seconds,
    }


def run_nightly(cfg: NightlyConfig) -> RunSummary:
    """The steps of one night, called inside the Prefect flow (tasks run in this process)."""
    t0 = time.perf_counter()
    started = datetime.now()
    run_id = new_run_id(cfg.as_of)
    feeds: dict[str, FeedCounts] = {}
    messages: list[str] = []
    with building(cfg.db_path, run_id) as build:
        # DuckDB's buffers are capped (RECON_DUCKDB_MEMORY, default 1536MB) so that its cache and the
        # run's snapshot tables do not compete with linkage for memory; it spills beyond that
        wh = Warehouse(build, memory_limit=os.environ.get("RECON_DUCKDB_MEMORY", "1536MB"))
        try:
            prepare_task(wh)
            found = discover_task(cfg.input_dir)
            if found.unknown_folders:
                messages.append(f"folders not in the contract were ignored: {sorted(found.unknown_folders)}")
            outcomes: list = []
            t_ingest = time.perf_counter()
            opened = round(t_ingest - t0, 2)  # copy of the published file + schema + discovery
            for source in FEEDS:
                pause_point(f"ingest:{source}", build)
                feeds[source] = ingest_feed_task(wh, source, found, run_id, outcomes)
                messages.extend(f"{source}: {m}" for m in feeds[source].messages)
            snapshot_current(wh)  # raw writes are over: each feed's current state is computed once
            rows_in = sum(c.rows_in for c in feeds.values())
            done = [
                steps.StepCount("open_build_and_discover", 0, 0, {}, opened),
                steps.StepCount(
                    "ingest_and_validate",
                    rows_in,
                    sum(c.accepted for c in feeds.values()),
                    {"quarantined": sum(c.quarantined for c in feeds.values())},
                    round(time.perf_counter() - t_ingest, 2),
                ),
            ]
            decisions, labels = decisions_task(cfg.ops)
            for name, run_step in (
                ("resolve", lambda: resolve_task(wh, cfg.input_dir)),
                ("link", lambda: link_task(wh, labels)),
                ("findings", lambda: findings_task(wh, cfg.as_of, cfg.district, decisions)),
                ("explain", lambda: steps.explain_step(wh)),
            ):
                pause_point(name, build)
                t_step = time.perf_counter()
                step = run_step()
                step.seconds = round(time.perf_counter() - t_step, 2)
                _release_freed_memory()
                step.detail["peak_rss_gb_so_far"] = _peak_rss_gb()  # which step raises the run's peak
                step.detail["rss_gb_after"] = _rss_gb()  # what the step leaves held
                done.append(step)
            pause_point("validate_outputs", build)
            t_step = time.perf_counter()
            checked = validate_outputs_task(wh, run_id)
            outcomes += checked
            docs = data_docs_task(outcomes, cfg.docs)
            done.append(
                steps.StepCount(
                    "validate_outputs_and_docs",
                    len(outcomes),
                    len(checked),
                    {"suites": sorted({o.suite for o in checked})},
                    round(time.perf_counter() - t_step, 2),
                )
            )
            degraded = any(c.files_rejected or c.batches_quarantined for c in feeds.values())
            summary = RunSummary(
                run_id,
                cfg.as_of,
                "degraded" if degraded else "succeeded",
                cfg.db_path,
                feeds,
                0.0,
                docs,
                messages,
                done,
            )
            summary.report = run_report(wh, done)
            _write_run(wh, summary, cfg, started, datetime.now())
        finally:
            wh.close()
        pause_point("publish", build)
    summary.seconds = round(time.perf_counter() - t0, 2)
    return summary


def main(input_dir: Path, db: Path, as_of: date, district: str, ops_url: str | None = None) -> dict:
    """Entry point for the CLI: runs the flow (a temporary Prefect server starts if none is configured)."""
    quiet_prefect()
    return nightly_flow(str(input_dir), str(db), as_of.isoformat(), district, ops_url)
