"""Resolving one parsed address to a dwelling of the library.

Order of work, narrowest evidence first:

1. exact: the canonical component key equals a library dwelling's (the batch resolver has
   already joined texts equal to a standard text);
2. names: street, then community inside that street, then road and compound inside those
   (falling back to the whole district); a name the parser filed under one kind is also tried
   as the others (a "XX新村" may be a compound or a village);
3. places: the most specific name found (compound > road > community) gives the candidate
   places; the other names narrow them where the library records that name;
4. numbers: group, door number, building (a door number written as a building and the
   reverse are tried when the first reading finds nothing), then unit and room.

It never guesses: when two dwellings remain equally plausible the answer is `partial` with
both as candidates; when the text stops at a building or door of a multi-dwelling place it is
`partial` (缺少户室); when no place is found it is `unmatched`.
"""

from __future__ import annotations

import re
from dataclasses import replace

from recon.matching.address_anchors import KIND_CN, find_anchors, foreign_district
from recon.matching.address_index import AddressIndex, Place
from recon.matching.address_names import NameHit
from recon.matching.address_outcome import MAX_CANDIDATES, Resolution, Work
from recon.matching.address_parse import AddressParts

SPECIFICITY = ("compound", "road", "community", "street")
_SUB_ROOM = re.compile(r"^([0-9]{3,4})(?:-[0-9A-Z]+|[A-Z])$")  # 1502-1, 1502A: a partitioned room


def locate(parts: AddressParts, ix: AddressIndex) -> Resolution:
    """Resolve one parsed address against the index."""
    if not parts.norm:
        return Resolution(None, "unmatched", 0.0, "地址为空")
    code = None if parts.stray else ix.exact_key.get(parts.key)
    if code:
        return Resolution(code, "exact", 1.0, "与标准地址一致")
    w = Work(parts, ix)
    p = parts
    anchors, unknown = _anchors(w)
    foreign = foreign_district(p, ix)
    if foreign and not any(a.kind == "street" for a in anchors):
        return w.done(None, "unmatched", f"区县“{foreign}”不在本辖区")
    if foreign:
        w.note(f"区县“{foreign}”与标准地址不一致", 0.9)
    primary = next((a for k in SPECIFICITY[:3] for a in anchors if a.kind == k), None)
    if primary is None:
        return _street_only(w, anchors, unknown)
    if primary.kind == "compound" and primary.score < 0.95 and p.door:
        # A compound name found only loosely yields to a road and door number found exactly.
        road = next((a for a in anchors if a.kind == "road" and a.score >= 0.95), None)
        if road and ix.places_of("road", road.names) & ix.with_number("door", p.door):
            primary = road
    places: frozenset[int] | set[int] = ix.places_of(primary.kind, primary.names)
    w.trace.append(f"{KIND_CN[primary.kind]} {'/'.join(primary.names)} → {len(places)} 处楼栋门牌")
    for a in anchors:
        if a is primary:
            continue
        # Intersections first: `places` is small, the sets of a name (or of no name) may be large.
        narrowed = (places & ix.places_of(a.kind, a.names)) | (places & ix.places_of(a.kind, ("",)))
        if narrowed:
            places = narrowed
        else:
            w.note(f"{KIND_CN[a.kind]}与{KIND_CN[primary.kind]}不一致", 0.85)
    if unknown:
        return w.done(None, "unmatched", f"{unknown[0]}不在标准地址库，无法确定房屋")
    notes = list(w.notes)
    found = _numbers(w, places, primary)
    if found is None and p.building and not p.room:  # "银泰大厦1501": the lone number is the room
        retry = Work(replace(p, building=None, room=p.building), ix, w.score, notes, w.trace)
        found = _numbers(retry, places, primary)
        if found is not None:
            w, p = retry, retry.parts
            w.note("按户室号匹配", 0.97)
    if found is None:  # the named compound or road exists, the building or door does not
        return w.done(None, "unmatched", w.notes.pop(0) if w.notes else "门牌楼栋不存在")
    places = found
    if len(places) > 1 and not (p.group or p.door or p.building or p.unit or p.room):
        return w.done(None, "unmatched", f"仅到{KIND_CN[primary.kind]}，缺少门牌楼栋")
    return _dwelling(w, [ix.places[i] for i in sorted(places)])


