"""A small hand-built standard address library (shared by the address tests) and index tests.

It holds the shapes a district really has:

- 幸福家园 (学林街88号): a compound with buildings, units and rooms;
- 金色家园 (东方社区) and 金色家苑 (云水社区): two similarly named compounds;
- 金沙湖花园2期 / 3期: two phases that both have 10幢1单元1102室;
- 新沙新村: a 城中村 compound whose buildings have rooms but no units;
- 东一巷12号: a 城中村 building addressed by road and door, rooms without units;
  东一巷14号: a single house (door level, no room);
- 江东村 三组/五组: village houses (door level); 28号 exists in both groups;
- 新围社区 (formerly 围垦村, listed in the alias table): 新围家园;
- 银泰大厦: a single-building compound whose rooms carry no building number;
- 沙岗村 (岗头社区): a Shenzhen 城中村 kept as compound 沙岗村 with lanes 一巷/二巷 as roads.
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl

from recon.matching.address_index import AddressIndex
from recon.matching.address_parse import parse_address

PREFIX = "浙江省杭州市钱塘区"


def _row(code, street, community, road="", door="", compound="", building="", unit="", room="", text=None):  # noqa: ANN001
    if text is None:
        text = PREFIX + street + community + road + door + compound + building + unit + room
    return {
        "address_code": code, "county": "钱塘区", "street": street, "community": community, "road": road,
        "door_number": door, "compound": compound, "building": building, "unit": unit, "room": room,
        "standard_address": text, "police_station": "白杨派出所",
    }  # fmt: skip


def _rows() -> list[dict[str, str]]:
    rows = []
    # 幸福家园: 3 buildings × 2 units × 15 floors × 2 rooms.
    for b in range(1, 4):
        for u in (1, 2):
            for f in range(1, 16):
                for r in (1, 2):
                    room = f"{f}{r:02d}"
                    rows.append(_row(f"XF{b}{u}{room:0>4}", "白杨街道", "东方社区", "学林街", "88号", "幸福家园",
                                     f"{b}幢", f"{u}单元", f"{room}室"))  # fmt: skip
    for name, community, road, door, prefix in (
        ("金色家园", "东方社区", "学林街", "100号", "JY"),
        ("金色家苑", "云水社区", "云水路", "18号", "JS"),
    ):
        for b in (1, 2):
            for u in (1, 2):
                for room in ("101", "102", "201", "202"):
                    rows.append(_row(f"{prefix}{b}{u}{room}", "白杨街道", community, road, door, name, f"{b}幢",
                                     f"{u}单元", f"{room}室"))  # fmt: skip
    for phase in (2, 3):
        for room in ("1101", "1102"):
            rows.append(_row(f"JSH{phase}{room}", "下沙街道", "金沙湖社区", "金沙大道", f"{phase * 100}号",
                             f"金沙湖花园{'二' if phase == 2 else '三'}期", "10幢", "1单元", f"{room}室"))  # fmt: skip
        rows.append(_row(f"JSH{phase}0901", "下沙街道", "金沙湖社区", "金沙大道", f"{phase * 100}号",
                         f"金沙湖花园{'二' if phase == 2 else '三'}期", f"{phase}幢", "1单元", "901室"))  # fmt: skip
    for b in range(1, 6):  # 城中村 compound: buildings with rooms, no units
        for room in ("101", "102", "201", "202", "301", "302", "402"):
            rows.append(_row(f"XS{b}{room}", "下沙街道", "新沙社区", "", "", "新沙新村", f"{b}栋", "", room))
    for room in ("101", "201", "301", "401"):
        rows.append(_row(f"DY12{room}", "下沙街道", "新沙社区", "东一巷", "12号", room=f"{room}室"))
    rows.append(_row("DY14", "下沙街道", "新沙社区", "东一巷", "14号"))
    # Village houses: the group sits in the door column, the road column, or only the text.
    for door in ("28号", "30号"):
        rows.append(_row(f"JD5{door[:2]}", "河庄街道", "江东村", "", f"五组{door}"))
    rows.append(_row("JD328", "河庄街道", "江东村", "三组", "28号"))
    rows.append(_row("JD332", "河庄街道", "江东村", "", "32号", text=PREFIX + "河庄街道江东村三组32号"))
    for room in ("101", "102"):
        rows.append(
            _row(
                f"XW{room}", "河庄街道", "新围社区", "新围路", "6号", "新围家园", "1幢", "1单元", f"{room}室"
            )
        )
    for room in ("1501", "1502", "1503"):
        rows.append(_row(f"YT{room}", "白杨街道", "东方社区", "学源街", "5号", "银泰大厦", room=f"{room}室"))
    # 城中村 as Shenzhen keeps it: the village as the compound, lanes (一巷, 二巷) as roads.
    for lane in ("一巷", "二巷"):
        for door in ("1号", "3号"):
            for room in ("101房", "102房"):
                code = f"SG{'1' if lane == '一巷' else '2'}{door[:-1]}{room[:3]}"
                rows.append(_row(code, "下沙街道", "岗头社区", lane, door, "沙岗村", room=room))
    return rows


@lru_cache(maxsize=1)
def library() -> pl.DataFrame:
    return pl.DataFrame(_rows())


ALIASES = pl.DataFrame({"alias": ["围垦村"], "name": ["新围社区"], "kind": ["community"]})


@lru_cache(maxsize=1)
def index() -> AddressIndex:
    return AddressIndex.build(library(), ALIASES)


def test_every_code_is_indexed_once() -> None:
    ix = index()
    assert len(ix.code_place) == library().height


def test_group_is_read_from_door_road_or_text() -> None:
    ix = index()
    groups = {code: ix.places[ix.code_place[code][0]].group for code in ("JD528", "JD530", "JD328", "JD332")}
    assert groups == {"JD528": "5", "JD530": "5", "JD328": "3", "JD332": "3"}


def test_parsing_the_canonical_text_gives_the_row_components() -> None:
    ix = index()
    bad = []
    for row in library().iter_rows(named=True):
        p = parse_address(row["standard_address"])
        pid, unit, room = ix.code_place[row["address_code"]]
        place = ix.places[pid]
        want = (place.street, place.community, place.group, place.road, place.door, place.compound,
                place.building, unit, room)  # fmt: skip
        got = tuple(v or "" for v in (p.street, p.community, p.group, p.road, p.door, p.compound, p.building,
                                      p.unit, p.room))  # fmt: skip
        if got != want:
            bad.append((row["standard_address"], got, want))
    assert not bad, "\n".join(map(str, bad[:20]))


def test_missing_required_columns_are_named() -> None:
    try:
        AddressIndex.build(pl.DataFrame({"address_code": ["1"]}))
    except ValueError as e:
        assert "street" in str(e) and "address_code" in str(e)
    else:
        raise AssertionError("expected ValueError")
