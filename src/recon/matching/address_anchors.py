"""Finding the library names an address text mentions (street, community, road, compound).

A token the parser filed under one slot may be another kind of name (a "XX新村" a compound or
a village, "下沙街" the street 下沙街道 written short, "龙湖天街" a compound); it may carry
administrative names in front (杭州钱塘白杨街道), or be two names written together
(富兴村1巷 = compound 富兴村 + lane 1巷). Each token is looked up strictly first (exact, alias,
core), then split into names, then loosely (contains, prefix, fuzzy), inside the street or
community already found before the whole district.
"""

from __future__ import annotations

import re

from recon.matching.address_admin import admin_lexicon
from recon.matching.address_index import AddressIndex
from recon.matching.address_names import NameHit
from recon.matching.address_outcome import Work
from recon.matching.address_parse import AddressParts

KIND_CN = {"street": "街道", "community": "社区", "road": "街路巷", "compound": "小区"}
HOW_CN = {"alias": "曾用名匹配", "core": "简称匹配", "prefix": "名称部分匹配", "fuzzy": "近似匹配"}
# Which kinds of library names a token the parser filed under a slot may be.
SLOT_KINDS = {
    "street": ("street", "road"),
    "community": ("community", "compound", "road"),
    "road": ("road", "compound", "street"),
    "compound": ("compound", "community", "road"),
}
_DISTRICT_SUFFIX = re.compile(r"(?:新区|区|县|市)$")


def foreign_district(p: AddressParts, ix: AddressIndex) -> str | None:
    """The text's district when it is another real county than the library's (or its former names).

    Only names of the national division table count: a development zone (经济技术开发区) or a
    district newer than the table says nothing certain about being elsewhere.
    """
    d = p.district
    if (
        not d
        or not ix.counties
        or d in ix.counties
        or d in ix.county_aliases
        or d not in admin_lexicon().counties
    ):
        return None
    core = _DISTRICT_SUFFIX.sub("", d)
    if any(_DISTRICT_SUFFIX.sub("", c) == core for c in ix.counties | ix.county_aliases):
        return None  # 钱塘 / 钱塘区 / 钱塘新区
    return d


def find_anchors(w: Work) -> tuple[list[NameHit], list[str]]:
    """Library names for the text's street, community, road and compound tokens."""
    p = w.parts
    found: list[NameHit] = []
    unknown: list[str] = []
    scope: dict[str, tuple[str, ...]] = {}
    for slot in ("street", "community", "road", "compound"):
        token = getattr(p, slot)
        if not token or token in w.ix.counties:
            continue
        hits = _lookup(w, slot, token, scope)
        if not hits:
            if slot == "compound" and len(token) > 2:
                unknown.append(f"小区“{token}”")
            elif slot != "street":
                w.note(f"{KIND_CN[slot]}“{token}”未找到", 0.95)
            continue
        for hit in hits:
            w.trace.append(
                f"{slot}“{token}” → {KIND_CN[hit.kind]} {'/'.join(hit.names)}（{hit.how} {hit.score}）"
            )
            if hit.how in HOW_CN:
                w.note(KIND_CN[hit.kind] + HOW_CN[hit.how], hit.score / 0.98)
            if hit.kind in ("street", "community"):
                scope[hit.kind] = hit.names
            found.append(hit)
    return found, unknown


def _without_admin(token: str, ix: AddressIndex) -> str:
    """The token without leading province, city or district names (杭州钱塘1巷 → 1巷)."""
    key = ("bare", token)
    if key in ix.cache:
        return ix.cache[key]
    lex = admin_lexicon()
    names = ix.cache.get("county names")
    if names is None:
        full = ix.counties | {_DISTRICT_SUFFIX.sub("", c) for c in ix.counties}
        names = ix.cache["county names"] = tuple(sorted(full, key=len, reverse=True))  # 钱塘区 before 钱塘
    bare = token
    for _ in range(3):
        hit = next((c for c in names if bare.startswith(c) and len(bare) - len(c) >= 2), None)
        if hit is None:
            full = lex.full_at(bare, 0)
            hit = full[1] if full else next(iter(lex.shorts_at(bare, 0)), None)
        if hit is None or len(bare) - len(hit) < 2:
            break
        bare = bare[len(hit) :]
    ix.cache[key] = bare
    return bare


