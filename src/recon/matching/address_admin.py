"""Administrative division names (province, prefecture, county) for stripping address prefixes.

The names come from python-stdnum's resident-ID area table (ARCHITECTURE.md: reference data
from packages), current and historical, in full form (浙江省, 杭州市, 宝安区) and short form
(浙江, 杭州, 宝安). Districts created after that table (e.g. 钱塘区, 2021) are still caught by
the parser's generic "XX区 after a city" rule and by the resolver, which knows the library's
own county names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_BRACKET = re.compile(r"\[[^\]]*\]")
# Suffixes whose removal leaves a short form people write (浙江省 → 浙江).
_PROVINCE_SUFFIX = re.compile(r"(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
_CITY_SUFFIX = re.compile(r"(?:市|地区|盟)$")
_COUNTY_SUFFIX = re.compile(r"(?:新区|区|县|市|旗)$")
_SKIP = {"市辖区", "县", "市区", "郊区", "矿区"}


@dataclass(frozen=True)
class AdminLexicon:
    """Full and short names per level; `full` are safe to strip anywhere in the prefix."""

    provinces: frozenset[str]
    cities: frozenset[str]
    counties: frozenset[str]
    short: frozenset[str]  # short forms of all three levels (stripped only when followed by admin text)
    by_start: dict[
        str, tuple[tuple[str, str], ...]
    ]  # first two characters → ((name, level), …), longest first

    def full_at(self, s: str, pos: int) -> tuple[str, str] | None:
        """(level, name) of the longest full name starting at pos that leaves some text after it."""
        for name, level in self.by_start.get(s[pos : pos + 2], ()):
            if level != "short" and s.startswith(name, pos) and pos + len(name) < len(s):
                return level, name
        return None

    def shorts_at(self, s: str, pos: int) -> list[str]:
        """Short forms starting at pos, longest first."""
        return [
            n
            for n, level in self.by_start.get(s[pos : pos + 2], ())
            if level == "short" and s.startswith(n, pos)
        ]

    def any_at(self, s: str, pos: int) -> bool:
        """Does any full or short name start at pos?"""
        return any(s.startswith(n, pos) for n, _ in self.by_start.get(s[pos : pos + 2], ()))


def _names(raw: str) -> list[str]:
    """'[1983-1989]罗湖区办事处,[1990-]罗湖区' → ['罗湖区办事处', '罗湖区']."""
    return [n for n in (_BRACKET.sub("", part).strip() for part in raw.split(",")) if n]


@lru_cache(maxsize=1)
def admin_lexicon() -> AdminLexicon:
    """Build the lexicon once per process (about 7,000 names)."""
    from stdnum import numdb

    provinces: set[str] = set()
    cities: set[str] = set()
    counties: set[str] = set()
    short: set[str] = set()
    for _, _, _, pinfo, children in numdb.get("cn/loc").prefixes:
        for name in _names(pinfo.get("province", "")):
            provinces.add(name)
            core = _PROVINCE_SUFFIX.sub("", name)
            if len(core) >= 2:
                short.add(core)
        for _, code, _, cinfo, _ in children:
            for name in _names(cinfo.get("county", "")):
                if name in _SKIP:
                    continue
                if len(name) < 3:  # 东区, 西区: too ambiguous to strip as a prefix
                    continue
                if code.endswith("00"):
                    cities.add(name)
                    core = _CITY_SUFFIX.sub("", name)
                else:
                    counties.add(name)
                    core = _COUNTY_SUFFIX.sub("", name)
                if len(core) >= 2 and core != name:
                    short.add(core)
    full = provinces | cities | counties
    short -= full
    levels = [(n, "province") for n in provinces] + [(n, "city") for n in cities - provinces]
    levels += [(n, "district") for n in counties - provinces - cities] + [(n, "short") for n in short]
    by_start: dict[str, list[tuple[str, str]]] = {}
    for name, level in sorted(levels, key=lambda x: -len(x[0])):
        by_start.setdefault(name[:2], []).append((name, level))
    return AdminLexicon(
        provinces=frozenset(provinces),
        cities=frozenset(cities),
        counties=frozenset(counties),
        short=frozenset(short),
        by_start={k: tuple(v) for k, v in by_start.items()},
    )
