"""XLSX parsing: the first sheet, every cell as text.

Parsed by calamine (python-calamine, Rust): about 20× faster than openpyxl's read-only mode,
which took a third of the ingest time on feeds delivered as workbooks. Empty cells are None.

Numbers that are whole become their integer text (3301.0 → "3301"; an ID stored as a number
keeps every digit the file holds), real date cells become ISO text for the date parser.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path

import polars as pl
from openpyxl import load_workbook
from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook

from recon.connectors.contract import FeedSpec
from recon.connectors.encoding import NotATable
from recon.connectors.headers import HEADER_SEARCH_ROWS, find_header_row
from recon.connectors.raw_table import ROW, RawTable, column_name, with_row_numbers

# Excel keeps 15 significant digits: a longer number typed into a number cell has lost digits.
_EXCEL_DIGITS = 10**15


def cell_text(value: object) -> str | None:
    """One cell value as text (None stays None)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not value.is_integer():
            return format(value, ".15g")
        # Via the shortest repr: 3.30114199001011e17 → "330114199001011000" (the digits the
        # file holds), not int(value)'s binary tail "...1008".
        return str(int(Decimal(repr(value))))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _first_sheet(path: Path) -> CalamineSheet:
    with path.open("rb") as fh:
        head = fh.read(4)
    if not head:
        raise NotATable("not a table: the file is empty")
    if head != b"PK\x03\x04":
        raise NotATable(
            "not a table: the file is named .xlsx but is not an Excel workbook"
            " (if it is a CSV text file, rename it to .csv; if it is an old .xls, save it as .xlsx)"
        )
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise NotATable(f"not a table: the workbook cannot be opened ({e}); save it again as .xlsx") from e
    if not workbook.sheet_names:
        raise NotATable("not a table: the workbook has no sheet")
    try:
        return workbook.get_sheet_by_index(0)
    except (CalamineError, ValueError) as e:
        raise NotATable(f"not a table: the first sheet cannot be read ({e}); save it again as .xlsx") from e


def _calamine_rows(path: Path) -> list[list[object]]:
    sheet = _first_sheet(path)
    try:
        # calamine reads the cells themselves (a stale <dimension> element cuts nothing off);
        # skip_empty_area=False keeps leading blank rows so row numbers match the file's.
        return sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError) as e:
        raise NotATable(f"not a table: the first sheet cannot be read ({e}); save it again as .xlsx") from e


def _openpyxl_rows(path: Path) -> list[list[object]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # a stale <dimension> would cut rows or columns off
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _records(rows: Iterable[Sequence[object]]) -> tuple[list[list[str | None]], dict[int, tuple[int, str]]]:
    """Cells as text, and per column the number cells too long for Excel's 15 digits (count, example)."""
    long_numbers: dict[int, tuple[int, str]] = {}
    records: list[list[str | None]] = []
    for raw in rows:
        row = []
        for i, value in enumerate(raw):
            text = None if value == "" else cell_text(value)
            if isinstance(value, float) and abs(value) >= _EXCEL_DIGITS and value.is_integer():
                count, example = long_numbers.get(i, (0, text or ""))
                long_numbers[i] = (count + 1, example)
            row.append(text)
        records.append(row)
    return records, long_numbers


def read_xlsx_table(path: Path, spec: FeedSpec, header_map: dict[str, str] | None = None) -> RawTable:
    """Parse the first sheet of a workbook into a RawTable (raises NotATable if it is not one)."""
    rows = _calamine_rows(path)
    top = [[None if v == "" else v for v in r] for r in rows[:HEADER_SEARCH_ROWS]]
    if not any(any(v is not None for v in r) for r in top):
        raise NotATable("not a table: the first sheet is empty")
    skip = find_header_row(top, spec, header_map)
    header = [cell_text(v) for v in top[skip]]
    records, long_numbers = _records(chain(top[skip + 1 :], islice(rows, HEADER_SEARCH_ROWS, None)))
    if long_numbers:
        # calamine reads every number cell as a float; a file holding more than 15 digits in a
        # number cell (some exporters write exact integers) is read again by openpyxl, which
        # keeps an integer cell's every digit. Rare, so the slow path costs little.
        exact = _openpyxl_rows(path)
        records, long_numbers = _records(exact[skip + 1 :])
    del rows
    width = max(
        [len(header), *(max((i + 1 for i, v in enumerate(r) if v is not None), default=0) for r in records)]
    )
    width = max(width, 1)
    header += [None] * (width - len(header))
    columns = {column_name(i): [r[i] if i < len(r) else None for r in records] for i in range(width)}
    frame = pl.DataFrame(columns, schema={c: pl.Utf8 for c in columns})
    frame = with_row_numbers(frame)
    warnings = [f"skipped {skip} row(s) above the header row"] if skip else []
    for i, (count, example) in sorted(long_numbers.items()):
        warnings.append(
            f"column {header[i] or i + 1}: {count} number cell(s) have more than 15 digits (e.g. {example});"
            " Excel keeps only 15, so the last digits may be wrong; format the column as text before exporting"
        )
    return RawTable(
        headers=header,
        frame=frame.select([column_name(i) for i in range(width)] + [ROW]),
        encoding="xlsx",
        warnings=warnings,
        title_rows=skip,
    )
