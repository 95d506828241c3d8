"""Where a person record places its person, at the finest level the address text allows.

Linkage compares dwellings, buildings and communities (`DwellingComparison`). An address that
resolves to a dwelling gives all three. One that resolves only `partial` (a grid worker writes
"天榆小区2座1单元" and leaves out the room) still names a building or a community when every
dwelling it could be lies in that building or community: dropping that knowledge leaves such a
record with a bare name, unlinkable, and its person looks unregistered.

Grid-visit records carry the grid (网格编号) the worker covers; a grid lies in one community.
Which community is learned from the same night's visits whose address did resolve (no code
format is assumed), and used only where the address gave no community.
"""

from __future__ import annotations

import polars as pl

GRID_MIN_VISITS = 5  # resolved visits needed before a grid's community is trusted
GRID_MIN_SHARE = 0.9  # share of those visits that must lie in its most common community


def record_places(matches: pl.DataFrame, places: pl.DataFrame) -> pl.DataFrame:
    """Building and community of each address match.

    `matches`: source, record_id, std_address_code, candidates (list of dwelling codes a
    partial answer could be; may be absent). `places`: code, building_key, community of every
    dwelling. Returns source, record_id, std_address_code, building_key, community; a partial
    answer gets the building (community) only when all its candidates share it."""
    out = matches.select("source", "record_id", "std_address_code").join(
        places.rename({"code": "std_address_code"}), on="std_address_code", how="left"
    )
    if "candidates" not in matches.columns:
        return out
    cand = (
        matches.filter(pl.col("std_address_code").is_null() & (pl.col("candidates").list.len() > 0))
        .select("source", "record_id", pl.col("candidates").alias("code"))
        .explode("code")
        .join(places, on="code", how="inner")
        .group_by("source", "record_id")
        .agg(
            pl.col("building_key").drop_nulls().unique().alias("_b"),
            pl.col("community").drop_nulls().unique().alias("_c"),
            pl.col("building_key").null_count().alias("_bn"),
        )
        .select(
            "source",
            "record_id",
            pl.when((pl.col("_b").list.len() == 1) & (pl.col("_bn") == 0))
            .then(pl.col("_b").list.first())
            .alias("_b"),
            pl.when(pl.col("_c").list.len() == 1).then(pl.col("_c").list.first()).alias("_c"),
        )
    )
    return (
        out.join(cand, on=["source", "record_id"], how="left")
        .with_columns(
            pl.coalesce("building_key", "_b").alias("building_key"),
            pl.coalesce("community", "_c").alias("community"),
        )
        .drop("_b", "_c")
    )


def grid_communities(grid: pl.Series, community: pl.Series) -> pl.Series:
    """Per record: the community its grid lies in, learned from the records whose address gave
    one (null when the grid is unknown, has fewer than GRID_MIN_VISITS such records, or no
    community holds GRID_MIN_SHARE of them)."""
    f = pl.DataFrame({"grid": grid.cast(pl.String), "community": community.cast(pl.String)})
    learned = (
        f.filter(pl.col("grid").is_not_null() & pl.col("community").is_not_null())
        .group_by("grid", "community")
        .len()
        .with_columns(pl.col("len").sum().over("grid").alias("total"))
        .sort("grid", "len", "community", descending=[False, True, False])
        .unique("grid", keep="first")
        .filter((pl.col("total") >= GRID_MIN_VISITS) & (pl.col("len") >= GRID_MIN_SHARE * pl.col("total")))
        .select("grid", pl.col("community").alias("grid_community"))
    )
    return f.join(learned, on="grid", how="left", maintain_order="left")["grid_community"]
