"""The standard address library as a lookup structure for the resolver.

A *place* is what a text names before its room: one building of a compound, one door of a
road or village (street, community, group, road, door, compound, building). A place holds
either one door-level dwelling (a single house, or a building the library keeps without
rooms) or room-level dwellings keyed by (unit, room). Every library column is normalized by
the same functions as feed texts, so both meet in one vocabulary.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from recon.matching.address_library import PLACE_FIELDS, dwelling_suffix, place_key, prepare
from recon.matching.address_names import NameMatcher
from recon.matching.address_normalize import normalize_address

NAME_KINDS = ("street", "community", "road", "compound")
NUMBER_KINDS = ("group", "door", "building")


@dataclass(slots=True)
class Place:
    """One building or door; `rooms` maps room → [(unit, code)], `door_code` a door-level dwelling."""

    pid: int
    street: str
    community: str
    group: str
    road: str
    door: str
    compound: str
    building: str
    door_code: str | None = None
    rooms: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def label(self) -> str:
        """Readable name of the place for explanations."""
        g = f"{self.group}组" if self.group else ""
        d = f"{self.door}号" if self.door else ""
        b = f"{self.building}幢" if self.building else ""
        return f"{self.street}{self.community}{g}{self.road}{d}{self.compound}{b}"


@dataclass
class AddressIndex:
    """Places, dwellings, name vocabularies and exact keys of one standard address library."""

    places: list[Place]
    by_name: dict[str, dict[str, frozenset[int]]]  # kind → name → place ids
    by_number: dict[str, dict[str, frozenset[int]]]  # group / door / building → value ("" too) → ids
    matchers: dict[str, NameMatcher]
    scopes: dict[tuple[str, str, str], frozenset[str]]  # (scope kind, scope name, kind) → names
    exact_text: pl.DataFrame  # text (standard text as the library writes it), code; unique texts only
    exact_key: dict[str, str]  # canonical component key → code (keys two dwellings share left out)
    dwellings: pl.DataFrame  # code, pid, unit, room, text (the library's standard text)
    counties: frozenset[str]
    county_aliases: frozenset[str] = frozenset()  # former district names (alias kind "county")
    cache: dict = field(default_factory=dict, repr=False)  # the resolver's memo of token lookups

    @classmethod
    def build(cls, library: pl.DataFrame, aliases: pl.DataFrame | None = None) -> AddressIndex:
        """Index a standard_address frame (English column names; missing optional columns allowed).

        `aliases` has columns `alias`, `name` and optionally `kind` (street / community / road /
        compound / county; community when absent): former or other names of the library's places
        (a county alias such as 江干区 for 钱塘区 lets texts written with the old district resolve).
        """
        missing = [
            c for c in ("address_code", "street", "community", "standard_address") if c not in library.columns
        ]
        if missing:
            raise ValueError(
                f"standard address library lacks columns {missing}; it has {library.columns}. "
                "Pass the frame with the contract's English column names."
            )
        dwellings, raw_places = prepare(library)
        places = [Place(i, *(p[k] for k in PLACE_FIELDS)) for i, p in enumerate(raw_places)]
        grouped = dwellings.group_by("pid").agg("unit", "room", "code")
        for pid, units, rooms, codes in grouped.iter_rows():
            place = places[pid]
            for unit, room, code in zip(units, rooms, codes, strict=True):
                if room or unit:
                    place.rooms.setdefault(room, []).append((unit, code))
                else:
                    place.door_code = code
        prefix = pl.DataFrame({"pid": range(len(places)), "prefix": [place_key(p) for p in raw_places]},
                              schema={"pid": pl.UInt32, "prefix": pl.Utf8})  # fmt: skip
        keys = (
            dwellings.join(prefix, on="pid", how="left")
            .select(key=pl.col("prefix") + dwelling_suffix(pl.col("unit"), pl.col("room")), code="code")
            .filter(pl.col("key").is_unique())
        )
        exact_text = dwellings.select("text", "code").filter(pl.col("text").is_unique())
        counties = (
            frozenset(normalize_address(c) for c in library.get_column("county").unique().to_list() if c)
            if "county" in library.columns
            else frozenset()
        )
        return cls._assemble(
            places,
            exact_text=exact_text,
            exact_key=dict(
                zip(keys.get_column("key").to_list(), keys.get_column("code").to_list(), strict=True)
            ),
            dwellings=dwellings.select("code", "pid", "unit", "room", "text"),
            counties=counties,
            aliases=aliases,
        )

    @classmethod
    def _assemble(cls, places: list[Place], aliases: pl.DataFrame | None, **tables) -> AddressIndex:  # noqa: ANN003
        by_name: dict[str, dict[str, set[int]]] = {k: defaultdict(set) for k in NAME_KINDS}
        by_number: dict[str, dict[str, set[int]]] = {k: defaultdict(set) for k in NUMBER_KINDS}
        scopes: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for p in places:
            for kind in NAME_KINDS:
                name = getattr(p, kind)
                by_name[kind][name].add(p.pid)  # "" too: places the library leaves without that name
                if name:
                    scopes[("street", p.street, kind)].add(name)
                    scopes[("community", p.community, kind)].add(name)
            for kind in NUMBER_KINDS:
                by_number[kind][getattr(p, kind)].add(p.pid)
        alias_map: dict[str, dict[str, str]] = {k: {} for k in (*NAME_KINDS, "county")}
        if aliases is not None and aliases.height:
            has_kind = "kind" in aliases.columns
            for r in aliases.iter_rows(named=True):
                kind = (r.get("kind") or "community") if has_kind else "community"
                if kind in alias_map and r.get("alias") and r.get("name"):
                    alias_map[kind][normalize_address(r["alias"])] = normalize_address(r["name"])
        return cls(
            places=places,
            by_name={k: {n: frozenset(s) for n, s in v.items()} for k, v in by_name.items()},
            by_number={k: {n: frozenset(s) for n, s in v.items()} for k, v in by_number.items()},
            matchers={k: NameMatcher(k, [n for n in by_name[k] if n], alias_map[k]) for k in NAME_KINDS},
            county_aliases=frozenset(alias_map["county"]),
            scopes={k: frozenset(v) for k, v in scopes.items()},
            **tables,
        )

    @cached_property
    def code_place(self) -> dict[str, tuple[int, str, str]]:
        """code → (place id, unit, room); built on first use (explanations, tests)."""
        return {
            c: (p, u, r) for c, p, u, r in self.dwellings.select("code", "pid", "unit", "room").iter_rows()
        }

    @cached_property
    def code_text(self) -> dict[str, str]:
        """code → the library's standard text; built on first use."""
        return dict(self.dwellings.select("code", "text").iter_rows())

    @cached_property
    def exact_text_map(self) -> dict[str, str]:
        """Standard text (stripped) → code, for one-text lookups."""
        return dict(self.exact_text.iter_rows())

    def places_of(self, kind: str, names: tuple[str, ...]) -> frozenset[int]:
        """Place ids carrying any of `names` as their `kind` name."""
        table = self.by_name[kind]
        if len(names) == 1:
            return table.get(names[0], frozenset())
        return frozenset().union(*(table.get(n, frozenset()) for n in names))

    def with_number(self, kind: str, value: str) -> frozenset[int]:
        """Place ids whose group / door / building is `value` ("" = the library leaves it empty)."""
        return self.by_number[kind].get(value, frozenset())

    def scope(self, scope_kind: str, scope_names: tuple[str, ...], kind: str) -> frozenset[str] | None:
        """Names of `kind` inside the given streets or communities (None when no scope)."""
        if not scope_names:
            return None
        if len(scope_names) == 1:
            return self.scopes.get((scope_kind, scope_names[0], kind), frozenset())
        key = ("scope", scope_kind, scope_names, kind)
        found = self.cache.get(key)
        if found is None:
            parts = (self.scopes.get((scope_kind, s, kind), frozenset()) for s in scope_names)
            found = self.cache[key] = frozenset().union(*parts)
        return found
