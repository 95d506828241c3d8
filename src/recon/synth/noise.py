"""How agencies get values wrong, as rates in one `NoiseProfile`, and the vectorized renderers.

A profile is scaled per feed (`for_feed`): the police registry is cleaner than grid workers'
notebooks. Renderers work on whole columns; rare variants are computed on the affected rows only
and scattered back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import polars as pl

from recon.synth.addresses import AddressNoise
from recon.synth.idnumbers import ids_to_series
from recon.synth.names import NameNoise

FULLWIDTH_FROM = [str(i) for i in range(10)] + ["X", "x"]
FULLWIDTH_TO = [chr(0xFF10 + i) for i in range(10)] + ["Ｘ", "ｘ"]
NULL_MARKERS = ("NULL", "无", "-", "/")
EXCEL_EPOCH_OFFSET = 25569  # Excel serial of 1970-01-01

# Date styles (CONTRACT.md section 1) and the Excel serial number used in xlsx files.
ISO, SLASH, COMPACT, CHINESE, DATETIME, SERIAL = range(6)
DATE_STYLE_NAMES = (
    "2026-11-03",
    "2026/11/3",
    "20261103",
    "2026年11月3日",
    "2026-11-03 14:20:00",
    "excel-serial",
)


@dataclass(frozen=True)
class NoiseProfile:
    """Rates of every kind of mistake; `feed_scale` multiplies them per feed."""

    name_traditional: float = 0.015
    name_homophone: float = 0.012
    name_lookalike: float = 0.005
    name_space: float = 0.01
    id_typo: float = 0.008
    id_transposition: float = 0.004
    id_lower_x: float = 0.3  # of IDs ending in X
    id_legacy15: float = 0.004  # of IDs of people born before 2000
    id_blank: float = 0.06  # optional ID columns only
    id_masked: float = 0.03  # optional ID columns only
    phone_plus86: float = 0.04
    phone_spaced: float = 0.03
    phone_dashed: float = 0.02
    phone_landline: float = 0.02
    phone_blank: float = 0.06
    addr_alias: float = 0.3
    addr_chinese_numerals: float = 0.05
    addr_marker_variant: float = 0.25
    addr_dash: float = 0.08
    addr_unit_omitted: float = 0.04
    addr_room_omitted: float = 0.02
    addr_room_style: float = 0.15
    addr_place_variant: float = 0.35
    addr_spaces: float = 0.04
    addr_fullwidth: float = 0.02
    addr_typo: float = 0.02
    addr_garbage: float = 0.003
    cell_spaces: float = 0.02
    cell_fullwidth: float = 0.01
    null_marker: float = 0.4  # share of empty cells written NULL / 无 / - / /
    mixed_date_files: float = 0.25  # share of files whose rows mix date formats
    bad_rows: float = 0.002
    feed_scale: tuple[tuple[str, float], ...] = (
        ("police_registry", 0.35),
        ("grid_visit", 1.5),
        ("community_roster", 1.3),
        ("self_declaration", 0.6),
        ("site_roster", 1.3),
        ("employer_roster", 1.1),
    )

    # Rates that describe a habit rather than a mistake are not scaled per feed.
    _UNSCALED = (
        "id_lower_x",
        "null_marker",
        "mixed_date_files",
        "bad_rows",
        "addr_alias",
        "addr_place_variant",
        "addr_marker_variant",
        "addr_room_style",
        "feed_scale",
    )

    def for_feed(self, source: str) -> NoiseProfile:
        factor = dict(self.feed_scale).get(source, 1.0)
        if factor == 1.0:
            return self
        changes = {
            f.name: min(1.0, getattr(self, f.name) * factor)
            for f in dataclasses.fields(self)
            if f.name not in self._UNSCALED
        }
        return dataclasses.replace(self, **changes)

    def names(self) -> NameNoise:
        return NameNoise(self.name_traditional, self.name_homophone, self.name_lookalike, self.name_space)

    def addresses(self) -> AddressNoise:
        return AddressNoise(
            alias=self.addr_alias,
            chinese_numerals=self.addr_chinese_numerals,
            marker_variant=self.addr_marker_variant,
            dash=self.addr_dash,
            unit_omitted=self.addr_unit_omitted,
            room_omitted=self.addr_room_omitted,
            room_style=self.addr_room_style,
            place_variant=self.addr_place_variant,
            spaces=self.addr_spaces,
            fullwidth=self.addr_fullwidth,
            typo=self.addr_typo,
            garbage=self.addr_garbage,
        )

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["feed_scale"] = dict(self.feed_scale)
        return d


def render_ids(
    rng: np.random.Generator,
    ids: np.ndarray,
    born_before_2000: np.ndarray,
    p: NoiseProfile,
    blank: float = 0.0,
    masked: float = 0.0,
) -> pl.Series:
    """ID numbers as written: typos, transpositions, lowercase x, 15-digit legacy form, masks, blanks."""
    n = len(ids)
    a = ids.copy()
    u = rng.random(n)
    typo = u < p.id_typo
    swap = (u >= p.id_typo) & (u < p.id_typo + p.id_transposition)
    rows = np.flatnonzero(typo)
    if len(rows):
        pos = rng.integers(0, 17, len(rows))
        old = a[rows, pos].astype(np.int64) - 48
        a[rows, pos] = ((old + rng.integers(1, 10, len(rows))) % 10 + 48).astype(np.uint8)
    rows = np.flatnonzero(swap)
    if len(rows):
        pos = rng.integers(6, 17, len(rows))
        first, second = a[rows, pos].copy(), a[rows, pos + 1].copy()
        a[rows, pos], a[rows, pos + 1] = second, first
    lower = (a[:, 17] == ord("X")) & (rng.random(n) < p.id_lower_x)
    a[lower, 17] = ord("x")
    mask = rng.random(n) < masked
    a[mask, 6:14] = ord("*")
    out = ids_to_series(a)
    legacy = born_before_2000 & ~mask & (rng.random(n) < p.id_legacy15)
    rows = np.flatnonzero(legacy)
    if len(rows):
        short = np.concatenate([ids[rows, :6], ids[rows, 8:17]], axis=1)
        out = out.scatter(rows, ids_to_series(short))
    rows = np.flatnonzero(rng.random(n) < blank)
    if len(rows):
        out = out.scatter(rows, pl.Series([""] * len(rows)))
    return out


def render_phones(
    rng: np.random.Generator,
    phones: np.ndarray,
    p: NoiseProfile,
    landline_prefix: str,
    blank: float | None = None,
) -> pl.Series:
    """Mobile numbers as written: +86, spaces, dashes, a landline instead, or nothing."""
    n = len(phones)
    s = pl.Series(phones.astype(np.int64)).cast(pl.Utf8)
    u = rng.random(n)
    cuts = np.cumsum(
        [
            p.phone_plus86,
            p.phone_spaced,
            p.phone_dashed,
            p.phone_landline,
            p.phone_blank if blank is None else blank,
        ]
    )
    kind = np.searchsorted(cuts, u, side="right")  # 0 +86, 1 spaced, 2 dashed, 3 landline, 4 blank, 5 plain
    frame = pl.DataFrame(
        {"s": s, "k": kind, "v": rng.integers(0, 3, n), "land": rng.integers(10_000_000, 99_999_999, n)}
    )
    a, b, c = pl.col("s").str.slice(0, 3), pl.col("s").str.slice(3, 4), pl.col("s").str.slice(7, 4)
    k = pl.col("k")
    return frame.select(
        pl.when(k == 0)
        .then(
            pl.when(pl.col("v") == 0)
            .then(pl.concat_str(pl.lit("+86"), "s"))
            .when(pl.col("v") == 1)
            .then(pl.concat_str(pl.lit("+86 "), "s"))
            .otherwise(pl.concat_str(pl.lit("86-"), "s"))
        )
        .when(k == 1)
        .then(pl.concat_str(a, pl.lit(" "), b, pl.lit(" "), c))
        .when(k == 2)
        .then(pl.concat_str(a, pl.lit("-"), b, pl.lit("-"), c))
        .when(k == 3)
        .then(pl.concat_str(pl.lit(landline_prefix + "-"), pl.col("land").cast(pl.Utf8)))
        .when(k == 4)
        .then(pl.lit(""))
        .otherwise("s")
        .alias("phone")
    ).to_series()


def render_dates(rng: np.random.Generator, days: pl.Series, styles: np.ndarray) -> pl.Series:
    """Dates (polars Date, nulls stay null) written in the given style per row."""
    n = len(days)
    secs = rng.integers(7 * 3600, 21 * 3600, n)
    f = pl.DataFrame({"d": days, "st": styles, "t": secs})
    d = pl.col("d")
    y, m, dd = d.dt.year().cast(pl.Utf8), d.dt.month().cast(pl.Utf8), d.dt.day().cast(pl.Utf8)
    hms = pl.concat_str(
        (pl.col("t") // 3600).cast(pl.Utf8).str.zfill(2),
        pl.lit(":"),
        (pl.col("t") % 3600 // 60).cast(pl.Utf8).str.zfill(2),
        pl.lit(":"),
        (pl.col("t") % 60).cast(pl.Utf8).str.zfill(2),
    )
    st = pl.col("st")
    return f.select(
        pl.when(d.is_null())
        .then(pl.lit(None, pl.Utf8))
        .when(st == ISO)
        .then(d.dt.strftime("%Y-%m-%d"))
        .when(st == SLASH)
        .then(pl.concat_str(y, pl.lit("/"), m, pl.lit("/"), dd))
        .when(st == COMPACT)
        .then(d.dt.strftime("%Y%m%d"))
        .when(st == CHINESE)
        .then(pl.concat_str(y, pl.lit("年"), m, pl.lit("月"), dd, pl.lit("日")))
        .when(st == DATETIME)
        .then(pl.concat_str(d.dt.strftime("%Y-%m-%d"), pl.lit(" "), hms))
        .otherwise((d.cast(pl.Int64) + EXCEL_EPOCH_OFFSET).cast(pl.Utf8))
        .alias("date")
    ).to_series()


def cell_noise(
    rng: np.random.Generator,
    df: pl.DataFrame,
    columns: list[str],
    fullwidth_columns: set[str],
    p: NoiseProfile,
) -> pl.DataFrame:
    """Surrounding spaces and full-width digits in filled cells; NULL markers in empty ones."""
    n = df.height
    out = {}
    for col in columns:
        s = df[col]
        filled = (s.is_not_null() & (s != "")).fill_null(False).to_numpy()
        rows = np.flatnonzero(filled & (rng.random(n) < p.cell_spaces))
        if len(rows):
            pads = pl.Series([" ", "  ", " "]).gather(pl.Series(rng.integers(0, 3, len(rows))))
            left = pl.Series(rng.random(len(rows)) < 0.5)
            vals = (
                pl.DataFrame({"v": s.gather(rows), "p": pads, "l": left})
                .select(pl.when("l").then(pl.concat_str("p", "v")).otherwise(pl.concat_str("v", "p")))
                .to_series()
            )
            s = s.scatter(rows, vals)
        if col in fullwidth_columns:
            rows = np.flatnonzero(filled & (rng.random(n) < p.cell_fullwidth))
            if len(rows):
                s = s.scatter(rows, s.gather(rows).str.replace_many(FULLWIDTH_FROM, FULLWIDTH_TO))
        empty = ~filled
        rows = np.flatnonzero(empty & (rng.random(n) < p.null_marker))
        s = s.fill_null("")
        if len(rows):
            s = s.scatter(
                rows, pl.Series(NULL_MARKERS).gather(pl.Series(rng.integers(0, len(NULL_MARKERS), len(rows))))
            )
        out[col] = s
    return df.with_columns(**out)
