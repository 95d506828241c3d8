"""Resident ID numbers (GB 11643): area codes from python-stdnum's GB/T 2260 table, check characters.

IDs are built as (n, 18) arrays of ASCII bytes so a million of them cost a few numpy operations.
Area codes are drawn so that the code was in force in the person's birth year, which is what
`stdnum.cn.ric` checks; the district's own code is always allowed (python-stdnum's table may
not know a district created recently, e.g. 钱塘区 330114 of 2021).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl
from stdnum import numdb

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)
YEARS = np.arange(1900, 2031)

_SEGMENT = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


@dataclass(frozen=True)
class AreaCode:
    code: str
    province: str
    city: str  # "" for a province-level city's own counties
    county: str  # current (latest) name
    segments: tuple[tuple[int, int], ...]  # (first year, last year) the code was in force


def _segments(text: str) -> tuple[tuple[tuple[int, int], ...], str]:
    spans, name = [], text
    for part in text.split(","):
        m = _SEGMENT.match(part)
        if m is None:
            spans.append((0, 9999))
            name = part
        else:
            spans.append((int(m.group(1) or 0), int(m.group(2) or 9999)))
            name = m.group(3)
    return tuple(spans), name


@lru_cache(maxsize=1)
def area_codes() -> dict[str, AreaCode]:
    """Every 6-digit code of python-stdnum's `cn/loc` table with names and validity years."""
    db = numdb.get("cn/loc")
    raw: dict[str, tuple[str, str, tuple]] = {}
    for _, prov_lo, _, prov_props, children in db.prefixes:
        province = prov_props.get("province", "")
        for _, lo, hi, props, _ in children:
            if lo != hi:
                continue
            spans, name = _segments(props.get("county", ""))
            raw[prov_lo + lo] = (province, name, spans)
    out: dict[str, AreaCode] = {}
    for code, (province, name, spans) in raw.items():
        city_entry = raw.get(code[:4] + "00")
        city = city_entry[1] if city_entry and code[2:4] != "00" and city_entry[1] not in ("市辖区",) else ""
        if city == province:
            city = ""
        out[code] = AreaCode(code, province, city, name, spans)
    return out


def is_county_level(a: AreaCode) -> bool:
    return a.code[4:] != "00" and not any(w in a.county for w in ("市辖区", "市区", "郊区", "办事处"))


@dataclass(frozen=True)
class OriginTable:
    """County codes under one prefix (province or city), with the birth years each is valid for."""

    prefix: str
    codes: np.ndarray  # int32
    first: np.ndarray  # int16 first year in force
    last: np.ndarray  # int16 last year in force


# Where people born before their province or city existed got their codes.
_FORMER_PREFIX = {"50": "5102", "46": "4490"}


@lru_cache(maxsize=256)
def origin_table(prefix: str, exclude_prefix: str = "") -> OriginTable:
    """County codes starting with `prefix`, leaving out those starting with `exclude_prefix`."""
    codes, first, last = [], [], []
    for a in area_codes().values():
        if not a.code.startswith(prefix) or not is_county_level(a):
            continue
        if exclude_prefix and a.code.startswith(exclude_prefix):
            continue
        for lo, hi in a.segments:
            codes.append(int(a.code))
            first.append(lo)
            last.append(hi)
    if not codes:
        raise ValueError(f"python-stdnum's area table has no counties under {prefix!r}")
    return OriginTable(prefix, np.array(codes, np.int32), np.array(first, np.int16), np.array(last, np.int16))


def _eligible(prefix: str, year: int, exclude_prefix: str) -> np.ndarray:
    table = origin_table(
        prefix, exclude_prefix if exclude_prefix[: len(prefix)] == prefix[: len(exclude_prefix)] else ""
    )
    ok = table.codes[(table.first <= year) & (table.last >= year)]
    if len(ok) == 0 and prefix[:2] in _FORMER_PREFIX:
        return _eligible(_FORMER_PREFIX[prefix[:2]], year, "")
    if len(ok) == 0:  # nothing in force that year: the earliest code under the prefix
        ok = table.codes[[int(np.argmin(table.first))]]
    return ok


