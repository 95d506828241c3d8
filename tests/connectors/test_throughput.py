"""Throughput of read_file on a 1,000,000-row grid_visit CSV (opt-in: RECON_BENCH=1; slow)."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from recon.connectors.contract import GRID_VISIT
from recon.connectors.reader import read_file

from .builders import drop

ROWS = int(os.environ.get("RECON_BENCH_ROWS", "1000000"))


def _write_visits(path: Path, rows: int, encoding: str) -> Path:
    rnd = random.Random(7)
    names = ["张三", "李四", "王伟", "赵敏", "钱多多", "孙小美"]
    results = ["在住", "已搬离", "查无此人", "未遇"]
    lines = [",".join(GRID_VISIT.headers)]
    for i in range(rows):
        lines.append(
            f"V{i:09d},2026-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d},G{rnd.randint(1, 300):03d},"
            f"{rnd.choice(names)},三墩镇振华路{rnd.randint(1, 999)}号{rnd.randint(1, 30)}幢{rnd.randint(101, 2504)}室,"
            f"{rnd.choice(names)},3301141990{rnd.randint(10**7, 10**8 - 1)},138{rnd.randint(10**7, 10**8 - 1)},"
            f"流动,{rnd.choice(results)}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("RECON_BENCH") != "1", reason="benchmark: set RECON_BENCH=1 to run")
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_read_throughput(tmp_path: Path, encoding: str) -> None:
    path = _write_visits(tmp_path / "grid_visit" / "grid_visit_2026-10.csv", ROWS, encoding)
    start = time.perf_counter()
    result = read_file(GRID_VISIT, drop(path))
    seconds = time.perf_counter() - start
    assert result.accepted.height == ROWS
    print(f"\n{encoding}: {ROWS:,} rows in {seconds:.2f} s = {ROWS / seconds:,.0f} rows/s")
