"""Name normalizer: rule tables, Hypothesis properties, scalar/vectorized agreement."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.matching.names import (
    NAME_COLUMNS,
    normalize_name,
    normalize_names,
    pinyin_initials,
    pinyin_toneless,
    split_surname,
)
from recon.matching.surnames import COMPOUND_SURNAMES, SURNAME_READINGS

# raw -> normalized name
NORMALIZE_CASES: list[tuple[str | None, str | None]] = [
    ("王伟", "王伟"),
    (" 王 伟 ", "王伟"),
    ("王\u3000伟", "王伟"),
    ("王\u200b伟", "王伟"),
    ("張偉", "张伟"),
    ("歐陽娜娜", "欧阳娜娜"),
    ("鍾曉明", "钟晓明"),
    ("張乾", "张乾"),
    ("王著", "王著"),
    ("劉德華", "刘德华"),
    ("ＷＡＮＧ　ＷＥＩ", "WANG WEI"),
    ("john  smith", "JOHN SMITH"),
    ("阿依古丽·买买提", "阿依古丽·买买提"),
    ("阿依古丽•买买提", "阿依古丽·买买提"),
    ("阿依古丽．买买提", "阿依古丽·买买提"),
    ("阿依古丽.买买提", "阿依古丽·买买提"),
    ("阿依古丽・买买提", "阿依古丽·买买提"),
    ("阿依古丽 · 买买提", "阿依古丽·买买提"),
    ("阿依古丽-买买提", "阿依古丽·买买提"),
    ("·阿依古丽··买买提·", "阿依古丽·买买提"),
    ("张三（临时）", "张三"),
    ("张三(已故)", "张三"),
    ("张三 【外省】", "张三"),
    ("（临时）张三", "张三"),
    ("张三（临时", "张三"),
    ("张伟2", "张伟"),
    ("(张三)", "张三"),
    ("张*", "张*"),
    ("JEAN-PIERRE", "JEAN-PIERRE"),
    (None, None),
    ("", None),
    ("   ", None),
    ("NULL", None),
    ("无", None),
    ("不详", None),
]

# normalized name -> (surname, given, toneless pinyin)
SPLIT_CASES: list[tuple[str, tuple]] = [
    ("王伟", ("王", "伟", "wang wei")),
    ("单田芳", ("单", "田芳", "shan tian fang")),
    ("曾国藩", ("曾", "国藩", "zeng guo fan")),
    ("解缙", ("解", "缙", "xie jin")),
    ("查良镛", ("查", "良镛", "zha liang yong")),
    ("区志贤", ("区", "志贤", "ou zhi xian")),
    ("仇英", ("仇", "英", "qiu ying")),
    ("朴槿惠", ("朴", "槿惠", "piao jin hui")),
    ("盖聂", ("盖", "聂", "ge nie")),
    ("乐嘉", ("乐", "嘉", "yue jia")),
    ("缪斯", ("缪", "斯", "miao si")),
    ("覃敏", ("覃", "敏", "qin min")),
    ("翟林", ("翟", "林", "zhai lin")),
    ("欧阳娜娜", ("欧阳", "娜娜", "ou yang na na")),
    ("司马光", ("司马", "光", "si ma guang")),
    ("司马", ("司", "马", "si ma")),
    ("诸葛亮", ("诸葛", "亮", "zhu ge liang")),
    ("尉迟恭", ("尉迟", "恭", "yu chi gong")),
    ("长孙无忌", ("长孙", "无忌", "zhang sun wu ji")),
    ("万俟卨", ("万俟", "卨", "mo qi xie")),
    ("单于琼", ("单于", "琼", "chan yu qiong")),
    ("吕布", ("吕", "布", "lv bu")),
    ("阿依古丽·买买提", (None, "阿依古丽·买买提", "a yi gu li mai mai ti")),
    ("JOHN SMITH", (None, "JOHN SMITH", "john smith")),
    ("张*", ("张", "*", "zhang *")),
]


def test_normalize_rule_table() -> None:
    mismatches = [
        f"{raw!r}: expected {want!r}, got {got!r}"
        for raw, want in NORMALIZE_CASES
        if (got := normalize_name(raw)) != want
    ]
    assert not mismatches, "\n" + "\n".join(mismatches)


def test_split_and_pinyin_rule_table() -> None:
    mismatches = []
    for name, want in SPLIT_CASES:
        got = (*split_surname(name), pinyin_toneless(name))
        if got != want:
            mismatches.append(f"{name!r}: expected {want}, got {got}")
    assert not mismatches, "\n" + "\n".join(mismatches)


def test_surname_table_is_consistent() -> None:
    for surname, reading in SURNAME_READINGS.items():
        assert len(reading) == len(surname), surname
        assert len(surname) == 1 or surname in COMPOUND_SURNAMES, surname
    assert pinyin_initials("wang xiao ming") == "wxm"
    assert pinyin_initials(None) is None
    assert pinyin_toneless(None) is None
    assert split_surname(None) == (None, None)


HAN = "王李张刘陈杨黄單曾歐陽張偉鍾曉區司马长孙万俟阿依古丽买提"
NAME_TEXT = st.one_of(
    st.text(HAN + " \u3000·•．.・-()（）【】*0123456789abcABCＡ", max_size=12),
    st.text(max_size=12),
)


@settings(max_examples=300)
@given(NAME_TEXT)
def test_normalization_is_idempotent(raw: str) -> None:
    once = normalize_name(raw)
    assert normalize_name(once) == once


def _as_row(raw: str | None) -> dict:
    norm = normalize_name(raw)
    surname, given_name = split_surname(norm)
    return {"name_norm": norm, "surname": surname, "given": given_name, "name_pinyin": pinyin_toneless(norm)}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), NAME_TEXT), max_size=40))
def test_vectorized_agrees_with_scalar(raws: list[str | None]) -> None:
    frame = normalize_names(pl.Series(raws, dtype=pl.String))
    assert frame.columns == list(NAME_COLUMNS)
    assert [dict(zip(frame.columns, row, strict=True)) for row in frame.iter_rows()] == [
        _as_row(r) for r in raws
    ]


def test_vectorized_repeats_and_empty() -> None:
    frame = normalize_names(["張偉", "张伟", None, "張偉"])
    assert frame["name_norm"].to_list() == ["张伟", "张伟", None, "张伟"]
    assert frame["name_pinyin"].to_list() == ["zhang wei", "zhang wei", None, "zhang wei"]
    assert normalize_names(pl.Series([], dtype=pl.String)).shape == (0, len(NAME_COLUMNS))
