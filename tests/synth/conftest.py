"""One small generated district per test session (the generator is deterministic, so sharing is safe)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook

from recon.synth import generate

AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(scope="session")
def district(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "qiantang"
    generate(out, persons=2500, seed=7, as_of=AS_OF)
    return out


@pytest.fixture(scope="session")
def baoan(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "baoan"
    generate(out, persons=1200, seed=3, as_of=AS_OF, district="440306")
    return out


@pytest.fixture(scope="session")
def manifest(district: Path) -> dict:
    return json.loads((district / "truth" / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def records(district: Path) -> pl.DataFrame:
    return pl.read_parquet(district / "truth" / "records.parquet")


@pytest.fixture(scope="session")
def read_table():
    return _read_table


def _read_table(root: Path, entry: dict) -> tuple[list[str], pl.DataFrame]:
    """A drop file as (headers, all-text frame), decoded the way the manifest says it was written."""
    path = root / entry["path"]
    if entry["format"] == "xlsx":
        wb = load_workbook(path, read_only=True, data_only=True)
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
        headers = [str(h) for h in rows[0]]
        data = [[None if v is None else str(v) for v in r] for r in rows[1:]]
        frame = pl.DataFrame(data, schema={h: pl.Utf8 for h in headers}, orient="row")
        return headers, frame
    raw = path.read_bytes()
    text = (
        raw.decode("gb18030", errors="replace") if entry["encoding"] == "gb18030" else raw.decode("utf-8-sig")
    )
    frame = pl.read_csv(io.StringIO(text), infer_schema_length=0)
    return frame.columns, frame
