"""Pieces of address texts: each dwelling's parts, and every (place, variant) rendering precomputed
once per library so feeds gather them per row instead of building strings per row.
"""

from __future__ import annotations

from functools import lru_cache

import cn2an
import numpy as np
import polars as pl

from recon.synth.geography import KIND_LANE, KIND_NEWVILLAGE, KIND_VILLAGE
from recon.synth.lexicon import SUFFIX_TYPOS
from recon.synth.library import Library

DIGITS = [str(i) for i in range(10)]
CN_DIGITS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
YAO_DIGITS = ["零", "幺", "二", "三", "四", "五", "六", "七", "八", "九"]
FULLWIDTH = [chr(0xFF10 + i) for i in range(10)]
MARKERS = ("幢", "栋", "号楼", "座", "#")


@lru_cache(maxsize=1)
def chinese_numbers() -> pl.Series:
    return pl.Series("cn", [cn2an.an2cn(i) for i in range(4000)])


def chinese(values: np.ndarray) -> pl.Series:
    v = values.astype(np.int64)
    cn = chinese_numbers().gather(pl.Series(np.clip(v, 0, 3999)))
    return pl.select(pl.when(pl.Series(v < 4000)).then(cn).otherwise(pl.Series(v).cast(pl.Utf8))).to_series()


def parts(lib: Library, dw: np.ndarray) -> pl.DataFrame:
    d = lib.dw
    comm = pl.Series(d["comm"][dw])
    site = pl.Series(d["site"][dw])
    C = lib.places.communities
    S = lib.places.sites
    return pl.DataFrame(
        {
            "kind": d["kind"][dw],
            "bldg": d["bldg"][dw],
            "unit": d["unit"][dw],
            "n_units": d["n_units"][dw],
            "room": d["room"][dw],
            "door": d["door"][dw],
            "street": C["street_name"].gather(comm),
            "comm": C["name"].gather(comm),
            "alias": C["alias"].gather(comm),
            "name": S["name"].gather(site),
            "stem": S["stem"].gather(site),
            "suffix": S["suffix"].gather(site),
            "road": S["road"].gather(site),
            "road_door": S["road_door"].gather(site).cast(pl.Int64),
            "group_lane": S["group_lane"].gather(site).cast(pl.Int64),
        }
    )


def text_of(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.Utf8)


class Tables:
    """Rendered pieces of every (place, variant) combination, gathered per row instead of built per row."""

    def __init__(self, lib: Library) -> None:
        spec = lib.spec
        C, S = lib.places.communities, lib.places.sites
        cn = chinese_numbers().to_list()
        self.n_comm = C.height
        # Prefix: (variant: spaced*2 + typo) × comm × level(6) × alias(2).
        pref: list[str] = []
        for spaced in (False, True):
            for typo in (False, True):
                for street, comm, alias, village in zip(
                    C["street_name"], C["name"], C["alias"], C["is_village"], strict=True
                ):
                    for level in range(6):
                        for use_alias in (False, True):
                            c = alias if (use_alias and alias) else comm
                            st = street
                            if typo:
                                st = st.removesuffix("街道") + "街" if st.endswith("街道") else st
                                c = c.removesuffix("社区") + "社" if c.endswith("社区") else c
                            parts = [spec.province, spec.city, spec.county, st, c]
                            keep = [x for i, x in enumerate(parts) if i >= level or (i == 4 and village)]
                            pref.append((" " if spaced else "").join(keep))
        self.prefix = pl.Series("p", pref)
        # Site part of the place: site × form(3) × cn(2) × typo(2) × spaced(2).
        site_part: list[str] = []
        for kind, name, stem, suffix, road, road_door, gl in zip(
            S["kind"],
            S["name"],
            S["stem"],
            S["suffix"],
            S["road"],
            S["road_door"],
            S["group_lane"],
            strict=True,
        ):
            for form in range(3):
                for use_cn in (False, True):
                    for typo in (False, True):
                        for spaced in (False, True):
                            nm = stem + SUFFIX_TYPOS[suffix] if (typo and suffix in SUFFIX_TYPOS) else name
                            if kind == KIND_VILLAGE:
                                site_part.append(f"{cn[gl] if use_cn else gl}组")
                            elif kind == KIND_LANE:
                                lane = cn[gl] if (use_cn or form == 0) else str(gl)
                                site_part.append(f"{name}{lane}巷")
                            elif kind == KIND_NEWVILLAGE:
                                site_part.append(nm)
                            else:
                                rd = f"{road}{cn[road_door] if use_cn and road_door < 4000 else road_door}号"
                                site_part.append(
                                    nm
                                    if form == 1
                                    else rd
                                    if form == 2
                                    else rd + (" " if spaced else "") + nm
                                )
        self.site = pl.Series("s", site_part)
        max_door = int(max(lib.dw["door"].max(), 1))
        self.door = pl.Series(
            "d",
            [
                ("" if d == 0 else f"{cn[d] if (c and d < 4000) else d}号")
                for d in range(max_door + 1)
                for c in (0, 1)
            ],
        )
        markers = [spec.building_marker] + [m for m in MARKERS if m != spec.building_marker]
        max_b = int(max(lib.dw["bldg"].max(), 1))
        self.bldg = pl.Series(
            "b",
            [
                ("" if b == 0 else f"{cn[b] if c else b}{m}")
                for b in range(max_b + 1)
                for m in markers
                for c in (0, 1)
            ],
        )
        max_u = int(max(lib.dw["unit"].max(), 1))
        self.unit = pl.Series(
            "u", [("" if u == 0 else f"{cn[u] if c else u}单元") for u in range(max_u + 1) for c in (0, 1)]
        )
        alt_room = "房" if spec.room_suffix == "室" else "室"
        max_r = int(max(lib.dw["room"].max(), 1))
        rooms: list[str] = []
        cn_map = str.maketrans("".join(DIGITS), "".join(CN_DIGITS))
        yao_map = str.maketrans("".join(DIGITS), "".join(YAO_DIGITS))
        for r in range(max_r + 1):
            t = str(r)
            for v in (
                f"{t}{spec.room_suffix}",
                t,
                f"{t}{alt_room}",
                f"{t.translate(cn_map)}{spec.room_suffix}",
                t.translate(yao_map),
            ):
                rooms.append("" if r == 0 else v)
        self.room = pl.Series("r", rooms)


_TABLES: dict[int, Tables] = {}


def tables(lib: Library) -> Tables:
    key = id(lib)
    if key not in _TABLES:
        _TABLES.clear()
        _TABLES[key] = Tables(lib)
    return _TABLES[key]
