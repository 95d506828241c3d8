"""The drop folder follows CONTRACT.md section 1, and the truth accounts for every row of it."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest
import yaml

from recon.connectors.contract import FEEDS, PERSON_SOURCES
from recon.synth.plan import SITE_ROSTER_HEADERS


def test_every_feed_folder_has_files(district, manifest):
    for source in FEEDS:
        folder = district / "input" / source
        assert folder.is_dir(), f"missing feed folder {source}"
        assert any(p.suffix in (".csv", ".xlsx") for p in folder.iterdir()), f"{source} has no data file"
    # reference/ holds reference tables (address aliases), not feed files: it is not in the manifest's list
    on_disk = sorted(
        str(p.relative_to(district))
        for p in (district / "input").rglob("*")
        if p.suffix in (".csv", ".xlsx") and "reference" not in p.relative_to(district / "input").parts
    )
    assert on_disk == sorted(f["path"] for f in manifest["files"])
    aliases = (district / "input" / "reference" / "address_aliases.csv").read_text(encoding="utf-8")
    assert aliases.startswith("别名,标准名称,类型\n")


def test_headers_are_the_contracts_or_mapped_by_feed_yaml(district, manifest, read_table):
    mapping = yaml.safe_load((district / "input" / "site_roster" / "feed.yaml").read_text(encoding="utf-8"))
    assert mapping == {own: contract for contract, own in SITE_ROSTER_HEADERS.items()}
    for entry in manifest["files"]:
        headers, _ = read_table(district, entry)
        expected = list(FEEDS[entry["source"]].headers)
        if entry["source"] == "site_roster":
            headers = [mapping.get(h, h) for h in headers]
        assert headers == expected, f"{entry['path']}: {headers}"


def test_every_row_is_in_records_with_its_key_and_address(district, manifest, records, read_table):
    assert records.height == sum(f["rows"] for f in manifest["files"] if f["source"] != "standard_address")
    for entry in manifest["files"]:
        source = entry["source"]
        if source == "standard_address":
            continue
        _, frame = read_table(district, entry)
        assert frame.height == entry["rows"], entry["path"]
        rec = records.filter((pl.col("source") == source) & (pl.col("source_file") == entry["file"])).sort(
            "source_row"
        )
        assert rec["source_row"].to_list() == list(range(1, frame.height + 1)), entry["path"]
        spec = FEEDS[source]
        key = frame[spec.headers[0]].str.strip_chars()
        if source == "community_roster":
            key = f"{entry['community']}_{entry['quarter']}:" + key
        assert key.to_list() == rec["record_id"].to_list(), entry["path"]
        address = frame[spec.column(spec.address_column).header].fill_null("")
        written = rec["address_raw"].fill_null("")
        same = (address == written) | written.str.contains("\ue000")
        assert same.all(), f"{entry['path']}: address text differs from truth"


def test_encodings_are_mixed(district, manifest):
    gb_only = boms = 0
    for entry in manifest["files"]:
        data = (district / entry["path"]).read_bytes()
        if entry["format"] == "xlsx":
            assert data[:4] == b"PK\x03\x04"
            continue
        if data.startswith(b"\xef\xbb\xbf"):
            boms += 1
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            gb_only += 1
            data.decode("gb18030", errors="strict") if b"\x80\xff" not in data else None
    assert gb_only >= 3 and boms >= 3
    assert sum(f["format"] == "xlsx" for f in manifest["files"]) >= 3


def test_snapshots_and_redelivery(district, manifest, records):
    registry = [f for f in manifest["files"] if f["source"] == "police_registry"]
    assert [f["role"] for f in registry] == ["old_snapshot", "current"]
    assert registry[0]["delivered"] < registry[1]["delivered"]
    resend = [f for f in manifest["files"] if f["role"] == "resend"]
    assert len(resend) == 1
    original = next(f for f in manifest["files"] if f["file"] == resend[0]["file"].replace("_resend", ""))
    assert resend[0]["sha256"] == original["sha256"]
    assert not records.filter(pl.col("file_role") != "current")["is_current"].any()
    # Later lease files re-deliver earlier contracts with 退租日期 filled: the later version is current.
    versions = (
        records.filter((pl.col("source") == "intermediary_lease") & (pl.col("file_role") == "current"))
        .group_by("record_id")
        .agg(pl.len().alias("n"), pl.col("is_current").sum().alias("current"))
    )
    assert versions.filter(pl.col("n") > 1).height > 0
    assert (versions["current"] <= 1).all()


def test_bad_rows_are_recorded_and_visible(district, manifest, records, read_table):
    bad = pl.read_parquet(district / "truth" / "bad_rows.parquet")
    assert bad.height == records["is_bad"].sum() > 0
    kinds = set(bad["reason"].str.split(":").list.first())
    assert {"missing_required", "unparseable_date", "duplicate_key"} <= kinds
    for source in PERSON_SOURCES:
        n = records.filter(pl.col("source") == source).height
        assert records.filter((pl.col("source") == source) & pl.col("is_bad")).height <= max(5, 0.01 * n)
    # A duplicated key appears twice in one file, and both rows are bad.
    dup = bad.filter(pl.col("reason") == "duplicate_key").group_by("source", "source_file", "record_id").len()
    assert (dup["len"] == 2).all()
    entry_by_file = {f["file"]: f for f in manifest["files"]}
    for row in bad.filter(pl.col("reason").str.starts_with("unparseable_date")).iter_rows(named=True):
        header = row["reason"].split(":", 1)[1]
        _, frame = read_table(district, entry_by_file[row["source_file"]])
        value = frame[header][row["source_row"] - 1]
        assert value in ("2026-13-45", "待定", "2025-02-30", "不详", "20261345", "0000-00-00")


@pytest.mark.parametrize("source", ["grid_visit", "community_roster"])
def test_feeds_that_mask_or_omit_ids(district, manifest, source, read_table):
    texts = []
    for entry in (f for f in manifest["files"] if f["source"] == source):
        _, frame = read_table(district, entry)
        texts += frame["证件号码"].fill_null("").to_list()
    masked = sum("*" in t for t in texts)
    blank = sum(t.strip() in ("", "NULL", "无", "-", "/") for t in texts)
    assert masked > 0.05 * len(texts) and blank > 0.1 * len(texts)


def test_files_hash_as_in_manifest(district, manifest):
    for entry in manifest["files"]:
        assert hashlib.sha256((district / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
