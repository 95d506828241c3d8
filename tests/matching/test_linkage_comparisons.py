"""Rule tables: every level of every comparison, on hand-built record pairs."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from recon.matching.comparison_levels import EncodedRecords, PairContext
from recon.matching.comparisons import Comparison, DateComparison, ExactMatch, StringComparison
from recon.matching.id_number import check_character
from recon.matching.lookalike import fold_lookalikes
from recon.matching.person_comparisons import (
    BirthDateComparison,
    DwellingComparison,
    GenderComparison,
    HukouAreaComparison,
    IdNumberComparison,
    NameComparison,
    PhoneComparison,
)


def valid_id(body17: str) -> str:
    return body17 + check_character(body17)


A = valid_id("34122119900307123")
B = valid_id("34122119900307456")  # same area and birth, different person
A_TYPO = A[:10] + ("0" if A[10] != "0" else "1") + A[11:]  # one digit substituted: check fails
A_SWAP = A[:15] + A[16] + A[15] + A[17]  # adjacent transposition
A_MASK = A[:6] + "*" * 8 + A[14:]
A_MASK_BAD = A[:6] + "*" * 8 + "9999"
A_MASK_SHORT = A[:3] + "*" * 11 + A[14:]


def id_rec(number: str | None) -> dict:
    if number is None:
        return {"id_norm": None, "id_pattern": None, "id_valid": False}
    if "*" in number:
        return {"id_norm": None, "id_pattern": number, "id_valid": False}
    body_ok = len(number) == 18 and number[:17].isdigit() and check_character(number[:17]) == number[17]
    return {"id_norm": number, "id_pattern": number, "id_valid": body_ok}


def levels_of(comparison: Comparison, cases: list[tuple[dict, dict]]) -> list[str]:
    rows = [r for pair in cases for r in pair]
    cols = comparison.columns
    frame = pl.DataFrame(
        [{c: r.get(c) for c in cols} for r in rows],
        schema={c: pl.Boolean if c.endswith("_valid") else pl.String for c in cols},
    )
    enc = EncodedRecords(frame, cols)
    n = len(cases)
    ctx = PairContext(enc, np.arange(0, 2 * n, 2), np.arange(1, 2 * n, 2))
    return ["null" if g < 0 else comparison.labels[g] for g in comparison.gamma(ctx)]


def check_table(comparison: Comparison, table: list[tuple[dict, dict, str]]) -> None:
    got = levels_of(comparison, [(a, b) for a, b, _ in table])
    want = [w for _, _, w in table]
    rows = [
        f"{'OK ' if g == w else 'BAD'} {a} | {b} -> got {g!r}, want {w!r}"
        for (a, b, w), g in zip(table, got, strict=True)
    ]
    assert got == want, f"{comparison.describe()}\n" + "\n".join(rows)
    # symmetric: swapping the records never changes the level
    assert levels_of(comparison, [(b, a) for a, b, _ in table]) == got


def test_id_number_levels() -> None:
    assert not id_rec(A_TYPO)["id_valid"] and not id_rec(A_SWAP)["id_valid"] and id_rec(B)["id_valid"]
    check_table(
        IdNumberComparison(),
        [
            (id_rec(A), id_rec(A), "exact"),
            (id_rec(A), id_rec(A_TYPO), "near"),
            (id_rec(A), id_rec(A_SWAP), "near"),
            (id_rec(A), id_rec(A_MASK), "masked_compatible"),
            (id_rec(A_MASK), id_rec(A_MASK), "masked_compatible"),
            (id_rec(A_MASK_SHORT), id_rec(A_MASK), "masked_compatible"),
            (id_rec(A), id_rec(A_MASK_BAD), "different"),
            (id_rec(A), id_rec(B), "valid_different"),
            (id_rec(A), id_rec("12345"), "different"),
            (id_rec(A_TYPO), id_rec(B), "different"),
            (id_rec(A), id_rec(None), "null"),
            (id_rec(None), id_rec(None), "null"),
            (id_rec("E12345678"), id_rec("E12345678"), "exact"),  # passport numbers (other_type)
        ],
    )


def name_rec(written: str | None, simplified: str | None = None, pinyin: str | None = None) -> dict:
    if written is None:
        return {}
    from pypinyin import lazy_pinyin

    norm = simplified or written
    return {
        "name_clean": written,
        "name_norm": norm,
        "name_pinyin": pinyin or "".join(lazy_pinyin(norm)),
        "name_lookalike": fold_lookalikes(norm),
    }


def test_name_levels() -> None:
    check_table(
        NameComparison(),
        [
            (name_rec("张伟"), name_rec("张伟"), "exact"),
            (name_rec("張偉", "张伟"), name_rec("张伟"), "simplified"),
            (name_rec("张伟"), name_rec("章伟"), "pinyin"),
            (name_rec("李娜"), name_rec("李纳"), "pinyin"),
            (name_rec("王己明"), name_rec("王已明"), "lookalike"),
            (name_rec("李未红"), name_rec("李末红"), "lookalike"),
            (name_rec("王小明"), name_rec("王明"), "one_char"),
            (name_rec("李娜"), name_rec("李娟"), "one_char"),
            (name_rec("欧阳娜娜"), name_rec("欧阳纳兰"), "jw_0.90"),
            (name_rec("张伟"), name_rec("刘洋"), "else"),
            (name_rec("张伟"), name_rec(None), "null"),
            (
                name_rec("Michael Chen", "michael chen", "michaelchen"),
                name_rec("Michael Chen", "michael chen", "michaelchen"),
                "exact",
            ),
        ],
    )


def phone_rec(number: str | None, mobile: bool = True) -> dict:
    return {"phone_norm": number, "phone_mobile": number if mobile else None}


def test_phone_levels() -> None:
    check_table(
        PhoneComparison(),
        [
            (phone_rec("13812345678"), phone_rec("13812345678"), "exact_mobile"),
            (phone_rec("057188889999", False), phone_rec("057188889999", False), "exact_other"),
            (phone_rec("13812345678"), phone_rec("13812345670"), "near"),
            (phone_rec("13812345678"), phone_rec("13812345687"), "near"),
            (phone_rec("13812345678"), phone_rec("13987654321"), "else"),
            (phone_rec("13812345678"), phone_rec(None), "null"),
        ],
    )


@pytest.mark.parametrize("comparison", [BirthDateComparison(), DateComparison("dob", col="birth")])
def test_date_levels(comparison: Comparison) -> None:
    def r(x):
        return {"birth": x}

    check_table(
        comparison,
        [
            (r("19900101"), r("19900101"), "exact"),
            (r("19900101"), r("19900107"), "typo"),
            (r("19900112"), r("19900121"), "typo"),
            (r("19900312"), r("19901203"), "day_month_swap"),
            (r("19900101"), r("19851231"), "else"),
            (r("19900101"), r(None), "null"),
        ],
    )


def test_gender_levels() -> None:
    check_table(
        GenderComparison(),
        [
            ({"gender": "男"}, {"gender": "男"}, "same"),
            ({"gender": "男"}, {"gender": "女"}, "different"),
            ({"gender": "男"}, {"gender": None}, "null"),
        ],
    )


def test_dwelling_levels() -> None:
    def r(d=None, b=None, c=None):
        return {"dwelling": d, "building": b, "community": c}

    check_table(
        DwellingComparison(),
        [
            (r("D1", "B1", "C1"), r("D1", "B1", "C1"), "same_dwelling"),
            (r("D1", "B1", "C1"), r("D2", "B1", "C1"), "same_building"),
            (r("D1", "B1", "C1"), r("D3", "B2", "C1"), "same_community"),
            (
                r("D1", "B1", "C1"),
                r(None, None, "C1"),
                "community_partial",
            ),  # partial address: community only
            (r("D1", "B1", "C1"), r(None, "B1", "C1"), "building_partial"),  # partial address: building only
            (r(None, "B1", "C1"), r(None, "B1", "C1"), "building_partial"),
            (r("D1", "B1", "C1"), r(None, "B1", None), "building_partial"),
            (r("D1", "B1", "C1"), r("D9", "B9", "C9"), "else"),
            (r("D1", "B1", None), r(None, None, "C1"), "null"),  # no level resolved on both sides
            (r("D1", "B1", "C1"), r(), "null"),
        ],
    )


def test_hukou_area_levels() -> None:
    def r(code):
        return (
            {}
            if code is None
            else {"hukou_county": code, "hukou_prefecture": code[:4], "hukou_province": code[:2]}
        )

    check_table(
        HukouAreaComparison(),
        [
            (r("341221"), r("341221"), "same_county"),
            (r("341221"), r("341202"), "same_prefecture"),
            (r("341221"), r("340102"), "same_province"),
            (r("341221"), r("330114"), "else"),
            (r("341221"), r(None), "null"),
        ],
    )


def test_generic_string_levels() -> None:
    def r(x):
        return {"surname": x}

    check_table(
        StringComparison("surname"),
        [
            (r("smith"), r("smith"), "exact"),
            (r("smith"), r("smiht"), "one_edit"),
            (r("smith"), r("smyth"), "one_edit"),
            (r("johnson"), r("jonsonn"), "jw_0.92"),
            (r("katherine"), r("kathryn"), "jw_0.80"),
            (r("smith"), r("brown"), "else"),
            (r("smith"), r(None), "null"),
            (r("张三"), r("张山"), "one_edit"),  # characters, not UTF-8 bytes
        ],
    )
    check_table(
        ExactMatch("surname"),
        [
            (r("smith"), r("smith"), "exact"),
            (r("smith"), r("smyth"), "else"),
            (r(None), r("smyth"), "null"),
        ],
    )


def test_comparisons_round_trip_through_dict() -> None:
    for c in (
        IdNumberComparison(),
        NameComparison(),
        PhoneComparison(),
        BirthDateComparison(),
        GenderComparison(),
        DwellingComparison(),
        HukouAreaComparison(),
        StringComparison("x", tf=True, jw=(0.9,)),
        ExactMatch("y"),
        DateComparison("d"),
    ):
        back = Comparison.from_dict(c.to_dict())
        assert type(back) is type(c) and back.labels == c.labels and back.columns == c.columns


def test_every_comparison_docstring_lists_its_levels() -> None:
    for c in (
        IdNumberComparison(),
        NameComparison(),
        PhoneComparison(),
        BirthDateComparison(),
        GenderComparison(),
        DwellingComparison(),
        HukouAreaComparison(),
        StringComparison("x"),
        ExactMatch("y"),
        DateComparison("d"),
    ):
        doc = " ".join((type(c).__doc__ or "").split())
        for label in c.labels:
            stem = label.split("_0")[0] if label.startswith("jw_") else label
            assert stem in doc, f"{type(c).__name__} docstring does not list level {label!r}"
