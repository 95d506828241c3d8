"""`make bench`: the figures the issues ask for, measured on this machine.

The nightly run is timed whole (wall, peak RSS) and per step (from the run table).

Each stage runs as its own process so its wall time and peak memory (from wait4's rusage)
are its own. Results are printed and written to data/bench/results.json.

    python benchmarks/bench.py all            # generator 1M, ingestion of that set, address resolution
    python benchmarks/bench.py synth --persons 1000000
    python benchmarks/bench.py ingest --persons 1000000    # ingestion only (connectors, GX, raw layer)
    python benchmarks/bench.py nightly --persons 1000000   # the whole nightly run, cold then incremental
    python benchmarks/bench.py nightly --persons 1000000 --nights 1  # the cold night only

`nightly` runs two nights on the same district: night 1 (cold: empty warehouse) on every
delivery up to 2026-10-31, as of that day; night 2 on the full drop folder as of 2026-11-20,
which brings the D deliveries (the newest file of each append feed, a new registry snapshot)
into the warehouse night 1 left. Night 2 is the ordinary night of a running system. Both are
timed whole and per step, with peak RSS, and night 2 is scored against the ground truth.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "data" / "bench"
RECON = str(Path(sys.executable).with_name("recon"))
AS_OF = "2026-11-20"


SAMPLE_SECONDS = 2.0


def _tree(root: int) -> list[int]:
    """The pid and every descendant's (the nightly's forked address workers, Prefect's server)."""
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return out


def _tree_memory_gb(root: int) -> tuple[float, float]:
    """(sum of RSS, sum of PSS) over the process tree, in GB. PSS splits pages shared by forked
    processes between them, so it adds up to what the tree really holds."""
    rss = pss = 0
    for pid in _tree(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024 / 1024, pss / 1024 / 1024


def measure(cmd: list[str], capture: bool = False) -> dict:
    """Run a command; return wall seconds, peak RSS of its largest process (wait4's rusage),
    the peak memory of its whole process tree (PSS summed, sampled every SAMPLE_SECONDS) and exit code.

    Reading a large process's smaps_rollup costs the kernel a walk of its page tables (tenths of
    a second at 9 GB), so the sampler is kept sparse: it competes with the run for the cores."""
    import threading

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE if capture else None, text=True)
    peak = {"rss": 0.0, "pss": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(SAMPLE_SECONDS):
            rss, pss = _tree_memory_gb(proc.pid)
            peak["rss"], peak["pss"] = max(peak["rss"], rss), max(peak["pss"], pss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout = proc.stdout.read() if capture else None
    _, status, usage = os.wait4(proc.pid, 0)
    stop.set()
    sampler.join()
    secs = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"benchmark step failed with exit code {code}: {' '.join(cmd)}")
    res = {
        "seconds": round(secs, 1),
        "peak_rss_gb": round(usage.ru_maxrss / 1024 / 1024, 2),
        "peak_tree_pss_gb": round(peak["pss"], 2),
        "peak_tree_rss_gb": round(peak["rss"], 2),
    }
    if capture:
        res["stdout"] = stdout
    return res


def synth(persons: int, seed: int = 1) -> dict:
    out = BENCH / f"district_{persons}"
    res = measure(
        [RECON, "synth", "--persons", str(persons), "--seed", str(seed), "--as-of", AS_OF, "--out", str(out)]
    )
    manifest = json.loads((out / "truth" / "manifest.json").read_text())
    res["rows_per_feed"] = manifest.get("rows_per_feed") or manifest.get("counts")
    return res


def ingest(persons: int) -> dict:
    out = BENCH / f"district_{persons}"
    if not (out / "input").is_dir():
        synth(persons)
    db = BENCH / f"recon_{persons}.duckdb"
    db.unlink(missing_ok=True)
    res = measure(
        [
            RECON,
            "nightly",
            "--input",
            str(out / "input"),
            "--db",
            str(db),
            "--as-of",
            AS_OF,
            "--district",
            "330114",
        ]
    )
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    counts, steps = con.sql("SELECT counts, steps FROM run ORDER BY started_at DESC LIMIT 1").fetchone()
    counts, steps = json.loads(counts), json.loads(steps)["steps"]
    rows = sum(c["rows_in"] for c in counts.values())
    res["rows_in"] = rows
    res["steps"] = {s["step"]: s["seconds"] for s in steps}
    ingest_s = res["steps"].get("ingest_and_validate")
    res["ingest_rows_per_second"] = round(rows / ingest_s) if ingest_s else None
    return res


INGEST_ONLY = """
import json, sys, time
from pathlib import Path
from recon.pipelines.ingest import ingest_all
from recon.warehouse.gateway import Warehouse
from recon.warehouse.schema import ensure_schema
db = Path(sys.argv[2]); db.unlink(missing_ok=True)
t = time.perf_counter()
with Warehouse(db) as wh:
    ensure_schema(wh)
    rep = ingest_all(wh, Path(sys.argv[1]), run_id="bench")
secs = time.perf_counter() - t
rows = sum(c.rows_in for c in rep.feeds.values())
print(json.dumps({"ingest_seconds": round(secs, 1), "rows_in": rows, "rows_per_second": round(rows / secs),
                  "per_feed_rows": {s: c.rows_in for s, c in rep.feeds.items()}}))
"""


def ingest_only(persons: int) -> dict:
    """Connectors + GX validation + raw-layer writes, without Prefect or later steps."""
    out = BENCH / f"district_{persons}"
    if not (out / "input").is_dir():
        synth(persons)
    db = BENCH / f"ingest_{persons}.duckdb"
    res = measure([sys.executable, "-c", INGEST_ONLY, str(out / "input"), str(db)], capture=True)
    res.update(json.loads(res.pop("stdout").strip().splitlines()[-1]))
    db.unlink(missing_ok=True)
    return res


def address(persons: int) -> dict:
    """Issue #3 figures: address resolution accuracy and speed on 1,000,000 records of the set."""
    out = BENCH / f"district_{persons}"
    if not (out / "input").is_dir():
        synth(persons)
    res = measure(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "address_bench.py"),
            "--data",
            str(out),
            "--records",
            "1000000",
            "--show",
            "0",
        ],
        capture=True,
    )
    lines = [
        ln for ln in res.pop("stdout").splitlines() if ":" in ln and ("%" in ln or " s" in ln or "GB" in ln)
    ]
    res["report"] = lines
    return res


