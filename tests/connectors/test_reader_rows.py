"""Bad rows → quarantine reasons (rule table), duplicates, ragged rows, broken bytes, optional-column warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.connectors.contract import FEEDS, FeedSpec
from recon.connectors.reader import read_file

from .builders import csv_bytes, drop, valid_rows, write_csv

DATE_HINT = "write it as a date, e.g. 2026-11-03, 2026/11/3, 20261103 or 2026年11月3日"
RESULTS = "在住/已搬离/查无此人/未遇"


def _row(spec: FeedSpec, **by_header: str | None) -> list[str | None]:
    headers, rows = valid_rows(spec, 1)
    row: list[str | None] = list(rows[0])
    for header, value in by_header.items():
        row[headers.index(header)] = value
    return row


# (feed, changes by header, expected reasons: all of them, in order)
CASES: list[tuple[str, dict[str, str | None], list[str]]] = [
    ("grid_visit", {}, []),
    ("grid_visit", {"姓名": None}, ["missing required value in 姓名 (name)"]),
    ("grid_visit", {"姓名": "NULL"}, ["missing required value in 姓名 (name)"]),
    ("grid_visit", {"姓名": " 无 "}, ["missing required value in 姓名 (name)"]),
    ("grid_visit", {"走访编号": "-"}, ["missing required value in 走访编号 (visit_id)"]),
    (
        "grid_visit",
        {"走访日期": "2026-13-01"},
        [f"unparseable date in 走访日期 (visit_date): '2026-13-01'; {DATE_HINT}"],
    ),
    ("grid_visit", {"走访日期": "下周"}, [f"unparseable date in 走访日期 (visit_date): '下周'; {DATE_HINT}"]),
    (
        "grid_visit",
        {"走访结果": "在家"},
        [f"value '在家' in 走访结果 (visit_result) is not one of {RESULTS}"],
    ),
    (
        "grid_visit",
        {"走访日期": "2026/02/30", "走访地址": "/", "走访结果": "搬走"},
        [
            f"unparseable date in 走访日期 (visit_date): '2026/02/30'; {DATE_HINT}",
            "missing required value in 走访地址 (address)",
            f"value '搬走' in 走访结果 (visit_result) is not one of {RESULTS}",
        ],
    ),
    (
        "grid_visit",
        {"走访结果": "\u3000在住 ", "走访日期": "２０２６年１１月３日"},
        [],
    ),  # cleaned, then valid
    (
        "grid_visit",
        {"人员类别": "外来", "证件号码": "341221********1234"},
        [],
    ),  # optional / masked: not reasons
    (
        "police_registry",
        {"登记日期": None, "注销日期": "不详"},
        ["missing required value in 登记日期 (registered_on)"],
    ),
    ("police_registry", {"证件号码": "123"}, []),  # invalid ID numbers are findings, not bad input
    ("police_registry", {"居住处所": "宿舍"}, []),
    (
        "self_declaration",
        {"申报类型": "补录", "申报日期": "46329x", "证件号码": ""},
        [
            "value '补录' in 申报类型 (declaration_type) is not one of 新登记/变更/注销",
            "missing required value in 证件号码 (id_number)",
            f"unparseable date in 申报日期 (declared_on): '46329x'; {DATE_HINT}",
        ],
    ),
    ("intermediary_lease", {"同住人数": "三"}, []),
    ("community_roster", {"序号": None}, ["missing required value in 序号 (seq)"]),
]


def test_bad_row_rule_table(tmp_path: Path) -> None:
    failures = []
    for i, (source, changes, expected) in enumerate(CASES):
        spec = FEEDS[source]
        name = f"三墩社区_2026Q{i % 4 + 1}.csv" if spec.mode == "quarterly" else f"case{i}_20261103.csv"
        path = write_csv(tmp_path / str(i) / source / name, list(spec.headers), [_row(spec, **changes)])
        result = read_file(spec, drop(path))
        got = result.quarantine["reasons"].to_list()[0] if result.quarantine.height else []
        if got != expected or result.rows_read != 1:
            failures.append((source, changes, expected, got))
    assert not failures, "rule table failures (feed, changes, expected, got):\n" + "\n".join(
        map(repr, failures)
    )


def test_optional_column_problems_become_nulls_and_one_warning_per_column(tmp_path: Path) -> None:
    spec = FEEDS["intermediary_lease"]
    rows = [
        _row(spec, 同住人数="三", 退租日期="下月"),
        _row(spec, 合同编号="K2", 同住人数="2.0", 退租日期="2026/13/1"),
        _row(spec, 合同编号="K3", 同住人数="4人"),
    ]
    path = write_csv(tmp_path / "intermediary_lease" / "lease_20261103.csv", list(spec.headers), rows)
    result = read_file(spec, drop(path))
    assert result.quarantine.height == 0
    assert result.accepted["cohabitants"].to_list() == [None, 2, None]
    assert result.accepted["moved_out_on"].to_list()[:2] == [None, None]
    assert result.warnings == [
        "退租日期 (moved_out_on): 2 value(s) are not dates and were left empty, e.g. '下月'",
        "同住人数 (cohabitants): 2 value(s) are not whole numbers and were left empty, e.g. '三'",
    ]


def test_same_key_different_content_quarantines_every_row_of_that_key(tmp_path: Path) -> None:
    spec = FEEDS["grid_visit"]
    rows = [
        _row(spec, 走访编号="V1", 姓名="张三"),
        _row(spec, 走访编号="V2"),
        _row(spec, 走访编号="V1", 姓名="张山"),
        _row(spec, 走访编号="V2"),  # identical repeat: accepted twice
        _row(spec, 走访编号="V1", 姓名="张三", 走访结果="未知"),
        _row(spec, 走访编号="V3", 走访日期="2026/10/1"),
        _row(spec, 走访编号="V3", 走访日期="20261001"),  # same content once typed
    ]
    path = write_csv(tmp_path / "grid_visit" / "v_20261103.csv", list(spec.headers), rows)
    result = read_file(spec, drop(path))
    assert result.accepted["record_id"].to_list() == ["V2", "V2", "V3", "V3"]
    assert result.accepted["_row_hash"][0] == result.accepted["_row_hash"][1]
    quarantined = dict(
        zip(result.quarantine["source_row"].to_list(), result.quarantine["reasons"].to_list(), strict=True)
    )
    assert quarantined == {
        1: ["key 'V1' appears again with different content in row(s) 3, 5; keep one version of it"],
        3: ["key 'V1' appears again with different content in row(s) 1, 5; keep one version of it"],
        5: [
            f"value '未知' in 走访结果 (visit_result) is not one of {RESULTS}",
            "key 'V1' appears again with different content in row(s) 1, 3; keep one version of it",
        ],
    }
    assert result.quarantine["record_id"].to_list() == ["V1", "V1", "V1"]
    assert result.rows_read == 7


def test_ragged_rows_are_quarantined_and_trailing_empty_fields_are_not(tmp_path: Path) -> None:
    spec = FEEDS["self_declaration"]
    headers = ",".join(spec.headers)
    good = ",".join(v or "" for v in _row(spec))
    text = "\n".join(
        [
            headers,
            good,
            good.replace("K0001", "K0005").rsplit(",", 2)[0],  # 2 fields short
            good.replace("K0001", "K0002") + ",extra",  # one field too many
            good.replace("K0001", "K0003") + ",,",  # trailing empty fields: harmless
            good.replace("K0001", "K0004"),
        ]
    )
    path = tmp_path / "self_declaration" / "d_20261103.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode())
    result = read_file(spec, drop(path))
    assert result.accepted["record_id"].to_list() == ["K0001", "K0003", "K0004"]
    reasons = dict(
        zip(result.quarantine["source_row"].to_list(), result.quarantine["reasons"].to_list(), strict=True)
    )
    assert reasons[2][0] == (
        "row has 6 fields but the header has 8; a separator or a value is missing, or the row is cut short"
    )
    assert reasons[3] == [
        "row has 9 fields but the header has 8; a value holds an unquoted ',' (quote that value)"
    ]


def test_quoted_cells_with_commas_quotes_and_line_breaks(tmp_path: Path) -> None:
    spec = FEEDS["grid_visit"]
    rows = [
        _row(spec, 走访地址='三墩镇,振华路"1"号'),
        _row(spec, 走访编号="K2", 走访地址="三墩镇\n振华路2号"),
        _row(spec, 走访编号="K3", 走访地址="三墩镇3号"),
    ]
    for crlf in (False, True):
        path = tmp_path / str(crlf) / "grid_visit" / "v_20261103.csv"
        write_csv(path, list(spec.headers), rows, crlf=crlf)
        result = read_file(spec, drop(path))
        assert result.quarantine.height == 0, result.quarantine.to_dicts()
        assert result.accepted["address"].to_list() == [
            '三墩镇,振华路"1"号',
            "三墩镇\n振华路2号",
            "三墩镇3号",
        ]
        assert result.accepted["_source_row"].to_list() == [1, 2, 3]


def test_broken_bytes_quarantine_only_their_rows(tmp_path: Path) -> None:
    spec = FEEDS["grid_visit"]
    header = csv_bytes(list(spec.headers), [], "gbk")
    line1 = csv_bytes(_row(spec), [], "gbk")
    bad = csv_bytes(_row(spec, 走访编号="K2", 姓名="BROKEN"), [], "gbk").replace(b"BROKEN", b"\x80\xff")
    line3 = csv_bytes(_row(spec, 走访编号="K3"), [], "gbk")
    path = tmp_path / "grid_visit" / "v_20261103.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(header + line1 + bad + line3)
    result = read_file(spec, drop(path))
    assert result.encoding == "gb18030"
    assert result.accepted["record_id"].to_list() == ["K0001", "K3"]
    offset = len(header) + len(line1) + bad.index(b"\x80")
    assert result.quarantine.to_dicts() == [
        {
            "source": "grid_visit",
            "source_file": "grid_visit/v_20261103.csv",
            "source_row": 2,
            "record_id": "K2",
            "reasons": [
                f"broken encoding at byte {offset}: b'\\x80'; re-export the file as UTF-8"
                " (and 1 more bad byte sequence(s) in this row)"
            ],
        }
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_empty_rows_are_skipped_with_a_warning(tmp_path: Path, encoding: str) -> None:
    spec = FEEDS["grid_visit"]
    rows = [_row(spec), [None] * len(spec.headers), ["", " ", "NULL"] + [None] * (len(spec.headers) - 3)]
    path = write_csv(tmp_path / "grid_visit" / "v_20261103.csv", list(spec.headers), rows, encoding)
    text = path.read_bytes() + b"\n\n"
    path.write_bytes(text)
    result = read_file(spec, drop(path))
    assert result.rows_read == 1 and result.accepted.height == 1
    assert "skipped 4 empty row(s)" in result.warnings
