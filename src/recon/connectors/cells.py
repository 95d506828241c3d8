"""Cell and header cleaning: surrounding blanks, full-width ASCII, invisible characters, null markers.

Cells are cleaned column-wise with polars expressions (no Python loop over rows); headers are a
handful of strings and are cleaned with the scalar twin of the same rules.
"""

from __future__ import annotations

import polars as pl

from recon.connectors.contract import NULL_MARKERS

# U+FF01..U+FF5E are the full-width forms of ASCII U+0021..U+007E (３３０１ → 3301, Ｘ → X).
_FULLWIDTH = [chr(c) for c in range(0xFF01, 0xFF5F)]
_HALFWIDTH = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)]
# Ideographic space and no-break space become an ordinary space (what NFKC does too).
_SPACES = ["\u3000", "\u00a0"]
# Invisible characters that exports leave in cells and headers: zero-width space/joiners,
# word joiner, and the byte order mark (a BOM in the middle of a file, or a stray one).
_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]

_FROM = _FULLWIDTH + _SPACES + _INVISIBLE
_TO = _HALFWIDTH + [" "] * len(_SPACES) + [""] * len(_INVISIBLE)
_FOLDABLE = "[" + "".join(f"\\u{ord(c):04x}" for c in _SPACES + _INVISIBLE) + "\\uff01-\\uff5e]"
_NEEDS_WORK = rf"^\s|\s$|{_FOLDABLE}"  # Rust regex: \s is Unicode white space, as strip_chars() trims
_TRANSLATE = str.maketrans({f: t for f, t in zip(_FROM, _TO, strict=True)})

# Both ends are trimmed of Unicode White_Space (spaces, tabs, line breaks, U+3000, NBSP...):
# what polars' `strip_chars()` trims, its fastest trim. Python's `str.strip()` also trims
# U+001C..U+001F, so the scalar forms name the set explicitly.
WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)

_NULLS = frozenset(NULL_MARKERS)


def fold_text(text: str) -> str:
    """Full-width ASCII → ASCII, U+3000/NBSP → space, invisible characters removed (no trimming)."""
    return text.translate(_TRANSLATE)


def clean_value(value: str | None) -> str | None:
    """The scalar form of `clean_expr`: fold, trim, and null markers → None."""
    if value is None:
        return None
    text = fold_text(value).strip(WHITE_SPACE)
    return None if text in _NULLS else text


def clean_expr(expr: pl.Expr) -> pl.Expr:
    """Clean a string column: fold full-width and invisible characters, trim, null markers → null."""
    text = expr.str.replace_many(_FROM, _TO).str.strip_chars()
    return pl.when(~text.is_in(list(_NULLS))).then(text)


def clean_series(values: pl.Series) -> pl.Series:
    """`clean_expr` on a Series, rewriting only the rows that need it (usually few).

    One regex pass per column finds cells with blanks at an end or a character to fold; the
    rest are left as they are, which is what makes cleaning a million-row file cheap.
    """
    needs_work = values.str.contains(_NEEDS_WORK).fill_null(False)
    if needs_work.any():
        rows = needs_work.arg_true()
        values = values.scatter(rows, values.gather(rows).str.replace_many(_FROM, _TO).str.strip_chars())
    return values.set(values.is_in(list(_NULLS)).fill_null(False), None)


def clean_frame(frame: pl.DataFrame, columns: list[str] | None = None) -> pl.DataFrame:
    """Clean every string column (or the given ones) of a frame."""
    names = columns if columns is not None else [n for n, t in frame.schema.items() if t == pl.Utf8]
    return frame.with_columns(clean_series(frame[n]) for n in names)


def clean_header(header: object) -> str:
    """A header as written, made comparable: folded, trimmed, invisible characters dropped.

    A trailing `*` (the required-column mark of many templates) is dropped too. An empty or
    missing header becomes "".
    """
    if header is None:
        return ""
    return fold_text(str(header)).strip(WHITE_SPACE).rstrip("*").strip(WHITE_SPACE)


def header_key(header: object) -> str:
    """The form headers are compared in: cleaned, with no blanks inside (证件 号码 == 证件号码)."""
    return "".join(clean_header(header).split())