ANCHOR_MEMO_MAX = 200_000  # distinct name-token combinations remembered per index


def _anchors(w: Work) -> tuple[list[NameHit], list[str]]:
    """`find_anchors` on a fresh Work, remembered per combination of the four name tokens.

    A district's texts repeat a few thousand such combinations millions of times (every room of
    a compound, every spelling of its rooms), and finding the names is a fifth of the work of a
    text. What find_anchors leaves on the Work (score, notes, trace) depends on the tokens only,
    so a remembered answer replays it and the resolution is the same as computed afresh."""
    p = w.parts
    key = (p.street, p.community, p.road, p.compound)
    memo: dict = w.ix.cache.setdefault("anchors", {})
    hit = memo.get(key)
    if hit is None:
        anchors, unknown = find_anchors(w)
        if len(memo) < ANCHOR_MEMO_MAX:
            memo[key] = (tuple(anchors), tuple(unknown), w.score, tuple(w.notes), tuple(w.trace))
        return anchors, unknown
    anchors, unknown, w.score, notes, trace = hit
    w.notes, w.trace = list(notes), list(trace)
    return list(anchors), list(unknown)


def _street_only(w: Work, anchors: list[NameHit], unknown: list[str]) -> Resolution:
    """No community, road or compound found. When the street is, the numbers may still point at a
    few dwellings in it (a community written with a name the library does not know): those are
    offered as candidates, never as the answer."""
    p = w.parts
    what = "仅识别到街道" if anchors else "未找到对应的小区、街路巷或社区"
    what += f"（{unknown[0]}不在标准地址库）" if unknown else ""
    street = next((a for a in anchors if a.kind == "street"), None)
    if street is None or not (p.group or p.door or p.building):
        return w.done(None, "unmatched", what)
    probe = Work(p, w.ix, w.score, [], w.trace)
    found = _numbers(probe, w.ix.places_of("street", street.names), street)
    cands = _codes([w.ix.places[i] for i in sorted(found)], p, probe) if found else []
    if not cands or len(cands) > MAX_CANDIDATES:
        return w.done(None, "unmatched", what)
    return w.done(None, "partial", what + "；街道内按门牌楼栋找到候选", cands)


def _numbers(w: Work, places: set[int], primary: NameHit) -> set[int] | None:
    """Narrow by group, door and building; None (with the reason noted first) when nothing fits."""
    p, ix = w.parts, w.ix
    if p.group:
        narrowed = (places & ix.with_number("group", p.group)) | (places & ix.with_number("group", ""))
        if not narrowed:
            w.notes.insert(0, "村民小组不存在")
            return None
        places = narrowed
    if p.door:
        places = _door(w, places, primary)
        if places is None:
            return None
    if p.building:
        narrowed = places & ix.with_number("building", p.building)
        if not narrowed:  # the library names the building with its zone: 东区3幢, the text 幸福家园东区3幢
            narrowed = {
                i for i in places
                if (b := ix.places[i].building).endswith(p.building) and len(b) > len(p.building)
                and not b[-len(p.building) - 1].isdigit() and b[: -len(p.building)] in p.norm
            }  # fmt: skip
        if not narrowed and not p.door:
            narrowed = places & ix.with_number("door", p.building)  # "12栋" where the library has 12号
            if narrowed:
                w.note("楼栋按门牌号匹配", 0.97)
        if not narrowed:
            w.notes.insert(0, "楼栋不存在")
            return None
        places = narrowed
    return places


