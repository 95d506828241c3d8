"""Resident ID number checks for the findings oracle: format, area code, birth date, check character.

Area codes are python-stdnum's GB/T 2260 table (every code it lists, whatever its years) plus the
configured district's own code, which that table may not know.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import polars as pl
from stdnum import numdb


@lru_cache(maxsize=1)
def known_area_codes() -> frozenset[str]:
    db = numdb.get("cn/loc")
    codes = set()
    for _, prov, _, _, children in db.prefixes:
        for _, lo, hi, _, _ in children:
            if lo == hi:
                codes.add(prov + lo)
    return frozenset(codes)


_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"
_FULLWIDTH = [chr(0xFF10 + i) for i in range(10)] + ["Ｘ", "ｘ"]
_ASCII = [str(i) for i in range(10)] + ["X", "X"]


def _check_char(body17: pl.Expr) -> pl.Expr:
    total = pl.sum_horizontal(
        [body17.str.slice(i, 1).cast(pl.Int64, strict=False) * w for i, w in enumerate(_WEIGHTS)]
    )
    return (total % 11).replace_strict(dict(enumerate(_CHECK)), return_dtype=pl.Utf8)


def id_problems(id_numbers: pl.Series, district: str, as_of: dt.date) -> pl.Series:
    """Why each resident ID number is invalid (format / area_code / birth_date / check_char), else null.
    The 15-digit legacy form is upgraded (19 + check character) before checking."""
    areas = pl.Series(sorted(known_area_codes() | {district}))
    f = (
        pl.DataFrame({"raw": id_numbers.fill_null("")})
        .with_columns(
            s=pl.col("raw").str.strip_chars().str.replace_many(_FULLWIDTH, _ASCII).str.to_uppercase()
        )
        .with_columns(legacy=pl.col("s").str.contains(r"^\d{15}$"))
    )
    f = f.with_columns(
        body=pl.when("legacy")
        .then(pl.concat_str(pl.col("s").str.slice(0, 6), pl.lit("19"), pl.col("s").str.slice(6, 9)))
        .otherwise(pl.col("s").str.slice(0, 17))
    )
    f = f.with_columns(
        full=pl.when("legacy").then(pl.concat_str("body", _check_char(pl.col("body")))).otherwise("s")
    )
    f = f.with_columns(
        ok_format=pl.col("full").str.contains(r"^\d{17}[\dX]$").fill_null(False),
        ok_area=pl.col("full").str.slice(0, 6).is_in(areas.implode()),
        birth=pl.col("full").str.slice(6, 8).str.to_date("%Y%m%d", strict=False),
        check=_check_char(pl.col("full").str.slice(0, 17)),
    )
    return f.select(
        pl.when(~pl.col("ok_format"))
        .then(pl.lit("format"))
        .when(~pl.col("ok_area"))
        .then(pl.lit("area_code"))
        .when(pl.col("birth").is_null() | (pl.col("birth") < dt.date(1900, 1, 1)) | (pl.col("birth") > as_of))
        .then(pl.lit("birth_date"))
        .when(pl.col("check") != pl.col("full").str.slice(17, 1))
        .then(pl.lit("check_char"))
        .alias("reason")
    ).to_series()
