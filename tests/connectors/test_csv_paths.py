"""The vectorized CSV path and the csv-module fallback read the same rows and field counts."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from recon.connectors.contract import GRID_VISIT
from recon.connectors.csv_table import _python_rows, read_csv_table
from recon.connectors.raw_table import ROW, column_name

HEADER = ",".join(GRID_VISIT.headers)
GOOD = "V1,2026-11-03,G1,王网格,三墩镇1号,张三,330114199001011234,13800000001,流动,在住"

TEXTS = {
    "plain": [GOOD, GOOD.replace("V1", "V2")],
    "quoted everywhere": [",".join(f'"{v}"' for v in GOOD.split(",")), '"V2",,,,,,,,,""'],
    "quoted comma and quote": [GOOD.replace("三墩镇1号", '"三墩镇,1""号"""')],
    "line break in value": [GOOD.replace("三墩镇1号", '"三墩镇\n1号"'), GOOD.replace("V1", "V2")],
    "two line breaks": [GOOD.replace("三墩镇1号", '"三墩\n镇\r\n1号"'), GOOD.replace("V1", "V3")],
    "ragged": [GOOD + ",x", GOOD.rsplit(",", 3)[0], GOOD + ",,", ",,,", ""],
    "leading empty field": ["," + GOOD.split(",", 1)[1]],
}


@pytest.mark.parametrize("case", sorted(TEXTS))
def test_fast_path_matches_csv_module(case: str) -> None:
    text = "\n".join([HEADER, *TEXTS[case]]) + "\n"
    table = read_csv_table(text.encode(), GRID_VISIT)
    width = len(GRID_VISIT.headers)
    frame, counts = _python_rows(text, 0, ",", width)
    # Empty cells may come out as "" or null (cleaning makes both null): compare them as null.
    no_empty = [pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in frame.columns]
    expected = frame.slice(1).select(no_empty)
    got = table.frame.select([column_name(i) for i in range(width)]).select(no_empty)
    assert_frame_equal(got, expected)
    assert table.frame[ROW].to_list() == list(range(1, expected.height + 1))
    ragged_rows = [
        r
        for r, issue in zip(table.frame[ROW], table.frame["_issue_ragged"], strict=True)
        if issue is not None
    ]
    fields = counts.slice(1)
    expect_ragged = [
        i + 1
        for i, (n, trimmed, blank) in enumerate(fields.iter_rows())
        if not blank and (n < width or trimmed > width)
    ]
    assert ragged_rows == expect_ragged


def test_utf16_file_reads() -> None:
    text = "\n".join([HEADER, GOOD]) + "\n"
    table = read_csv_table(b"\xff\xfe" + text.encode("utf-16-le"), GRID_VISIT)
    assert table.encoding == "utf-16"
    assert table.frame.select(pl.col("c5")).item() == "张三"
