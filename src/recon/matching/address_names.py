"""Finding a written place name (street, community, road, compound) in the library's vocabulary.

Levels, best first (the score is the confidence the level lends a resolution):

    exact     1.00  the normal forms are equal
    alias     0.98  a former or other name listed in the alias table (社区曾用名)
    core      0.96  equal once the generic suffix is dropped: 江东村 = 江东社区 (撤村建居),
                    幸福家园小区 = 幸福家园
    contains  0.95  the text ends with the name, the rest being an unrecognised prefix
                    (钱塘白杨街道 → 白杨街道, 原江东村金沙湖花园 → 金沙湖花园)
    prefix    0.90  one is the other plus a short tail (金沙湖花园 / 金沙湖花园2期)
    fuzzy     ≤0.9  characters or pinyin close (typos, homophones 金沙湖 / 金沙糊), by rapidfuzz

Every comparison is on characters (rapidfuzz), never on UTF-8 bytes. Only names of the given
scope (e.g. the communities of the street the text names) are candidates when a scope is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

_SUFFIX = {
    "street": re.compile(r"(?:街道|街|镇|乡)$"),  # 下沙街 is 下沙街道 written short
    "community": re.compile(r"(?:社区|村|社)$"),  # 晨湾社 is 晨湾社区 written short
    "road": re.compile(r"$^"),  # 东1巷 and 东1路 are different roads: no core for roads
    "compound": re.compile(r"小区$"),
}
FUZZY_MIN = 0.72
TIE = 0.03
CHAR_TIE = 0.1


@dataclass(frozen=True, slots=True)
class NameHit:
    """Names of one kind that a written token matches equally well."""

    kind: str
    names: tuple[str, ...]
    score: float
    how: str  # exact / alias / core / contains / prefix / fuzzy


_SYLLABLE_CODES: dict[str, str] = {}


@lru_cache(maxsize=1 << 16)
def _syllables(name: str) -> str:
    """The name as one code point per syllable, so rapidfuzz compares pronunciations."""
    from pypinyin import lazy_pinyin

    out = []
    for syl in lazy_pinyin(name, errors=lambda chunk: list(chunk)):
        code = _SYLLABLE_CODES.get(syl)
        if code is None:
            code = _SYLLABLE_CODES[syl] = chr(0xF0000 + len(_SYLLABLE_CODES))
        out.append(code)
    return "".join(out)


class NameMatcher:
    """Vocabulary of one kind of name, with aliases, cores and fuzzy search."""

    def __init__(self, kind: str, names: Iterable[str], aliases: dict[str, str] | None = None) -> None:
        self.kind = kind
        self.names = frozenset(n for n in names if n)
        self._suffix = _SUFFIX[kind]
        self.aliases = {a: n for a, n in (aliases or {}).items() if n in self.names and a not in self.names}
        self._core: dict[str, set[str]] = {}
        for n in self.names:
            self._core.setdefault(self.core(n), set()).add(n)
        for a, n in self.aliases.items():
            self._core.setdefault(self.core(a), set()).add(n)
        self._pools: dict[frozenset[str] | None, tuple[list[str], list[str], list[str]]] = {}
        self._cache: dict[tuple[str, frozenset[str] | None, bool], NameHit | None] = {}

    def core(self, name: str) -> str:
        c = self._suffix.sub("", name)
        return c if len(c) >= 2 else name

    def match(self, token: str, scope: frozenset[str] | None = None, strict: bool = False) -> NameHit | None:
        """Best names for `token` among `scope` (all names when None); None if nothing is close.

        `strict` stops after the exact, alias and core levels.
        """
        key = (token, scope, strict)
        if key not in self._cache:
            self._cache[key] = self._match(token, scope, strict)
        return self._cache[key]

    def _allowed(self, names: Iterable[str], scope: frozenset[str] | None) -> tuple[str, ...]:
        return tuple(sorted(n for n in names if scope is None or n in scope))

    def _match(self, token: str, scope: frozenset[str] | None, strict: bool) -> NameHit | None:
        if not token:
            return None
        if token in self.names and (scope is None or token in scope):
            return NameHit(self.kind, (token,), 1.0, "exact")
        alias = self.aliases.get(token)
        if alias and (scope is None or alias in scope):
            return NameHit(self.kind, (alias,), 0.98, "alias")
        core = self.core(token)
        hits = self._allowed(self._core.get(core, ()), scope)
        if hits and len(core) >= 2:
            return NameHit(self.kind, hits, 0.96, "core")
        if strict:
            return None
        for start in range(1, len(token) - 2):  # a suffix of at least 3 characters
            tail = token[start:]
            hits = self._allowed(self._core.get(self.core(tail), ()), scope)
            if tail in self.names or tail in self.aliases or hits:
                names = hits or self._allowed([self.aliases.get(tail, tail)], scope)
                if names:
                    return NameHit(self.kind, names, 0.95, "contains")
        hit = self._prefix(token, scope)
        return hit or self._fuzzy(token, scope)

    def _pool(self, scope: frozenset[str] | None) -> tuple[list[str], list[str], list[str]]:
        """(keys, their syllables, their names): every name under its core and its full form."""
        pool = self._pools.get(scope)
        if pool is None:
            pairs = [(n, n) for n in self.names] + list(self.aliases.items())
            entries = sorted(
                {(k, n) for a, n in pairs if scope is None or n in scope for k in (self.core(a), a)}
            )
            keys = [k for k, _ in entries]
            pool = (keys, [_syllables(k) for k in keys], [n for _, n in entries])
            self._pools[scope] = pool
        return pool

    def _prefix(self, token: str, scope: frozenset[str] | None) -> NameHit | None:
        core = self.core(token)
        if len(core) < 3:
            return None
        keys, _, names = self._pool(scope)
        found = {
            n
            for c, n in zip(keys, names, strict=True)
            if len(c) >= 3 and (c.startswith(core) or core.startswith(c)) and abs(len(c) - len(core)) <= 4
        }
        if not found:
            return None
        return NameHit(self.kind, tuple(sorted(found)), 0.9, "prefix")

    def _fuzzy(self, token: str, scope: frozenset[str] | None) -> NameHit | None:
        """Close in characters or in sound; also the token's tail (a prefix it should not have)."""
        keys, sylls, names = self._pool(scope)
        core = self.core(token)
        if not keys or len(core) < 2:
            return None
        queries = [(token, 1.0), (core, 1.0)]
        queries += [(token[-k:], 0.97) for k in range(3, min(len(token) - 1, 9))]
        best: dict[str, float] = {}
        chars: dict[str, float] = {}  # character similarity alone, to break ties of sound
        scorer = Levenshtein.normalized_similarity
        for q, factor in queries:
            by_char = process.extract(q, keys, scorer=scorer, limit=6, score_cutoff=0.5)
            by_sound = process.extract(_syllables(q), sylls, scorer=scorer, limit=6, score_cutoff=0.5)
            # A homophone typo is a cheap one: 金沙糊 for 金沙湖, 小曲 for 小区.
            for s, i, w in [(s, i, 1.0) for _, s, i in by_char] + [(s, i, 0.95) for _, s, i in by_sound]:
                score = min(0.9, s * w) * factor
                name = names[i]
                best[name] = max(best.get(name, 0.0), score)
                if w == 1.0:
                    chars[name] = max(chars.get(name, 0.0), s * factor)
        if not best:
            return None
        top = max(best.values())
        if top < FUZZY_MIN:
            return None
        tied = [n for n, s in best.items() if s >= top - TIE]
        if len(tied) > 1:  # same sound: the one fewer characters away (紫家花苑 → 紫家花园, not 紫嘉花园)
            closest = max(chars.get(n, 0.0) for n in tied)
            tied = [n for n in tied if chars.get(n, 0.0) >= closest - CHAR_TIE]
        tied = tuple(sorted(tied))
        return NameHit(self.kind, tied, round(top, 3), "fuzzy")
