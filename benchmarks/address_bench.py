"""Address resolution figures on the generator's ground truth (issue #3).

    python benchmarks/address_bench.py --data /tmp/addr_eval            # an existing generated set
    python benchmarks/address_bench.py --persons 20000 --out /tmp/ab    # generate, then measure
    python benchmarks/address_bench.py --data DIR --records 1000000     # sample / replicate to N rows

Prints: accuracy on addresses whose text identifies a dwelling; precision of non-null codes;
share of non-identifying addresses labelled partial or unmatched; wall time (index build and
resolution) and peak RSS of this process and of its worker processes. `--records N` draws N
records from the truth (with replacement when N exceeds it), which keeps the texts' own
repetition rate; the distinct-text count is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import resource
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from recon.connectors.contract import STANDARD_ADDRESS  # noqa: E402
from recon.matching.address_index import AddressIndex  # noqa: E402
from recon.matching.address_resolve import explain_address, resolve_addresses  # noqa: E402


def _decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise SystemExit("standard address file is neither UTF-8 nor GB18030")


def load_library(data: Path) -> pl.DataFrame:
    files = sorted((data / "input" / "standard_address").glob("*.csv"))
    if not files:
        raise SystemExit(f"no standard_address CSV under {data / 'input' / 'standard_address'}")
    text = _decode(files[-1].read_bytes())
    frame = pl.read_csv(io.StringIO(text), infer_schema=False)
    names = {c.header: c.name for c in STANDARD_ADDRESS.columns}
    return frame.rename({h: names[h] for h in frame.columns if h in names})


def load_aliases(data: Path) -> pl.DataFrame | None:
    path = data / "truth" / "community_aliases.parquet"
    if not path.exists():
        return None
    a = pl.read_parquet(path)
    return a.select(alias=pl.col("alias"), name=pl.col("community"), kind=pl.lit("community"))


def rss_gb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024 / 1024


def cpu_s(who: int) -> float:
    u = resource.getrusage(who)
    return u.ru_utime + u.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, help="a generated folder (with input/ and truth/)")
    ap.add_argument("--persons", type=int, help="generate this many persons first (into --out)")
    ap.add_argument("--out", type=Path, default=Path("/tmp/address_bench"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--district", default="330114")
    ap.add_argument("--records", type=int, help="resolve this many records (sampled from the truth)")
    ap.add_argument("--no-aliases", action="store_true", help="ignore truth/community_aliases.parquet")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--show", type=int, default=5, help="print this many failures of each kind")
    args = ap.parse_args()

    data = args.data
    if args.persons:
        from recon.synth import generate

        t = time.perf_counter()
        generate(args.out, args.persons, args.seed, dt.date(2026, 11, 20), district=args.district)
        print(f"generated {args.persons:,} persons in {time.perf_counter() - t:.1f} s → {args.out}")
        data = args.out
    if data is None:
        raise SystemExit("give --data DIR or --persons N")

    library = load_library(data)
    aliases = None if args.no_aliases else load_aliases(data)
    cols = ["source", "record_id", "address_raw", "true_address_code", "address_identifies"]
    truth = (
        pl.scan_parquet(data / "truth" / "records.parquet").filter(~pl.col("is_bad")).select(cols).collect()
    )
    if args.records:
        truth = truth.sample(args.records, with_replacement=args.records > truth.height, seed=1)
    texts = truth.get_column("address_raw")
    print(
        f"library {library.height:,} dwellings; {truth.height:,} records, {texts.n_unique():,} distinct texts"
    )

    c0 = cpu_s(resource.RUSAGE_SELF) + cpu_s(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    index = AddressIndex.build(library, aliases)
    t1 = time.perf_counter()
    out = resolve_addresses(texts, index, workers=args.workers)
    t2 = time.perf_counter()
    own, kids = cpu_s(resource.RUSAGE_SELF), cpu_s(resource.RUSAGE_CHILDREN)

    res = truth.with_columns(
        code=out.get_column("std_address_code"),
        status=out.get_column("status"),
        reason=out.get_column("reason"),
    )
    ident = res.filter(pl.col("address_identifies"))
    non = res.filter(~pl.col("address_identifies"))
    coded = res.filter(pl.col("code").is_not_null())
    right = pl.col("code") == pl.col("true_address_code")
    accuracy = ident.select(right.fill_null(False).mean()).item()
    precision = coded.select(right.fill_null(False).mean()).item()
    non_ok = non.select(pl.col("code").is_null().mean()).item() if non.height else 1.0
    print()
    print(f"identifying addresses resolved to the right code : {accuracy:.4%}  (≥ 99.5%)  n={ident.height:,}")
    print(
        f"precision of non-null codes                      : {precision:.4%}  (≥ 99.8%)  n={coded.height:,}"
    )
    print(f"non-identifying labelled partial/unmatched       : {non_ok:.4%}  (≥ 98%)    n={non.height:,}")
    print(f"index build {t1 - t0:.1f} s; resolution {t2 - t1:.1f} s; total {t2 - t0:.1f} s wall")
    print(f"CPU time (build + resolution): this process {own - c0:.1f} s, workers {kids:.1f} s "
          f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")  # fmt: skip
    print(f"peak RSS: this process {rss_gb(resource.RUSAGE_SELF):.2f} GB, "
          f"largest worker {rss_gb(resource.RUSAGE_CHILDREN):.2f} GB")  # fmt: skip
    print()
    print(res.group_by("address_identifies", "status").len().sort("address_identifies", "status"))
    if args.show:
        _failures(ident.filter(~right.fill_null(False)), "identifying, not resolved right", index, args.show)
        _failures(non.filter(pl.col("code").is_not_null()), "non-identifying, given a code", index, args.show)


def _failures(frame: pl.DataFrame, title: str, index: AddressIndex, n: int) -> None:
    print(f"\n== {title}: {frame.height:,} records, {frame.get_column('address_raw').n_unique():,} distinct")
    print(frame.group_by("status", "reason").len().sort("len", descending=True).head(12))
    for row in frame.unique("address_raw", keep="first").head(n).iter_rows(named=True):
        print(f"\n-- {row['source']} {row['record_id']} truth={row['true_address_code']} got={row['code']}")
        print(explain_address(row["address_raw"] or "", index))


if __name__ == "__main__":
    main()
