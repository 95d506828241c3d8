"""One quarterly reconciliation run: statements, collector figures, workbooks, a new version.

Where statements live (decided here): each run writes a new folder `<out>/<quarter>/v<NNN>/`
(created exclusively, never overwritten) holding

    statement_items.parquet, statement_summary.parquet   (what the review app's sign-off reads)
    quarterly.duckdb            tables quarterly_item, quarterly_summary, collector_monthly,
                                collector_staffing, street_ranking, quarterly_formula (the figures
                                "in a table", read by the review app read-only)
    社区/<街道>/<社区>_<季度>_对账单.xlsx       masked (community staff and collectors)
    街道/<街道>_<季度>_汇总.xlsx                 no personal data
    派出所/<派出所>_<季度>_对账单_全号.xlsx      full ID numbers (police only)
    manifest.json

and the operational store records the version and, per community, the sign-off. The published
nightly DuckDB file is never written (the nightly run replaces it each night; the review app
reads it read-only). A confirmed quarter is frozen: a rerun writes v<N+1>, and the manifest and
summary name the confirmed version that stays of record for those communities.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from recon.pipelines.quarterly_steps import load_inputs, roster_files
from recon.pipelines.quarterly_workbooks import safe_name, street_workbook, write_batch
from recon.reconcile.quarterly import Statement, quarter_label, statement
from recon.reconcile.quarterly_collectors import FORMULAS, collector_monthly, staffing, street_ranking
from recon.reconcile.workdays import WorkCalendar
from recon.warehouse.gateway import Warehouse
from recon.warehouse.ops_store import decisions_frame
from recon.warehouse.quarterly_store import frozen, next_version, open_quarterly_store, register_version

log = logging.getLogger("recon.pipelines.quarterly")


@dataclass
class QuarterlyResult:
    quarter: str
    version: int
    folder: Path
    communities: int
    items: int
    sections: dict[str, int]
    workbooks: list[Path]
    frozen: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)


def default_ops_url(db: Path) -> str:
    return f"sqlite:///{Path(db).with_name('ops.sqlite')}"


def _new_folder(out: Path, quarter: str, version: int) -> tuple[Path, int]:
    base = out / quarter
    base.mkdir(parents=True, exist_ok=True)
    while True:
        folder = base / f"v{version:03d}"
        try:
            folder.mkdir()
            return folder, version
        except FileExistsError:
            version += 1  # a folder left by another store: never overwrite it


def write_tables(folder: Path, st: Statement, monthly, staff, ranking) -> None:
    st.items.write_parquet(folder / "statement_items.parquet")
    st.summary.write_parquet(folder / "statement_summary.parquet")
    with Warehouse(folder / "quarterly.duckdb") as wh:
        wh.replace_table("quarterly_item", st.items)
        wh.replace_table("quarterly_summary", st.summary)
        wh.replace_table("collector_monthly", monthly)
        wh.replace_table("collector_staffing", staff)
        wh.replace_table("street_ranking", ranking)
        wh.replace_table(
            "quarterly_formula", pl.DataFrame({"metric": list(FORMULAS), "formula": list(FORMULAS.values())})
        )


def _batches(sizes: dict[str, int], n: int) -> list[list[str]]:
    """Greedy split of keys into n batches of about equal total size (largest first)."""
    out: list[list[str]] = [[] for _ in range(n)]
    load = [0] * n
    for key, size in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        i = load.index(min(load))
        out[i].append(key)
        load[i] += size
    return out


def write_workbooks(
    folder: Path,
    st: Statement,
    monthly: pl.DataFrame,
    staff: pl.DataFrame,
    ranking: pl.DataFrame,
    library: pl.DataFrame,
    meta: dict,
    workers: int = 1,
) -> list[Path]:
    """Street summaries here; community and station workbooks in `workers` processes."""
    q = st.quarter
    paths = []
    for street in sorted(st.summary["street"].drop_nulls().unique().to_list()):
        path = folder / "街道" / f"{safe_name(street)}_{q}_汇总.xlsx"
        paths.append(
            street_workbook(
                path,
                st.summary.filter(pl.col("street") == street),
                monthly.filter(pl.col("street") == street),
                staff.filter(pl.col("street") == street),
                ranking,
            )
        )
    summary = st.summary
    if "police_station" not in summary.columns:
        stations = (
            library.select("community", "police_station").drop_nulls().unique("community", keep="first")
        )
        summary = summary.join(stations, on="community", how="left")
    summary = summary.with_columns(pl.col("police_station").fill_null("未知派出所"))
    items_path = folder / "statement_items.parquet"
    if not items_path.exists():
        st.items.write_parquet(items_path)
    sizes = dict(st.items.group_by("community").len().iter_rows())
    comm_sizes = {c: sizes.get(c, 0) for c in summary["community"].to_list()}
    station_sizes = {
        s: int(n) for s, n in summary.group_by("police_station").agg(pl.col("对账项").sum()).iter_rows()
    }
    n = max(1, min(workers, len(comm_sizes)))
    comm_batches, station_batches = _batches(comm_sizes, n), _batches(station_sizes, n)[::-1]
    jobs = [
        (str(folder), str(items_path), summary, comm_batches[i], station_batches[i], meta) for i in range(n)
    ]
    if n == 1:
        written = [write_batch(*jobs[0])]
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("spawn")) as pool:
            written = list(pool.map(write_batch, *zip(*jobs, strict=True)))
    return paths + [Path(p) for batch in written for p in batch]


def run_quarterly(
    quarter: str,
    rosters: Path,
    db: Path,
    out: Path,
    ops_url: str | None = None,
    calendar: WorkCalendar | None = None,
    workers: int | None = None,
) -> QuarterlyResult:
    """Build every community's statement for the quarter and write a new version (see module doc)."""
    t0 = time.perf_counter()
    q = quarter_label(quarter)
    communities = roster_files(Path(rosters), q)
    db = Path(db)
    if not db.is_file():
        raise FileNotFoundError(
            f"published DuckDB file {db} does not exist; run `recon nightly` first (or pass --db)"
        )
    with Warehouse(db, read_only=True) as wh:
        inp = load_inputs(wh, q, communities)
    t1 = time.perf_counter()
    st = statement(
        q, inp.roster, inp.regs, inp.locality, inp.current, inp.departures, inp.visits, inp.library
    )
    stations = (
        inp.library.select("community", "police_station").drop_nulls().unique("community", keep="first")
    )
    st.summary = st.summary.join(stations, on="community", how="left")
    engine = open_quarterly_store(ops_url or default_ops_url(db))
    decisions = decisions_frame(engine)
    regs_here = inp.regs.filter(pl.col("community").is_in(communities))
    monthly = collector_monthly(q, regs_here, inp.evidence, inp.flags, decisions, inp.library, calendar)
    staff = staffing(
        q, inp.regs, inp.current, inp.locality, inp.library, pl.DataFrame({"community": communities})
    )
    ranking = street_ranking(monthly)
    fro = frozen(engine, q)
    if fro:
        st.summary = st.summary.with_columns(
            pl.col("community")
            .replace_strict({c: f"v{v}" for c, v in fro.items()}, default=None, return_dtype=pl.Utf8)
            .alias("已确认版本")
        )
    t2 = time.perf_counter()
    version = next_version(engine, q)
    folder, version = _new_folder(Path(out), q, version)
    created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta = {"quarter": q, "version": version, "as_of": inp.as_of, "created_at": created, "run_id": inp.run_id}
    write_tables(folder, st, monthly, staff, ranking)
    t3 = time.perf_counter()
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if st.items.height > 100_000 else 1
    books = write_workbooks(folder, st, monthly, staff, ranking, inp.library, meta, workers)
    t4 = time.perf_counter()
    sections = dict(st.items.group_by("section").len().sort("section").iter_rows())
    manifest = {
        **{k: str(v) for k, v in meta.items()},
        "version": version,
        "db": str(db),
        "communities": communities,
        "sections": sections,
        "frozen": {c: f"v{v}" for c, v in fro.items()},
        "workbooks": [str(p.relative_to(folder)) for p in books],
    }
    (folder / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    register_version(
        engine, quarter=q, version=version, folder=str(folder), run_id=inp.run_id, as_of=str(inp.as_of)
    )
    seconds = {
        "load": round(t1 - t0, 2),
        "statement_and_figures": round(t2 - t1, 2),
        "tables": round(t3 - t2, 2),
        "workbooks": round(t4 - t3, 2),
        "total": round(time.perf_counter() - t0, 2),
    }
    log.info(
        "quarterly %s v%d: %d items, %d workbooks in %s", q, version, st.items.height, len(books), seconds
    )
    return QuarterlyResult(
        q, version, folder, len(communities), st.items.height, sections, books, fro, seconds
    )
