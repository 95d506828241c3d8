"""`recon quarterly` end to end on the small synthetic district: real nightly run, real DuckDB,
real workbooks read back with openpyxl, real SQLite sign-off store, scored against the truth."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from recon.pipelines.quarterly_workbooks import (
    COLLECTOR_SHEET,
    FORMULA_SHEET,
    RANKING_SHEET,
    STAFFING_SHEET,
    SUMMARY_SHEET,
    columns_for,
)
from recon.reconcile.quarterly import ALL_SECTIONS, CONSISTENT, LOCAL
from recon.reconcile.quarterly_eval import score_sections, sections_from_items
from recon.warehouse.gateway import Warehouse
from recon.warehouse.quarterly_store import (
    SignOffRefused,
    confirm,
    open_quarterly_store,
    resolve_item,
    versions,
)

Q = "2026Q3"
FULL_ID = re.compile(r"\d{17}[\dXx]")


@pytest.fixture(scope="module")
def first(quarterly_first):
    return quarterly_first


def items_of(result) -> pl.DataFrame:
    with Warehouse(result.folder / "quarterly.duckdb", read_only=True) as wh:
        return wh.query_pl("SELECT * FROM quarterly_item")


def sheet_rows(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    out = {name: list(wb[name].iter_rows(values_only=True)) for name in wb.sheetnames}
    wb.close()
    return out


def test_statement_tables_and_manifest(first):
    *_, result = first
    items = items_of(result)
    assert result.items == items.height > 1000
    assert set(items["section"].unique()) == set(ALL_SECTIONS)
    assert items["item_id"].is_unique().all()
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["quarter"] == Q and manifest["version"] == 1
    assert manifest["sections"] == dict(items.group_by("section").len().sort("section").iter_rows())
    with Warehouse(result.folder / "quarterly.duckdb", read_only=True) as wh:
        for t in (
            "quarterly_summary",
            "collector_monthly",
            "collector_staffing",
            "street_ranking",
            "quarterly_formula",
        ):
            assert wh.scalar(f"SELECT count(*) FROM {t}") > 0, t
        assert wh.scalar("SELECT count(*) FROM collector_monthly WHERE 公式 NOT LIKE '%3日内办理率%'") == 0


def test_community_workbooks_read_back(first):
    *_, result = first
    items = items_of(result)
    books = sorted((result.folder / "社区").rglob("*.xlsx"))
    assert len(books) == result.communities == items["community"].n_unique()
    for path in books:
        community = path.name.split("_")[0]
        sheets = sheet_rows(path)
        assert list(sheets) == [SUMMARY_SHEET, *ALL_SECTIONS], path.name
        mine = items.filter(pl.col("community") == community)
        summary = dict(sheets[SUMMARY_SHEET][1:])
        for section in ALL_SECTIONS:
            rows = sheets[section]
            want_headers = [h for h, _, _ in columns_for(section, with_community=False)]
            assert list(rows[0]) == want_headers, (path.name, section)
            want = mine.filter(pl.col("section") == section)
            assert len(rows) - 1 == want.height, (path.name, section)
            assert summary[f"{section}(项)"] == str(want.height)
            got_ids = sorted(r[0] for r in rows[1:])
            assert got_ids == sorted(want["item_id"].to_list())
        # masked: no full ID number and no full mobile number in any cell of a community workbook
        for section, rows in sheets.items():
            for row in rows[1:]:
                for cell in row:
                    if isinstance(cell, str):
                        assert not FULL_ID.fullmatch(cell), (path.name, section, cell)
                        assert not re.fullmatch(r"1\d{10}", cell), (path.name, section, cell)


def test_masked_ids_keep_area_and_tail(first):
    *_, result = first
    items = items_of(result).filter(pl.col("section") == CONSISTENT)
    one = items.filter(pl.col("registry_id_number").str.contains(r"^\d{17}[\dX]$")).row(0, named=True)
    path = next((result.folder / "社区").rglob(f"{one['community']}_*.xlsx"))
    rows = sheet_rows(path)[CONSISTENT]
    col = rows[0].index("证件号码(登记)")
    cell = next(r[col] for r in rows[1:] if r[0] == one["item_id"])
    full = one["registry_id_number"]
    assert cell == full[:6] + "*" * 8 + full[-4:]


def test_station_workbooks_carry_full_ids_and_no_consistent_list(first):
    *_, result = first
    items = items_of(result)
    books = sorted((result.folder / "派出所").glob("*_全号.xlsx"))
    assert books
    seen_full, listed = 0, 0
    for path in books:
        sheets = sheet_rows(path)
        assert CONSISTENT not in sheets and LOCAL not in sheets and SUMMARY_SHEET in sheets
        for section, rows in sheets.items():
            if section == SUMMARY_SHEET:
                continue
            listed += len(rows) - 1
            seen_full += sum(1 for r in rows[1:] for c in r if isinstance(c, str) and FULL_ID.fullmatch(c))
    assert listed == items.filter(~pl.col("section").is_in([CONSISTENT, LOCAL])).height
    assert seen_full > 0


def test_street_workbooks(first):
    *_, result = first
    items = items_of(result)
    books = sorted((result.folder / "街道").glob("*_汇总.xlsx"))
    assert len(books) == items["street"].drop_nulls().n_unique()
    total = 0
    for path in books:
        sheets = sheet_rows(path)
        assert list(sheets) == [SUMMARY_SHEET, COLLECTOR_SHEET, STAFFING_SHEET, RANKING_SHEET, FORMULA_SHEET]
        head = sheets[SUMMARY_SHEET][0]
        assert head[:2] == ("街道", "社区") and "一致率" in head
        total += sum(r[head.index("对账项")] for r in sheets[SUMMARY_SHEET][1:])
        assert "月度得分" in sheets[COLLECTOR_SHEET][0] and "公式" in sheets[COLLECTOR_SHEET][0]
    assert total == items.filter(pl.col("section").is_in(ALL_SECTIONS[:4])).height


def test_sections_match_the_truth(first, small_district):
    *_, result = first
    items = items_of(result)
    product = sections_from_items(items)
    truth = pl.read_parquet(small_district / "truth" / "quarterly_sections.parquet").filter(
        pl.col("quarter") == Q
    )
    score = score_sections(product, truth)
    print(json.dumps({k: v for k, v in score.items() if k != "confusion"}, ensure_ascii=False))
    assert score["by_kind"]["roster"]["accuracy"] >= 0.99
    assert score["by_kind"]["registration"]["accuracy"] >= 0.99
    assert score["by_kind"]["grid"]["records"] > 0
    for section, s in score["by_section"].items():
        assert s["precision"] >= 0.95 and s["recall"] >= 0.95, (section, s)


def test_rerun_is_a_new_version_and_confirmed_quarter_is_frozen(first):
    from recon.pipelines.quarterly_run import run_quarterly

    work, inp, db, ops, result = first
    v1 = {p: hashlib.md5(p.read_bytes()).hexdigest() for p in result.folder.rglob("*") if p.is_file()}
    engine = open_quarterly_store(ops)
    community = sorted(items_of(result)["community"].unique())[0]
    item = items_of(result).filter(pl.col("community") == community)["item_id"][0]
    resolve_item(
        engine, quarter=Q, community=community, version=1, item_id=item, user_id=None, note="已上门核实"
    )
    confirm(engine, quarter=Q, community=community, version=1, role="community", user_id=None)
    with pytest.raises(SignOffRefused, match="已冻结"):
        confirm(engine, quarter=Q, community=community, version=1, role="community", user_id=None)
    with pytest.raises(SignOffRefused, match="已冻结"):
        resolve_item(
            engine, quarter=Q, community=community, version=1, item_id=item, user_id=None, note="再改"
        )
    confirm(engine, quarter=Q, community=community, version=1, role="collector", user_id=None)
    with pytest.raises(SignOffRefused, match="不能"):
        confirm(engine, quarter=Q, community=community, version=1, role="collector", user_id=None)

    again = run_quarterly(Q, inp / "community_roster", db, work / "quarterly", ops_url=ops)
    assert again.version == 2 and again.folder != result.folder
    assert again.frozen == {community: 1}
    assert {p: hashlib.md5(p.read_bytes()).hexdigest() for p in result.folder.rglob("*") if p.is_file()} == v1
    assert [v["version"] for v in versions(engine, Q)] == [1, 2]
    manifest = json.loads((again.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["frozen"] == {community: "v1"}
    with engine.connect() as con:
        actions = [r[0] for r in con.exec_driver_sql("SELECT action FROM audit_events ORDER BY event_id")]
    assert actions.count("quarterly:confirm") == 2 and actions.count("quarterly:resolve") == 1
    assert actions.count("quarterly:version") == 2


def test_cli(first, two_rosters):
    from recon.pipelines.cli import app

    work, inp, db, ops, _ = first
    runner = CliRunner()
    bad = runner.invoke(
        app, ["quarterly", "--quarter", "2026Q5", "--rosters", str(inp / "community_roster"), "--db", str(db)]
    )
    assert bad.exit_code == 2 and "2026Q3" in bad.output
    missing = runner.invoke(
        app, ["quarterly", "--quarter", "2025Q1", "--rosters", str(inp / "community_roster"), "--db", str(db)]
    )
    assert missing.exit_code == 2 and "no roster file for 2025Q1" in missing.output
    extra = work / "rosters_plus_one"
    shutil.copytree(inp / "community_roster", extra)
    one = sorted(extra.glob(f"*_{Q}.*"))[0]
    shutil.copy(one, extra / f"未入库社区_{Q}{one.suffix}")
    not_ingested = runner.invoke(app, ["quarterly", "--quarter", Q, "--rosters", str(extra), "--db", str(db)])
    assert not_ingested.exit_code == 2 and "未入库社区" in not_ingested.output
    assert "recon nightly" in not_ingested.output
    ok = runner.invoke(
        app,
        ["quarterly", "--quarter", Q, "--rosters", str(two_rosters), "--db", str(db),
         "--out", str(work / "cli_out"), "--ops-url", f"sqlite:///{work / 'cli_ops.sqlite'}"],
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "statements v1: 2 communities" in ok.output
    assert (work / "cli_out" / Q / "v001" / "manifest.json").is_file()


def test_prefect_flow(first, two_rosters):
    from recon.pipelines.quarterly import previous_quarter, quarterly_flow

    work, inp, db, ops, _ = first
    out = quarterly_flow(
        str(two_rosters), str(db), str(work / "flow_out"), Q, f"sqlite:///{work / 'f.sqlite'}"
    )
    assert out["quarter"] == Q and out["version"] == 1 and out["communities"] == 2 and out["workbooks"] > 0
    from datetime import date

    assert previous_quarter(date(2026, 10, 1)) == "2026Q3" and previous_quarter(date(2027, 1, 1)) == "2026Q4"
