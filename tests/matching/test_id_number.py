"""Resident ID normalizer: a rule table, Hypothesis properties, scalar/vectorized agreement."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.matching.id_number import (
    ID_COLUMNS,
    area_info,
    areas,
    check_character,
    is_local,
    local_flags,
    origin,
    parse_id,
    parse_ids,
    upgrade_15,
)

AS_OF = date(2026, 11, 20)
FW = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")

# (raw, 证件类型) -> the IdParse fields that must hold. Check characters were computed once with
# the ISO 7064 MOD 11-2 weights and are written out so the table reads on its own.
CASES: list[tuple[tuple[str | None, str | None], dict]] = [
    # valid, in the forms agencies send
    (("330106198001011235", None), {"status": "valid", "normalized": "330106198001011235", "problems": ()}),
    (("330106198001011235", None), {"birth_date": date(1980, 1, 1), "gender": "男", "area_code": "330106"}),
    (("330106198001011235", None), {"province": "浙江省", "city": "杭州市", "county": "西湖区"}),
    (("33010619850517242X", None), {"status": "valid", "gender": "女"}),
    (("44030519880808008x", None), {"status": "valid", "normalized": "44030519880808008X"}),
    (("44030519880808008X", None), {"status": "valid", "gender": "女"}),
    ((" 3301 0619 8001 0112 35 ", None), {"status": "valid", "normalized": "330106198001011235"}),
    (("\t330106198001011235\u3000", None), {"status": "valid", "normalized": "330106198001011235"}),
    (("'330106198001011235", None), {"status": "valid", "normalized": "330106198001011235"}),
    (("３３０１０６１９８００１０１１２３５", None), {"status": "valid", "normalized": "330106198001011235"}),
    (("４４０３０５１９８８０８０８００８ｘ", None), {"status": "valid", "normalized": "44030519880808008X"}),
    (("330106198001011235", "居民身份证"), {"status": "valid"}),
    (("330106198001011235", " 身份证 "), {"status": "valid"}),
    (("330106198001011235", "户口簿"), {"status": "valid"}),
    (("330106198001011235", ""), {"status": "valid"}),
    # area codes: retired, newly created, city and province level
    (("110103198001011235", None), {"status": "valid", "area_retired": True, "county": "崇文区"}),
    (("330114202203150021", None), {"status": "valid", "county": "钱塘区", "area_retired": False}),
    (("330100197506123459", None), {"status": "valid", "area_level": "city", "county": None}),
    (("110000197001010014", None), {"status": "valid", "area_level": "province", "province": "北京市"}),
    # birth dates
    (("330106200002290029", None), {"status": "valid", "birth_date": date(2000, 2, 29)}),
    (("330106190002290022", None), {"status": "bad_birth_date", "birth_date": None}),
    (("330106202701010013", None), {"status": "bad_birth_date", "problems": ("bad_birth_date",)}),
    (("330106189912310012", None), {"status": "bad_birth_date"}),
    # check character and several problems at once
    (("330106198001011230", None), {"status": "bad_check", "problems": ("bad_check",)}),
    (("33010619800101123X", None), {"status": "bad_check", "birth_date": date(1980, 1, 1)}),
    (("999999198001011233", None), {"status": "bad_area", "problems": ("bad_area",), "province": None}),
    (("999999198013011230", None), {"status": "bad_area", "problems": ("bad_area", "bad_birth_date")}),
    (("999999198013011231", None), {"problems": ("bad_area", "bad_birth_date", "bad_check")}),
    (("330106198013011235", None), {"status": "bad_birth_date", "problems": ("bad_birth_date", "bad_check")}),
    # legacy 15-digit numbers
    (("330106800101123", None), {"status": "valid", "normalized": "330106198001011235", "legacy15": True}),
    (("330106801301123", None), {"status": "bad_birth_date", "normalized": "330106198013011232"}),
    (("330106198001011235", None), {"legacy15": False}),
    # bad format
    (("33010619800101123", None), {"status": "bad_format", "normalized": "33010619800101123"}),
    (("3301061980010112355", None), {"status": "bad_format", "problems": ()}),
    (("3301O6198001011235", None), {"status": "bad_format"}),
    (("3301061980X1011235", None), {"status": "bad_format"}),
    (("身份证330106198001011235", None), {"status": "bad_format"}),
    (("34*12a", None), {"status": "bad_format"}),
    # missing
    ((None, None), {"status": "missing", "normalized": None}),
    (("", None), {"status": "missing"}),
    (("   ", None), {"status": "missing"}),
    (("NULL", None), {"status": "missing"}),
    (("无", None), {"status": "missing"}),
    (("/", None), {"status": "missing"}),
    # masked: what is visible is kept
    (
        ("341221********1234", None),
        {"status": "masked", "mask_prefix": "341221", "mask_suffix": "1234", "mask_length": 18},
    ),
    (
        ("341221********1234", None),
        {"area_code": "341221", "county": "临泉县", "gender": "男", "birth_date": None},
    ),
    (
        ("3412************", None),
        {"status": "masked", "mask_prefix": "3412", "mask_suffix": None, "area_code": None},
    ),
    (("****************123X", None), {"status": "masked", "mask_prefix": None, "mask_suffix": "123X"}),
    (("341221199001******", None), {"status": "masked", "birth_date": None, "area_code": "341221"}),
    (("34122119900101****", None), {"birth_date": date(1990, 1, 1), "gender": None, "problems": ()}),
    (("34122119901301****", None), {"status": "masked", "problems": ("bad_birth_date",)}),
    (("999999********1234", None), {"status": "masked", "problems": ("bad_area",)}),
    (
        ("３４１２２１＊＊＊＊＊＊＊＊１２３４", None),
        {"status": "masked", "normalized": "341221********1234"},
    ),
    (("******************", None), {"status": "masked", "mask_prefix": None, "mask_suffix": None}),
    # other document types pass through unchecked
    (("E12345678", "护照"), {"status": "other_type", "normalized": "E12345678", "problems": ()}),
    (("h0123456 ", "港澳居民来往内地通行证"), {"status": "other_type", "normalized": "H0123456"}),
    (("330106198001011230", "外国人永久居留身份证"), {"status": "other_type", "birth_date": None}),
    ((None, "护照"), {"status": "missing"}),
]


def test_rule_table() -> None:
    mismatches = []
    for (raw, id_type), expected in CASES:
        got = parse_id(raw, id_type, as_of=AS_OF)
        actual = {k: getattr(got, k) for k in expected}
        if actual != expected:
            mismatches.append(f"{raw!r} ({id_type!r}): expected {expected}, got {actual}")
    assert not mismatches, "\n" + "\n".join(mismatches)


def test_rule_table_covers_every_status() -> None:
    seen = {parse_id(raw, t, as_of=AS_OF).status for (raw, t), _ in CASES}
    assert seen == {
        "valid",
        "missing",
        "masked",
        "other_type",
        "bad_format",
        "bad_area",
        "bad_birth_date",
        "bad_check",
    }


def test_rule_table_vectorized() -> None:
    raws = [raw for (raw, _), _ in CASES]
    types = [t for (_, t), _ in CASES]
    frame = parse_ids(pl.Series(raws, dtype=pl.String), pl.Series(types, dtype=pl.String), as_of=AS_OF)
    assert frame.columns == list(ID_COLUMNS)
    assert [dict(zip(frame.columns, row, strict=True)) for row in frame.iter_rows()] == [
        _as_row(parse_id(r, t, as_of=AS_OF)) for r, t in zip(raws, types, strict=True)
    ]


def test_check_character_and_upgrade() -> None:
    assert check_character("11010519491231002") == "X"  # the GB 11643 example
    assert upgrade_15("330106800101123") == "330106198001011235"
    with pytest.raises(ValueError, match="17 ASCII digits"):
        check_character("1234")
    with pytest.raises(ValueError, match="15 ASCII digits"):
        upgrade_15("33010680010112X")


def test_helpers() -> None:
    assert is_local("330114202203150021", "330114")
    assert is_local("330114********1234", "330114")
    assert not is_local("330106198001011235", "330114")
    assert not is_local(None, "330114")
    assert not is_local("3301", "330114")
    ids = pl.Series(["330114202203150021", "330114********1234", "330106198001011235", None, "3301"])
    assert local_flags(ids, "330114").to_list() == [is_local(v, "330114") for v in ids.to_list()]
    with pytest.raises(ValueError, match="6-digit"):
        is_local("330114202203150021", "3301")
    assert origin("341221") == ("安徽省", "阜阳市")
    assert origin("110101") == ("北京市", None)  # 市辖区 is not a city name
    assert origin("999999") == (None, None)
    assert area_info("110103").retired_in == 2010
    assert areas() is areas()  # built once


# ----------------------------------------------------------------------------- Hypothesis

COUNTY_CODES = sorted(c for c, a in areas().items() if a.level == "county")


@st.composite
def valid_ids(draw: st.DrawFn) -> tuple[str, date]:
    code = draw(st.sampled_from(COUNTY_CODES))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=AS_OF))
    body = code + born.strftime("%Y%m%d") + draw(st.text("0123456789", min_size=3, max_size=3))
    return body + check_character(body), born


@st.composite
def legacy_ids(draw: st.DrawFn) -> str:
    code = draw(st.sampled_from(COUNTY_CODES))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)))
    return code + born.strftime("%y%m%d") + draw(st.text("0123456789", min_size=3, max_size=3))


def _decorate(value: str, how: int) -> str:
    return [
        value,
        value.lower(),
        value.translate(FW),
        f" {value[:6]} {value[6:]} ",
        value[:6] + "*" * 8 + value[14:],
    ][how]


ID_TEXT = st.one_of(
    st.tuples(valid_ids(), st.integers(0, 4)).map(lambda v: _decorate(v[0][0], v[1])),
    legacy_ids(),
    st.text("0123456789Xx* \t'１２３４５６７８９０Ｘｘ＊\u3000", max_size=22),
    st.text(max_size=20),
    st.sampled_from(["", "NULL", "无", "-", "N/A"]),
)
ID_TYPES = st.sampled_from(
    [None, "", "身份证", "居民身份证", " 111 ", "护照", "台湾居民来往大陆通行证", "NULL"]
)


@given(valid_ids())
def test_valid_body_with_its_check_character_is_valid(case: tuple[str, date]) -> None:
    number, born = case
    got = parse_id(number, as_of=AS_OF)
    assert got.status == "valid", got
    assert got.birth_date == born
    assert got.gender == ("男" if int(number[16]) % 2 else "女")


@given(valid_ids(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_single_substitution_is_caught(case: tuple[str, date], position: int, char: str) -> None:
    number, _ = case
    if number[position] == char or (char == "X" and position != 17):
        return
    got = parse_id(number[:position] + char + number[position + 1 :], as_of=AS_OF)
    assert got.status != "valid"
    assert "bad_check" in got.problems  # MOD 11-2 catches every single-character substitution


@given(legacy_ids())
def test_upgrade_round_trip(id15: str) -> None:
    id18 = upgrade_15(id15)
    assert id18[:6] + id18[8:17] == id15
    assert check_character(id18[:17]) == id18[17]
    got = parse_id(id15, as_of=AS_OF)
    assert got.normalized == id18 and got.legacy15
    assert parse_id(id18, as_of=AS_OF).status == got.status


@given(ID_TEXT, ID_TYPES)
def test_normalization_is_idempotent(raw: str, id_type: str | None) -> None:
    first = parse_id(raw, id_type, as_of=AS_OF)
    if first.normalized is None:
        return
    again = parse_id(first.normalized, id_type, as_of=AS_OF)
    assert again.normalized == first.normalized
    assert (again.status, again.problems) == (first.status, first.problems)


def _as_row(p) -> dict:
    return {
        "id_norm": p.normalized,
        "id_status": p.status,
        "id_problems": list(p.problems),
        "id_birth_date": p.birth_date,
        "id_gender": p.gender,
        "id_area": p.area_code,
        "id_province": p.province,
        "id_city": p.city,
        "id_area_retired": p.area_retired,
        "id_area_level": p.area_level,
        "id_legacy15": p.legacy15,
        "id_mask_prefix": p.mask_prefix,
        "id_mask_suffix": p.mask_suffix,
    }


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), ID_TEXT), ID_TYPES), max_size=40))
def test_vectorized_agrees_with_scalar(rows: list[tuple[str | None, str | None]]) -> None:
    raws = [r for r, _ in rows]
    types = [t for _, t in rows]
    frame = parse_ids(pl.Series(raws, dtype=pl.String), pl.Series(types, dtype=pl.String), as_of=AS_OF)
    got = [dict(zip(frame.columns, row, strict=True)) for row in frame.iter_rows()]
    want = [_as_row(parse_id(r, t, as_of=AS_OF)) for r, t in rows]
    assert got == want


def test_vectorized_without_types_and_empty() -> None:
    assert parse_ids(pl.Series([], dtype=pl.String)).shape == (0, len(ID_COLUMNS))
    frame = parse_ids(["330106198001011235", None], as_of=AS_OF)
    assert frame["id_status"].to_list() == ["valid", "missing"]
    with pytest.raises(ValueError, match="one type per id"):
        parse_ids(["330106198001011235"], ["身份证", "护照"])


def test_future_birth_relative_to_as_of() -> None:
    born_today = "330106" + AS_OF.strftime("%Y%m%d") + "001"
    number = born_today + check_character(born_today)
    assert parse_id(number, as_of=AS_OF).status == "valid"
    assert parse_id(number, as_of=AS_OF - timedelta(days=1)).status == "bad_birth_date"
    assert parse_ids([number], as_of=AS_OF - timedelta(days=1))["id_status"].to_list() == ["bad_birth_date"]


def test_vectorized_leaves_its_input_alone() -> None:
    ids = pl.Series(["３３０１０６１９８００１０１１２３５", " 330106198001011235", "330106198001011235"])
    before = ids.to_list()
    parse_ids(ids, pl.Series([None, None, "护照"]), as_of=AS_OF)
    assert ids.to_list() == before


def test_birth_date_grid_agrees() -> None:
    """Every month 0..13 and edge day, in leap and non-leap years: polars and Python agree."""
    bodies = [
        f"330106{y:04d}{m:02d}{d:02d}123"
        for y in (0, 1899, 1900, 1904, 2000, 2024, 2026, 2100)
        for m in range(14)
        for d in (0, 1, 28, 29, 30, 31, 32)
    ]
    numbers = [b + check_character(b) for b in bodies]
    frame = parse_ids(numbers, as_of=AS_OF)
    assert frame["id_birth_date"].to_list() == [parse_id(n, as_of=AS_OF).birth_date for n in numbers]
    assert parse_id("330106200002290029", as_of=AS_OF).birth_date == date(2000, 2, 29)
