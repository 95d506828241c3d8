"""Free-text address → components (province … room), without any library.

Chinese addresses are written large to small: [省][市][区/县][街道/镇/乡][社区/村][组]
[街路巷 + 门牌号][小区][楼栋][单元][楼层][户室]. Any prefix may be left out, the compound name
may stand instead of the road and door number or beside them, and the number tail comes in
many shapes (3幢2单元1502室, 3-2-1502, 2-1502, 12号301, 5楼502, A座1502). The parser walks the
normal form (see `address_normalize`) left to right, one level at a time, and reads the tail
as a sequence of number tokens. It labels what it can; the resolver decides what a name
really is by looking it up (a "XX新村" may be a compound or a village, "XX天街" a compound
or a road).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache

from recon.matching.address_admin import admin_lexicon
from recon.matching.address_normalize import normalize_address
from recon.matching.address_tail import read_tail

__all__ = ["AddressParts", "normalize_address", "parse_address", "parse_normalized"]

CJK = "\u4e00-\u9fff"
# A compound word that, right after a road, village or town name, makes the whole a compound
# name ("金街花园", "王家村小区", "水乡花园"), not a road, village or town followed by a compound.
_COMPOUND_TAIL = re.compile(
    r"(?:小区|花园|家园|公寓|新村|大厦|广场|公馆|山庄|苑|府|庭|城|园|宿舍|大院|院)(?=[0-9A-Z-]|$)"
)
_ROAD_TAIL = re.compile(r"(?:大道|大街|路|街(?!道)|巷|弄)")

_GENERIC_DISTRICT = re.compile(f"((?:(?!街道|社区|村|路|街|镇|乡)[{CJK}]){{2,10}}?(?:新区|区|县))")
# A name never starts with these: "湖南路街道" is not 湖南 + 路街道.
_NAME_CANNOT_START = set("路街巷弄道村区镇乡组号")
_GENERIC_CITY = re.compile(f"([{CJK}]{{2,4}}?市)(?!场)")
_NOT_DISTRICT_END = set("小社园校厂景片营街库矿港东西南北中期苑城庭府院楼座")
_STREET_JD = re.compile(f"((?:(?!社区|小区|街道)[{CJK}]){{1,8}}?街道)")
# "下沙街晨湾社区…": a 街 with no door number but more names after it is a 街道 written short.
_STREET_JIE = re.compile(f"([{CJK}]{{2,4}}?街)(?!道|社区|村|[0-9]|号)(?=[{CJK}]{{2}})")
_STREET_ZX = re.compile(f"((?:(?!社区|小区|街道)[{CJK}]){{1,8}}?(?:镇|乡))(?!街道)")
_COMMUNITY = re.compile(f"((?:(?!街道|小区)[{CJK}]){{1,10}}?(?:社区|村))(?!路|街|巷|大道|弄)")
_GROUP = re.compile(r"([0-9]+)组")
_ROAD = re.compile(
    f"((?:(?!社区|街道|小区)[{CJK}]){{0,10}}?[0-9]{{0,3}}号?(?:大道|大街|胡同|路|街(?!道)|巷|弄))"
)
_LANE = re.compile(r"([0-9]+)弄")
_DOOR = re.compile(r"([0-9]+(?:-[0-9]+)?[A-Z]?)号(?:院)?")
_BARE_DOOR = re.compile(f"([0-9]+(?:-[0-9]+)?)(?=[{CJK}])(?!幢|单元|室|层|楼|组|号)")
_COMPOUND = re.compile(f"([A-Z]{{0,6}}[{CJK}]{{2,}}(?:[0-9A-Z]{{1,3}}[期区](?:[{CJK}]{{2,}})?)?)")
# A compound name swallowed by a lazy road match: "万科城学林街" = 万科城 + 学林街.
_COMPOUND_IN_ROAD = re.compile(
    f"([{CJK}]{{2,}}(?:小区|花园|家园|公寓|新村|大厦|广场|山庄|公馆)|[{CJK}]{{2,}}[苑城府庭园])(?=[{CJK}]{{2,}})"
)
_NOISE = re.compile(r"^(?:附近|旁边|对面|一带|周边|隔壁|旁|门口|楼下|后面|里面)$")


@dataclass(frozen=True, slots=True)
class AddressParts:
    """Components of one address text (None = not written); numbers are bare ("3", "1502")."""

    norm: str
    province: str | None = None
    city: str | None = None
    district: str | None = None
    street: str | None = None
    community: str | None = None
    group: str | None = None
    road: str | None = None
    door: str | None = None
    compound: str | None = None
    building: str | None = None
    unit: str | None = None
    floor: str | None = None
    room: str | None = None
    rest: str | None = None  # text the parser could not place
    stray: str | None = None  # numbers it could not place that contradict the ones it read

    @property
    def key(self) -> str:
        """Canonical text below the district: the same for every way of writing one address."""
        parts = [
            self.street or "",
            self.community or "",
            f"{self.group}组" if self.group else "",
            self.road or "",
            f"{self.door}号" if self.door else "",
            self.compound or "",
            f"{self.building}幢" if self.building else "",
            f"{self.unit}单元" if self.unit else "",
            f"{self.room}室" if self.room else "",
        ]
        return "".join(parts)

    def components(self) -> dict[str, str | None]:
        """Fields as a dict (without `norm`)."""
        d = asdict(self)
        d.pop("norm")
        return d


def parse_address(text: str | None) -> AddressParts:
    """Parse one free-text address into components."""
    return parse_normalized(normalize_address(text))


@lru_cache(maxsize=1 << 18)
def parse_normalized(s: str) -> AddressParts:
    """Parse an already normalized text (cached: addresses repeat heavily)."""
    f: dict[str, str | None] = {}
    rest: list[str] = []
    pos = _admin_prefix(s, f)
    pos = _street(s, pos, f)
    pos = _community(s, pos, f)
    pos = _road_and_door(s, pos, f)
    if "road" not in f and "door" not in f and ("community" in f or "group" in f):
        m = _DOOR.match(s, pos)
        if m:
            f["door"], pos = m.group(1), m.end()
    m = _COMPOUND.match(s, pos)
    if m and _NOISE.match(m.group(1)):
        rest.append(m.group(1))
        pos = m.end()
    elif m:
        f["compound"], pos = m.group(1), m.end()
        if "road" not in f:  # "幸福家园学林街88号3幢…": the road written after the compound
            pos = _road_and_door(s, pos, f)
    stray: list[str] = []
    read_tail(s, pos, f, rest, stray)
    if rest:
        f["rest"] = "".join(rest)
    if stray:
        f["stray"] = " ".join(stray)
    return AddressParts(norm=s, **f)


def _admin_prefix(s: str, f: dict[str, str | None]) -> int:
    """Strip province, city and district names at the start; return the new position."""
    lex = admin_lexicon()
    pos = 0
    for _ in range(4):
        hit = _admin_at(s, pos, lex)
        if hit is None:
            break
        level, name = hit
        f.setdefault(level, name)
        pos += len(name)
    return pos


def _admin_at(s: str, pos: int, lex) -> tuple[str, str] | None:  # noqa: ANN001
    hit = lex.full_at(s, pos)
    if hit:
        return hit
    for cand in lex.shorts_at(s, pos):
        if _admin_follows(s, pos + len(cand), lex):
            level = (
                "province"
                if cand + "省" in lex.provinces
                else "city"
                if cand + "市" in lex.cities
                else "district"
            )
            return level, cand
    m = _GENERIC_CITY.match(s, pos)
    if m and pos > 0 and _admin_follows(s, m.end(), lex):
        return "city", m.group(1)
    name = _generic_district(s, pos)
    if name and (pos > 0 or _street_match(s, pos + len(name), short=True)):
        return "district", name
    return None


def _generic_district(s: str, pos: int) -> str | None:
    """'钱塘区', '钱塘新区', '经济技术开发区', '苏州工业园区' at pos, but not '幸福小区' or '东区'."""
    m = _GENERIC_DISTRICT.match(s, pos)
    if not m:
        return None
    name = m.group(1)
    if (
        name.endswith("区")
        and not name.endswith(("新区", "园区", "开发区"))
        and name[-2] in _NOT_DISTRICT_END
    ):
        return None
    if _ROAD_TAIL.match(s, m.end()):
        return None  # 科技园区路
    return name


def _admin_follows(s: str, pos: int, lex) -> bool:  # noqa: ANN001
    """Does an administrative name, or a street (街道/镇/乡) with a real name, start at pos?"""
    if pos >= len(s) or s[pos] in _NAME_CANNOT_START:
        return False
    if lex.any_at(s, pos):
        return True
    if _generic_district(s, pos):
        return True
    m = _street_match(s, pos)
    if m is None:
        return False
    name = m.group(1)
    return len(name) - (2 if name.endswith("街道") else 1) >= 2


def _street_match(s: str, pos: int, short: bool = False) -> re.Match[str] | None:
    m = _STREET_JD.match(s, pos)
    if m:
        return m
    if short and (m := _STREET_JIE.match(s, pos)) and not _COMPOUND_TAIL.match(s, m.end()):
        return m
    m = _STREET_ZX.match(s, pos)
    if m and not (_COMPOUND_TAIL.match(s, m.end()) or _ROAD_TAIL.match(s, m.end())):
        return m  # not 水乡花园 or 新镇路: a name, not a town
    return None


def _street(s: str, pos: int, f: dict[str, str | None]) -> int:
    m = _street_match(s, pos, short=True)
    if not m:
        return pos
    f["street"] = m.group(1)
    return m.end()


def _community(s: str, pos: int, f: dict[str, str | None]) -> int:
    m = _COMMUNITY.match(s, pos)
    if m:
        name = m.group(1)
        g = _GROUP.match(s, m.end())
        compoundish = name.endswith("新村") and not g  # 朝晖新村3幢: a compound
        if not compoundish and not _COMPOUND_TAIL.match(s, m.end()):
            f["community"] = name
            pos = m.end()
    g = _GROUP.match(s, pos)
    if g:
        f["group"], pos = str(int(g.group(1))), g.end()
    return pos


def _road_and_door(s: str, pos: int, f: dict[str, str | None]) -> int:
    m = _ROAD.match(s, pos)
    if not m or _COMPOUND_TAIL.match(s, m.end()):
        return pos
    road, pos = m.group(1), m.end()
    c = _COMPOUND_IN_ROAD.match(road) if "compound" not in f else None
    if c and len(road) - c.end() >= 3 and _ROAD.fullmatch(road, c.end()):
        f["compound"], road = c.group(1), road[c.end() :]
    lane = _LANE.match(s, pos)
    if lane:  # 上海 style "XX路88弄3号": the lane belongs to the road name
        road, pos = road + lane.group(0), lane.end()
    d = _DOOR.match(s, pos) or _BARE_DOOR.match(s, pos)
    if d:
        f["road"] = road
        f["door"], pos = d.group(1), d.end()
        return pos
    nxt = _ROAD.match(s, pos)
    if nxt and (_DOOR.match(s, nxt.end()) or _BARE_DOOR.match(s, nxt.end())) and "street" not in f:
        f["street"] = road  # "下沙街梅隆社区西塘街57号": a road without a number before another is an area
        return _road_and_door(s, pos, f)
    f["road"] = road
    return pos
