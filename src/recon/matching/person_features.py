"""Person records → the columns the person comparisons and blocking rules read.

Input (one row per accepted person-bearing record of any feed): source, record_id, name,
id_number, id_type, phone, birth_date, gender, std_address_code, building_key, community, grid
(a grid visit's 网格编号: its community is learned from the grid's resolved visits,
`person_places.grid_communities`, and fills in where the address gave none).
The normalizers (`id_number`, `names`, `phone`) do the reading; this module only derives
comparison columns from their output and records which *source field* each column comes from
(`LINEAGE`), which EM training uses to know what a blocking rule has fixed.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from recon.matching.comparison_levels import factorize_u64
from recon.matching.lookalike import fold_series
from recon.matching.person_places import grid_communities

INPUT_COLUMNS = (
    "source",
    "record_id",
    "name",
    "id_number",
    "id_type",
    "phone",
    "birth_date",
    "gender",
    "std_address_code",
    "building_key",
    "community",
    "grid",
)
OPTIONAL_COLUMNS = (
    "id_type",
    "phone",
    "birth_date",
    "gender",
    "std_address_code",
    "building_key",
    "community",
    "grid",
)

LINEAGE: dict[str, list[str]] = {
    "name_clean": ["name"],
    "name_norm": ["name"],
    "name_pinyin": ["name"],
    "name_lookalike": ["name"],
    "surname": ["name"],
    "id_norm": ["id"],
    "id_pattern": ["id"],
    "id_valid": ["id"],
    "id_tail4": ["id"],
    "id_head14": ["id"],
    "id_conflict": ["id"],
    "hukou_county": ["id"],
    "hukou_prefecture": ["id"],
    "hukou_province": ["id"],
    "birth": ["birth", "id"],
    "gender": ["gender", "id"],
    "phone_norm": ["phone"],
    "phone_mobile": ["phone"],
    "dwelling": ["address"],
    "building": ["address"],
    "community": ["address"],
}

_GENDER = {
    "男": "男",
    "女": "女",
    "M": "男",
    "F": "女",
    "1": "男",
    "2": "女",
    "男性": "男",
    "女性": "女",
    "MALE": "男",
    "FEMALE": "女",
}


def check_input(records: pl.DataFrame) -> None:
    missing = [c for c in INPUT_COLUMNS if c not in records.columns and c not in OPTIONAL_COLUMNS]
    if missing:
        raise KeyError(
            f"person records lack columns {missing}; they have {records.columns}. "
            f"Expected {list(INPUT_COLUMNS)} (optional: {list(OPTIONAL_COLUMNS)})"
        )


def _check_unique_keys(f: pl.DataFrame) -> None:
    """`f` sorted by (source, record_id): a repeated key sits next to its twin."""
    same = (pl.col("source") == pl.col("source").shift(1)) & (
        pl.col("record_id") == pl.col("record_id").shift(1)
    )
    dup = f.filter(same.fill_null(False)).select("source", "record_id").unique()
    if dup.height:
        shown = ", ".join(f"{s}:{r}" for s, r in dup.head(5).iter_rows())
        raise ValueError(
            f"{dup.height} (source, record_id) keys occur more than once in the person records (e.g. {shown}); "
            "pass one row per record (the newest version of a re-delivered row)"
        )


def _blank_to_null(e: pl.Expr) -> pl.Expr:
    e = e.cast(pl.String).str.strip_chars()
    return pl.when(e == "").then(None).otherwise(e)


def _as_date(dtype: pl.DataType) -> pl.Expr:
    """The stated birth date as a Date whether the frame holds dates, datetimes or ISO text."""
    col = pl.col("birth_date")
    if dtype == pl.Date:
        return col
    if dtype == pl.Datetime:
        return col.dt.date()
    return _blank_to_null(col).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)


def _per_distinct(keys: pl.DataFrame, compute) -> pl.DataFrame:
    """`compute` (a frame → same-length frame) run once per distinct row of `keys`, spread back to
    every row by gathering (no join). Distinct rows come from 64-bit hashes, checked with a
    second independent hash."""
    h = keys.hash_rows(seed=0x5EED).to_numpy()
    first, inv = factorize_u64(h)
    uniq = keys[first]
    h2 = keys.hash_rows(seed=0xC0FFEE).to_numpy()
    if not np.array_equal(h2[first][inv], h2):  # a hash collision: exact but slower
        uniq = keys.unique(maintain_order=True)
        inv = keys.join(
            uniq.with_row_index("_i"), on=keys.columns, how="left", nulls_equal=True, maintain_order="left"
        )["_i"].to_numpy()
    table = compute(uniq)
    return table[pl.Series(inv.astype(np.int64))]


def _name_table(names: pl.Series) -> pl.DataFrame:
    """Name-derived columns of distinct raw names (one row per input row)."""
    from recon.matching.names import normalize_names

    raw = names.rename("name")
    norm = normalize_names(raw)
    t = pl.concat([raw.to_frame(), norm.select("name_norm", "surname", "name_pinyin")], how="horizontal")
    t = t.with_columns(
        name_clean=_blank_to_null(pl.col("name")).str.normalize("NFKC").str.replace_all(r"\s+", ""),
        name_norm=_blank_to_null(pl.col("name_norm")),
        name_pinyin=_blank_to_null(pl.col("name_pinyin").str.to_lowercase().str.replace_all(r"[^a-z]", "")),
        surname=_blank_to_null(pl.col("surname")),
    )
    return t.with_columns(name_lookalike=fold_series(t["name_norm"]))


def _id_table(ids: pl.DataFrame, as_of: date | None) -> pl.DataFrame:
    """ID-derived columns of (id_number, id_type) rows."""
    from recon.matching.id_number import parse_ids

    t = ids
    parsed = parse_ids(t["id_number"], t["id_type"], as_of=as_of)
    t = pl.concat([t, parsed], how="horizontal")
    status = pl.col("id_status")
    resident18 = status.is_in(["valid", "bad_area", "bad_birth_date", "bad_check"]) & (
        pl.col("id_norm").str.len_chars() == 18
    )
    masked = status == "masked"
    raw_len = (
        _blank_to_null(pl.col("id_number")).str.normalize("NFKC").str.replace_all(r"\s", "").str.len_chars()
    )
    pre, suf = pl.col("id_mask_prefix").fill_null(""), pl.col("id_mask_suffix").fill_null("")
    stars = (pl.lit(18) - pre.str.len_chars() - suf.str.len_chars()).clip(0)
    pattern_masked = pl.when(masked & (raw_len == 18) & (stars > 0)).then(
        pre + pl.lit("*" * 18).str.slice(0, stars) + suf
    )
    area = pl.coalesce(pl.col("id_area"), pl.when(pre.str.len_chars() >= 6).then(pre.str.slice(0, 6)))
    area = pl.when(area.str.contains(r"^\d{6}$")).then(area)
    return t.select(
        "id_number",
        "id_type",
        "id_status",
        "id_birth_date",
        "id_gender",
        id_norm=pl.when(status.is_in(["missing", "masked"]).not_()).then(_blank_to_null(pl.col("id_norm"))),
        id_valid=status == "valid",
        id_pattern=pl.when(resident18 | (status == "other_type"))
        .then(pl.col("id_norm"))
        .otherwise(pattern_masked),
        id_tail4=pl.when(resident18)
        .then(pl.col("id_norm").str.slice(14, 4))
        .when(masked & (suf.str.len_chars() >= 4))
        .then(suf.str.slice(-4)),
        id_head14=pl.when(resident18).then(pl.col("id_norm").str.slice(0, 14)),
        id_conflict=pl.when(status == "valid").then(pl.col("id_norm")),
        hukou_county=area,
        hukou_prefecture=area.str.slice(0, 4),
        hukou_province=area.str.slice(0, 2),
    )


def _phone_table(phones: pl.Series) -> pl.DataFrame:
    """Phone-derived columns of raw phone texts."""
    from recon.matching.phone import parse_phones

    raw = phones.rename("phone")
    parsed = parse_phones(raw)
    return pl.concat([raw.to_frame(), parsed.select("phone_norm", "phone_kind")], how="horizontal").select(
        "phone",
        phone_norm=_blank_to_null(pl.col("phone_norm")),
        phone_mobile=pl.when(pl.col("phone_kind") == "mobile").then(_blank_to_null(pl.col("phone_norm"))),
    )


def prepare_person_records(records: pl.DataFrame, *, as_of: date | None = None) -> pl.DataFrame:
    """Sorted by (source, record_id) with `rid` = row index, plus every derived column of LINEAGE.

    Derived columns are computed per distinct raw value (names, ID numbers and phones repeat
    across feeds) and joined back."""
    check_input(records)
    f = records.with_columns(
        [pl.lit(None, dtype=pl.String).alias(c) for c in OPTIONAL_COLUMNS if c not in records.columns]
    )
    f = f.with_columns(
        pl.col("source").cast(pl.String),
        pl.col("record_id").cast(pl.String),
        *[pl.col(c).cast(pl.String) for c in ("name", "id_number", "id_type", "phone", "gender", "grid")],
    )
    f = f.sort("source", "record_id").with_row_index("rid").with_columns(pl.col("rid").cast(pl.Int64))
    _check_unique_keys(f)
    derived = [
        _per_distinct(f.select("name"), lambda u: _name_table(u["name"]).drop("name")),
        _per_distinct(
            f.select("id_number", "id_type"), lambda u: _id_table(u, as_of).drop("id_number", "id_type")
        ),
        _per_distinct(f.select("phone"), lambda u: _phone_table(u["phone"]).drop("phone")),
    ]
    f = pl.concat([f, *derived], how="horizontal")
    gender_stated = (
        _blank_to_null(pl.col("gender"))
        .str.to_uppercase()
        .replace_strict(_GENDER, default=None, return_dtype=pl.String)
    )
    community = _blank_to_null(pl.col("community"))
    f = f.with_columns(community.alias("community"))
    f = f.with_columns(
        pl.coalesce("community", grid_communities(f["grid"], f["community"])).alias("community")
    )
    return f.with_columns(
        id_valid=pl.col("id_valid").fill_null(False),
        birth=pl.coalesce(_as_date(f.schema["birth_date"]), pl.col("id_birth_date")).dt.strftime("%Y%m%d"),
        gender=pl.coalesce(gender_stated, pl.col("id_gender")),
        dwelling=_blank_to_null(pl.col("std_address_code")),
        building=_blank_to_null(pl.col("building_key")),
    )
