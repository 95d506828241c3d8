"""Grid visits of the quarter that contradict the registrations (网格走访不符)."""

from __future__ import annotations

import polars as pl

from recon.reconcile.quarterly_terms import (
    GRID,
    REGISTRY_ITEM_COLUMNS,
    quarter_bounds,
    registry_fields,
    roster_fields,
)


def grid_discrepancies(
    quarter: str, visits: pl.DataFrame, active: pl.DataFrame, local: pl.DataFrame
) -> pl.DataFrame:
    """Grid visits in the quarter that contradict the registrations active at QE: the newest visit
    per person and dwelling says 在住 where the (non-local) person has no registration at that
    dwelling, or says 已搬离 / 查无此人 where a registration made before the visit is still active."""
    q_start, qe = quarter_bounds(quarter)
    v = (
        visits.filter(
            pl.col("visit_date").is_between(q_start, qe)
            & pl.col("person_id").is_not_null()
            & pl.col("dwelling").is_not_null()
        )
        .sort(["person_id", "dwelling", "visit_date", "record_id"], descending=[False, False, True, True])
        .unique(["person_id", "dwelling"], keep="first", maintain_order=True)
        .join(local, on="person_id", how="left")
    )
    here = (
        active.select("person_id", "dwelling", *registry_fields())
        .drop("registry_dwelling")  # the visit's dwelling is shown on both sides
        .unique(["person_id", "dwelling"], keep="first")
    )
    v = v.join(here, on=["person_id", "dwelling"], how="left")
    seen = (
        (pl.col("visit_result") == "在住")
        & ~pl.col("is_local").fill_null(False)
        & pl.col("registration_id").is_null()
    )
    gone = (
        pl.col("visit_result").is_in(["已搬离", "查无此人"])
        & pl.col("registration_id").is_not_null()
        & (pl.col("registered_on") < pl.col("visit_date"))
    )
    return v.filter(seen | gone).select(
        pl.lit(quarter).alias("quarter"),
        "street",
        "community",
        pl.lit(GRID).alias("section"),
        pl.col("community").alias("registration_community"),
        "person_id",
        *roster_fields(),
        *(c for c in REGISTRY_ITEM_COLUMNS if c != "registry_dwelling"),
        pl.col("dwelling").alias("registry_dwelling"),
        pl.when(seen)
        .then(pl.lit("走访在住、该地址无有效登记"))
        .otherwise(pl.lit("走访称已离开、登记仍有效"))
        .alias("differences"),
        pl.when(seen)
        .then(pl.lit("核实后补办居住登记"))
        .otherwise(pl.lit("核实后注销登记"))
        .alias("suggested_action"),
        pl.col("record_id").alias("visit_id"),
        "visit_date",
        "visit_result",
        "grid_worker",
    )