NIGHT1_CUTOFF = "20261031"


def _night1_input(src: Path, dst: Path) -> None:
    """Hard links to every file delivered up to the cutoff (by the date in its name)."""
    import re
    import shutil

    if dst.exists():
        shutil.rmtree(dst)
    for f in src.rglob("*"):
        if not f.is_file():
            continue
        dates = re.findall(r"(20\d{6})", f.name)
        if f.parent.name != "standard_address" and dates and dates[-1] > NIGHT1_CUTOFF:
            continue
        target = dst / f.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(f, target)


def _run_steps(db: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    counts, steps = con.sql("SELECT counts, steps FROM run ORDER BY started_at DESC LIMIT 1").fetchone()
    con.close()
    counts, steps = json.loads(counts), json.loads(steps)["steps"]
    return {
        "rows_in": sum(c["rows_in"] for c in counts.values()),
        "steps": {
            s["step"]: {
                "seconds": s["seconds"],
                **{k: v for k, v in s.items() if k.startswith(("texts_", "peak_rss", "rss_"))},
            }
            for s in steps
        },
    }


def nightly_two_nights(persons: int, nights: int = 2) -> dict:
    out = BENCH / f"district_{persons}"
    if not (out / "input").is_dir():
        synth(persons)
    work = BENCH / f"nightly_{persons}"
    work.mkdir(parents=True, exist_ok=True)
    _night1_input(out / "input", work / "input_night1")
    db = work / "recon.duckdb"
    for f in work.glob("recon.duckdb*"):
        f.unlink()
    (work / "ops.sqlite").unlink(missing_ok=True)
    res: dict = {"load_average": [round(x, 1) for x in os.getloadavg()]}
    for night, inp, as_of in (
        ("night1_cold", work / "input_night1", "2026-10-31"),
        ("night2_incremental", out / "input", AS_OF),
    )[:nights]:
        cmd = [
            RECON,
            "nightly",
            "--input",
            str(inp),
            "--db",
            str(db),
            "--as-of",
            as_of,
            "--district",
            "330114",
        ]
        r = measure(cmd)
        r.update(_run_steps(db))
        res[night] = r
        print(night, json.dumps(r, ensure_ascii=False), flush=True)
    if nights < 2:  # the truth is of night 2's as-of date
        return res
    from recon.pipelines.evaluate import score_linkage, score_run

    res["findings_scores"] = score_run(db, out / "truth").to_dicts()
    res["linkage_scores"] = score_linkage(db, out / "truth")
    return res


def write_nightly_docs(res: dict) -> None:
    """The nightly section of docs/benchmarks.md (between its markers; other sections kept)."""
    doc = ROOT / "docs" / "benchmarks.md"
    doc.parent.mkdir(parents=True, exist_ok=True)
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    start, end = "<!-- nightly:start -->", "<!-- nightly:end -->"
    lines = [
        start,
        f"## Nightly run (`make bench-nightly`, {res['persons']:,} persons)",
        "",
        "Night 1 is cold (empty warehouse, every delivery up to 2026-10-31); night 2 brings the",
        "D deliveries of 2026-11-20 (newest file of each append feed, a new registry",
        "snapshot) into night 1's warehouse. Wall time includes the temporary Prefect server.",
        f"Load average when the runs started: {res.get('load_average', 'not recorded')} (2 cores).",
        "",
        "Peak memory: *RSS* is the largest single process (wait4's rusage); *tree PSS* is the",
        "whole process tree (the run, its forked address workers, the Prefect server) sampled",
        f"every {SAMPLE_SECONDS:g} s, shared pages counted once. Per step: seconds, then the run's peak RSS so",
        "far and the RSS the step left held.",
        "",
        "| night | wall s | peak RSS GB | peak tree PSS GB | rows in | " + " | ".join(NIGHT_STEPS) + " |",
        "|---|---:|---:|---:|---:|" + "---:|" * len(NIGHT_STEPS),
    ]
    for night in ("night1_cold", "night2_incremental"):
        r = res[night]
        cells = [str(r["steps"].get(s, {}).get("seconds", "")) for s in NIGHT_STEPS]
        lines.append(
            f"| {night} | {r['seconds']} | {r['peak_rss_gb']} | {r.get('peak_tree_pss_gb', '')} | "
            f"{r['rows_in']:,} | " + " | ".join(cells) + " |"
        )
        for key, label in (("peak_rss_gb_so_far", "peak RSS GB so far"), ("rss_gb_after", "RSS GB after")):
            vals = [str(r["steps"].get(s, {}).get(key, "")) for s in NIGHT_STEPS]
            if any(vals):
                lines.append(f"| {night}: {label} | | | | | " + " | ".join(vals) + " |")
    lines += [
        "",
        "Findings of night 2 against the ground truth:",
        "",
        "| type | tp | fp | fn | precision | recall |",
    ]
    lines.append("|---|---:|---:|---:|---:|---:|")
    for f in res["findings_scores"]:
        lines.append(
            f"| {f['flag_type']} | {f['tp']:,} | {f['fp']:,} | {f['fn']:,} | {f['precision']} | {f['recall']} |"
        )
    lk = res["linkage_scores"]
    lines += [
        "",
        f"Person linkage, pairwise: precision {lk['precision']:.5f}, recall {lk['recall']:.5f}, F1 {lk['f1']:.5f}.",
        end,
    ]
    block = "\n".join(lines)
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text)


