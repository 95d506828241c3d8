"""Synthetic drop files built from the contract (no real personal data)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import xlsxwriter

from recon.connectors.base import DropFile
from recon.connectors.contract import Column, FeedSpec
from recon.connectors.discover import describe_file

# Values by English column name; anything else gets a Chinese text (to exercise GB18030).
_BY_NAME = {
    "id_number": ["330114199001011234", "34122119850203441X", "110101200001010011"],
    "landlord_id_number": ["330106196505051111", "330106196505052222", "330106196505053333"],
    "phone": ["13800000001", "13800000002", "13800000003"],
    "landlord_phone": ["13900000001", "13900000002", "13900000003"],
    "name": ["张三", "李四", "王五"],
    "address": ["三墩镇振华路1号3幢201室", "三墩镇振华路2号", "西湖区三墩镇3号1单元502"],
}


def value_for(column: Column, i: int, key: str | None = None) -> str:
    """A valid text for row i of a column."""
    if column.name == key:
        return f"K{i + 1:04d}" if column.name != "seq" else str(i + 1)
    if column.kind == "date":
        return f"2026-1{i % 3}-0{i % 9 + 1}"
    if column.kind == "enum":
        return column.values[i % len(column.values)]
    if column.kind == "int":
        return str(i + 1)
    if column.name in _BY_NAME:
        return _BY_NAME[column.name][i % 3]
    return f"{column.header}{i + 1}"


def valid_rows(spec: FeedSpec, n: int = 3) -> tuple[list[str], list[list[str]]]:
    """Headers and n valid rows holding every contract column of a feed."""
    headers = list(spec.headers)
    rows = [[value_for(c, i, spec.key) for c in spec.columns] for i in range(n)]
    return headers, rows


def csv_bytes(
    headers: list[str], rows: list[list[object]], encoding: str = "utf-8", crlf: bool = False
) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(headers)
    writer.writerows(["" if v is None else v for v in r] for r in rows)
    return buf.getvalue().encode(encoding)


def write_csv(
    path: Path, headers: list[str], rows: list[list[object]], encoding: str = "utf-8", **kw: bool
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(headers, rows, encoding, **kw))
    return path


def write_xlsx(path: Path, headers: list[object], rows: list[list[object]], title: str | None = None) -> Path:
    """A workbook whose first sheet holds the table (dates as real date cells, numbers as numbers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("数据")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    offset = 0
    if title is not None:
        sheet.write(0, 0, title)
        offset = 1
    for c, h in enumerate(headers):
        sheet.write(offset, c, h)
    for r, row in enumerate(rows, start=offset + 1):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, date):
                sheet.write_datetime(r, c, v, date_format)
            elif isinstance(v, int | float):
                sheet.write_number(r, c, v)
            else:
                sheet.write_string(r, c, v)
    book.add_worksheet("other").write(0, 0, "not read")
    book.close()
    return path


def drop(path: Path, source: str | None = None) -> DropFile:
    """The DropFile of one file, as discover would list it."""
    from recon.connectors.contract import feed

    found = describe_file(feed(source or path.parent.name), path)
    assert isinstance(found, DropFile), found
    return found
