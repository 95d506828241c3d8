"""Excel workbooks of the quarterly statements (Simplified Chinese), written with xlsxwriter.

* one per community (社区版): 汇总 sheet, one sheet per section, ID numbers and phones masked;
* one per sub-district (街道汇总): 汇总 per community, collector assessment, staffing, ranking,
  formulas; no personal data;
* one per police station (派出所版, full ID numbers): 汇总 per community and the sections that
  need action (一致 and 户籍人口 are counted, not listed: least exposure of full numbers).

Every sheet has a frozen header row and column widths fitted to the text (CJK counted double).
Workbooks are written in xlsxwriter's constant-memory mode, row by row.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from recon.reconcile.quarterly import ALL_SECTIONS, CONSISTENT, GRID, LOCAL
from recon.reconcile.quarterly_collectors import FORMULAS

SUMMARY_SHEET = "汇总"
COLLECTOR_SHEET = "专管员考核"
STAFFING_SHEET = "专管员配置"
RANKING_SHEET = "街道排名"
FORMULA_SHEET = "计算公式"

# (header, item column, masking) per sheet kind
ITEM_COLUMNS: list[tuple[str, str, str | None]] = [
    ("事项编号", "item_id", None),
    ("社区", "community", None),
    ("底册序号", "roster_seq", None),
    ("姓名(底册)", "roster_name", None),
    ("姓名(登记)", "registry_name", None),
    ("证件号码(底册)", "roster_id_number", "id"),
    ("证件号码(登记)", "registry_id_number", "id"),
    ("联系电话(底册)", "roster_phone", "phone"),
    ("联系电话(登记)", "registry_phone", "phone"),
    ("居住地址(底册)", "roster_address", None),
    ("居住地址(登记)", "registry_address", None),
    ("登记编号", "registration_id", None),
    ("登记日期", "registered_on", None),
    ("专管员", "collector", None),
    ("差异项", "differences", None),
    ("证据支持", "evidence_supports", None),
    ("证据住址编码", "evidence_dwelling", None),
    ("证据日期", "evidence_since", None),
    ("建议处理", "suggested_action", None),
    ("底册备注", "remark", None),
]
# 一致 needs no action: the identifying columns only
CONSISTENT_COLUMNS = [c for c in ITEM_COLUMNS if c[1] not in (
    "registry_name", "registry_phone", "registry_address", "differences", "evidence_supports",
    "evidence_dwelling", "evidence_since", "suggested_action",
)]  # fmt: skip
LOCAL_COLUMNS = [c for c in CONSISTENT_COLUMNS if not c[1].startswith("regist") and c[1] != "collector"]
GRID_COLUMNS: list[tuple[str, str, str | None]] = [
    ("事项编号", "item_id", None),
    ("社区", "community", None),
    ("走访编号", "visit_id", None),
    ("走访日期", "visit_date", None),
    ("走访结果", "visit_result", None),
    ("网格员", "grid_worker", None),
    ("姓名(走访)", "roster_name", None),
    ("证件号码(走访)", "roster_id_number", "id"),
    ("走访地址", "roster_address", None),
    ("登记编号", "registration_id", None),
    ("登记日期", "registered_on", None),
    ("专管员", "collector", None),
    ("差异项", "differences", None),
    ("建议处理", "suggested_action", None),
]
SUMMARY_COLUMNS = ["street", "community", "底册人数", "在册登记数", "对账项", *ALL_SECTIONS]
SUMMARY_HEADERS = {"street": "街道", "community": "社区"}


def mask_id_expr(col: str) -> pl.Expr:
    """330114199001011234 → 330114********1234 (area code and last four kept)."""
    c = pl.col(col).str.strip_chars()
    n = c.str.len_chars()
    return (
        pl.when(n > 8)
        .then(pl.concat_str(c.str.slice(0, 6), pl.lit("*").repeat_by(n - 10).list.join(""), c.str.slice(-4)))
        .when(n > 0)
        .then(pl.lit("*").repeat_by(n).list.join(""))
        .otherwise(c)
    )


def mask_phone_expr(col: str) -> pl.Expr:
    """13812345678 → 138****5678."""
    c = pl.col(col).str.strip_chars()
    n = c.str.len_chars()
    return (
        pl.when(n > 7)
        .then(pl.concat_str(c.str.slice(0, 3), pl.lit("*").repeat_by(n - 7).list.join(""), c.str.slice(-4)))
        .when(n > 0)
        .then(pl.lit("*").repeat_by(n).list.join(""))
        .otherwise(c)
    )


def sheet_frame(
    items: pl.DataFrame, columns: list[tuple[str, str, str | None]], full_ids: bool
) -> pl.DataFrame:
    """The items of one sheet as text columns under their Chinese headers (masked unless full_ids)."""
    exprs = []
    for header, col, mask in columns:
        e = pl.col(col)
        if mask == "id":
            e = pl.col(col) if full_ids else mask_id_expr(col)
        elif mask == "phone":
            e = mask_phone_expr(col)  # phones are masked in every version
        exprs.append(e.cast(pl.Utf8).fill_null("").alias(header))
    return items.select(exprs)


def safe_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text or "未知")


def _width(header: str, column: pl.Series) -> float:
    """Display width of a column: CJK characters count double ((UTF-8 bytes + chars) / 2)."""
    text = column.cast(pl.Utf8).fill_null("")
    cells = ((text.str.len_bytes() + text.str.len_chars()) // 2).max() or 0
    head = sum(2 if ord(ch) > 0x2E80 else 1 for ch in header)
    return min(max(max(cells, head) + 2, 6), 60)


class _Book:
    """A thin xlsxwriter wrapper: sheets with a bold frozen header and fitted widths."""

    def __init__(self, path: Path) -> None:
        import xlsxwriter

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
        self.head = self.wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        self.pct = self.wb.add_format({"num_format": "0.00%"})

    def table(self, name: str, frame: pl.DataFrame, percent: tuple[str, ...] = ()) -> None:
        ws = self.wb.add_worksheet(name)
        headers = frame.columns
        sample = frame.head(1000)
        for j, h in enumerate(headers):
            ws.set_column(j, j, _width(h, sample[h]), self.pct if h in percent else None)
        ws.freeze_panes(1, 0)
        ws.write_row(0, 0, headers, self.head)
        if frame.height:
            ws.autofilter(0, 0, frame.height, len(headers) - 1)
        if all(frame.schema[h] == pl.Utf8 for h in headers):
            put = ws.write_string  # text sheets: skip the type dispatch and the empty cells
            for i, row in enumerate(frame.iter_rows(), start=1):
                for j, v in enumerate(row):
                    if v:
                        put(i, j, v)
        else:
            for i, row in enumerate(frame.iter_rows(), start=1):
                ws.write_row(i, 0, row)

    def close(self) -> Path:
        self.wb.close()
        return self.path


def _summary_frame(summary: pl.DataFrame) -> pl.DataFrame:
    rate_cols = [c for c in summary.columns if c.endswith("率")]
    return summary.select(SUMMARY_COLUMNS + rate_cols).rename(SUMMARY_HEADERS)


def _community_summary(summary_row: dict, meta: dict) -> pl.DataFrame:
    """The 汇总 sheet of a community workbook: what the statement is, then counts and rates."""
    lines = [
        ("季度", meta["quarter"]),
        ("街道", summary_row.get("street") or ""),
        ("社区", summary_row["community"]),
        ("版本", f"v{meta['version']}"),
        ("数据截止(发布库)", str(meta["as_of"])),
        ("生成时间", meta["created_at"]),
        ("底册人数", summary_row["底册人数"]),
        ("季末在册登记数", summary_row["在册登记数"]),
        ("对账项", summary_row["对账项"]),
    ]
    for s in ALL_SECTIONS:
        lines.append((f"{s}(项)", summary_row[s]))
    for s in ALL_SECTIONS[:4]:
        v = summary_row.get(f"{s}率")
        lines.append((f"{s}率", "" if v is None else f"{v:.2%}"))
    lines.append(("比率口径", "各部分项数 / 对账项(一致 + 底册有、登记无 + 登记有、底册无 + 信息不一致)"))
    lines.append(("证件号码", "已脱敏(派出所版显示全号)" if not meta.get("full_ids") else "全号(仅限派出所)"))
    return pl.DataFrame({"项目": [a for a, _ in lines], "内容": [str(b) for _, b in lines]})


def community_workbook(path: Path, items: pl.DataFrame, summary_row: dict, meta: dict) -> Path:
    book = _Book(path)
    book.table(SUMMARY_SHEET, _community_summary(summary_row, meta))
    for s in ALL_SECTIONS:
        part = items.filter(pl.col("section") == s)
        book.table(s, sheet_frame(part, columns_for(s, with_community=False), full_ids=False))
    return book.close()


def columns_for(section: str, with_community: bool = True) -> list[tuple[str, str, str | None]]:
    """A section sheet's columns; a community's own workbook leaves out the 社区 column."""
    by = {GRID: GRID_COLUMNS, CONSISTENT: CONSISTENT_COLUMNS, LOCAL: LOCAL_COLUMNS}
    cols = by.get(section, ITEM_COLUMNS)
    return cols if with_community else [c for c in cols if c[1] != "community"]


def station_workbook(path: Path, items: pl.DataFrame, summary: pl.DataFrame, meta: dict) -> Path:
    """The police station's version: full ID numbers, the sections that need action."""
    book = _Book(path)
    book.table(
        SUMMARY_SHEET, _summary_frame(summary), percent=tuple(c for c in summary.columns if c.endswith("率"))
    )
    for s in ALL_SECTIONS:
        if s in (CONSISTENT, LOCAL):
            continue
        part = items.filter(pl.col("section") == s)
        book.table(s, sheet_frame(part, columns_for(s), full_ids=True))
    return book.close()


