"""Phone numbers: mainland mobile and landline forms, country prefixes, extensions, lists.

``kind`` is one of:

- ``mobile``: 11 digits ``1[3-9]xxxxxxxxx``; normalized to the bare 11 digits. A ``+86``,
  ``0086`` or ``86`` country prefix and a stray trunk ``0`` in front are dropped.
- ``landline``: area code and local number, normalized ``0571-86001234`` (``010``/``02x`` have
  three-digit area codes and 8-digit numbers; the others four digits and 7–8). Accepted forms
  include ``0571-86001234``, ``(0571)86001234``, ``057186001234`` and ``+86 571 8600 1234``.
- ``landline_local``: a 7–8 digit local number without area code (``86001234``).
- ``invalid``: none of these; ``problems`` says why (``bad_characters``, ``bad_mobile_prefix``,
  ``bad_length``, ``placeholder`` for filler values such as ``11111111111``).
- ``missing``: empty or a null marker.

An extension (``-801``, ``转801``, ``分机801``, ``ext801``) is dropped and noted as
``extension_dropped``. A cell with several numbers (``138..., 139...``, ``/``, ``;``, ``、``,
or whitespace between complete numbers) gives the first valid one as ``normalized`` and all
valid ones in ``all_numbers``, noted ``several_numbers``; invalid parts next to valid ones are
noted ``partly_invalid``.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

KINDS = ("mobile", "landline", "landline_local", "invalid", "missing")
NULL_TOKENS = frozenset({"", "NULL", "NONE", "NAN", "N/A", "NA", "无", "-", "--", "/", "不详", "未知"})
PLACEHOLDERS = frozenset({"13800138000", "12345678901", "01234567890", "12345678", "1234567"})
_SPLIT_RE = re.compile(r"[,;/|、，；]|或")
_EXTENSION_RE = re.compile(r"(?:转|分机|EXT\.?|X|#)[0-9]{1,6}$")
_COUNTRY_RE = re.compile(r"^(?:\(\+?86\)|\+86|0086|86(?=[-(])|86(?=1[3-9][0-9]{9}$))")
_ALLOWED_RE = re.compile(r"[0-9()\-.]*")
_GROUP_RE = re.compile(r"[0-9]+")
_MOBILE_RE = re.compile(r"0?(1[3-9][0-9]{9})")
_AREA3_RE = re.compile(r"(0(?:10|2[0-9]))([2-9][0-9]{7})")
_AREA4_RE = re.compile(r"(0[3-9][0-9]{2})([2-9][0-9]{6,7})")
_LOCAL_RE = re.compile(r"[2-9][0-9]{6,7}")
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−~～", "-") | dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff"))
_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)


@dataclass(frozen=True)
class PhoneParse:
    """One phone cell: the first valid number, its kind, problems, and every valid number."""

    raw: str | None
    normalized: str | None
    kind: str
    problems: tuple[str, ...] = ()
    all_numbers: tuple[str, ...] = ()


def _classify(digits: str) -> tuple[str, str] | None:
    if len(set(digits)) == 1 or digits in PLACEHOLDERS:
        return None
    if m := _MOBILE_RE.fullmatch(digits):
        return None if m.group(1) in PLACEHOLDERS else ("mobile", m.group(1))
    if (m := _AREA3_RE.fullmatch(digits)) or (m := _AREA4_RE.fullmatch(digits)):
        return "landline", f"{m.group(1)}-{m.group(2)}"
    if _LOCAL_RE.fullmatch(digits):
        return "landline_local", digits
    return None


def _invalid_reason(digits: str) -> str:
    if len(set(digits)) == 1 or digits in PLACEHOLDERS or digits.lstrip("0") in PLACEHOLDERS:
        return "placeholder"
    if len(digits) == 11 and digits.startswith("1"):
        return "bad_mobile_prefix"
    return "bad_length"


def _parse_one(text: str) -> tuple[str, str | None, tuple[str, ...]]:
    """(kind, normalized, problems) of one number with whitespace already removed."""
    notes: list[str] = []
    stripped = _EXTENSION_RE.sub("", text)
    if stripped != text and stripped:
        notes.append("extension_dropped")
    country = _COUNTRY_RE.match(stripped)
    body = stripped[country.end() :] if country else stripped
    if not body or not _ALLOWED_RE.fullmatch(body):
        return "invalid", None, ("bad_characters",)
    groups = _GROUP_RE.findall(body)
    digits = "".join(groups)
    if country and digits and digits[0] not in "01":
        digits = "0" + digits  # +86 571 ... drops the trunk 0 of the area code
    elif not country and len(digits) == 13 and digits.startswith("86") and _MOBILE_RE.fullmatch(digits[2:]):
        digits = digits[2:]  # 86 138-0013-8000
    found = _classify(digits)
    if found is None and len(groups) >= 2 and len(groups[-1]) <= 5:
        shorter = digits[: len(digits) - len(groups[-1])]
        found = _classify(shorter)
        if found and found[0] != "mobile":
            notes.append("extension_dropped")
        else:
            found = None
    if found is None:
        return "invalid", None, (_invalid_reason(digits),)
    return found[0], found[1], tuple(notes)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_ASCII_UPPER).strip()


def _parts(text: str) -> list[tuple[str, str | None, tuple[str, ...]]]:
    results = []
    for part in _SPLIT_RE.split(text):
        compact = "".join(part.split())
        if compact in NULL_TOKENS:
            continue
        whole = _parse_one(compact)
        tokens = part.split()
        if whole[0] == "invalid" and len(tokens) >= 2:
            pieces = [_parse_one(token) for token in tokens]
            if all(p[0] != "invalid" for p in pieces):
                results.extend(pieces)
                continue
        results.append(whole)
    return results


def parse_phone(raw: str | None) -> PhoneParse:
    """Classify and normalize one phone cell."""
    if raw is None:
        return PhoneParse(raw=None, normalized=None, kind="missing")
    raw = str(raw)
    text = _clean(raw)
    if "".join(text.split()) in NULL_TOKENS:
        return PhoneParse(raw=raw, normalized=None, kind="missing")
    parts = _parts(text)
    if not parts:  # only separators and null markers, e.g. "无/-"
        return PhoneParse(raw=raw, normalized=None, kind="missing")
    valid = [p for p in parts if p[0] != "invalid"]
    if not valid:
        reasons = tuple(dict.fromkeys(code for p in parts for code in p[2]))
        return PhoneParse(raw=raw, normalized=None, kind="invalid", problems=reasons)
    numbers = tuple(dict.fromkeys(p[1] for p in valid if p[1]))
    problems = [code for p in valid for code in p[2]]
    if len(valid) < len(parts):
        problems.append("partly_invalid")
    if len(numbers) > 1:
        problems.append("several_numbers")
    return PhoneParse(
        raw=raw,
        normalized=valid[0][1],
        kind=valid[0][0],
        problems=tuple(dict.fromkeys(problems)),
        all_numbers=numbers,
    )


# ----------------------------------------------------------------------------- vectorized

PHONE_COLUMNS = {
    "phone_norm": pl.String,
    "phone_kind": pl.String,
    "phone_problems": pl.List(pl.String),
    "phone_all": pl.List(pl.String),
}


def _fast_path(raw: pl.Series) -> pl.DataFrame:
    """Normalized number and kind of the common clean forms, null where ``parse_phone`` must look.

    Only forms whose scalar result is certain are taken: spaces and ASCII dashes removed, a bare
    mobile (optionally +86/0086/86), an area code + local number, or a local number.
    """
    c = pl.col("c")
    frame = pl.DataFrame({"c": raw.str.replace_all(r"[\s\-]", "")})
    frame = frame.with_columns(m=c.str.extract(r"^(?:\+?86|0086)?(1[3-9][0-9]{9})$", 1))
    frame = frame.with_columns(
        mobile=(pl.col("m").is_not_null() & ~pl.col("m").is_in(list(PLACEHOLDERS))).fill_null(False),
        area3=c.str.contains(r"^0(?:10|2[0-9])[2-9][0-9]{7}$"),
        area4=c.str.contains(r"^0[3-9][0-9]{2}[2-9][0-9]{6,7}$"),
        local=c.str.contains(r"^[2-9][0-9]{6,7}$") & ~c.str.contains(r"^(?:2+|3+|4+|5+|6+|7+|8+|9+)$"),
    )
    mobile, area3, area4, local = pl.col("mobile"), pl.col("area3"), pl.col("area4"), pl.col("local")
    return frame.select(
        norm=pl.when(mobile)
        .then(pl.col("m"))
        .when(area3)
        .then(c.str.slice(0, 3) + "-" + c.str.slice(3))
        .when(area4)
        .then(c.str.slice(0, 4) + "-" + c.str.slice(4))
        .when(local)
        .then(c),
        kind=pl.when(mobile)
        .then(pl.lit("mobile"))
        .when(area3 | area4)
        .then(pl.lit("landline"))
        .when(local)
        .then(pl.lit("landline_local")),
    )


def parse_phones(phones: pl.Series | Iterable[str | None]) -> pl.DataFrame:
    """Vectorized ``parse_phone``: one output row per input row, columns ``PHONE_COLUMNS``.

    Bare mobiles are recognised by integer range, other clean forms by polars regexes
    (``_fast_path``); every remaining cell goes through ``parse_phone`` once per distinct value.
    """
    raw = (
        phones.cast(pl.String) if isinstance(phones, pl.Series) else pl.Series(list(phones), dtype=pl.String)
    )
    norm, kind = _quick_norm_kind(raw)
    fast = kind.is_not_null()
    slow_rows = (~fast & raw.is_not_null()).arg_true()
    values = raw.gather(slow_rows).to_list()
    position: dict[str, int] = {}
    parsed: list[PhoneParse] = [PhoneParse(raw=None, normalized=None, kind="missing")]
    for value in values:
        if value not in position:
            position[value] = len(parsed)
            parsed.append(parse_phone(value))
    index = pl.repeat(0, len(raw), dtype=pl.UInt32, eager=True)
    if len(slow_rows):
        index = index.scatter(slow_rows, pl.Series([position[v] for v in values], dtype=pl.UInt32))
    table = pl.DataFrame(
        {
            "phone_norm": [p.normalized for p in parsed],
            "phone_kind": [p.kind for p in parsed],
            "phone_problems": [list(p.problems) for p in parsed],
            "phone_all": [list(p.all_numbers) for p in parsed],
        },
        schema=PHONE_COLUMNS,
    )[index]
    fast_all = norm.reshape((-1, 1)).cast(pl.List(pl.String))
    return table.with_columns(
        phone_norm=pl.when(fast).then(norm).otherwise(pl.col("phone_norm")),
        phone_kind=pl.when(fast).then(kind).otherwise(pl.col("phone_kind")),
        phone_all=pl.when(fast).then(fast_all).otherwise(pl.col("phone_all")),
    )


def _quick_norm_kind(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(normalized, kind) where polars alone is sure of the answer, null elsewhere."""
    # Bare 11-digit mobiles, the bulk of real data, by integer range: cheaper than any regex.
    # Eleven bytes parsing to at least 13e9 can only be eleven digits starting 1[3-9].
    value = pl.when(raw.str.len_bytes() == 11).then(raw.str.to_integer(strict=False))
    placeholders = [int(p) for p in PLACEHOLDERS if len(p) == 11]
    bare = pl.select(value.is_between(13_000_000_000, 19_999_999_999) & ~value.is_in(placeholders))
    bare = bare.to_series().fill_null(False)
    norm = pl.select(pl.when(bare).then(raw)).to_series().rename("norm")
    kind = pl.select(pl.when(bare).then(pl.lit("mobile"))).to_series().rename("kind")
    rest = (~bare & raw.is_not_null()).arg_true()
    if len(rest):
        quick = _fast_path(raw.gather(rest))
        norm, kind = norm.scatter(rest, quick["norm"]), kind.scatter(rest, quick["kind"])
    return norm, kind
