"""Golden record per person: the best value of each attribute over the person's records.

"Best" is by evidence, never by feed name (matching does not know feeds): the value most
records agree on, preferring values carried by records whose resident ID is valid, then the
smallest value so the choice is deterministic. The ID is the most frequent *valid* number,
else the most frequent number of any status (the finding rules then see it is invalid).
"""

from __future__ import annotations

import polars as pl


def _best(f: pl.DataFrame, key: str, col: str, out: str, *, where: pl.Expr | None = None) -> pl.DataFrame:
    g = f.filter(pl.col(col).is_not_null())
    if where is not None:
        g = g.filter(where)
    # one sort of the (person, value) counts instead of a sort inside every group
    return (
        g.group_by(key, col)
        .agg(pl.len().alias("_n"), pl.col("id_valid").max().alias("_v"))
        .sort([key, "_n", "_v", col], descending=[False, True, True, False])
        .unique(key, keep="first", maintain_order=True)
        .select(key, pl.col(col).alias(out))
    )


def golden_records(records: pl.DataFrame, key: str = "person_id") -> pl.DataFrame:
    """One row per person: person_id, name, id_number, id_status, phones, birth_date, gender,
    hukou_area, n_records, sources. `records` are prepared person records carrying `person_id`
    (and optionally an integer `key` column identifying the person, which groups faster)."""
    cols = ["source", "name_norm", "id_norm", "id_status", "phone_norm", "birth", "gender", "hukou_county"]
    f = records.select(
        *dict.fromkeys([key, "person_id"]), *cols, pl.col("id_valid").fill_null(False)
    ).with_columns(pl.col("source").cast(pl.String))
    base = f.group_by(key).agg(pl.col("person_id").first(), pl.len().alias("n_records"))
    sources = (
        f.select(key, "source")
        .unique()
        .sort(key, "source")
        .group_by(key, maintain_order=True)
        .agg(pl.col("source").alias("sources"))
    )
    phones = (
        f.filter(pl.col("phone_norm").is_not_null())
        .group_by(key, "phone_norm")
        .len()
        .sort([key, "len", "phone_norm"], descending=[False, True, False])
        .group_by(key, maintain_order=True)
        .agg(pl.col("phone_norm").alias("phones"))
    )
    status = (
        f.filter(pl.col("id_norm").is_not_null())
        .group_by(key, "id_norm")
        .agg(pl.col("id_status").first())
        .rename({"id_norm": "id_number"})
    )
    out = base
    for part in (
        sources,
        _best(f, key, "name_norm", "name"),
        _best(f, key, "id_norm", "_id_valid", where=pl.col("id_valid")),
        _best(f, key, "id_norm", "_id_any"),
        phones,
        _best(f, key, "birth", "_birth"),
        _best(f, key, "gender", "gender"),
        _best(f, key, "hukou_county", "hukou_area"),
    ):
        out = out.join(part, on=key, how="left")
    out = (
        out.with_columns(pl.coalesce("_id_valid", "_id_any").alias("id_number"))
        .join(status, on=[key, "id_number"], how="left")
        .with_columns(
            pl.col("_birth").str.to_date("%Y%m%d", strict=False).alias("birth_date"),
            pl.col("phones").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
    )
    return out.sort(key).select(
        "person_id",
        "name",
        "id_number",
        "id_status",
        "phones",
        "birth_date",
        "gender",
        "hukou_area",
        "n_records",
        "sources",
    )
