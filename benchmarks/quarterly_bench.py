"""`make bench-quarterly`: the figures issue #7 asks for, measured on this machine.

    python benchmarks/quarterly_bench.py accuracy --persons 20000 --seed 7
        generate a district with its truth, run the nightly, run `recon quarterly`, score every
        roster row and registration against truth/quarterly_sections.parquet (precision and
        recall per section)
    python benchmarks/quarterly_bench.py prepare --persons 1000000
        the published DuckDB file of the 1M district (data/bench/district_1000000, from
        `benchmarks/bench.py synth`) through the same nightly run the statements read
    python benchmarks/quarterly_bench.py run --persons 1000000
        time `recon quarterly` (all statements, tables and workbooks) on it: wall seconds, peak
        RSS of the process tree (the main process plus its workbook workers, sampled every 0.2 s)

Run heavy stages under `flock /tmp/recon-heavy.lock` (the Makefile target does). Results go to
data/bench/quarterly_results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "data" / "bench"
RECON = str(Path(sys.executable).with_name("recon"))
AS_OF = "2026-11-20"
QUARTER = "2026Q3"
RESULTS = BENCH / "quarterly_results.json"


def _tree_rss_kb(root: int) -> int:
    """Resident memory of `root` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{d}/statm") as f:
                pages = int(f.read().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
        rss[int(d)] = pages * (os.sysconf("SC_PAGE_SIZE") // 1024)
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total


def measure(cmd: list[str]) -> dict:
    """Run a command; wall seconds, peak RSS of the process tree and of the largest process (GB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            done.wait(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    th.join()
    secs = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"benchmark step failed with exit code {code}: {' '.join(cmd)}\n{stdout}")
    return {
        "seconds": round(secs, 1),
        "peak_rss_tree_gb": round(peak[0] / 1024 / 1024, 2),
        "peak_rss_largest_process_gb": round(usage.ru_maxrss / 1024 / 1024, 2),
        # user + system CPU of the command and its workers: what it costs when the machine is shared
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "load_average_at_end": round(os.getloadavg()[0], 2),
        "stdout": stdout,
    }


def nightly(input_dir: Path, db: Path) -> dict:
    return measure(
        [
            RECON,
            "nightly",
            "--input",
            str(input_dir),
            "--db",
            str(db),
            "--as-of",
            AS_OF,
            "--district",
            "330114",
        ]
    )


def quarterly(input_dir: Path, db: Path, out: Path, ops: Path) -> dict:
    res = measure(
        [
            RECON,
            "quarterly",
            "--quarter",
            QUARTER,
            "--rosters",
            str(input_dir / "community_roster"),
            "--db",
            str(db),
            "--out",
            str(out),
            "--ops-url",
            f"sqlite:///{ops}",
        ]
    )
    folder = sorted((out / QUARTER).glob("v*"))[-1]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    res["folder"] = str(folder)
    res["communities"] = len(manifest["communities"])
    res["workbooks"] = len(manifest["workbooks"])
    res["items"] = sum(manifest["sections"].values())
    res["sections"] = manifest["sections"]
    res["report"] = res.pop("stdout").strip().splitlines()
    return res


def published_db(persons: int) -> Path:
    """Our own published file of the district, else the one `benchmarks/bench.py nightly` made."""
    own = BENCH / f"quarterly_{persons}" / "recon.duckdb"
    shared = BENCH / f"recon_{persons}.duckdb"
    return own if own.is_file() or not shared.is_file() else shared


def prepare(persons: int) -> dict:
    district = BENCH / f"district_{persons}"
    if not (district / "input").is_dir():
        raise SystemExit(
            f"{district}/input is missing: run `python benchmarks/bench.py synth --persons {persons}` first"
        )
    work = BENCH / f"quarterly_{persons}"
    work.mkdir(parents=True, exist_ok=True)
    db = published_db(persons)
    if db.is_file():
        return {"db": str(db), "note": "published file already there"}
    res = nightly(district / "input", db)
    res.pop("stdout")
    return {"db": str(db), **res}


def run(persons: int) -> dict:
    work = BENCH / f"quarterly_{persons}"
    work.mkdir(parents=True, exist_ok=True)
    db = published_db(persons)
    if not db.is_file():
        raise SystemExit(
            f"{db} is missing: run `python benchmarks/quarterly_bench.py prepare --persons {persons}`"
        )
    out, ops = work / "out", work / "ops.sqlite"
    shutil.rmtree(out, ignore_errors=True)
    ops.unlink(missing_ok=True)
    return {
        "persons": persons,
        "cores": os.cpu_count(),
        **quarterly(BENCH / f"district_{persons}" / "input", db, out, ops),
    }


def accuracy(persons: int, seed: int) -> dict:
    import polars as pl

    from recon.reconcile.quarterly_eval import score_sections, sections_from_items

    work = BENCH / f"quarterly_eval_{persons}_s{seed}"
    if not (work / "truth" / "quarterly_sections.parquet").is_file():
        measure(
            [
                RECON,
                "synth",
                "--persons",
                str(persons),
                "--seed",
                str(seed),
                "--as-of",
                AS_OF,
                "--out",
                str(work),
            ]
        )
    db = work / "recon.duckdb"
    if not db.is_file():
        nightly(work / "input", db)
    out, ops = work / "out", work / "ops.sqlite"
    shutil.rmtree(out, ignore_errors=True)
    ops.unlink(missing_ok=True)
    res = quarterly(work / "input", db, out, ops)
    items = pl.read_parquet(Path(res["folder"]) / "statement_items.parquet")
    product = sections_from_items(items)
    truth = pl.read_parquet(work / "truth" / "quarterly_sections.parquet").filter(
        pl.col("quarter") == QUARTER
    )
    score = score_sections(product, truth)
    confusion = score.pop("confusion")
    score["confusion"] = [dict(zip(confusion.columns, r, strict=True)) for r in confusion.rows()]
    return {
        "persons": persons,
        "seed": seed,
        "quarter": QUARTER,
        "quarterly_seconds": res["seconds"],
        **score,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["accuracy", "prepare", "run", "all"])
    ap.add_argument("--persons", type=int, default=None)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    results: dict = {}
    if args.what in ("accuracy", "all"):
        persons = args.persons or 20_000
        key = f"accuracy_{persons}_s{args.seed}"
        results[key] = accuracy(persons, args.seed)
        print(key, json.dumps(results[key], ensure_ascii=False, indent=1), flush=True)
    if args.what in ("prepare", "all"):
        results["prepare"] = prepare(args.persons or 1_000_000)
        print("prepare", json.dumps(results["prepare"], ensure_ascii=False), flush=True)
    if args.what in ("run", "all"):
        results["run"] = run(args.persons or 1_000_000)
        print("run", json.dumps(results["run"], ensure_ascii=False, indent=1), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    merged = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}  # other stages' figures stay
    RESULTS.write_text(json.dumps({**merged, **results}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
