"""Resident ID numbers (公民身份号码): cleaning, validation, and the facts the number carries.

A number is cleaned first (NFKC folds full-width digits and letters, every whitespace and
zero-width character is removed, surrounding quotes from spreadsheet text cells are stripped,
ASCII letters are upper-cased so a lower-case check character ``x`` becomes ``X``), then
classified. ``status`` is exactly one of:

- ``missing``: empty, or a null marker such as ``NULL``, ``无``, ``-``, ``/``.
- ``other_type``: 证件类型 names a document other than a resident ID (passport, permits);
  the cleaned value is passed through and nothing is checked.
- ``masked``: contains ``*`` (``341221********1234``, ``3412************``,
  ``****************123X``; up to 18 visible characters). What is visible is kept: prefix,
  suffix, and the area code, birth date and gender when their positions are visible in an 18-
  or 15-character mask; an unknown visible area code or impossible visible date is listed in
  ``problems`` but the status stays ``masked``.
- ``bad_format``: not 18 characters ``\\d{17}[\\dX]`` nor 15 digits (the legacy form).
- ``bad_area`` / ``bad_birth_date`` / ``bad_check``: the first of ``problems``, which lists every
  problem found in that order (a number may have an unknown area code, an impossible date and a
  wrong check character all at once).
- ``valid``.

Legacy 15-digit numbers are upgraded to 18 (century ``19`` inserted, check character appended)
and flagged ``legacy15``.

Area codes come from python-stdnum's ``cn/loc`` database (GB/T 2260 with validity years). A
retired code (``[-2010]崇文区``) is still known: numbers issued before retirement stay valid, so
they are accepted and flagged ``area_retired``. Province-level (``xx0000``) and city-level
(``xxxx00``) codes are also accepted as known, because real numbers were issued with them
(e.g. ``330100`` on early Hangzhou issues); ``area_level`` says which level the code is. Codes
the stdnum snapshot lacks but that are in force are added in ``_SUPPLEMENT``.

A birth date must be a real calendar date between 1900-01-01 and the as-of date (default today).
A code retired before the birth year is not flagged (``Area.retired_in`` is there for a caller
that wants to): the validity years come from Wikipedia and are only year-precise.

``parse_id`` is the reference; ``parse_ids`` gives the same answers for a whole column.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np
import polars as pl
import pyarrow as pa
from stdnum import numdb

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
STATUSES = (
    "valid",
    "missing",
    "masked",
    "other_type",
    "bad_format",
    "bad_area",
    "bad_birth_date",
    "bad_check",
)
NULL_TOKENS = frozenset({"", "NULL", "NONE", "NAN", "N/A", "NA", "无", "-", "--", "—", "/", "不详", "未知"})
# 证件类型 values that mean "the number is a 公民身份号码" (户口簿 carries the same number).
# Blank or a null marker also means a resident ID (CONTRACT: blank = 居民身份证).
RESIDENT_ID_TYPES = frozenset(
    {
        "居民身份证",
        "身份证",
        "二代身份证",
        "第二代居民身份证",
        "临时居民身份证",
        "临时身份证",
        "公民身份号码",
        "身份证号码",
        "居民户口簿",
        "户口簿",
        "户口本",
        "111",  # GA/T 517 code of 居民身份证
        "112",  # 临时居民身份证
        "113",  # 户口簿
    }
)
# In force but missing from python-stdnum's snapshot (Hangzhou's 2021 redistricting).
_SUPPLEMENT = {"330113": "[2021-]临平区", "330114": "[2021-]钱塘区"}
_PLACEHOLDER_NAMES = frozenset(
    {"市辖区", "县", "省直辖县级行政单位", "自治区直辖县级行政单位", "省直辖行政单位"}
)
_NAME_RE = re.compile(r"^\[(\d*)-(\d*)\](.*)$")
_ID18_RE = re.compile(r"[0-9]{17}[0-9X]")
_ID15_RE = re.compile(r"[0-9]{15}")
_MASK_RE = re.compile(r"[0-9*]*X?")
_SUFFIX_RE = re.compile(r"[0-9]*X?$")
_DIGITS = frozenset(string.digits)
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
_QUOTES = "'\"`"
_EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True)
class Area:
    """One GB/T 2260 code with its names; ``retired_in`` is the last year it was in use."""

    code: str
    province: str
    city: str | None
    county: str | None
    level: str  # province / city / county
    retired_in: int | None

    @property
    def retired(self) -> bool:
        return self.retired_in is not None


@dataclass(frozen=True)
class IdParse:
    """Everything one ID cell says; see the module docstring for the statuses."""

    raw: str | None
    normalized: str | None
    status: str
    problems: tuple[str, ...] = ()
    birth_date: date | None = None
    gender: str | None = None  # 男 / 女
    area_code: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    area_retired: bool = False
    area_level: str | None = None
    legacy15: bool = False
    mask_prefix: str | None = None
    mask_suffix: str | None = None
    mask_length: int | None = None

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    if len(first17) != 17 or not set(first17) <= _DIGITS:
        raise ValueError(f"check_character needs exactly 17 ASCII digits, got {first17!r}")
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def upgrade_15(id15: str) -> str:
    """Upgrade a legacy 15-digit number: insert century 19 and append the check character."""
    if len(id15) != 15 or not set(id15) <= _DIGITS:
        raise ValueError(f"upgrade_15 needs exactly 15 ASCII digits, got {id15!r}")
    body = id15[:6] + "19" + id15[6:]
    return body + check_character(body)


def _current_name(entry: str) -> tuple[str, int | None]:
    """Last (current or final) name of a loc.dat entry like ``[1985-1986]滨海区,[1987-]北仑区``."""
    last = entry.split(",")[-1]
    m = _NAME_RE.match(last)
    if m is None:
        return last, None
    return m.group(3), int(m.group(2)) if m.group(2) else None


@cache
def areas() -> dict[str, Area]:
    """All known area codes (built once from python-stdnum's ``cn/loc`` plus ``_SUPPLEMENT``)."""
    raw: dict[str, str] = {}
    provinces: dict[str, str] = {}
    for _, low, _, props, children in numdb.get("cn/loc").prefixes:
        provinces[low] = props.get("province", "")
        for _, low2, high2, props2, _ in children:
            if "county" in props2:
                for n in range(int(low2), int(high2) + 1):
                    raw[f"{low}{n:04d}"] = props2["county"]
    raw.update(_SUPPLEMENT)
    named = {code: _current_name(entry) for code, entry in raw.items()}
    table: dict[str, Area] = {}
    for code, (name, retired_in) in named.items():
        province = named.get(code[:2] + "0000", (provinces.get(code[:2], ""), None))[0]
        if code.endswith("0000"):
            level, city, county = "province", None, None
        elif code.endswith("00"):
            level, city, county = "city", name, None
        else:
            level, county = "county", name
            city = named.get(code[:4] + "00", (None, None))[0]
        if city in _PLACEHOLDER_NAMES:
            city = None
        table[code] = Area(code, province, city, county, level, retired_in)
    return table


def area_info(area_code: str | None) -> Area | None:
    """The area of a 6-digit code, or None when the code is unknown."""
    return areas().get(area_code) if area_code else None


def origin(area_code: str | None) -> tuple[str | None, str | None]:
    """(province, city) names of an area code for reports; (None, None) when unknown."""
    area = area_info(area_code)
    return (area.province, area.city) if area else (None, None)


def _check_district(district_code: str) -> None:
    if not (len(district_code) == 6 and district_code.isascii() and district_code.isdigit()):
        raise ValueError(
            f"district code must be a 6-digit GB/T 2260 county code like 330114, got {district_code!r}"
        )


def is_local(id_norm: str | None, district_code: str) -> bool:
    """True when the number's (visible) area code is the district's 6-digit county code."""
    _check_district(district_code)
    return bool(id_norm) and id_norm[:6] == district_code


def local_flags(ids_norm: pl.Series, district_code: str) -> pl.Series:
    """Vectorized ``is_local`` over normalized numbers (``id_norm``); null ids are not local."""
    _check_district(district_code)
    return (ids_norm.cast(pl.String).str.slice(0, 6) == district_code).fill_null(False).rename("is_local")


def _clean_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    return "".join(text.split()).strip(_QUOTES).translate(_ASCII_UPPER)


def clean_id_text(text: str) -> str:
    """Fold, de-space, unquote and upper-case one cell (repeated until stable, so idempotent)."""
    for _ in range(4):
        cleaned = _clean_once(text)
        if cleaned == text:
            break
        text = cleaned
    return text


def is_resident_type(id_type: str | None) -> bool:
    """True when 证件类型 is blank or names a resident ID (see ``RESIDENT_ID_TYPES``)."""
    if id_type is None:
        return True
    cleaned = clean_id_text(id_type)
    return cleaned in NULL_TOKENS or cleaned in RESIDENT_ID_TYPES


def _birth_date(date8: str, as_of: date) -> date | None:
    try:
        born = date(int(date8[:4]), int(date8[4:6]), int(date8[6:8]))
    except ValueError:
        return None
    return born if _EARLIEST_BIRTH <= born <= as_of else None


def _visible(text: str, start: int, length: int) -> str | None:
    part = text[start : start + length]
    return part if len(part) == length and set(part) <= _DIGITS else None


def parse_id(raw: str | None, id_type: str | None = None, *, as_of: date | None = None) -> IdParse:
    """Clean and check one ID cell; ``id_type`` is the row's 证件类型 (blank = resident ID)."""
    if raw is None:
        return IdParse(raw=None, normalized=None, status="missing")
    raw = str(raw)
    text = clean_id_text(raw)
    if text in NULL_TOKENS:
        return IdParse(raw=raw, normalized=None, status="missing")
    if not is_resident_type(id_type):
        return IdParse(raw=raw, normalized=text, status="other_type")
    as_of = as_of or date.today()
    if "*" in text:
        if _MASK_RE.fullmatch(text) and len(text) - text.count("*") <= 18:
            return _parse_masked(raw, text, as_of)
        return IdParse(raw=raw, normalized=text, status="bad_format")
    if _ID18_RE.fullmatch(text):
        normalized, legacy = text, False
    elif _ID15_RE.fullmatch(text):
        normalized, legacy = upgrade_15(text), True
    else:
        return IdParse(raw=raw, normalized=text, status="bad_format")
    area = area_info(normalized[:6])
    born = _birth_date(normalized[6:14], as_of)
    problems = []
    if area is None:
        problems.append("bad_area")
    if born is None:
        problems.append("bad_birth_date")
    if check_character(normalized[:17]) != normalized[17]:
        problems.append("bad_check")
    return IdParse(
        raw=raw,
        normalized=normalized,
        status=problems[0] if problems else "valid",
        problems=tuple(problems),
        birth_date=born,
        gender="男" if int(normalized[16]) % 2 else "女",
        area_code=normalized[:6],
        legacy15=legacy,
        **_area_fields(area),
    )


def _area_fields(area: Area | None) -> dict:
    if area is None:
        return {}
    return {
        "province": area.province,
        "city": area.city,
        "county": area.county,
        "area_retired": area.retired,
        "area_level": area.level,
    }


def _parse_masked(raw: str, text: str, as_of: date) -> IdParse:
    """Keep what a masked number shows; positions only count in 18- or 15-character masks."""
    prefix = text[: len(text) - len(text.lstrip(string.digits))]
    suffix = _SUFFIX_RE.search(text)[0]  # always matches, possibly empty
    area_code = _visible(text, 0, 6)
    date8 = gender_digit = None
    if len(text) == 18:
        date8, gender_digit = _visible(text, 6, 8), _visible(text, 16, 1)
    elif len(text) == 15:
        date6 = _visible(text, 6, 6)
        date8, gender_digit = ("19" + date6 if date6 else None), _visible(text, 14, 1)
    area = area_info(area_code)
    born = _birth_date(date8, as_of) if date8 else None
    problems = []
    if area_code and area is None:
        problems.append("bad_area")
    if date8 and born is None:
        problems.append("bad_birth_date")
    return IdParse(
        raw=raw,
        normalized=text,
        status="masked",
        problems=tuple(problems),
        birth_date=born,
        gender=("男" if int(gender_digit) % 2 else "女") if gender_digit else None,
        area_code=area_code,
        legacy15=len(text) == 15,
        mask_prefix=prefix or None,
        mask_suffix=suffix or None,
        mask_length=len(text),
        **_area_fields(area),
    )


# ----------------------------------------------------------------------------- vectorized
# parse_ids runs on every row with polars expressions plus two numpy steps (check character
# from the raw bytes, area lookup by integer code): joining on unique values costs more than it
# saves here. Only cells with non-ASCII characters (full-width digits and the like) go through
# clean_id_text in Python, once per distinct value.

ID_COLUMNS = {
    "id_norm": pl.String,
    "id_status": pl.String,
    "id_problems": pl.List(pl.String),
    "id_birth_date": pl.Date,
    "id_gender": pl.String,
    "id_area": pl.String,
    "id_province": pl.String,
    "id_city": pl.String,
    "id_area_retired": pl.Boolean,
    "id_area_level": pl.String,
    "id_legacy15": pl.Boolean,
    "id_mask_prefix": pl.String,
    "id_mask_suffix": pl.String,
}
_WEIGHTS_NP = np.array(WEIGHTS, dtype=np.uint16)
_ZERO_OFFSET = ord("0") * sum(WEIGHTS)
_PROBLEM_LISTS = pl.Series(
    [
        [p for bit, p in zip((1, 2, 4), ("bad_area", "bad_birth_date", "bad_check"), strict=True) if c & bit]
        for c in range(8)
    ],
    dtype=pl.List(pl.String),
)


@cache
def _area_lookup() -> tuple[np.ndarray, pl.DataFrame]:
    """Table row of every integer code (unknown codes point at the trailing all-null row) and the table."""
    table = list(areas().values())
    index = np.full(1_000_000, len(table), dtype=np.int64)
    index[[int(a.code) for a in table]] = np.arange(len(table))
    frame = pl.DataFrame(
        {
            "id_province": [a.province for a in table] + [None],
            "id_city": [a.city for a in table] + [None],
            "id_area_retired": [a.retired for a in table] + [False],
            "id_area_level": [a.level for a in table] + [None],
        },
        schema={k: ID_COLUMNS[k] for k in ("id_province", "id_city", "id_area_retired", "id_area_level")},
    )
    return index, frame


def _clean_series(raw: pl.Series) -> pl.Series:
    """ASCII cells are cleaned by polars; the (rare) others by ``clean_id_text`` itself."""
    cleaned = (
        raw.str.replace_all(r"[\t\n\x0b\x0c\r \x1c-\x1f]", "").str.strip_chars(_QUOTES).str.to_uppercase()
    )
    odd = raw.str.contains(r"[^\x00-\x7F]").fill_null(False).arg_true()
    if len(odd):
        values = raw.gather(odd).to_list()
        done = {v: clean_id_text(v) for v in set(values)}
        cleaned = cleaned.scatter(odd, [done[v] for v in values])
    return cleaned


def _resident_flags(id_types: pl.Series) -> pl.Series:
    id_types = id_types.cast(pl.String)
    lookup = {v: is_resident_type(v) for v in id_types.unique().to_list() if v is not None}
    return id_types.replace_strict(lookup, default=True, return_dtype=pl.Boolean)


def _check_values(body17: pl.Series) -> pl.Series:
    """Check value 0..10 (10 = X) of 17-digit ASCII bodies, from the Arrow bytes with numpy."""
    if len(body17) == 0:
        return pl.Series(values=[], dtype=pl.Int32)
    arr = body17.rechunk().to_arrow()
    if arr.type not in (pa.large_string(), pa.string()):
        arr = arr.cast(pa.large_string())
    _, offsets, data = arr.buffers()
    width = np.int64 if arr.type == pa.large_string() else np.int32
    off = np.frombuffer(offsets, dtype=width)[arr.offset : arr.offset + len(arr) + 1]
    if off[-1] - off[0] != 17 * len(arr):
        raise ValueError("_check_values needs 17 ASCII characters in every row")
    ascii_bytes = np.frombuffer(data, dtype=np.uint8)[off[0] : off[-1]].reshape(-1, 17)
    # einsum sums in uint32 without an (n, 17) int copy; the ASCII '0' offset is 48 * sum(WEIGHTS).
    total = np.einsum("ij,j->i", ascii_bytes, _WEIGHTS_NP, dtype=np.uint32).astype(np.int64) - _ZERO_OFFSET
    return pl.Series(values=(12 - total % 11) % 11, dtype=pl.Int32)


def _digits_at(expr: pl.Expr, start: int, length: int) -> pl.Expr:
    return expr.str.slice(start, length).str.contains(f"^[0-9]{{{length}}}$")


def _birth_dates(date8: pl.Series, as_of: date) -> pl.Series:
    """Real calendar dates from 1900-01-01 to as_of, else null (chrono rejects 19000229, 19801301)."""
    born = date8.str.strptime(pl.Date, "%Y%m%d", strict=False)
    return pl.select(pl.when(born.is_between(_EARLIEST_BIRTH, as_of)).then(born)).to_series()


def _classify_messy(raw: pl.Series, resident: pl.Series) -> pl.DataFrame:
    frame = pl.DataFrame({"raw": raw, "_resident": resident, "_t": _clean_series(raw)})
    t = pl.col("_t")
    frame = frame.with_columns(
        _n=t.str.len_chars(),
        _missing=(pl.col("raw").is_null() | t.is_in(list(NULL_TOKENS))).fill_null(True),
        _star=t.str.contains("*", literal=True).fill_null(False),
    )
    live = ~pl.col("_missing") & pl.col("_resident")
    star = pl.col("_star")
    visible = pl.col("_n") - t.str.count_matches("*", literal=True)
    return frame.select(
        "_t",
        "_missing",
        _other=~pl.col("_missing") & ~pl.col("_resident"),
        _masked=(live & star & t.str.contains(r"^[0-9*]*X?$") & (visible <= 18)).fill_null(False),
        _is18=(live & ~star & t.str.contains(r"^[0-9]{17}[0-9X]$")).fill_null(False),
        _is15=(live & ~star & t.str.contains(r"^[0-9]{15}$")).fill_null(False),
    )


def _classify(raw: pl.Series, resident: pl.Series) -> pl.DataFrame:
    """Cleaned text and class flags; cells already in clean 18/15-digit form skip the cleaning."""
    clean = (
        pl.select(raw.str.contains(r"^[0-9]{15}(?:[0-9]{2}[0-9X])?$") & resident).to_series().fill_null(False)
    )
    is18 = clean & (raw.str.len_bytes() == 18)
    frame = {  # scatter below writes in place: every column is its own Series
        "_t": raw.clone(),
        "_missing": raw.is_null(),
        "_other": pl.repeat(False, len(raw), eager=True),
        "_masked": pl.repeat(False, len(raw), eager=True),
        "_is18": is18,
        "_is15": clean & ~is18,
    }
    messy = (~clean & raw.is_not_null()).arg_true()
    if len(messy):
        parts = _classify_messy(raw.gather(messy), resident.gather(messy))
        frame = {name: column.scatter(messy, parts[name]) for name, column in frame.items()}
    out = pl.DataFrame(frame)
    return out.with_columns(_n=pl.col("_t").str.len_chars())


def _masked_parts(u: pl.DataFrame) -> pl.DataFrame:
    """Visible prefix, suffix, area, date and gender digit of the masked rows (null elsewhere)."""
    rows = u["_masked"].arg_true()
    t, n = pl.col("_t"), pl.col("_t").str.len_chars()
    sub = u.select(t.gather(rows))
    parts = sub.select(
        _marea=pl.when(_digits_at(t, 0, 6)).then(t.str.slice(0, 6)),
        _mdate8=pl.when((n == 18) & _digits_at(t, 6, 8))
        .then(t.str.slice(6, 8))
        .when((n == 15) & _digits_at(t, 6, 6))
        .then(pl.lit("19") + t.str.slice(6, 6)),
        _mgdigit=pl.when((n == 18) & _digits_at(t, 16, 1))
        .then(t.str.slice(16, 1))
        .when((n == 15) & _digits_at(t, 14, 1))
        .then(t.str.slice(14, 1)),
        id_mask_prefix=t.str.extract(r"^([0-9]+)", 1),
        id_mask_suffix=t.str.extract(r"([0-9]+X?|X)$", 1),
    )
    full = {}
    for name in parts.columns:
        column = pl.repeat(None, len(u), dtype=pl.String, eager=True).rename(name)
        full[name] = column.scatter(rows, parts[name]) if len(rows) else column
    return pl.DataFrame(full)


def _parse_frame(raw: pl.Series, resident: pl.Series, as_of: date) -> pl.DataFrame:
    u = _classify(raw, resident)
    t, n = pl.col("_t"), pl.col("_n")
    is18, is15, masked = pl.col("_is18"), pl.col("_is15"), pl.col("_masked")
    body = u.select(pl.when(is18).then(t.str.slice(0, 17)).otherwise(pl.lit("0" * 17)))["_t"]
    norm = u.select(pl.when(pl.col("_missing")).then(None).otherwise(t)).to_series()
    legacy = u["_is15"].arg_true()
    if len(legacy):
        old = u["_t"].gather(legacy)
        body = body.scatter(legacy, old.str.slice(0, 6) + "19" + old.str.slice(6, 9))
    check = _check_values(body)
    if len(legacy):
        chk = check.gather(legacy)
        chk_char = pl.select(pl.when(chk == 10).then(pl.lit("X")).otherwise(chk.cast(pl.String))).to_series()
        norm = norm.scatter(legacy, body.gather(legacy) + chk_char)
    last = t.str.slice(17, 1)
    last_value = pl.when(last == "X").then(10).otherwise(last.str.to_integer(strict=False))
    u = u.with_columns(id_norm=norm, _chk=check).with_columns(
        _bad_check=is18 & (last_value != pl.col("_chk")),
        _full=is18 | is15,
        id_legacy15=is15 | (masked & (n == 15)),
    )
    u = pl.concat([u, _masked_parts(u)], how="horizontal")
    full, v = pl.col("_full"), pl.col("id_norm")
    u = u.with_columns(
        id_area=pl.when(full).then(v.str.slice(0, 6)).otherwise(pl.col("_marea")),
        _date8=pl.when(full).then(v.str.slice(6, 8)).otherwise(pl.col("_mdate8")),
        _gdigit=pl.when(full)
        .then(v.str.slice(16, 1))
        .otherwise(pl.col("_mgdigit"))
        .str.to_integer(strict=False),
    )
    gdigit = pl.col("_gdigit")
    u = u.with_columns(
        id_birth_date=_birth_dates(u["_date8"], as_of),
        id_gender=pl.when(gdigit % 2 == 1).then(pl.lit("男")).when(gdigit.is_not_null()).then(pl.lit("女")),
    )
    index, table = _area_lookup()
    codes = u["id_area"].str.to_integer(strict=False).fill_null(-1).to_numpy()
    rows = np.where(codes >= 0, index[np.clip(codes, 0, None)], len(table) - 1)
    u = pl.concat([u, table[rows]], how="horizontal")
    # Problems as a 3-bit code gathered from an 8-row table: concat_list over 2M rows is slow.
    code = (
        (pl.col("id_area").is_not_null() & pl.col("id_province").is_null()).cast(pl.UInt8)
        + (pl.col("_date8").is_not_null() & pl.col("id_birth_date").is_null()).cast(pl.UInt8) * 2
        + pl.col("_bad_check").cast(pl.UInt8) * 4
    )
    codes = u.select(code.alias("c"))["c"]
    u = u.with_columns(id_problems=_PROBLEM_LISTS.gather(codes))
    status = (
        pl.when(pl.col("_missing"))
        .then(pl.lit("missing"))
        .when(pl.col("_other"))
        .then(pl.lit("other_type"))
        .when(masked)
        .then(pl.lit("masked"))
        .when(~full)
        .then(pl.lit("bad_format"))
        .otherwise(pl.col("id_problems").list.first().fill_null(pl.lit("valid")))
    )
    return u.with_columns(id_status=status).select([pl.col(c).cast(dt) for c, dt in ID_COLUMNS.items()])


def parse_ids(
    ids: pl.Series | Iterable[str | None],
    id_types: pl.Series | Iterable[str | None] | None = None,
    *,
    as_of: date | None = None,
) -> pl.DataFrame:
    """Vectorized ``parse_id``: one output row per input row, columns ``ID_COLUMNS``."""
    raw = ids.cast(pl.String) if isinstance(ids, pl.Series) else pl.Series(list(ids), dtype=pl.String)
    raw = raw.rename("raw")
    if id_types is None:
        resident = pl.repeat(True, len(raw), eager=True).rename("_resident")
    else:
        types = id_types if isinstance(id_types, pl.Series) else pl.Series(list(id_types), dtype=pl.String)
        if len(types) != len(raw):
            raise ValueError(f"parse_ids got {len(raw)} ids but {len(types)} id_types; pass one type per id")
        resident = _resident_flags(types).rename("_resident")
    return _parse_frame(raw, resident, as_of or date.today())
