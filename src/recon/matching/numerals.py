"""Chinese numerals in addresses: 三栋, 十二号, 一五零二, 幺零一, 一千五百零二, 壹拾贰.

Addresses write numbers two ways: digit by digit (一五零二 = 1502, 幺零一 = 101, the way a
room number is read aloud) and positionally (十二 = 12, 一百零一 = 101). A run that holds a
multiplier (十百千) is read positionally, otherwise digit by digit.
"""

from __future__ import annotations

DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0,
    "一": 1, "幺": 1, "壹": 1,
    "二": 2, "两": 2, "贰": 2,
    "三": 3, "叁": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
MULTIPLIERS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}

RUN_CHARS = "".join(DIGITS) + "".join(MULTIPLIERS)


def _positional(run: str) -> int | None:
    """十二 → 12, 二十 → 20, 一百零五 → 105, 三百五 → 350 (colloquial), 一千五百零二 → 1502."""
    total = 0
    digit: int | None = None
    last_mult = 0
    zero_seen = False
    for ch in run:
        if ch in DIGITS:
            d = DIGITS[ch]
            if d == 0:
                zero_seen = True
                continue
            if digit is not None:  # two digits in a row inside a positional run: not a number
                return None
            digit = d
        else:
            m = MULTIPLIERS[ch]
            if last_mult and m >= last_mult:
                return None
            total += (digit if digit is not None else 1) * m
            digit = None
            last_mult = m
            zero_seen = False
    if digit is not None:
        # 三百五 means 350, 一百零五 means 105.
        total += digit * (last_mult // 10) if last_mult >= 100 and not zero_seen else digit
    return total


def chinese_to_digits(run: str) -> str | None:
    """The Arabic digits for a run of Chinese numerals, or None if the run is not a number."""
    if not run:
        return None
    if any(ch in MULTIPLIERS for ch in run):
        value = _positional(run)
        return None if value is None else str(value)
    if all(ch in DIGITS for ch in run):
        return "".join(str(DIGITS[ch]) for ch in run)
    return None