def street_workbook(
    path: Path,
    summary: pl.DataFrame,
    monthly: pl.DataFrame,
    staffing: pl.DataFrame,
    ranking: pl.DataFrame,
) -> Path:
    """The sub-district summary: no personal data, every figure with its formula."""
    book = _Book(path)
    rates = tuple(c for c in summary.columns if c.endswith("率"))
    book.table(SUMMARY_SHEET, _summary_frame(summary), percent=rates)
    m_rates = ("3日内办理率", "准确率", "未结问题率")
    book.table(
        COLLECTOR_SHEET,
        monthly.drop("quarter").rename(
            {"street": "街道", "community": "社区", "collector": "专管员", "month": "月份"}
        ),
        percent=m_rates,
    )
    book.table(STAFFING_SHEET, staffing.drop("quarter").rename({"street": "街道", "community": "社区"}))
    book.table(RANKING_SHEET, ranking.rename({"quarter": "季度", "street": "街道"}))
    book.table(FORMULA_SHEET, pl.DataFrame({"指标": list(FORMULAS), "计算公式": list(FORMULAS.values())}))
    return book.close()


def write_batch(
    folder: str,
    items_path: str,
    summary: pl.DataFrame,
    communities: list[str],
    stations: list[str],
    meta: dict,
) -> list[str]:
    """Community and station workbooks of one batch (runs in a worker process).

    `summary` carries street, community and police_station per community."""
    folder_p = Path(folder)
    q = meta["quarter"]
    wanted = set(communities) | set(
        summary.filter(pl.col("police_station").is_in(stations))["community"].to_list()
    )
    items = pl.read_parquet(items_path).filter(pl.col("community").is_in(list(wanted)))
    items = items.join(summary.select("community", "police_station"), on="community", how="left")
    rows = {r["community"]: r for r in summary.iter_rows(named=True)}
    out = []
    for community in communities:
        row = rows[community]
        path = folder_p / "社区" / safe_name(row["street"]) / f"{safe_name(community)}_{q}_对账单.xlsx"
        out.append(str(community_workbook(path, items.filter(pl.col("community") == community), row, meta)))
    for station in stations:
        part = items.filter(pl.col("police_station") == station).drop("police_station")
        s = summary.filter(pl.col("police_station") == station).drop("police_station")
        path = folder_p / "派出所" / f"{safe_name(station)}_{q}_对账单_全号.xlsx"
        out.append(str(station_workbook(path, part, s, {**meta, "full_ids": True})))
    return out
