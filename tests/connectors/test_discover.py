"""Discovery: ordering, newest snapshot, rejected and ignored files, roster names, feed.yaml."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from recon.connectors.contract import GRID_VISIT
from recon.connectors.discover import discover
from recon.connectors.feed_config import FeedConfigError, load_feed_config
from recon.connectors.file_names import date_in_name, parse_roster_name


def _touch(path: Path, content: bytes = b"a,b\n1,2\n", mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("grid_visit_20261103.csv", date(2026, 11, 3)),
        ("grid_visit_2026-11-03.csv", date(2026, 11, 3)),
        ("grid_visit_2026_11_03.xlsx", date(2026, 11, 3)),
        ("grid_visit_2026-11.csv", date(2026, 11, 1)),
        ("grid_visit_202611.csv", date(2026, 11, 1)),
        ("走访2026年.csv", None),
        ("export_330114_20261103.csv", date(2026, 11, 3)),  # a district code is not a month
        ("lease_20261101_to_20261107.csv", date(2026, 11, 7)),  # the latest date orders the file
        ("reg_２０２６１１０３.csv", date(2026, 11, 3)),
        ("id_330114199001011234.csv", None),
        ("bad_20261340.csv", None),
        ("plain.csv", None),
    ],
)
def test_date_in_name(name: str, expected: date | None) -> None:
    assert date_in_name(name) == expected


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("三墩社区_2026Q3.xlsx", ("三墩社区", "2026Q3")),
        ("三墩社区_2026q4.csv", ("三墩社区", "2026Q4")),
        ("振华_社区_2026Q1.xlsx", ("振华_社区", "2026Q1")),
        ("三墩社区_2026Q5.xlsx", None),
        ("三墩社区2026Q3.xlsx", None),
        ("三墩社区_2026Q3.xls", None),
        ("_2026Q3.xlsx", None),
    ],
)
def test_roster_names(name: str, parts: tuple[str, str] | None) -> None:
    parsed = parse_roster_name(name)
    assert (None if parsed is None else (parsed.community, parsed.quarter)) == parts


def test_ordering_rejections_and_unknown_folders(tmp_path: Path) -> None:
    visits = tmp_path / "grid_visit"
    t = 1_790_000_000
    _touch(visits / "grid_visit_2026-11-02.csv", b"1", mtime=t)
    _touch(visits / "grid_visit_20261101.csv", b"2", mtime=t + 100)  # newer mtime, older name date
    _touch(visits / "b_same_day_20261103.csv", b"3", mtime=t + 50)
    _touch(visits / "a_same_day_20261103.csv", b"4", mtime=t + 50)
    _touch(visits / "c_same_day_20261103.csv", b"5", mtime=t + 10)
    _touch(visits / "notes.pdf")
    _touch(visits / "old.xls")
    _touch(visits / ".hidden.csv")
    _touch(visits / "~$open.xlsx")
    _touch(visits / "feed.yaml", "身份证号: 证件号码\n".encode())
    _touch(tmp_path / "weather" / "x.csv")
    _touch(tmp_path / "README.txt")
    result = discover(tmp_path)
    names = [d.path.name for d in result.files["grid_visit"]]
    assert names == [
        "grid_visit_20261101.csv",
        "grid_visit_2026-11-02.csv",
        "c_same_day_20261103.csv",
        "a_same_day_20261103.csv",
        "b_same_day_20261103.csv",
    ]
    assert result.unknown_folders == ["weather"]
    rejected = {r.source_file: r.message for r in result.rejected}
    assert set(rejected) == {"grid_visit/notes.pdf", "grid_visit/old.xls"}
    assert "save it as .xlsx" in rejected["grid_visit/old.xls"]
    assert result.header_maps == {"grid_visit": {"身份证号": "证件号码"}}
    assert "grid_visit" not in result.newest  # append feed: every file is read
    assert [d.path.name for d in result.to_read("grid_visit")] == names
    drop = result.files["grid_visit"][0]
    assert drop.size == 1 and len(drop.sha256) == 64 and drop.source == "grid_visit"


def test_absent_folders_contribute_nothing(tmp_path: Path) -> None:
    result = discover(tmp_path)
    assert result.files == {} and result.rejected == [] and result.unknown_folders == []


def test_missing_input_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        discover(tmp_path / "nope")


def test_snapshot_newest_and_identical_redelivery(tmp_path: Path) -> None:
    folder = tmp_path / "police_registry"
    _touch(folder / "registry_20261101.csv", b"v1")
    _touch(folder / "registry_20261115.csv", b"v2")
    _touch(folder / "registry_20261108.csv", b"v3")
    lease = tmp_path / "intermediary_lease"
    _touch(lease / "lease_20261101.csv", b"same")
    _touch(lease / "lease_20261102.csv", b"other")
    _touch(lease / "lease_20261103.csv", b"same")
    result = discover(tmp_path)
    assert result.newest["police_registry"].path.name == "registry_20261115.csv"
    assert [d.path.name for d in result.to_read("police_registry")] == ["registry_20261115.csv"]
    assert [d.path.name for d in result.to_read("intermediary_lease")] == [
        "lease_20261101.csv",
        "lease_20261102.csv",
    ]
    assert any("identical" in n for n in result.notes)


def test_community_roster_names(tmp_path: Path) -> None:
    folder = tmp_path / "community_roster"
    _touch(folder / "三墩社区_2026Q3.xlsx", b"x")
    _touch(folder / "三墩社区_2026Q2.csv", b"y")
    _touch(folder / "振华社区_2025Q4.xlsx", b"z")
    _touch(folder / "三墩社区 第三季度.xlsx", b"w")
    result = discover(tmp_path)
    got = [(d.community, d.quarter) for d in result.files["community_roster"]]
    assert got == [("振华社区", "2025Q4"), ("三墩社区", "2026Q2"), ("三墩社区", "2026Q3")]
    (rejection,) = result.rejected
    assert rejection.source_file == "community_roster/三墩社区 第三季度.xlsx"
    assert "<社区>_<YYYY>Q<n>.xlsx" in rejection.message and "rename" in rejection.message


def test_feed_yaml_forms(tmp_path: Path) -> None:
    flat = _touch(tmp_path / "flat.yaml", "身份证号: 证件号码\n手机 : 联系电话\n".encode())
    nested = _touch(tmp_path / "nested.yaml", "columns:\n  身份证号: 证件号码\n".encode())
    empty = _touch(tmp_path / "empty.yaml", b"")
    assert load_feed_config(GRID_VISIT, flat) == {"身份证号": "证件号码", "手机": "联系电话"}
    assert load_feed_config(GRID_VISIT, nested) == {"身份证号": "证件号码"}
    assert load_feed_config(GRID_VISIT, empty) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "身份证号: 身份证号码\n",
            "'身份证号码', which is not a column of grid_visit; the valid targets are: 走访编号",
        ),
        ("columns:\n  身份证号: 证件\n", "'证件', which is not a column"),
        ("columns: [a, b]\n", "must hold a mapping"),
        ("- a\n- b\n", "expected a mapping"),
        ("columns: {}\nsource: x\n", "unknown keys ['source']"),
        ("a: [1]\n", "must map to a contract header"),
        ("a: b: c\n", "cannot be read as UTF-8 YAML"),
    ],
)
def test_feed_yaml_errors(tmp_path: Path, text: str, message: str) -> None:
    path = _touch(tmp_path / "feed.yaml", text.encode())
    with pytest.raises(FeedConfigError) as err:
        load_feed_config(GRID_VISIT, path)
    assert message in str(err.value), str(err.value)


def test_bad_feed_yaml_rejects_the_feed_not_the_run(tmp_path: Path) -> None:
    _touch(tmp_path / "grid_visit" / "feed.yaml", "身份证号: 身份证\n".encode())
    _touch(tmp_path / "grid_visit" / "grid_visit_20261101.csv")
    _touch(tmp_path / "self_declaration" / "decl_20261101.csv")
    result = discover(tmp_path)
    assert result.files["grid_visit"] == []
    assert {r.source_file for r in result.rejected} == {
        "grid_visit/feed.yaml",
        "grid_visit/grid_visit_20261101.csv",
    }
    assert "valid targets are" in next(
        r.message for r in result.rejected if r.source_file.endswith("feed.yaml")
    )
    assert len(result.files["self_declaration"]) == 1


def test_reference_folder_is_not_a_feed_and_aliases_read(tmp_path):
    from recon.connectors import discover
    from recon.connectors.reference import ReferenceError, read_address_aliases

    ref = tmp_path / "reference"
    ref.mkdir()
    (ref / "address_aliases.csv").write_text(
        "别名,标准名称,类型\n青泉社区,翠茗村,社区\n老街,学林街,街路巷\n", encoding="gb18030"
    )
    assert "reference" not in discover(tmp_path).unknown_folders
    got = read_address_aliases(tmp_path)
    assert got.rows() == [("青泉社区", "翠茗村", "community"), ("老街", "学林街", "road")]
    (ref / "address_aliases.csv").write_text("旧名,新名\n青泉社区,翠茗村\n", encoding="utf-8")
    with pytest.raises(ReferenceError, match="别名,标准名称,类型"):
        read_address_aliases(tmp_path)