def draw_area_codes(
    rng: np.random.Generator,
    prefixes: np.ndarray,
    width: int,
    birth_years: np.ndarray,
    exclude_prefix: str = "",
) -> np.ndarray:
    """One county code per person under its prefix (`width` digits), in force in its birth year."""
    out = np.zeros(len(prefixes), np.int32)
    keys = prefixes.astype(np.int64) * 10000 + birth_years
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    bounds = np.flatnonzero(np.diff(sorted_keys)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(keys)]))
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        key = int(sorted_keys[s])
        prefix, year = f"{key // 10000:0{width}d}", key % 10000
        ok = _eligible(prefix, year, exclude_prefix)
        out[order[s:e]] = ok[rng.integers(0, len(ok), e - s)]
    return out


def unknown_area_codes(district: str, n: int = 64) -> np.ndarray:
    """6-digit codes that no table knows (for invalid-ID defects)."""
    known = area_codes()
    found = []
    for prov in ("11", "13", "34", "41", "36", "51", "43", "45", "52", "32"):
        for suffix in range(9901, 9999):
            code = f"{prov}{suffix:04d}"
            if code not in known and code != district:
                found.append(int(code))
            if len(found) >= n:
                return np.array(found, np.int32)
    return np.array(found, np.int32)


def days_to_ymd(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 → yyyymmdd integers."""
    d = days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dd = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return (y * 10000 + m * 100 + dd).astype(np.int64)


def _put_digits(out: np.ndarray, col: int, values: np.ndarray, width: int) -> None:
    """Write `values` as `width` ASCII digits into out[:, col:col+width] (one column at a time)."""
    v = values.astype(np.int64)
    for i in range(width):
        out[:, col + i] = (v // 10 ** (width - 1 - i)) % 10 + 48


def check_chars(body17: np.ndarray) -> np.ndarray:
    """ISO 7064 MOD 11-2 check character (ASCII byte) of (n, 17) digit arrays (values 0-9)."""
    total = np.zeros(len(body17), np.int64)
    for i in range(17):
        total += body17[:, i].astype(np.int64) * WEIGHTS[i]
    return CHECK_CHARS[total % 11]


def build_ids(area: np.ndarray, birth_ymd: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """(n, 18) ASCII bytes of valid 18-digit IDs."""
    out = np.empty((len(area), 18), np.uint8)
    _put_digits(out, 0, area, 6)
    _put_digits(out, 6, birth_ymd, 8)
    _put_digits(out, 14, seq, 3)
    out[:, 17] = check_chars(out[:, :17] - ord("0"))
    return out


def recheck(ids: np.ndarray) -> np.ndarray:
    """Recompute the check character of (n, 18) ASCII IDs whose body was changed (in place)."""
    if len(ids):
        ids[:, 17] = check_chars(ids[:, :17].astype(np.int64) - ord("0"))
    return ids


def ids_to_series(ids: np.ndarray, name: str = "id") -> pl.Series:
    """(n, k) ASCII bytes → polars strings."""
    if len(ids) == 0:
        return pl.Series(name, [], pl.Utf8)
    width = ids.shape[1]
    flat = np.ascontiguousarray(ids).view(f"S{width}").ravel()
    return pl.Series(name, flat.astype(f"U{width}"))


def unique_sequences(
    rng: np.random.Generator, area: np.ndarray, birth: np.ndarray, male: np.ndarray
) -> np.ndarray:
    """Sequence codes (000-999, odd for men) unique within each (area, birth date)."""
    key = area.astype(np.int64) * 200_000 + (birth.astype(np.int64) + 100_000)
    key = key * 2 + male.astype(np.int64)
    order = np.argsort(key, kind="stable")
    sk = key[order]
    new_group = np.concatenate(([True], sk[1:] != sk[:-1]))
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(len(sk)), 0))
    rank = np.arange(len(sk)) - group_start
    base = rng.integers(0, 500, len(sk))[group_start]
    seq_sorted = 2 * ((base + rank) % 500) + (sk % 2)
    seq = np.empty(len(sk), np.int64)
    seq[order] = seq_sorted
    return seq
