"""Masking of personal data: ID numbers, phones and (for analysts) names are masked by default."""

from __future__ import annotations

import re

_ID = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15})(?![\dXx])")
_PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)")


def mask_id(value: str | None) -> str | None:
    """330114199001011234 → 330114********1234 (area code and last four kept)."""
    if not value:
        return value
    v = str(value).strip()
    if len(v) <= 8:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_phone(value: str | None) -> str | None:
    """13812345678 → 138****5678."""
    if not value:
        return value
    v = str(value).strip()
    if len(v) <= 7:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_name(value: str | None) -> str | None:
    """张三丰 → 张**: the surname only (analysts never see names)."""
    if not value:
        return value
    v = str(value).strip()
    return v[:1] + "*" * max(len(v) - 1, 1)


def mask_text(value: str | None) -> str | None:
    """Mask ID numbers and mobile numbers that appear inside free text (evidence JSON, notes)."""
    if not value:
        return value
    out = _ID.sub(lambda m: mask_id(m.group(0)) or "", str(value))
    return _PHONE.sub(lambda m: mask_phone(m.group(0)) or "", out)


ID_FIELDS = ("id_number", "landlord_id_number")
PHONE_FIELDS = ("phone", "landlord_phone")
NAME_FIELDS = ("name", "person_name", "landlord_name")


def mask_record(rec: dict, *, reveal: bool, names: bool) -> dict:
    """A copy of `rec` with personal fields masked unless `reveal`; names masked when `names`."""
    if reveal and not names:
        return dict(rec)
    out = dict(rec)
    for k in out:
        if not reveal and k in ID_FIELDS:
            out[k] = mask_id(out[k])
        elif not reveal and k in PHONE_FIELDS:
            out[k] = mask_phone(out[k])
        elif not reveal and k == "phones" and isinstance(out[k], list):
            out[k] = [mask_phone(p) for p in out[k]]
        elif names and k in NAME_FIELDS:
            out[k] = mask_name(out[k])
    return out
