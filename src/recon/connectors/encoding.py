"""Text encoding detection for CSV drops: UTF-8, UTF-8 with BOM, GB18030/GBK, UTF-16 with BOM.

Detected, never assumed. The whole file is decoded in one `bytes.decode` call; only when it
holds undecodable bytes does an error handler leave a marker in the text at each bad spot, so
the reader can quarantine exactly the rows that carry one and read the rest.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

# A bad byte sequence in the decoded text: U+FFFE <file byte offset> ":" <hex bytes> U+FFFF.
# U+FFFE/U+FFFF are Unicode noncharacters, so no real export contains this shape (GBK's
# user-defined characters, used for rare name characters, decode to U+E000.., not here).
MARK_OPEN, MARK_CLOSE = "\ufffe", "\uffff"
BROKEN_MARK = re.compile(r"\ufffe(\d+):([0-9a-f]+)\uffff")
BROKEN_MARK_PATTERN = BROKEN_MARK.pattern
_HANDLER = "recon_mark_broken"


def _mark_broken(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeDecodeError):
        raise err
    bad = err.object[err.start : err.end]
    return f"{MARK_OPEN}{err.start}:{bytes(bad).hex()}{MARK_CLOSE}", err.end


codecs.register_error(_HANDLER, _mark_broken)

_SNIFF = 65536
_NOT_BLANK = re.compile(rb"[^ \t\r\n\xef\xbb\xbf]")
# File signatures of things that are not text tables.
_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an .xlsx or .docx saved as .csv?)"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.xls/.doc); save it as .xlsx or .csv"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"


class NotATable(ValueError):
    """The file is not a text table at all (binary, empty, or undecodable); rejected whole."""


@dataclass(frozen=True)
class Decoded:
    """A decoded file: its text (BOM removed), the encoding found, and how much was broken."""

    text: str
    encoding: str  # "utf-8", "utf-8-sig", "gb18030" or "utf-16"
    broken: int = 0  # bad byte sequences, each marked in `text` (see BROKEN_MARK)


def broken_reason(offset: int, hex_bytes: str) -> str:
    """The quarantine reason for one bad byte sequence."""
    return f"broken encoding at byte {offset}: {bytes.fromhex(hex_bytes)!r}; re-export the file as UTF-8"


def _reject_binary(data: bytes) -> None:
    head = data[:_SNIFF]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise NotATable(f"not a table: the file is {what}")
    if any(head.startswith(bom) for bom, enc in _BOMS if enc == "utf-16"):
        return
    controls = sum(head.count(bytes([b])) for b in _CONTROL)
    if b"\x00" in head or controls > max(4, len(head) // 100):
        raise NotATable("not a table: the file holds binary data, not text")


def _decode_marked(data: bytes, encoding: str) -> tuple[str, int]:
    text = data.decode(encoding, errors=_HANDLER)
    return text, len(BROKEN_MARK.findall(text))


def _mostly_utf8(data: bytes) -> bool:
    """True when most multi-byte sequences are valid UTF-8 (a UTF-8 file with a few damaged spots).

    GBK text read as UTF-8 yields an error for nearly every character and only a few valid
    sequences by chance; UTF-8 text with a damaged line yields many valid sequences and a few
    errors. Four valid non-ASCII characters per error is the line between them. (The built-in
    "replace" handler keeps this at C speed; the marking handler runs only once UTF-8 is chosen.)
    """
    for chunk in (data[: 1 << 20], data):  # a clear verdict on the first MiB spares the full pass
        text = chunk.decode("utf-8", errors="replace")
        errors = text.count("\ufffd")
        non_ascii = len(text) - len(text.encode("ascii", "ignore")) - errors
        if chunk is data or errors >= 50:
            return non_ascii >= 4 * errors
    return False


def decode_table_bytes(data: bytes) -> Decoded:
    """Detect the encoding of a CSV file's bytes and decode them (BOM stripped).

    Raises NotATable for an empty or binary file, or one that mostly fails to decode.
    """
    if _NOT_BLANK.search(data) is None:
        raise NotATable("not a table: the file is empty")
    _reject_binary(data)
    for bom, enc in _BOMS:
        if data.startswith(bom):
            if enc == "utf-16":
                text, broken = _decode_marked(data, "utf-16")
                return _checked(Decoded(text.lstrip("\ufeff"), "utf-16", broken))
            text, broken = _decode_marked(data, "utf-8")  # offsets stay file offsets
            return _checked(Decoded(text[1:], "utf-8-sig", broken))
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        text, broken = _decode_marked(data, "utf-8")
        return _checked(Decoded(text, "utf-8", broken))
    try:
        return Decoded(data.decode("gb18030"), "gb18030")
    except UnicodeDecodeError:
        pass
    text, broken = _decode_marked(data, "gb18030")
    return _checked(Decoded(text, "gb18030", broken))


def _checked(decoded: Decoded) -> Decoded:
    """Refuse a file where more than half of the lines hold undecodable bytes."""
    if decoded.broken == 0:
        return decoded
    text = decoded.text
    bad_lines, line, last = set(), 0, 0
    for mark in BROKEN_MARK.finditer(text):
        line += text.count("\n", last, mark.start())
        last = mark.start()
        bad_lines.add(line)
    lines = text.count("\n") + (not text.endswith("\n"))
    if len(bad_lines) * 2 > lines:
        raise NotATable(
            f"not a table: {len(bad_lines)} of {lines} lines are neither UTF-8 nor GB18030 text;"
            " re-export the file as UTF-8 CSV"
        )
    return decoded
