"""Look-alike Chinese characters (形近字): hand-copying and OCR confuse them in names.

Each group holds characters that are commonly misread for one another and that are *not*
homophones (homophones are already caught by the pinyin level). `fold_lookalikes` maps every
character to the first of its group, so two names that differ only by such confusions fold
to the same text. The table is general knowledge of the script, not tuned to any data set.
"""

from __future__ import annotations

from functools import cache

import polars as pl

GROUPS: tuple[str, ...] = (
    "己已巳",
    "未末",
    "土士",
    "戊戌戍",
    "日曰",
    "人入八",
    "大太犬丈",
    "王玉主",
    "刀力",
    "天夭",
    "干千于",
    "贝见",
    "免兔",
    "栗粟",
    "汩汨",
    "崇祟",
    "晴睛",
    "佳隹",
    "宇字",
    "洁浩",
    "明朋",
    "军车",
    "兵丘",
    "彬杉",
    "永水",
    "冬各",
    "梅海",
    "乌鸟",
    "亳毫",
    "幼幻",
    "师帅",
    "冶治",
    "徒徙",
    "拔拨",
    "撤撒",
    "丹舟",
    "雪雷",
    "亮壳",
    "钰钮",
    "淼森",
    "荣莹",
    "春舂",
    "秀莠",
    "博傅",
    "兰兴",
    "枫枞",
    "倩清",
    "鹏鹍",
    "杰烈",
    "涛祷",
    "龙尤",
    "超起",
    "庆床",
    "白自",
    "田由甲申",
    "今令",
    "住往",
    "睡锤",
    "折拆析",
)


@cache
def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    for group in GROUPS:
        head = group[0]
        for ch in group:
            table.setdefault(ord(ch), head)  # a character in two groups keeps its first
    return table


def fold_lookalikes(text: str | None) -> str | None:
    """Each look-alike character replaced by its group's representative."""
    return None if text is None else text.translate(_table())


def fold_series(names: pl.Series) -> pl.Series:
    """Vectorized `fold_lookalikes` (computed once per distinct name, joined back)."""
    uniq = names.drop_nulls().unique()
    table = _table()
    mapping = pl.DataFrame(
        {"_v": uniq, "_f": [x.translate(table) for x in uniq.to_list()]},
        schema={"_v": pl.String, "_f": pl.String},
    )
    out = names.rename("_v").to_frame().join(mapping, on="_v", how="left", maintain_order="left")["_f"]
    return out.rename(names.name)
