"""Cell and header cleaning: rule table, and the three forms (expr, Series, scalar) agree and are idempotent."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.connectors.cells import clean_expr, clean_header, clean_series, clean_value, header_key
from recon.connectors.contract import NULL_MARKERS

CELL_CASES = [
    ("  张三  ", "张三"),
    ("\u3000张三\u3000", "张三"),
    ("\u00a0330114\u00a0", "330114"),
    ("３３０１１４", "330114"),
    ("３４１２２１１９９００１０１１２３Ｘ", "34122119900101123X"),
    ("Ａ座１２０１室", "A座1201室"),
    ("（备注）", "(备注)"),
    ("振华路\u3000１号", "振华路 1号"),
    ("ab\u200bc\ufeff", "abc"),
    ("\ufeff走访编号", "走访编号"),
    ("NULL", None),
    ("null", None),
    ("ＮＵＬＬ", None),
    (" 无 ", None),
    ("-", None),
    ("－", None),
    ("/", None),
    ("—", None),
    ("N/A", None),
    ("", None),
    ("   ", None),
    (None, None),
    ("无锡市", "无锡市"),  # a null marker inside a value is text
    ("3-1-502", "3-1-502"),
]


def _expr(values: list[str | None]) -> list[str | None]:
    return (
        pl.DataFrame({"v": values}, schema={"v": pl.Utf8})
        .select(clean_expr(pl.col("v")))
        .to_series()
        .to_list()
    )


def test_cell_rule_table() -> None:
    values = [v for v, _ in CELL_CASES]
    got = {
        "expr": _expr(values),
        "series": clean_series(pl.Series(values, dtype=pl.Utf8)).to_list(),
        "scalar": [clean_value(v) for v in values],
    }
    for form, out in got.items():
        failures = [(v, want, o) for (v, want), o in zip(CELL_CASES, out, strict=True) if o != want]
        assert not failures, f"{form}: (input, expected, got) = {failures}"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (" 证件号码 ", "证件号码"),
        ("\ufeff走访编号", "走访编号"),
        ("姓名*", "姓名"),
        ("证件\u200b号码", "证件号码"),
        (None, ""),
    ],
)
def test_header_cleaning(raw: str | None, clean: str) -> None:
    assert clean_header(raw) == clean


def test_header_key_ignores_inner_blanks() -> None:
    assert header_key("证件 号码") == header_key("证件号码") == "证件号码"


def test_null_markers_all_map_to_null() -> None:
    assert _expr(list(NULL_MARKERS)) == [None] * len(NULL_MARKERS)


_TEXT = st.text(
    alphabet=st.sampled_from(
        list("张三 -/NUL无")
        + [
            "\u3000",
            "\u00a0",
            "\u200b",
            "\ufeff",
            "３",
            "Ｘ",
            "－",
            "a",
            "\t",
            "\n",
            "\x1c",
            "\u2003",
            "\x85",
        ]
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), _TEXT), max_size=20))
def test_cleaning_is_idempotent_and_forms_agree(values: list[str | None]) -> None:
    once = clean_series(pl.Series(values, dtype=pl.Utf8))
    assert clean_series(once).to_list() == once.to_list()
    assert once.to_list() == _expr(values) == [clean_value(v) for v in values]
    assert [clean_value(v) for v in once.to_list()] == once.to_list()
