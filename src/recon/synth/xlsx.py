"""A minimal, deterministic .xlsx writer for agency files: one sheet, text and number cells.

Cells are rendered column by column with polars (inline strings, numbers for Excel date
serials, optionally with a yyyy-mm-dd format), which is two orders of magnitude faster than a
per-cell writer; zip entries carry a fixed timestamp so the same rows give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import polars as pl

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)

_CONTENT_TYPES = (
    _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_PKG}/metadata/core-properties" Target="docProps/core.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    _HEAD
    + f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_STYLES = (
    _HEAD
    + f'<styleSheet xmlns="{_NS}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def column_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _escape(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )


def _core(created: dt.datetime) -> str:
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        _HEAD
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<dc:creator>recon synth</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
    )


def write_xlsx(
    path: Path,
    headers: tuple[str, ...],
    rows: pl.DataFrame,
    number_columns: set[int],
    date_format: bool,
    created: dt.datetime,
) -> None:
    """Write `rows` (all Utf8, in header order) under `headers`. In `number_columns`, five-digit
    texts are written as numbers (Excel date serials), with a date format when `date_format`."""
    n = rows.height
    frame = rows.with_columns(_r=pl.int_range(2, n + 2, dtype=pl.Int64).cast(pl.Utf8))
    cells = []
    for i, name in enumerate(rows.columns):
        col = pl.col(name)
        ref = pl.concat_str(pl.lit(column_letter(i)), pl.col("_r"))
        text = pl.concat_str(
            pl.lit('<c r="'),
            ref,
            pl.lit('" t="inlineStr"><is><t xml:space="preserve">'),
            _escape(col),
            pl.lit("</t></is></c>"),
        )
        cell = pl.when(col.is_null() | (col == "")).then(pl.lit(""))
        if i in number_columns:
            style = ' s="1"' if date_format else ""
            number = pl.concat_str(pl.lit('<c r="'), ref, pl.lit(f'"{style}><v>'), col, pl.lit("</v></c>"))
            cell = cell.when(col.str.contains(r"^\d{5}$")).then(number)
        cells.append(cell.otherwise(text))
    body = frame.select(
        pl.concat_str(pl.lit('<row r="'), pl.col("_r"), pl.lit('">'), *cells, pl.lit("</row>")).alias("x")
    )["x"]
    header = (
        '<row r="1">'
        + "".join(
            f'<c r="{column_letter(i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(headers)
        )
        + "</row>"
    )
    last = f"{column_letter(len(headers) - 1)}{n + 1}"
    sheet = (
        _HEAD
        + f'<worksheet xmlns="{_NS}"><dimension ref="A1:{last}"/><sheetData>'
        + header
        + "".join(body.to_list())
        + "</sheetData></worksheet>"
    )
    parts = [
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _ROOT_RELS),
        ("docProps/core.xml", _core(created)),
        ("xl/workbook.xml", _WORKBOOK),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        ("xl/styles.xml", _STYLES),
        ("xl/worksheets/sheet1.xml", sheet),
    ]
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, text.encode("utf-8"))
