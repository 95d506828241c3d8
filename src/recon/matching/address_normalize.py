"""The normal form of an address text: one spelling for what people write many ways.

`normalize_address` is idempotent and is applied alike to feed texts and to every column
of the standard address library, so that both meet in one vocabulary:

- full-width → half-width (NFKC), traditional → simplified (OpenCC), letters upper-cased;
- Chinese numerals in number positions → Arabic (三栋 → 3幢, 一五零二室 → 1502室,
  十二号 → 12号), but not inside names (三墩镇, 九堡街道 stay);
- dashes of every kind → "-", "3 2 1502" → "3-2-1502", spaces and punctuation dropped;
- building words 栋/幢/号楼/座/# → 幢, room words 室/户/房/号房 → 室, floor 层/F/楼层 → 层,
  第 before a number dropped, 居委会 → 社区, 村委会 → 村, 村民小组/小组/队 → 组,
  街道办事处 → 街道, "88号之1" → "88-1号".

"楼" alone is left as written: "3楼" is a floor as often as a building, the parser decides.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from recon.matching.numerals import RUN_CHARS, chinese_to_digits

_DASH_CHARS = "‐‑‒–—―−─━~～〜_"
_DASHES = re.compile(f"[{_DASH_CHARS}]+")
# Characters dropped from the normal form (whitespace and punctuation, ASCII and CJK).
_DROP_CHARS = r"\s,，。．.、;；:：'\"“”‘’`´()（）\[\]【】{}<>《》〈〉「」『』|/\\!！?？*+=&@%^$·…"
_DROP = re.compile(f"[{_DROP_CHARS}]+")
# A space or dot between two numbers separates them: "3 2 1502", "3.2.1502".
_SEP_BETWEEN_NUMS = re.compile(r"(?<=[0-9A-Z])[\s.．·]+(?=[0-9A-Z])")
_ONE_AS_DASH = re.compile(r"(?<=[0-9])[一](?=[0-9])")  # "3一2一1502" typed with 一 as a dash

# Words that may follow a number (the numeral run is converted only before one of these, before
# a dash, digit, droppable character or the end of the text).
_NUM_CONTEXT = (
    "号|幢|栋|楼|单元|室|层|组|村民小组|小组|生产队|户|座|期|区|弄|巷|路|街|排|队|房|F|#|-|[0-9A-Z]|$|"
    f"[{_DROP_CHARS}]"
)
_NUMERAL_RUN = re.compile(f"[{RUN_CHARS}]+(?=(?:{_NUM_CONTEXT}))")
_NOT_FOR_LIANG = set("路街巷区弄期")  # 两路口, 两江: 两 is a numeral only before a dwelling word

# (pattern, replacement, characters one of which must occur for the pattern to apply)
_REWRITES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(p), r, t)
    for p, r, t in (
        (r"^(?:中华人民共和国|中国)", "", "中"),
        (r"街道办事处|街道办|街办", "街道", "办"),
        (r"社区?(?:居民委员会|居委会)|社区居委|社居委", "社区", "委"),
        (r"村?(?:村民委员会|村委会)", "村", "委"),
        (r"第(?=[0-9A-Z])", "", "第"),
        (r"(?<=[0-9])号?之([0-9]+)号?", r"-\1号", "之"),
    )
)
# Words after a number, one spelling each: building 幢, room 室, floor 层, group 组. Matched
# literal-first (fast scanning) and kept only after a digit (or a letter, for 幢 and 室).
_AFTER_NUMBER = {
    **dict.fromkeys(("号楼", "#楼", "栋", "幢", "座", "#"), ("幢", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
    **dict.fromkeys(("号房", "房间", "室", "户", "房"), ("室", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
    **dict.fromkeys(("F", "楼层", "层"), ("层", "0123456789")),
    **dict.fromkeys(("村民小组", "小组", "生产队", "队"), ("组", "0123456789")),
}
_AFTER_NUMBER_RE = re.compile("|".join(sorted(map(re.escape, _AFTER_NUMBER), key=len, reverse=True)))
_DASH_RUNS = re.compile(r"-{2,}")
_LONE_DASH = re.compile(r"(?<![0-9A-Z])-|-(?![0-9A-Z])")  # a dash survives only between numbers


def _after_number(m: re.Match[str]) -> str:
    word = m.group(0)
    repl, before = _AFTER_NUMBER[word]
    start = m.start()
    return repl if start and m.string[start - 1] in before else word


def _numeral(m: re.Match[str]) -> str:
    run = m.group(0)
    end = m.end()
    nxt = m.string[end] if end < len(m.string) else ""
    if run == "两" and nxt in _NOT_FOR_LIANG:
        return run
    digits = chinese_to_digits(run)
    return run if digits is None else digits


@lru_cache(maxsize=1)
def _t2s() -> tuple[object, frozenset[str]]:
    """The OpenCC converter and the characters that are certainly traditional.

    A character the converter's phrase table keeps as it is somewhere (乾 in 乾隆, 著 in 著名) is
    also good simplified text and does not by itself call for conversion.
    """
    from opencc_purepy import OpenCC

    cc = OpenCC("t2s")
    chars: dict[str, str] = cc.dictionary.ts_characters[0]
    phrases: dict[str, str] = cc.dictionary.ts_phrases[0]
    kept = {a for k, v in phrases.items() for a, b in zip(k, v, strict=False) if a == b}
    return cc, frozenset(k for k, v in chars.items() if v != k and k not in kept)


def to_simplified(text: str) -> str:
    """Traditional → simplified, skipping the converter for text with no traditional character."""
    cc, traditional = _t2s()
    if traditional.isdisjoint(text):
        return text
    return cc.convert(text)  # type: ignore[attr-defined]


def normalize_address(text: str | None) -> str:
    """The idempotent normal form of an address text ('' for None or blank)."""
    if not text:
        return ""
    s = text
    for _ in range(4):  # a rewrite can expose another (〇第0 → 〇0 → 00): repeat until stable
        out = _pass(s)
        if out == s:
            break
        s = out
    return s


def _pass(s: str) -> str:
    s = to_simplified(unicodedata.normalize("NFKC", s)).upper()
    s = _DASHES.sub("-", s)
    s = _ONE_AS_DASH.sub("-", s)
    s = _NUMERAL_RUN.sub(_numeral, s)
    s = _SEP_BETWEEN_NUMS.sub("-", s)
    s = _DROP.sub("", s)
    for pattern, repl, triggers in _REWRITES:
        for c in triggers:
            if c in s:
                s = pattern.sub(repl, s)
                break
    s = _AFTER_NUMBER_RE.sub(_after_number, s)
    if "-" in s:
        s = _LONE_DASH.sub("", _DASH_RUNS.sub("-", s))
    return s
