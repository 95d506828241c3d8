"""Golden record per person: the best value of each attribute over the person's records.

"Best" is by evidence, never by feed name (matching does not know feeds): the value most
records agree on, preferring values carried by records whose resident ID is valid, then the
smallest value so the choice is deterministic. The ID is the most frequent *valid* number,
else the most frequent number of any status (the finding rules then see it is invalid).
"""

from __future__ import annotations

import polars as pl


def _best(frame: pl.LazyFrame, key: str, col: str, out: str, *, where: pl.Expr | None = None) -> pl.LazyFrame:
    f = frame.filter(pl.col(col).is_not_null())
    if where is not None:
        f = f.filter(where)
    return (
        f.group_by(key, col)
        .agg(pl.len().alias("_n"), pl.col("id_valid").max().alias("_v"))
        .group_by(key)
        .agg(pl.col(col).sort_by(["_n", "_v", col], descending=[True, True, False]).first().alias(out))
    )


def golden_records(records: pl.DataFrame, key: str = "person_id") -> pl.DataFrame:
    """One row per person: person_id, name, id_number, id_status, phones, birth_date, gender,
    hukou_area, n_records, sources. `records` are prepared person records carrying `person_id`
    (and optionally an integer `key` column identifying the person, which groups faster)."""
    f = records.lazy().with_columns(
        pl.col("id_valid").fill_null(False), pl.col("source").cast(pl.Categorical)
    )
    base = f.group_by(key).agg(
        pl.col("person_id").first(),
        pl.len().alias("n_records"),
        pl.col("source").cast(pl.String).unique().sort().alias("sources"),
    )
    phones = (
        f.filter(pl.col("phone_norm").is_not_null())
        .group_by(key, "phone_norm")
        .len()
        .group_by(key)
        .agg(pl.col("phone_norm").sort_by(["len", "phone_norm"], descending=[True, False]).alias("phones"))
    )
    status = (
        f.filter(pl.col("id_norm").is_not_null())
        .group_by(key, "id_norm")
        .agg(pl.col("id_status").first())
        .rename({"id_norm": "id_number"})
    )
    out = (
        base.join(_best(f, key, "name_norm", "name"), on=key, how="left")
        .join(_best(f, key, "id_norm", "_id_valid", where=pl.col("id_valid")), on=key, how="left")
        .join(_best(f, key, "id_norm", "_id_any"), on=key, how="left")
        .with_columns(pl.coalesce("_id_valid", "_id_any").alias("id_number"))
        .join(status, on=[key, "id_number"], how="left")
        .join(phones, on=key, how="left")
        .join(_best(f, key, "birth", "_birth"), on=key, how="left")
        .join(_best(f, key, "gender", "gender"), on=key, how="left")
        .join(_best(f, key, "hukou_county", "hukou_area"), on=key, how="left")
        .with_columns(
            pl.col("_birth").str.to_date("%Y%m%d", strict=False).alias("birth_date"),
            pl.col("phones").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
    )
    out = out.sort(key).select(
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
    return out.collect()