NIGHT_STEPS = [
    "open_build_and_discover",
    "ingest_and_validate",
    "resolve_addresses",
    "link_persons",
    "findings_and_rates",
    "explain_findings",
    "validate_outputs_and_docs",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["all", "synth", "ingest", "address", "nightly"])
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--nights", type=int, choices=[1, 2], default=2, help="nightly: 1 = the cold night only")
    args = ap.parse_args()
    BENCH.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    if args.what in ("all", "synth"):
        results["synth"] = {"persons": args.persons, **synth(args.persons)}
        print("synth", json.dumps(results["synth"], ensure_ascii=False), flush=True)
    if args.what in ("all", "ingest"):
        results["ingest"] = {"persons": args.persons, **ingest_only(args.persons)}
        print("ingest", json.dumps(results["ingest"], ensure_ascii=False), flush=True)
    if args.what in ("all", "address"):
        results["address"] = {"persons": args.persons, **address(args.persons)}
        print("address", json.dumps(results["address"], ensure_ascii=False, indent=1), flush=True)
    if args.what == "nightly" and args.nights == 1:
        results["nightly_cold_only"] = {"persons": args.persons, **nightly_two_nights(args.persons, 1)}
    elif args.what == "nightly":
        results["nightly"] = {"persons": args.persons, **nightly_two_nights(args.persons)}
        write_nightly_docs(results["nightly"])
        print("nightly", json.dumps(results["nightly"], ensure_ascii=False), flush=True)
    path = BENCH / "results.json"  # merged: each stage keeps its latest figures
    merged = json.loads(path.read_text()) if path.exists() else {}
    merged.update(results)
    path.write_text(json.dumps(merged, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