def _door(w: Work, places: set[int], primary: NameHit) -> set[int] | None:
    p, ix = w.parts, w.ix
    assert p.door is not None
    narrowed = places & ix.with_number("door", p.door)
    if narrowed:
        return narrowed
    if not p.building:
        narrowed = places & ix.with_number("building", p.door)  # "3号" meaning building 3
        if narrowed:
            w.note("门牌号按楼栋匹配", 0.97)
            return narrowed
    narrowed = places & ix.with_number("door", "")
    if narrowed:
        return narrowed  # the library does not record door numbers there
    if primary.kind == "compound" and p.building:
        w.note("门牌号与标准地址不一致", 0.9)  # a compound has several gates; the building decides
        return places
    w.notes.insert(0, "门牌号不存在")
    return None


def _dwelling(w: Work, places: list[Place]) -> Resolution:
    p = w.parts
    if len(places) > 1:
        buildings = {pl.building for pl in places}
        doors = {pl.door for pl in places}
        names = {(pl.street, pl.community, pl.road, pl.compound) for pl in places}
        if len(names) == 1 and not p.building and len(buildings) > 1:
            return w.done(None, "partial", "缺少楼栋", _codes(places, p, w))
        if len(names) == 1 and not p.group and len({pl.group for pl in places}) > 1:
            return w.done(None, "partial", "缺少村民小组", _codes(places, p, w))
        if len(names) == 1 and not p.door and len(doors) > 1 and len(buildings) <= 1:
            return w.done(None, "partial", "缺少门牌号", _codes(places, p, w))
        fits = [_room_codes(pl, p, w) for pl in places]
        cands = [c for codes, ok in fits if ok for c in codes]
        if len(cands) == 1:
            w.note("多个近似名称中仅此一处有该房屋", 0.85)
            return w.done(cands[0], "matched", "")
        return w.done(None, "partial", "多个标准地址同样可能", cands or _codes(places, p, w))
    pl = places[0]
    w.trace.append(f"楼栋门牌：{pl.label()}")
    if not pl.rooms:
        if p.room or p.unit:
            w.note("标准地址未细分户室，按门牌楼栋匹配", 0.97)
        return w.done(pl.door_code, "matched", "")
    if not p.room:
        return w.done(None, "partial", "缺少户室", [c for lst in pl.rooms.values() for _, c in lst])
    cands, ok = _room_codes(pl, p, w)
    if ok and len(cands) == 1:
        return w.done(cands[0], "matched", "")
    if not cands:
        return w.done(None, "partial", "户室不存在")
    return w.done(None, "partial", "单元不符" if p.unit and not ok else "缺少单元", cands)


def _room_codes(pl: Place, p: AddressParts, w: Work) -> tuple[list[str], bool]:
    """Codes of the place's dwellings the text's unit and room fit, and whether they fit fully.

    A place without rooms answers with its door-level code. A unit the text gets wrong gives
    the room's codes in the other units, not fitting fully.
    """
    if not pl.rooms:
        return ([pl.door_code], True) if pl.door_code else ([], False)
    if not p.room:
        return [], False
    units = pl.rooms.get(p.room)
    if units is None and p.floor and len(p.room) <= 2:  # "5楼02" / "5层2室" = 502
        units = pl.rooms.get(p.floor + p.room.zfill(2))
    if units is None and (m := _SUB_ROOM.match(p.room)):
        units = pl.rooms.get(m.group(1))
        if units:
            w.note("户室含分间号，按主户室匹配", 0.95)
    if not units:
        return [], False
    if p.unit:
        same = [c for u, c in units if u == p.unit]
        if same:
            return same, True
        if all(u == "" for u, _ in units):
            w.note("标准地址无单元，按户室匹配", 0.97)
            return [c for _, c in units], True
        return [c for _, c in units], False
    if len(units) == 1 and units[0][0]:
        w.note("缺少单元，户室唯一", 0.95)
    return [c for _, c in units], True


def _codes(places: list[Place], p: AddressParts, w: Work) -> list[str]:
    """Candidate codes for a partial answer: the fitting rooms, else the places' door codes."""
    cands = [c for pl in places for c in _room_codes(pl, p, w)[0]]
    return cands or [pl.door_code for pl in places if pl.door_code]
