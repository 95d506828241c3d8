"""Address texts of dwellings: the canonical 标准地址 and the many ways agencies write it.

`render` returns the text as a feed writes it and whether that text still identifies the
dwelling (false when the room is left out, when the unit is left out of a building that has
several, or when the text is vague or garbage). Typos in a compound suffix, a former community
name, Chinese numerals, 栋/幢/号楼/座 variants, dash forms and full-width digits keep the text
identifying: the stems are unique in the district.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from recon.synth.address_tables import DIGITS, FULLWIDTH, MARKERS, chinese, parts, tables, text_of
from recon.synth.geography import KIND_LANE, KIND_NEWVILLAGE, KIND_VILLAGE
from recon.synth.library import Library


@dataclass(frozen=True)
class AddressHabit:
    """How a feed starts its addresses: P(full), P(no province), P(no city), P(from street),
    P(from community), P(from road or compound)."""

    prefix: tuple[float, float, float, float, float, float] = (0.3, 0.3, 0.15, 0.1, 0.1, 0.05)


@dataclass(frozen=True)
class AddressNoise:
    alias: float = 0.3  # rows in a renamed community that use its former name
    chinese_numerals: float = 0.05
    marker_variant: float = 0.25
    dash: float = 0.08
    unit_omitted: float = 0.04
    room_omitted: float = 0.02
    room_style: float = 0.15
    place_variant: float = 0.35
    spaces: float = 0.04
    fullwidth: float = 0.02
    typo: float = 0.02
    garbage: float = 0.003


def standard_columns(lib: Library, dw: np.ndarray) -> pl.DataFrame:
    """The structured columns and the canonical text of the standard address library."""
    spec = lib.spec
    p = parts(lib, dw).with_columns(lane_cn=chinese(lib.site_col("group_lane")[lib.dw["site"][dw]]))
    k = pl.col("kind")
    compound_like = ~k.is_in([KIND_VILLAGE, KIND_LANE, KIND_NEWVILLAGE])
    empty = pl.lit("")
    road = (
        pl.when(compound_like)
        .then(pl.col("road"))
        .when(k == KIND_VILLAGE)
        .then(pl.concat_str(text_of("group_lane"), pl.lit("组")))
        .when(k == KIND_LANE)
        .then(pl.concat_str("lane_cn", pl.lit("巷")))
        .otherwise(empty)
    )
    door = (
        pl.when(compound_like)
        .then(pl.concat_str(text_of("road_door"), pl.lit("号")))
        .when(k.is_in([KIND_VILLAGE, KIND_LANE]))
        .then(pl.concat_str(text_of("door"), pl.lit("号")))
        .otherwise(empty)
    )
    out = p.select(
        kind=k,
        street=pl.col("street"),
        community=pl.col("comm"),
        road=road,
        door_number=door,
        compound=pl.when(k == KIND_VILLAGE).then(empty).otherwise(pl.col("name")),
        building=pl.when(pl.col("bldg") > 0)
        .then(pl.concat_str(text_of("bldg"), pl.lit(spec.building_marker)))
        .otherwise(empty),
        unit=pl.when(pl.col("unit") > 0)
        .then(pl.concat_str(text_of("unit"), pl.lit("单元")))
        .otherwise(empty),
        room=pl.when(pl.col("room") > 0)
        .then(pl.concat_str(text_of("room"), pl.lit(spec.room_suffix)))
        .otherwise(empty),
    )
    place = (
        pl.when(k == KIND_VILLAGE)
        .then(pl.concat_str("road", "door_number"))
        .when(k == KIND_LANE)
        .then(pl.concat_str("compound", "road", "door_number"))
        .when(k == KIND_NEWVILLAGE)
        .then(pl.col("compound"))
        .otherwise(pl.concat_str("road", "door_number", "compound"))
    )
    return out.with_columns(
        standard_address=pl.concat_str(
            pl.lit(spec.prefix), "street", "community", place, "building", "unit", "room"
        )
    ).drop("kind")


def render(
    lib: Library,
    dw: np.ndarray,
    rng: np.random.Generator,
    noise: AddressNoise,
    habit: AddressHabit = AddressHabit(),
) -> tuple[pl.Series, np.ndarray]:
    """Addresses of dwellings `dw` as a feed writes them, and whether each still identifies its dwelling."""
    n = len(dw)
    if n == 0:
        return pl.Series("address", [], pl.Utf8), np.zeros(0, bool)
    T = tables(lib)
    d = lib.dw
    comm, site = d["comm"][dw], d["site"][dw]
    bldg, unit, n_units, room, door = (
        d["bldg"][dw],
        d["unit"][dw],
        d["n_units"][dw],
        d["room"][dw],
        d["door"][dw],
    )
    has_alias = lib.comm_col("alias")[comm] != None  # noqa: E711
    r = lambda: rng.random(n)  # noqa: E731
    level = rng.choice(6, n, p=np.array(habit.prefix) / sum(habit.prefix))
    use_alias = has_alias & (r() < noise.alias)
    pv = r()
    form = np.where(pv < noise.place_variant * 0.7, 1, np.where(pv < noise.place_variant, 2, 0))
    num_cn = (r() < noise.chinese_numerals).astype(np.int64)
    marker = np.where(r() < noise.marker_variant, rng.integers(1, len(MARKERS), n), 0)
    unit_omit = (r() < noise.unit_omitted) & (unit > 0)
    room_omit = (r() < noise.room_omitted) & (room > 0)
    dash = (r() < noise.dash) & (bldg > 0) & (room > 0) & ~room_omit
    rs = np.where(r() < noise.room_style, rng.choice([1, 2, 3, 4], n, p=[0.5, 0.2, 0.2, 0.1]), 0)
    spaced = (r() < noise.spaces).astype(np.int64)
    fullwidth = r() < noise.fullwidth
    typo = (r() < noise.typo).astype(np.int64)
    garbage = r() < noise.garbage
    identifies = ~garbage & ~room_omit & ~(unit_omit & (n_units > 1))

    pkey = (((spaced * 2 + typo) * T.n_comm + comm) * 6 + level) * 2 + use_alias
    skey = (((site * 3 + form) * 2 + num_cn) * 2 + typo) * 2 + spaced
    g = lambda table, idx: table.gather(pl.Series(idx.astype(np.int64)))  # noqa: E731
    u_shown = np.where(unit_omit, 0, unit)
    r_shown = np.where(room_omit, 0, room)
    pieces = pl.DataFrame(
        {
            "p": g(T.prefix, pkey),
            "s": g(T.site, skey),
            "d": g(T.door, door * 2 + num_cn),
            "b": g(T.bldg, (bldg * len(MARKERS) + marker) * 2 + num_cn),
            "u": g(T.unit, u_shown * 2 + num_cn),
            "r": g(T.room, r_shown * 5 + rs),
        }
    )
    text = pieces.select(pl.concat_str("p", "s", "d", "b", "u", "r")).to_series()

    def patch(mask: np.ndarray, values: pl.Series) -> None:
        nonlocal text
        idx = np.flatnonzero(mask)
        if len(idx):
            text = text.scatter(idx, values)

    sub = np.flatnonzero(dash)
    if len(sub):
        dash_tail = (
            pl.DataFrame({"b": bldg[sub], "u": u_shown[sub], "r": room[sub]})
            .select(
                pl.concat_str(
                    text_of("b"),
                    pl.lit("-"),
                    pl.when(pl.col("u") > 0)
                    .then(pl.concat_str(text_of("u"), pl.lit("-")))
                    .otherwise(pl.lit("")),
                    text_of("r"),
                )
            )
            .to_series()
        )
        head = pieces[sub].select(pl.concat_str("p", "s", "d")).to_series()
        patch(
            dash,
            pl.DataFrame({"h": head, "t": dash_tail})
            .select(
                pl.when(pl.Series(spaced[sub] == 1))
                .then(pl.concat_str("h", pl.lit(" "), "t"))
                .otherwise(pl.concat_str("h", "t"))
            )
            .to_series(),
        )
    sub = np.flatnonzero((spaced == 1) & ~dash)
    if len(sub):
        patch(
            (spaced == 1) & ~dash,
            pieces[sub]
            .select(
                pl.concat_str(
                    "p", pl.lit(" "), "s", "d", pl.lit(" "), "b", pl.lit(" "), "u", pl.lit(" "), "r"
                )
                .str.replace_all(" +", " ")
                .str.strip_chars(" ")
            )
            .to_series(),
        )
    sub = np.flatnonzero(fullwidth)
    if len(sub):
        patch(fullwidth, text.gather(sub).str.replace_many(DIGITS, FULLWIDTH))
    sub = np.flatnonzero(garbage)
    if len(sub):
        C, S = lib.places.communities, lib.places.sites
        street = C["street_name"].gather(pl.Series(comm[sub])).to_list()
        cname = C["name"].gather(pl.Series(comm[sub])).to_list()
        sname = S["name"].gather(pl.Series(site[sub])).to_list()
        pick = rng.integers(0, 6, len(sub)).tolist()
        texts = [
            (f"{st}附近", f"{c}出租房", "不详", f"{sn}附近", "临时住所", f"{st}旁边平房")[k]
            for st, c, sn, k in zip(street, cname, sname, pick, strict=True)
        ]
        patch(garbage, pl.Series(texts))
    return text.alias("address"), identifies
