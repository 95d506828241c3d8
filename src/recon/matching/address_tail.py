"""The number tail of an address: building, unit, floor and room, however they are written.

3幢2单元1502室, 3-2-1502, 3-2-15-1502, 2-1502 (building-room, or unit-room after a building),
3号楼, 3#, A座, 12号301 (door, room), 5楼502 (floor 5), 3楼2单元 (building 3), 1栋3-1 (重庆:
room "3-1"), 1501号 after a compound (a room), 14组116号 (group, house number). Numbers that
cannot be placed go to the remainder; those that contradict what was read are "stray", and a
resolver must not trust a dwelling read from such a text.
"""

from __future__ import annotations

import re

_NUMTOK = "[0-9A-Z]+(?:-[0-9A-Z]+)?"
_TAIL = re.compile(
    rf"(?P<triple>[0-9A-Z]+-[0-9A-Z]+-[0-9A-Z]+(?:-[0-9A-Z]+)?)室?"
    rf"|(?P<bld>{_NUMTOK})幢"
    rf"|(?P<unit>[0-9A-Z]+)单元"
    rf"|(?P<floor>[0-9]+)层"
    rf"|(?P<lou>[0-9A-Z]+)楼"
    rf"|(?P<room>{_NUMTOK})室"
    rf"|(?P<yuan>[0-9]+)号院"
    rf"|(?P<group>[0-9]+)组"
    rf"|(?P<hao>{_NUMTOK})号"
    rf"|(?P<pair>[0-9A-Z]+-[0-9A-Z]+)"
    rf"|(?P<num>[0-9A-Z]+)"
    rf"|(?P<other>[^0-9A-Z]+)"
)


def read_tail(s: str, pos: int, f: dict[str, str | None], rest: list[str], stray: list[str]) -> None:
    """Read building, unit, floor and room from the number tail; numbers it cannot place go to
    `rest`, and to `stray` when they contradict what was read."""
    toks = [(m.lastgroup or "other", m.group(m.lastgroup or 0)) for m in _TAIL.finditer(s, pos)]
    for i, (kind, val) in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        has_b = "building" in f
        if kind == "triple":
            _triple(val, f, rest)
        elif kind == "yuan" and "door" not in f and not has_b:  # 北京 "花家地北里2号院3号楼"
            f["door"] = val
        elif kind == "group" and "group" not in f and not has_b and "door" not in f:
            f["group"] = bare_number(val)
        elif kind == "bld" and not has_b:
            f["building"] = bare_number(val)
        elif kind == "unit" and "unit" not in f:
            f["unit"] = bare_number(val)
        elif kind == "floor" and "floor" not in f:
            f["floor"] = bare_number(val)
        elif kind == "lou":
            _lou(val, nxt, f, rest)
        elif kind in ("room", "num") and "room" not in f and (kind == "room" or _room_position(val, f)):
            f["room"] = bare_number(val)
        elif kind == "num" and not has_b:
            f["building"] = bare_number(val)
        elif kind == "hao" and not has_b:
            if "group" in f:
                f["door"] = val  # 翠桐社14组116号: a village house number
            elif "compound" in f and "door" not in f and len(val) >= 3 and val.isdigit():
                f["room"] = bare_number(val)  # 银泰大厦1501号: a room, buildings are not numbered in hundreds
            elif "compound" in f or "door" in f:
                f["building"] = bare_number(val)
            else:
                f["door"] = val
        elif kind == "hao" and "room" not in f:
            f["room"] = bare_number(val)
        elif kind == "pair" and "room" not in f:
            a, b = val.split("-", 1)
            if has_b and len(b) <= 2:  # 重庆/四川 "1栋3-1": floor 3, room 1, written as room "3-1"
                f["room"] = val
            elif not has_b:
                f["building"], f["room"] = bare_number(a), bare_number(b)
            elif "unit" not in f:
                f["unit"], f["room"] = bare_number(a), bare_number(b)
            else:
                f["room"] = val
        else:
            rest.append(val)
            if _stray(kind, val, nxt, f):
                stray.append(val)


_SLOT_OF = {"bld": ("building",), "unit": ("unit",), "room": ("room",), "floor": ("floor",), "group": ("group",),
            "hao": ("room", "building", "door"), "num": ("room", "building", "unit", "floor"), "yuan": ("door",)}  # fmt: skip


def _stray(kind: str, val: str, nxt: tuple[str, str] | None, f: dict[str, str | None]) -> bool:
    """Is a dropped token a second, different building/unit/room number (so the reading is in doubt)?

    A repeat of a number already read is not ("3幢…3幢"), nor a count before a word ("2人").
    """
    if kind == "other" or (kind == "num" and (len(val) >= 7 or (nxt is not None and nxt[0] == "other"))):
        return False  # a phone or ID number, or a count ("2人")
    if kind in ("pair", "triple"):
        return not all(p in f.values() or bare_number(p) in f.values() for p in val.split("-"))
    return all(f.get(slot) not in (val, bare_number(val)) for slot in _SLOT_OF.get(kind, ()))


def _triple(val: str, f: dict[str, str | None], rest: list[str]) -> None:
    """3-2-1502 = building-unit-room; 3-2-15-1502 = building-unit-floor-room; 1-3-2-1502 = zone-…"""
    parts = val.split("-")
    if "building" in f and len(parts) == 3:
        rest.append(val)
        return
    if len(parts) == 4 and parts[3].startswith(parts[2]) and len(parts[3]) > len(parts[2]):
        f["building"], f["unit"], f["floor"], f["room"] = (
            parts[0],
            bare_number(parts[1]),
            bare_number(parts[2]),
            bare_number(parts[3]),
        )
        return
    if len(parts) > 3:
        rest.append("-".join(parts[:-3]))
    f["building"], f["unit"], f["room"] = parts[-3], bare_number(parts[-2]), bare_number(parts[-1])


def _room_position(val: str, f: dict[str, str | None]) -> bool:
    """Is a bare number at this point a room? (after a building, door, unit or floor; or 3+ digits)."""
    return any(k in f for k in ("building", "unit", "floor", "door")) or len(val) >= 3


def _lou(val: str, nxt: tuple[str, str] | None, f: dict[str, str | None], rest: list[str]) -> None:
    """'N楼' is a building before a unit, a floor before a room on that floor or at the end."""
    if "building" in f:
        if "floor" not in f:
            f["floor"] = bare_number(val)
        else:
            rest.append(val + "楼")
        return
    nk, nv = nxt if nxt else ("", "")
    if nk == "unit" or nk in ("room", "num", "hao") and not (nv.startswith(val) and len(nv) > len(val)):
        f["building"] = bare_number(val)
    elif "floor" not in f:
        f["floor"] = bare_number(val)
    else:
        rest.append(val + "楼")


def bare_number(v: str) -> str:
    """'0502' → '502', '03' → '3'; letters and dashes kept ('A', '3-1')."""
    if v.isdigit():
        return str(int(v))
    return v
