"""Encoding detection: UTF-8, UTF-8 BOM, GB18030/GBK, damaged lines, and files that are not tables."""

from __future__ import annotations

import codecs
import re

import pytest

from recon.connectors.encoding import BROKEN_MARK, NotATable, decode_table_bytes

TEXT = "走访编号,姓名,走访地址\nV1,张三,三墩镇振华路1号\nV2,李四,三墩镇振华路2号\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("gbk"), "gb18030"),
        ("V1,𠀀𪚥,x\n".encode("gb18030"), "gb18030"),  # 4-byte GB18030 characters (rare name characters)
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (b"a,b\n1,2\n", "utf-8"),
    ],
)
def test_detects_encoding(data: bytes, encoding: str) -> None:
    decoded = decode_table_bytes(data)
    assert decoded.encoding == encoding
    assert decoded.broken == 0
    assert not decoded.text.startswith("\ufeff")
    assert "走访编号" in decoded.text or decoded.text.startswith("a,b") or "𪚥" in decoded.text


def test_damaged_line_in_utf8_file_is_marked_with_its_byte_offset() -> None:
    good = TEXT.encode("utf-8")
    bad_line = b"V3,\xff\xfe\xe5,x\n"
    data = good + bad_line + "V4,王五,三墩镇\n".encode()
    decoded = decode_table_bytes(data)
    assert decoded.encoding == "utf-8"
    marks = BROKEN_MARK.findall(decoded.text)
    assert [int(m[0]) for m in marks] == [len(good) + 3, len(good) + 4, len(good) + 5]
    assert "王五" in decoded.text and "张三" in decoded.text


def test_damaged_line_in_gbk_file_keeps_gbk() -> None:
    data = TEXT.encode("gbk") + b"V3,\x80\xff,x\n" + "V4,王五,三墩镇\n".encode("gbk")
    decoded = decode_table_bytes(data)
    assert decoded.encoding == "gb18030"
    assert decoded.broken == 2
    assert "王五" in decoded.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \r\n\n", "empty"),
        (codecs.BOM_UTF8, "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "ZIP"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Office"),
        (bytes(range(256)) * 40, "binary"),
        (b"a,b\n" + b"\x01\x02\x03\x04\x05\x06\x07" * 50, "binary"),
    ],
)
def test_not_a_table(data: bytes, message: str) -> None:
    with pytest.raises(NotATable, match=re.compile(f"not a table.*{message}", re.IGNORECASE)):
        decode_table_bytes(data)


def test_mostly_undecodable_text_is_not_a_table() -> None:
    data = b"a,b\n" + b"\x80\x80,\xff\xff\n" * 20
    with pytest.raises(NotATable, match="neither UTF-8 nor GB18030"):
        decode_table_bytes(data)
