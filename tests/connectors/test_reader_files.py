"""Whole-file behaviour: rejections, feed.yaml renames, extra columns, title rows, xlsx cells, roster ids."""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from recon.connectors.base import DropFile
from recon.connectors.contract import FEEDS
from recon.connectors.discover import discover
from recon.connectors.reader import read_file

from .builders import drop, valid_rows, write_csv, write_xlsx

GRID = FEEDS["grid_visit"]


def test_missing_required_columns_reject_the_file_naming_missing_and_present(tmp_path: Path) -> None:
    headers, rows = valid_rows(GRID)
    keep = [i for i, h in enumerate(headers) if h not in ("姓名", "走访结果")]
    path = write_csv(
        tmp_path / "grid_visit" / "v_20261103.csv",
        [headers[i] for i in keep],
        [[r[i] for i in keep] for r in rows],
    )
    result = read_file(GRID, drop(path))
    rejected = result.rejected
    assert rejected is not None and result.rows_read == 0 and result.accepted.height == 0
    assert rejected.missing_columns == ("姓名", "走访结果")
    assert rejected.found_columns == tuple(headers[i] for i in keep)
    assert rejected.message == (
        "grid_visit/v_20261103.csv: missing required column(s) 姓名、走访结果; the file has columns:"
        " 走访编号、走访日期、网格编号、网格员、走访地址、证件号码、联系电话、人员类别."
        " Rename the columns in the export to the contract's headers, or add grid_visit/feed.yaml"
        " mapping the file's headers to them (e.g. `身份证号: 证件号码`)."
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("v_20261103.csv", b"", "not a table: the file is empty"),
        ("v_20261103.csv", bytes(range(256)) * 10, "not a table: the file holds binary data"),
        ("v_20261103.csv", b"%PDF-1.4\n...", "not a table: the file is a PDF document"),
        ("v_20261103.csv", b"PK\x03\x04rest-of-zip", "not a table: the file is a ZIP archive"),
        ("v_20261103.xlsx", b"", "not a table: the file is empty"),
        (
            "v_20261103.xlsx",
            "走访编号,姓名\n".encode(),
            "not a table: the file is named .xlsx but is not an Excel",
        ),
        ("v_20261103.xlsx", b"PK\x03\x04broken", "not a table: the workbook cannot be opened"),
    ],
)
def test_non_tables_are_rejected_whole(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / "grid_visit" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    result = read_file(GRID, drop(path))
    assert result.rejected is not None
    assert result.rejected.message.startswith(f"grid_visit/{name}: {message}"), result.rejected.message


def test_feed_yaml_renames_headers(tmp_path: Path) -> None:
    headers, rows = valid_rows(GRID)
    renamed = [
        "身份证号"
        if h == "证件号码"
        else "手机"
        if h == "联系电话"
        else " 走访 编号 "
        if h == "走访编号"
        else h
        for h in headers
    ]
    folder = tmp_path / "grid_visit"
    write_csv(folder / "v_20261103.csv", renamed, rows)
    (folder / "feed.yaml").write_text("columns:\n  身份证号: 证件号码\n  手机: 联系电话\n", encoding="utf-8")
    found = discover(tmp_path)
    (drop_file,) = found.to_read("grid_visit")
    result = read_file(GRID, drop_file, found.header_maps["grid_visit"])
    assert result.rejected is None and result.quarantine.height == 0
    assert result.accepted["id_number"].to_list() == [r[headers.index("证件号码")] for r in rows]
    assert result.accepted["phone"].to_list() == [r[headers.index("联系电话")] for r in rows]
    assert result.accepted["_extra"].null_count() == 3
    without = read_file(GRID, drop_file)  # optional columns unmapped: absent, and the file still reads
    assert without.accepted["id_number"].null_count() == 3
    assert json.loads(without.accepted["_extra"][0]) == {"身份证号": rows[0][6], "手机": rows[0][7]}
    assert "optional column(s) absent, left empty: 证件号码、联系电话" in without.warnings


def test_invalid_header_map_and_ambiguous_columns_reject(tmp_path: Path) -> None:
    headers, rows = valid_rows(GRID)
    path = write_csv(
        tmp_path / "grid_visit" / "v_20261103.csv", [*headers, "身份证号"], [[*r, "x"] for r in rows]
    )
    bad_map = read_file(GRID, drop(path), {"身份证号": "身份证"})
    assert (
        bad_map.rejected is not None
        and "'身份证', which is not a column of grid_visit" in bad_map.rejected.message
    )
    twice = read_file(GRID, drop(path), {"身份证号": "证件号码"})
    assert twice.rejected is not None
    assert "columns ['证件号码', '身份证号'] (positions [7, 11]) all mean 证件号码" in twice.rejected.message


def test_extra_columns_go_to_extra_as_json(tmp_path: Path) -> None:
    headers, rows = valid_rows(GRID)
    extra_rows = [[*r, "楼道有杂物", None] for r in rows]
    extra_rows[1][-2] = "无"
    path = write_csv(tmp_path / "grid_visit" / "v_20261103.csv", [*headers, "备注", ""], extra_rows)
    result = read_file(GRID, drop(path))
    assert result.quarantine.height == 0
    extras = result.accepted["_extra"].to_list()
    assert json.loads(extras[0]) == {"备注": "楼道有杂物"}
    assert extras[1] is None


def test_tab_separated_file_and_title_row_are_read(tmp_path: Path) -> None:
    headers, rows = valid_rows(GRID)
    text = "2026年11月 网格走访记录\n" + "\n".join("\t".join(r) for r in [headers, *rows]) + "\n"
    path = tmp_path / "grid_visit" / "v_20261103.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode("gb18030"))
    result = read_file(GRID, drop(path))
    assert result.accepted.height == 3 and result.quarantine.height == 0
    assert result.accepted["_source_row"].to_list() == [1, 2, 3]
    assert "skipped 1 row(s) above the header row" in result.warnings


def test_xlsx_numbers_dates_and_title_row(tmp_path: Path) -> None:
    spec = FEEDS["police_registry"]
    headers, rows = valid_rows(spec, 2)
    col = {h: i for i, h in enumerate(headers)}
    cells: list[list[object]] = [list(r) for r in rows]
    cells[0][col["证件号码"]] = 3.30114199001011e17  # what Excel keeps of an ID typed into a number cell
    cells[0][col["登记日期"]] = 46329  # a date left as a serial number
    cells[0][col["出生日期"]] = date(1990, 1, 1)  # a real date cell
    cells[0][col["联系电话"]] = 13800000001.0
    cells[0][col["标准地址编码"]] = 3301.0
    cells[1][col["登记日期"]] = datetime(2026, 11, 3, 14, 20)
    path = write_xlsx(
        tmp_path / "police_registry" / "reg_20261103.xlsx", headers, cells, title="流动人口登记表"
    )
    result = read_file(spec, drop(path))
    assert result.quarantine.height == 0, result.quarantine.to_dicts()
    first = result.accepted.row(0, named=True)
    assert first["id_number"] == "330114199001011000"  # no "3.30114e+17"; Excel already lost the tail
    assert first["registered_on"] == date(2026, 11, 3)
    assert first["birth_date"] == date(1990, 1, 1)
    assert first["phone"] == "13800000001"
    assert first["std_address_code"] == "3301"
    assert result.accepted["registered_on"][1] == date(2026, 11, 3)
    assert result.accepted["_source_row"].to_list() == [1, 2]
    assert any("more than 15 digits (e.g. 330114199001011000)" in w for w in result.warnings), result.warnings


def test_xlsx_integer_id_cells_keep_every_digit(tmp_path: Path) -> None:
    spec = FEEDS["self_declaration"]
    headers, rows = valid_rows(spec, 1)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    row: list[object] = list(rows[0])
    row[headers.index("证件号码")] = 3.5  # placeholder, replaced by an exact integer below
    row[headers.index("申报编号")] = 20261103001
    sheet.append(row)
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    # Some exporters (not Excel) write the exact integer into the cell XML; openpyxl and
    # xlsxwriter would write a float, so the sheet XML is patched to hold one.
    path = tmp_path / "self_declaration" / "d_20261103.xlsx"
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v>3.5</v>", b"<v>330114199001011234</v>")
            dst.writestr(item, data)
    result = read_file(spec, drop(path))
    assert result.accepted["id_number"].to_list() == ["330114199001011234"]
    assert result.accepted["record_id"].to_list() == ["20261103001"]


def test_community_roster_record_id_from_file_name(tmp_path: Path) -> None:
    spec = FEEDS["community_roster"]
    headers, rows = valid_rows(spec, 2)
    path = write_xlsx(
        tmp_path / "community_roster" / "三墩社区_2026Q3.xlsx", headers, [[1, *r[1:]] for r in rows[:1]]
    )
    result = read_file(spec, drop(path))
    assert result.accepted.select("record_id", "seq", "community", "quarter").row(0) == (
        "三墩社区_2026Q3:1",
        "1",
        "三墩社区",
        "2026Q3",
    )
    odd = write_csv(tmp_path / "community_roster" / "三墩社区第三季度.csv", headers, rows)
    bare = DropFile("community_roster", odd, "0" * 64, odd.stat().st_size, ("", 0, odd.name))
    rejected = read_file(spec, bare).rejected
    assert rejected is not None and "must be named <社区>_<YYYY>Q<n>.xlsx" in rejected.message
