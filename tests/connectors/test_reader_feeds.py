"""Every feed of the contract reads to the same accepted frame from GB18030, UTF-8 BOM and .xlsx files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from recon.connectors.base import LINEAGE_COLUMNS, QUARANTINE_SCHEMA
from recon.connectors.contract import FEEDS, FeedSpec
from recon.connectors.reader import accepted_schema, read_file

from .builders import drop, valid_rows, write_csv, write_xlsx


def _file_name(spec: FeedSpec, variant: str) -> str:
    ext = "xlsx" if variant.startswith("xlsx") else "csv"
    if spec.mode == "quarterly":
        return f"三墩社区_2026Q3.{ext}" if variant != "gb18030" else f"三墩社区_2026Q3.{ext}"
    return f"{spec.source}_20261103_{variant}.{ext}"


def _write(spec: FeedSpec, root: Path, variant: str) -> Path:
    headers, rows = valid_rows(spec)
    path = root / variant / spec.source / _file_name(spec, variant)
    if variant == "gb18030":
        return write_csv(path, headers, rows, "gb18030")
    if variant == "utf8_bom":
        return write_csv(path, headers, rows, "utf-8-sig", crlf=True)
    if variant == "xlsx_dates":  # real date cells and numbers, as Excel users leave them
        typed = [
            [
                date.fromisoformat(v)
                if c.kind == "date"
                else int(v)
                if c.kind == "int" or c.name == "seq"
                else v
                for c, v in zip(spec.columns, row, strict=True)
            ]
            for row in rows
        ]
        return write_xlsx(path, headers, typed)
    return write_xlsx(path, headers, rows)


@pytest.mark.parametrize("source", sorted(FEEDS))
def test_feed_reads_the_same_from_every_format(source: str, tmp_path: Path) -> None:
    spec = FEEDS[source]
    results = {}
    for variant in ("gb18030", "utf8_bom", "xlsx", "xlsx_dates"):
        result = read_file(spec, drop(_write(spec, tmp_path, variant)))
        assert result.rejected is None, result.rejected
        assert result.quarantine.height == 0, result.quarantine.to_dicts()
        assert result.rows_read == 3 and result.warnings == [], (variant, result.warnings)
        results[variant] = result
    frames = [r.accepted.drop("_source_file") for r in results.values()]
    for variant, frame in zip(results, frames, strict=True):
        assert_frame_equal(frames[0], frame), variant

    accepted = results["gb18030"].accepted
    assert dict(accepted.schema) == accepted_schema(spec)
    assert accepted.columns[-4:] == list(LINEAGE_COLUMNS)
    assert accepted["_source_row"].to_list() == [1, 2, 3]
    assert accepted["_source_file"][0] == f"{source}/{_file_name(spec, 'gb18030')}"
    assert accepted["_extra"].null_count() == 3
    assert accepted["_row_hash"].str.len_chars().to_list() == [16, 16, 16]
    assert accepted["_row_hash"].n_unique() == 3
    assert dict(results["gb18030"].quarantine.schema) == QUARANTINE_SCHEMA
    assert {r.encoding for r in results.values()} == {"gb18030", "utf-8-sig", "xlsx"}
    if spec.mode == "quarterly":
        assert accepted["record_id"].to_list() == [
            "三墩社区_2026Q3:1",
            "三墩社区_2026Q3:2",
            "三墩社区_2026Q3:3",
        ]
        assert accepted["community"].unique().to_list() == ["三墩社区"]
        assert accepted["quarter"].unique().to_list() == ["2026Q3"]
    else:
        assert accepted["record_id"].to_list() == accepted[spec.key].to_list() == ["K0001", "K0002", "K0003"]
    for column in spec.columns:
        if column.kind == "date":
            assert accepted[column.name].to_list() == [
                date(2026, 10, 1),
                date(2026, 11, 2),
                date(2026, 12, 3),
            ]


def test_row_hash_is_stable_across_processes(tmp_path: Path) -> None:
    import subprocess
    import sys

    spec = FEEDS["grid_visit"]
    headers, rows = valid_rows(spec)
    path = write_csv(tmp_path / "grid_visit" / "v_20261103.csv", headers, rows)
    here = read_file(spec, drop(path)).accepted["_row_hash"].to_list()
    code = (
        "import sys; from pathlib import Path; from recon.connectors import read_file, feed, describe_file;"
        "s = feed('grid_visit'); d = describe_file(s, Path(sys.argv[1]));"
        "print(','.join(read_file(s, d).accepted['_row_hash'].to_list()))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip().split(",") == here


def test_empty_table_reads_to_empty_frames(tmp_path: Path) -> None:
    spec = FEEDS["self_declaration"]
    path = write_csv(tmp_path / "self_declaration" / "d_20261103.csv", list(spec.headers), [])
    result = read_file(spec, drop(path))
    assert result.rejected is None and result.rows_read == 0
    assert dict(result.accepted.schema) == accepted_schema(spec)
    assert dict(result.quarantine.schema) == QUARANTINE_SCHEMA
    assert pl.DataFrame(schema=accepted_schema(spec)).columns == result.accepted.columns
