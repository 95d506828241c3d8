"""Scoring the quarterly statement against the generator's true sections (precision / recall)."""

from __future__ import annotations

import polars as pl

from recon.reconcile.quarterly import ALL_SECTIONS, GRID


def score_sections(product: pl.DataFrame, truth: pl.DataFrame) -> dict:
    """`product` and `truth`: kind (roster / registration), record_id, section. Records on one side
    only count as wrong (section '(缺)'). Returns accuracy per kind and precision / recall per section."""
    key = ["kind", "record_id"]
    j = (
        product.select(*key, pl.col("section").alias("got"))
        .join(truth.select(*key, pl.col("section").alias("want")), on=key, how="full", coalesce=True)
        .with_columns(pl.col("got").fill_null("(缺)"), pl.col("want").fill_null("(缺)"))
    )
    out: dict = {"by_kind": {}, "by_section": {}}
    for kind in ("roster", "registration", "grid"):
        k = j.filter(pl.col("kind") == kind)
        n = k.height
        correct = int((k["got"] == k["want"]).sum())
        out["by_kind"][kind] = {
            "records": n,
            "correct": correct,
            "accuracy": round(correct / n, 4) if n else None,
        }
    n = j.height
    correct = int((j["got"] == j["want"]).sum())
    out["overall"] = {"records": n, "correct": correct, "accuracy": round(correct / n, 4) if n else None}
    for s in ALL_SECTIONS:
        tp = int(((j["got"] == s) & (j["want"] == s)).sum())
        got = int((j["got"] == s).sum())
        want = int((j["want"] == s).sum())
        if got or want:
            out["by_section"][s] = {
                "true": want,
                "found": got,
                "precision": round(tp / got, 4) if got else None,
                "recall": round(tp / want, 4) if want else None,
            }
    out["confusion"] = (
        j.filter(pl.col("got") != pl.col("want"))
        .group_by("kind", "want", "got")
        .len()
        .sort("len", descending=True)
    )
    return out


def sections_from_items(items: pl.DataFrame) -> pl.DataFrame:
    """kind, record_id, section of a statement's items (quarterly_item / statement_items.parquet):
    each roster row; each registration in its own community's statement (the roster row of that
    community that picked it, else its own item); each grid visit listed."""
    roster = items.filter(pl.col("roster_record_id").is_not_null())
    regs = pl.concat(
        [
            roster.filter(pl.col("registration_community") == pl.col("community"))
            .sort("roster_record_id")
            .unique("registration_id", keep="first")
            .select("registration_id", "section"),
            items.filter(pl.col("roster_record_id").is_null() & (pl.col("section") != GRID)).select(
                "registration_id", "section"
            ),
        ]
    )
    return pl.concat(
        [
            roster.select(
                pl.lit("roster").alias("kind"), pl.col("roster_record_id").alias("record_id"), "section"
            ),
            regs.select(
                pl.lit("registration").alias("kind"), pl.col("registration_id").alias("record_id"), "section"
            ),
            items.filter(pl.col("section") == GRID).select(
                pl.lit("grid").alias("kind"), pl.col("visit_id").alias("record_id"), "section"
            ),
        ]
    )
