"""The ground truth describes a plausible population and is consistent with the drop folder."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pytest
from stdnum.cn import ric

from recon.synth import generate, get_district
from recon.synth.truth_findings import FINDINGS_SCHEMA, id_problems

AS_OF = dt.date(2026, 11, 20)


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes(tmp_path):
    a = generate(tmp_path / "a", persons=800, seed=5, as_of=AS_OF)
    b = generate(tmp_path / "b", persons=800, seed=5, as_of=AS_OF)
    assert _hashes(tmp_path / "a") == _hashes(tmp_path / "b")
    assert a.rows == b.rows and a.findings == b.findings
    c = generate(tmp_path / "c", persons=800, seed=6, as_of=AS_OF)
    assert _hashes(tmp_path / "a") != _hashes(tmp_path / "c") and c.rows != a.rows


def test_chunked_generation_keeps_every_rule(tmp_path):
    summary = generate(tmp_path / "chunks", persons=900, seed=5, as_of=AS_OF, chunk_persons=300)
    assert summary.chunks == 3
    persons = pl.read_parquet(tmp_path / "chunks" / "truth" / "persons.parquet")
    assert persons["person_id"].to_list() == list(range(1, 901))
    assert persons["id_number"].n_unique() == 900
    assert sum(summary.findings.values()) > 0


def test_ids_are_valid_and_unique(district):
    persons = pl.read_parquet(district / "truth" / "persons.parquet")
    assert persons["id_number"].n_unique() == persons.height
    assert id_problems(persons["id_number"], "330114", AS_OF).null_count() == persons.height
    floating = persons.filter(~pl.col("is_local"))
    assert all(ric.is_valid(x) for x in floating["id_number"].to_list())  # python-stdnum agrees
    local = persons.filter(pl.col("is_local"))
    assert (local["id_number"].str.slice(0, 6) == "330114").all()
    assert 0.1 < local.height / persons.height < 0.2
    male = persons["id_number"].str.slice(16, 1).cast(pl.Int64) % 2 == 1
    assert (male == (persons["gender"] == "男")).all()
    birth = persons["id_number"].str.slice(6, 8).str.to_date("%Y%m%d")
    assert (birth == persons["birth_date"]).all()


def test_population_shape(district):
    persons = pl.read_parquet(district / "truth" / "persons.parquet")
    age = (pl.lit(AS_OF) - persons["birth_date"]).dt.total_days() / 365.25
    ages = persons.select(age.alias("a"))["a"]
    assert 0.08 < (ages < 18).mean() < 0.16
    assert 0.02 < (ages > 60).mean() < 0.09
    origin = persons.filter(~pl.col("is_local"))["origin_province"].value_counts(sort=True)
    assert origin["origin_province"][0] == "安徽省"


def test_common_names_repeat_and_namesakes_share_birthdays(district):
    persons = pl.read_parquet(district / "truth" / "persons.parquet")
    counts = persons["name"].value_counts(sort=True)
    assert counts["count"][0] >= 5
    assert {"王伟", "张伟", "李伟"} & set(counts.filter(pl.col("count") >= 3)["name"].to_list())
    twins = (
        persons.group_by("name", "birth_date")
        .agg(pl.col("id_number").n_unique().alias("ids"))
        .filter(pl.col("ids") > 1)
    )
    assert twins.height >= 3


def test_records_point_at_true_persons_and_dwellings(district, records):
    persons = pl.read_parquet(district / "truth" / "persons.parquet")
    dwellings = pl.read_parquet(district / "truth" / "dwellings.parquet")
    assert records["person_id"].is_in(persons["person_id"].implode()).all()
    codes = records["true_address_code"].drop_nulls()
    assert codes.is_in(dwellings["address_code"].implode()).all()
    identifies = records.filter(pl.col("address_identifies"))
    assert identifies["true_address_code"].null_count() == 0
    share = records.filter(pl.col("true_address_code").is_not_null())["address_identifies"].mean()
    assert 0.85 < share < 0.99


def test_stays_and_dwellings(district):
    stays = pl.read_parquet(district / "truth" / "stays.parquet")
    kinds = stays.join(
        pl.read_parquet(district / "truth" / "persons.parquet").select("person_id", "is_local"),
        on="person_id",
    )
    share = kinds.filter(~pl.col("is_local"))["kind"].value_counts(normalize=True)
    rented = share.filter(pl.col("kind") == "rented")["proportion"][0]
    assert 0.6 < rented < 0.85
    assert (
        stays.filter(pl.col("end").is_not_null()).select(pl.col("end") >= pl.col("start")).to_series()
    ).all()
    assert stays["start"].max() < AS_OF
    persons_per_stay = stays.group_by("address_code", "start").len()
    assert persons_per_stay["len"].max() >= 3  # families and room-mates share dwellings
    dwellings = pl.read_parquet(district / "truth" / "dwellings.parquet")
    assert dwellings["address_code"].n_unique() == dwellings.height
    assert {"compound", "village", "employer_dormitory", "site_dormitory"} <= set(
        dwellings["site_kind"].to_list()
    )


def test_community_aliases_are_used_in_feeds(district, records):
    aliases = pl.read_parquet(district / "truth" / "community_aliases.parquet")
    assert aliases.height > 0
    used = records.filter(pl.col("address_raw").str.contains("|".join(aliases["alias"].to_list())))
    assert used.height > 0


def test_findings_cover_every_flag_type(district, manifest):
    findings = pl.read_parquet(district / "truth" / "findings.parquet")
    assert dict(findings.schema) == FINDINGS_SCHEMA
    types = set(findings["flag_type"].to_list())
    assert types == {
        "unregistered",
        "address_inaccurate",
        "not_deregistered",
        "duplicate_registration",
        "invalid_identity",
        "late_declaration",
    }
    reasons = set(findings.filter(pl.col("flag_type") == "address_inaccurate")["reason"].to_list())
    assert reasons == {"moved", "unresolvable", "code_mismatch"}
    assert manifest["findings"] == dict(sorted(findings.group_by("flag_type").len().iter_rows()))
    persons = pl.read_parquet(district / "truth" / "persons.parquet")
    local = persons.filter(pl.col("is_local"))["person_id"]
    assert not findings.filter(
        (pl.col("flag_type") == "unregistered") & pl.col("person_id").is_in(local.implode())
    ).height


def test_baoan_has_its_own_address_habits(baoan):
    dwellings = pl.read_parquet(baoan / "truth" / "dwellings.parquet")
    text = dwellings["standard_address"]
    assert text.str.starts_with("广东省深圳市宝安区").all()
    assert text.str.contains(r"村[一二三四五六七八九十]+巷\d+号\d+房").any()
    assert text.str.contains(r"新村\d+栋\d+房").any()
    streets = set(dwellings["street"].to_list())
    assert streets <= set(get_district("440306").streets)


def test_unknown_district_lists_the_supported_ones(tmp_path):
    with pytest.raises(ValueError, match=r"330114.*440306"):
        generate(tmp_path / "x", persons=100, seed=1, as_of=AS_OF, district="110101")


def test_refuses_to_overwrite_foreign_folders(tmp_path):
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "precious.csv").write_text("x")
    with pytest.raises(FileExistsError, match="not written by `recon synth`"):
        generate(tmp_path, persons=100, seed=1, as_of=dt.date(2026, 1, 1))
