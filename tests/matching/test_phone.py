"""Phone normalizer: a rule table, Hypothesis properties, scalar/vectorized agreement."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.matching.phone import PHONE_COLUMNS, parse_phone, parse_phones

FW = str.maketrans("0123456789+-()", "０１２３４５６７８９＋－（）")

# raw -> (normalized, kind, problems, all_numbers)
CASES: list[tuple[str | None, tuple]] = [
    ("13912345678", ("13912345678", "mobile", (), ("13912345678",))),
    (" 139 1234 5678 ", ("13912345678", "mobile", (), ("13912345678",))),
    ("139-1234-5678", ("13912345678", "mobile", (), ("13912345678",))),
    ("+86 139 1234 5678", ("13912345678", "mobile", (), ("13912345678",))),
    ("+8613912345678", ("13912345678", "mobile", (), ("13912345678",))),
    ("0086-13912345678", ("13912345678", "mobile", (), ("13912345678",))),
    ("8613912345678", ("13912345678", "mobile", (), ("13912345678",))),
    ("(+86)13912345678", ("13912345678", "mobile", (), ("13912345678",))),
    ("１３９１２３４５６７８", ("13912345678", "mobile", (), ("13912345678",))),
    ("013912345678", ("13912345678", "mobile", (), ("13912345678",))),
    ("0571-86001234", ("0571-86001234", "landline", (), ("0571-86001234",))),
    ("(0571)86001234", ("0571-86001234", "landline", (), ("0571-86001234",))),
    ("（０５７１）８６００１２３４", ("0571-86001234", "landline", (), ("0571-86001234",))),
    ("057186001234", ("0571-86001234", "landline", (), ("0571-86001234",))),
    ("0571 8600 1234", ("0571-86001234", "landline", (), ("0571-86001234",))),
    ("+86 571 8600 1234", ("0571-86001234", "landline", (), ("0571-86001234",))),
    ("86-571-86001234", ("0571-86001234", "landline", (), ("0571-86001234",))),
    ("010-62345678", ("010-62345678", "landline", (), ("010-62345678",))),
    ("0757-2345678", ("0757-2345678", "landline", (), ("0757-2345678",))),
    ("86001234", ("86001234", "landline_local", (), ("86001234",))),
    ("8600123", ("8600123", "landline_local", (), ("8600123",))),
    ("0571-86001234-801", ("0571-86001234", "landline", ("extension_dropped",), ("0571-86001234",))),
    ("0571-86001234转801", ("0571-86001234", "landline", ("extension_dropped",), ("0571-86001234",))),
    ("86001234 分机 12", ("86001234", "landline_local", ("extension_dropped",), ("86001234",))),
    ("0571-86001234 ext.5", ("0571-86001234", "landline", ("extension_dropped",), ("0571-86001234",))),
    (
        "13912345678, 13698765432",
        ("13912345678", "mobile", ("several_numbers",), ("13912345678", "13698765432")),
    ),
    (
        "13912345678/0571-86001234",
        ("13912345678", "mobile", ("several_numbers",), ("13912345678", "0571-86001234")),
    ),
    (
        "13912345678 13698765432",
        ("13912345678", "mobile", ("several_numbers",), ("13912345678", "13698765432")),
    ),
    ("13912345678；13912345678", ("13912345678", "mobile", (), ("13912345678",))),
    ("无/13912345678", ("13912345678", "mobile", (), ("13912345678",))),
    ("abc/13912345678", ("13912345678", "mobile", ("partly_invalid",), ("13912345678",))),
    ("无 / -", (None, "missing", (), ())),
    ("12012345678", (None, "invalid", ("bad_mobile_prefix",), ())),
    ("1391234567", (None, "invalid", ("bad_length",), ())),
    ("010-12345678", (None, "invalid", ("bad_length",), ())),
    ("11111111111", (None, "invalid", ("placeholder",), ())),
    ("13800138000", (None, "invalid", ("placeholder",), ())),
    ("00000000", (None, "invalid", ("placeholder",), ())),
    ("tel13912345678", (None, "invalid", ("bad_characters",), ())),
    ("+1 650 253 0000", (None, "invalid", ("bad_characters",), ())),
    (None, (None, "missing", (), ())),
    ("", (None, "missing", (), ())),
    ("NULL", (None, "missing", (), ())),
    ("无", (None, "missing", (), ())),
    (" - ", (None, "missing", (), ())),
]


def test_rule_table() -> None:
    mismatches = []
    for raw, expected in CASES:
        got = parse_phone(raw)
        actual = (got.normalized, got.kind, got.problems, got.all_numbers)
        if actual != expected:
            mismatches.append(f"{raw!r}: expected {expected}, got {actual}")
    assert not mismatches, "\n" + "\n".join(mismatches)


def _as_row(p) -> dict:
    return {
        "phone_norm": p.normalized,
        "phone_kind": p.kind,
        "phone_problems": list(p.problems),
        "phone_all": list(p.all_numbers),
    }


def _frame_rows(frame: pl.DataFrame) -> list[dict]:
    return [dict(zip(frame.columns, row, strict=True)) for row in frame.iter_rows()]


def test_rule_table_vectorized() -> None:
    raws = [raw for raw, _ in CASES]
    frame = parse_phones(pl.Series(raws, dtype=pl.String))
    assert frame.columns == list(PHONE_COLUMNS)
    assert _frame_rows(frame) == [_as_row(parse_phone(r)) for r in raws]


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    return "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))


@st.composite
def decorated_mobiles(draw: st.DrawFn) -> tuple[str, str]:
    number = draw(mobiles())
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "0086", "86", "(+86)"]))
    body = draw(
        st.sampled_from([number, f"{number[:3]} {number[3:7]} {number[7:]}", f"{number[:3]}-{number[3:]}"])
    )
    text = f" {prefix}{body} "
    return (text.translate(FW) if draw(st.booleans()) else text), number


@st.composite
def landlines(draw: st.DrawFn) -> str:
    area = draw(st.sampled_from(["010", "021", "0571", "0757", "0999", ""]))
    local = draw(st.sampled_from("23456789")) + draw(st.text("0123456789", min_size=6, max_size=7))
    sep = draw(st.sampled_from(["", "-", " ", "－"]))
    tail = draw(st.sampled_from(["", "-801", "转8", " ext12"]))
    return f"{area}{sep}{local}{tail}"


PHONE_TEXT = st.one_of(
    decorated_mobiles().map(lambda v: v[0]),
    landlines(),
    st.lists(st.one_of(mobiles(), landlines()), min_size=2, max_size=3).map(" / ".join),
    mobiles(),
    st.text("0123456789+-() /,转xX５", max_size=30),
    st.text("0123456789+- ", min_size=11, max_size=11),
    st.text(max_size=20),
)


@given(decorated_mobiles())
def test_decorated_mobile_normalizes_to_bare_digits(case: tuple[str, str]) -> None:
    text, number = case
    got = parse_phone(text)
    if len(set(number)) == 1 or number == "13800138000":
        assert got.kind == "invalid"
    else:
        assert (got.normalized, got.kind) == (number, "mobile")


@given(PHONE_TEXT)
def test_normalization_is_idempotent(raw: str) -> None:
    first = parse_phone(raw)
    for number in first.all_numbers:
        again = parse_phone(number)
        assert (again.normalized, again.all_numbers, again.problems) == (number, (number,), ())
    if first.normalized:
        assert parse_phone(first.normalized).kind == first.kind


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), PHONE_TEXT), max_size=40))
def test_vectorized_agrees_with_scalar(raws: list[str | None]) -> None:
    frame = parse_phones(pl.Series(raws, dtype=pl.String))
    assert _frame_rows(frame) == [_as_row(parse_phone(r)) for r in raws]


def test_vectorized_empty() -> None:
    assert parse_phones(pl.Series([], dtype=pl.String)).shape == (0, len(PHONE_COLUMNS))
