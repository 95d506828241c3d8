"""Benchmark of the feed gate: seconds to validate a million accepted rows.

    python -m recon.expectations.bench --source police_registry --rows 1000000

The frame is built from the contract the way the ingest step hands it over (a polars frame
of accepted rows with lineage columns, converted with `to_pandas()`), with well-formed values
so every expectation runs to completion. Synthetic data only.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

import numpy as np
import polars as pl

from recon.connectors.contract import feed

_TEXT = np.array(["张伟", "李娜", "王芳", "西湖区文三路12号3幢2单元301室", "其他"], dtype=object)


def contract_frame(source: str, rows: int, seed: int = 0) -> pl.DataFrame:
    """Accepted rows of a feed as a connector returns them: record_id, contract columns, lineage."""
    spec = feed(source)
    rng = np.random.default_rng(seed)
    record_id = pl.Series("record_id", [f"{source[:3].upper()}{i:09d}" for i in range(rows)])
    cols: dict[str, pl.Series | np.ndarray] = {"record_id": record_id}
    for c in spec.columns:
        if c.name == spec.key:
            cols[c.name] = record_id.alias(c.name)
        elif c.kind == "date":
            cols[c.name] = pl.Series(c.name, rng.integers(18_000, 20_400, rows), dtype=pl.Int32).cast(pl.Date)
        elif c.kind == "enum":
            cols[c.name] = rng.choice(np.array(c.values, dtype=object), rows)
        elif c.kind == "int":
            cols[c.name] = rng.integers(0, 5, rows)
        elif c.name.endswith("id_number"):
            cols[c.name] = rng.integers(110_000_000_000_000_000, 659_999_999_999_999_999, rows).astype(str)
        elif c.name.endswith("phone"):
            cols[c.name] = np.char.add("13", rng.integers(100_000_000, 999_999_999, rows).astype(str))
        elif c.name == "id_type":
            cols[c.name] = pl.Series(c.name, [None] * rows, dtype=pl.Utf8)
        else:
            cols[c.name] = rng.choice(_TEXT, rows)
    frame = pl.DataFrame(cols)
    return frame.with_columns(
        pl.lit(f"{source}/bench.csv").alias("_source_file"),
        pl.int_range(1, rows + 1, dtype=pl.Int64).alias("_source_row"),
    )


@dataclass(frozen=True)
class BenchResult:
    source: str
    rows: int
    expectations: int
    to_pandas_seconds: float
    validate_seconds: list[float]  # wall clock
    validate_cpu_seconds: list[float]  # this process's CPU time (steadier on a shared machine)

    @property
    def seconds_per_million(self) -> float:
        return statistics.median(self.validate_seconds) * 1_000_000 / self.rows

    def __str__(self) -> str:
        runs = ", ".join(f"{s:.2f}" for s in self.validate_seconds)
        cpu = ", ".join(f"{s:.2f}" for s in self.validate_cpu_seconds)
        return (
            f"{self.source}: {self.rows:,} rows, {self.expectations} expectations; to_pandas "
            f"{self.to_pandas_seconds:.2f} s; validate runs [{runs}] s wall, [{cpu}] s CPU; median "
            f"{self.seconds_per_million:.2f} s per 1M rows"
        )


def run(source: str = "police_registry", rows: int = 1_000_000, repeat: int = 3) -> BenchResult:
    """Validate a clean frame `repeat` times (after a small warm-up) and time each run."""
    from recon.expectations.runner import validate_frame
    from recon.expectations.suites import BatchCounts, feed_suite

    spec = feed(source)
    frame = contract_frame(source, rows)
    t0 = time.perf_counter()
    df = frame.to_pandas()
    to_pandas = time.perf_counter() - t0
    validate_frame(feed_suite(source, None), df.head(100), "warm-up")
    counts = BatchCounts(rows_read=rows, raw_nonnull={c.name: rows for c in spec.columns if c.kind == "date"})
    suite = feed_suite(source, rows, counts=counts)
    times, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        outcome = validate_frame(suite, df, f"{source}/bench.csv")
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        if not outcome.all_met:
            raise RuntimeError(
                f"benchmark frame should pass every expectation: {outcome.critical_failures + outcome.warnings}"
            )
    return BenchResult(source, rows, len(suite.checks), to_pandas, times, cpu)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="police_registry")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(run(args.source, args.rows, args.repeat))


if __name__ == "__main__":
    main()
