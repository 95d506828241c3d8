"""Preparing the standard address library for indexing, column-wise (a library has ~10⁶ rows).

Each column's distinct values are normalized once and mapped back with polars; the bare
numbers (3幢 → 3, 2单元 → 2, 1502室 → 1502, 五组28号 → group 5, door 28) come from the
same normal form the feed texts get. Rows are grouped into places (one building or door);
what the columns leave empty (a village house's group, a compound's road and door) is read
from one standard text per place.
"""

from __future__ import annotations

import re

import polars as pl

from recon.matching.address_normalize import normalize_address
from recon.matching.address_parse import AddressParts, parse_normalized

LIBRARY_COLUMNS = (
    "address_code", "county", "street", "community", "road", "door_number", "compound",
    "building", "unit", "room", "standard_address",
)  # fmt: skip
PLACE_FIELDS = ("street", "community", "group", "road", "door", "compound", "building")
_DOOR = re.compile(r"^(?:([0-9]+)组)?([0-9]+(?:-[0-9]+)?[A-Z]?)号?$")
_GROUP_ONLY = re.compile(r"^([0-9]+)组$")
_BUILDING = re.compile(r"^(.*?)([0-9A-Z]+(?:-[0-9A-Z]+)?)(?:幢|号|楼)?$")
_UNIT = re.compile(r"^([0-9A-Z]+)(?:单元)?$")
_ROOM = re.compile(r"^(?:[0-9]+层)?([0-9A-Z]+(?:-[0-9A-Z]+)?)(?:室|号)?$")


def _bare(v: str) -> str:
    return str(int(v)) if v.isdigit() else v


def _road(v: str) -> tuple[str, str]:
    """(road, group): a road column holding only '五组' is a group."""
    n = normalize_address(v)
    m = _GROUP_ONLY.match(n)
    return ("", _bare(m.group(1))) if m else (n, "")


def _door(v: str) -> tuple[str, str]:
    """(door, group): '五组28号' → ('28', '5'); '88号' → ('88', '')."""
    n = normalize_address(v)
    m = _DOOR.match(n)
    if not m:
        return n, ""
    return _bare(m.group(2)), (_bare(m.group(1)) if m.group(1) else "")


def _number(pattern: re.Pattern[str], keep_prefix: bool) -> callable:  # type: ignore[valid-type]
    def bare(v: str) -> str:
        n = normalize_address(v)
        m = pattern.match(n)
        if not m or not n:
            return n
        return (m.group(1) + _bare(m.group(2))) if keep_prefix else _bare(m.group(m.lastindex or 1))

    return bare


_COLUMN_FUNCS = {
    "street": normalize_address,
    "community": normalize_address,
    "compound": normalize_address,
    "building": _number(_BUILDING, keep_prefix=True),
    "unit": _number(_UNIT, keep_prefix=False),
    "room": _number(_ROOM, keep_prefix=False),
}


def _mapped(lib: pl.DataFrame, column: str, func, names: tuple[str, ...]) -> list[pl.Expr]:  # noqa: ANN001
    """Expressions mapping each distinct value of `column` through `func` (one call per value)."""
    values = lib.get_column(column).unique().to_list()
    results = [func(v) for v in values]
    if len(names) == 1:
        return [pl.col(column).replace_strict(values, results, return_dtype=pl.Utf8).alias(names[0])]
    return [
        pl.col(column).replace_strict(values, [r[i] for r in results], return_dtype=pl.Utf8).alias(name)
        for i, name in enumerate(names)
    ]


def prepare(library: pl.DataFrame) -> tuple[pl.DataFrame, list[dict[str, str]]]:
    """(dwellings, places): dwellings has code, pid, unit, room, text (raw standard text);
    places are dicts of PLACE_FIELDS, index = pid."""
    lib = library.select(
        [pl.col(c).cast(pl.Utf8).fill_null("").str.strip_chars().alias(c) if c in library.columns
         else pl.lit("").alias(c) for c in LIBRARY_COLUMNS]
    ).filter(pl.col("address_code") != "")  # fmt: skip
    exprs = [e for c, f in _COLUMN_FUNCS.items() for e in _mapped(lib, c, f, (c,))]
    exprs += _mapped(lib, "road", _road, ("road", "group_r"))
    exprs += _mapped(lib, "door_number", _door, ("door", "group_d"))
    lib = (
        lib.with_columns(_community_raw=pl.col("community"))
        .with_columns(exprs)
        .with_columns(
            group=pl.when(pl.col("group_r") != "").then(pl.col("group_r")).otherwise(pl.col("group_d"))
        )
    )
    keys = list(PLACE_FIELDS)
    grouped = lib.group_by(keys, maintain_order=True).agg(
        pl.col("standard_address").first().alias("text"), pl.col("_community_raw").first()
    )
    places: list[dict[str, str]] = []
    for row in grouped.iter_rows(named=True):
        place = {k: row[k] for k in keys}
        # Only the text after the community can add anything, and it is short to parse.
        text, community = row["text"], row["_community_raw"]
        at = text.find(community) if community else -1
        tail = text[at + len(community) :] if at >= 0 else text
        if _needs_text(place, tail):
            _fill_from_text(place, parse_normalized(normalize_address(tail)), after_community=at >= 0)
        places.append(place)
    pids = grouped.select(keys).with_row_index("pid")
    dwellings = lib.join(pids, on=keys, how="left", nulls_equal=True).select(
        code=pl.col("address_code"), pid=pl.col("pid"), unit=pl.col("unit"), room=pl.col("room"),
        text=pl.col("standard_address"),
    )  # fmt: skip
    return dwellings, places


def _needs_text(place: dict[str, str], text: str) -> bool:
    """Does the standard text hold something the columns leave out? (cheap test before parsing)"""
    return (
        (not place["group"] and "组" in text)
        or not (place["road"] and place["door"])
        or not place["compound"]
    )


def _fill_from_text(place: dict[str, str], parsed: AddressParts, after_community: bool) -> None:
    """Fill what the columns leave empty (group, road and door of a compound) from the standard text."""
    if not place["group"] and parsed.group and (after_community or parsed.community == place["community"]):
        place["group"] = parsed.group
    if not place["road"] and not place["door"] and parsed.road and parsed.door:
        place["road"], place["door"] = parsed.road, parsed.door
    if (
        not place["compound"]
        and parsed.compound
        and not place["road"]
        and parsed.compound != place["community"]
    ):
        place["compound"] = parsed.compound


def place_key(place: dict[str, str]) -> str:
    """The canonical key of a place, the prefix of its dwellings' keys (see AddressParts.key)."""
    return AddressParts(norm="", **{k: place[k] or None for k in PLACE_FIELDS}).key


def dwelling_suffix(unit: pl.Expr, room: pl.Expr) -> pl.Expr:
    """The unit and room part of a dwelling key, as AddressParts.key writes it."""
    return pl.concat_str(
        pl.when(unit != "").then(unit + "单元").otherwise(pl.lit("")),
        pl.when(room != "").then(room + "室").otherwise(pl.lit("")),
    )
