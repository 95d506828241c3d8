"""Person names: cleaning, surname split, toneless pinyin.

``normalize_name`` does, until the result no longer changes (so it is idempotent):

1. NFKC (full-width letters, digits, brackets and U+3000 fold to ASCII); zero-width characters go.
2. Drops remarks: every bracketed group (``（临时）``, ``(已故)``, ``【外省】``, ``《…》``,
   ``[…]``, ``〔…〕``), an unclosed bracket with everything after it, and digits that trail a
   Chinese name (roster de-duplication suffixes like ``张伟2``). A cell that is nothing but one
   bracketed text keeps that text.
3. Unifies the minority-name separators ``· • . ． ・ ‧ ∙ ⋅`` (and ``-``/``_`` between Chinese
   characters) to ``·``, collapsing repeats and dropping them at either end.
4. Removes all whitespace, except one space between two Latin words (``JOHN SMITH``).
5. Converts traditional to simplified characters with OpenCC ``t2s``, character by character (a
   name is not a phrase; per-character results are consistent and cached), except the few
   standard simplified characters OpenCC would change (``_KEEP_IN_NAMES``: 乾 著 昇); upper-cases
   Latin letters.

Null markers (``NULL``, ``无``, ``-``, ``不详`` …) and empty results give None. A masking ``*``
(``张*``) is kept as it is.

``pinyin_toneless`` reads the surname from ``SURNAME_READINGS`` (pypinyin reads 单 as dan, the
surname is shan) and every other Chinese character by its most common reading, character by
character: the same character always gets the same syllable, which is what matching needs, and
a per-character cache makes it fast. Latin words pass through lower-cased.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable
from functools import cache

import numpy as np
import polars as pl
from opencc_purepy import OpenCC
from pypinyin import lazy_pinyin

from recon.matching.surnames import COMPOUND_SURNAMES, SURNAME_READINGS

NULL_TOKENS = frozenset({"NULL", "NONE", "NAN", "N/A", "NA", "无", "-", "--", "/", "不详", "未知", "?", "？"})
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RE = re.compile(f"[{_HAN}]")
_PLAIN_HAN_RE = re.compile(r"[\u4e00-\u9fff]{1,8}")
_OPEN, _CLOSE = "([{<【《〔〈「『", ")]}>】》〕〉」』"
_GROUP_RE = re.compile(f"[{re.escape(_OPEN)}][^{re.escape(_OPEN + _CLOSE)}]*[{re.escape(_CLOSE)}]")
_UNCLOSED_RE = re.compile(f"[{re.escape(_OPEN)}][^{re.escape(_CLOSE)}]*$")
_BRACKET_RE = re.compile(f"[{re.escape(_OPEN + _CLOSE)}]")
_TRAILING_DIGITS_RE = re.compile(f"(?<=[{_HAN}])[0-9]+$")
_SEPARATORS = str.maketrans(
    dict.fromkeys("•.・‧･∙⋅･﹒", "·") | dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff")
)
_HAN_HYPHEN_RE = re.compile(f"(?<=[{_HAN}])\\s*[-_]\\s*(?=[{_HAN}])")
_DOTS_RE = re.compile(r"\s*·[\s·]*")
_LATIN_RE = re.compile(r"[A-Za-z0-9]")
_TOKEN_RE = re.compile(f"[{_HAN}]|[A-Za-z0-9']+|[^\\s·]")
_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
_MAX_SURNAME = max(len(s) for s in COMPOUND_SURNAMES)
# Standard simplified characters (kept for names by the 2013 通用规范汉字表) that OpenCC's
# character table would turn into another character: 乾 → 干, 著 → 着, 昇 → 升.
_KEEP_IN_NAMES = frozenset("乾著昇")


@cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


@cache
def _simplified_char(char: str) -> str:
    return char if char in _KEEP_IN_NAMES else _t2s().convert(char)


def _to_simplified(text: str) -> str:
    """Character by character: names are not phrases, and a per-character cache is fast."""
    return "".join(map(_simplified_char, text))


def _drop_remarks(text: str) -> str:
    original = text
    while (stripped := _GROUP_RE.sub(" ", text)) != text:
        text = stripped
    text = _UNCLOSED_RE.sub("", text)
    if not text.strip():  # nothing but bracketed text: keep what it says
        text = original
    return _BRACKET_RE.sub(" ", text)


def _join_words(text: str) -> str:
    words = text.split()
    out = words[0] if words else ""
    for word in words[1:]:
        latin_gap = _LATIN_RE.match(out[-1]) and _LATIN_RE.match(word[0])
        out += (" " if latin_gap else "") + word
    return out


def _normalize_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_SEPARATORS)
    text = _drop_remarks(text)
    text = _HAN_HYPHEN_RE.sub("·", text)
    text = _DOTS_RE.sub("·", text).strip().strip("·")
    text = _TRAILING_DIGITS_RE.sub("", _join_words(text))
    if not text.isascii():
        text = _to_simplified(text)
    return text.translate(_ASCII_UPPER)


def normalize_name(raw: str | None) -> str | None:
    """Clean one name cell (see the module docstring); None when nothing name-like is left."""
    if raw is None:
        return None
    text = str(raw)
    if _PLAIN_HAN_RE.fullmatch(text) and _to_simplified(text) == text:
        return None if text in NULL_TOKENS else text  # the common case: nothing to clean
    for _ in range(5):
        cleaned = _normalize_once(text)
        if cleaned == text:
            break
        text = cleaned
    return None if not text or text in NULL_TOKENS else text


def split_surname(name: str | None) -> tuple[str | None, str | None]:
    """(surname, given name) of a normalized Chinese name; surname None for Latin or ·-joined names.

    Compound surnames (欧阳, 司马 …) are recognised when the name is longer than the surname.
    """
    if not name:
        return None, None
    if "·" in name or not _HAN_RE.match(name):
        return None, name
    for size in range(_MAX_SURNAME, 1, -1):
        if len(name) > size and name[:size] in COMPOUND_SURNAMES:
            return name[:size], name[size:]
    return name[0], name[1:]


@cache
def _char_reading(char: str) -> str:
    return lazy_pinyin(char)[0].lower()


def _syllables(text: str) -> list[str]:
    if _PLAIN_HAN_RE.fullmatch(text):
        return [_char_reading(c) for c in text]
    return [_char_reading(t) if _HAN_RE.match(t) else t.lower() for t in _TOKEN_RE.findall(text)]


def _pinyin(surname: str | None, given: str | None) -> str | None:
    syllables = list(SURNAME_READINGS.get(surname) or _syllables(surname)) if surname else []
    return " ".join(syllables + _syllables(given or "")) or None


def pinyin_toneless(name: str | None) -> str | None:
    """Toneless pinyin of a normalized name, syllables space-separated: ``单伟`` → ``shan wei``."""
    return _pinyin(*split_surname(name)) if name else None


def pinyin_initials(pinyin: str | None) -> str | None:
    """First letter of each syllable: ``wang xiao ming`` → ``wxm`` (a cheap blocking key)."""
    return "".join(s[0] for s in pinyin.split()) if pinyin else None


# ----------------------------------------------------------------------------- vectorized

NAME_COLUMNS = {"name_norm": pl.String, "surname": pl.String, "given": pl.String, "name_pinyin": pl.String}


def _factorize(values: pl.Series) -> tuple[np.ndarray, pl.Series]:
    """(code per row, distinct values) using 64-bit hashes, verified; a dict pass on a collision."""
    hashes = values.hash(seed=20_26).to_numpy()
    _, first, codes = np.unique(hashes, return_index=True, return_inverse=True)
    uniques = values.gather(first)
    same = values.eq_missing(uniques.gather(codes))
    if same.all():
        return codes, uniques
    position: dict[str | None, int] = {}
    codes = np.array([position.setdefault(v, len(position)) for v in values.to_list()], dtype=np.int64)
    return codes, pl.Series(list(position), dtype=pl.String)


def normalize_names(names: pl.Series | Iterable[str | None]) -> pl.DataFrame:
    """Vectorized names: columns ``NAME_COLUMNS``, computed once per distinct raw value."""
    raw = names.cast(pl.String) if isinstance(names, pl.Series) else pl.Series(list(names), dtype=pl.String)
    if len(raw) == 0:
        return pl.DataFrame(schema=NAME_COLUMNS)
    codes, uniques = _factorize(raw)
    by_norm: dict[str | None, tuple[str | None, str | None, str | None]] = {}
    rows = []
    for value in uniques.to_list():
        norm = normalize_name(value)
        if norm not in by_norm:
            surname, given = split_surname(norm)
            by_norm[norm] = (surname, given, _pinyin(surname, given))
        rows.append((norm, *by_norm[norm]))
    table = pl.DataFrame(rows, schema=NAME_COLUMNS, orient="row")
    return table[pl.Series(codes, dtype=pl.UInt32)]