def _lookup(w: Work, slot: str, token: str, scope: dict[str, tuple[str, ...]]) -> list[NameHit]:
    """Names for one token: a strict match of a kind the slot may be, else the token split into
    several names ("富兴村1巷" = compound 富兴村 + road 1巷), else a loose (fuzzy) match. The token
    is also tried without leading administrative names."""
    hit = _first(w, slot, token, scope, True)
    if hit is not None:
        return [hit]
    bare = _without_admin(token, w.ix)
    tokens = (token, bare) if bare != token else (token,)
    if bare != token and (hit := _first(w, slot, bare, scope, True)) is not None:
        return [hit]
    for t in tokens:
        parts = _split(w.ix, t, 3)
        if parts:
            return parts
    for t in tokens:
        parts = _split_loose(w, slot, t, scope)
        if parts:
            return parts
    for t in tokens:
        if (hit := _first(w, slot, t, scope, False)) is not None:
            return [hit]
    return []


def _split_loose(w: Work, slot: str, token: str, scope: dict[str, tuple[str, ...]]) -> list[NameHit] | None:
    """A community or street written in front of a misspelt name: "银坊社紫嘉花苑" = community
    银坊社区 + compound 紫嘉花园 (found loosely, inside that community)."""
    for i in range(len(token) - 3, 1, -1):  # the longest name in front: 银坊社, not 银坊
        left = next(
            (h for k in ("community", "street") if (h := w.ix.matchers[k].match(token[:i], None, True))), None
        )
        if left is None:
            continue
        inner = {**scope, left.kind: left.names}
        right = _first(w, slot, token[i:], inner, False)
        if right is not None and right.kind != left.kind:
            return [left, right]
    return None


def _first(w: Work, slot: str, token: str, scope: dict[str, tuple[str, ...]], strict: bool) -> NameHit | None:
    for kind in SLOT_KINDS[slot]:
        hit = _scoped(w, kind, token, scope, strict)
        if hit is not None:
            return hit
    return None


def _scoped(
    w: Work, kind: str, token: str, scope: dict[str, tuple[str, ...]], strict: bool
) -> NameHit | None:
    """Match inside the named community (or street) first, then in the whole library."""
    ix = w.ix
    names = (ix.scope("community", scope["community"], kind) if "community" in scope else None) or (
        ix.scope("street", scope["street"], kind) if "street" in scope else None
    )
    matcher = ix.matchers[kind]
    hit = matcher.match(token, names, strict) if names else None
    if hit is None:
        hit = matcher.match(token, None, strict)
        if hit is not None and names is not None:
            w.note(f"{KIND_CN[kind]}不在所写{'社区' if 'community' in scope else '街道'}内", 0.9)
    return hit


_SPLIT_KINDS = ("community", "compound", "road", "street")


def _split(ix: AddressIndex, token: str, depth: int) -> list[NameHit] | None:
    """The token as 2 or 3 library names written together, each matched strictly."""
    key = ("split", token, depth)
    if key in ix.cache:
        return ix.cache[key]
    result = None
    for i in range(2, len(token) - 1):
        left = next((h for k in _SPLIT_KINDS if (h := ix.matchers[k].match(token[:i], None, True))), None)
        if left is None:
            continue
        right_token = token[i:]
        right = next((h for k in _SPLIT_KINDS if (h := ix.matchers[k].match(right_token, None, True))), None)
        if right is not None:
            result = [left, right]
            break
        if depth > 2 and (rest := _split(ix, right_token, depth - 1)):
            result = [left, *rest]
            break
    ix.cache[key] = result
    return result
