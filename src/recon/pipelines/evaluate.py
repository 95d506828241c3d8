"""Score a published run against a synthetic district's ground truth (benchmarks and tests).

    scores = score_run(Path("data/out/recon.duckdb"), Path("data/demo/truth"))

Findings are matched to true ones as `recon.reconcile.scoring` describes; person linkage is
scored pairwise (every pair of records of the same true person) over the records the truth
knows.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from recon.matching.evaluation import pairwise_scores
from recon.reconcile.scoring import score_findings
from recon.warehouse.gateway import Warehouse


def truth_records(truth: Path) -> pl.DataFrame:
    """The true person of every record: source, record_id, person_id (current versions only)."""
    recs = pl.read_parquet(truth / "records.parquet")
    if "is_bad" in recs.columns:
        recs = recs.filter(~pl.col("is_bad"))
    return recs.select("source", "record_id", "person_id").unique(["source", "record_id"], keep="last")


def score_run(db: Path, truth: Path) -> pl.DataFrame:
    """Per finding type: tp, fp, fn, precision, recall, f1, reason agreement."""
    with Warehouse(db, read_only=True) as wh:
        flags = wh.query_pl("SELECT flag_type, reason, status, source, record_id FROM flag", table="flag")
    return score_findings(flags, pl.read_parquet(truth / "findings.parquet"), truth_records(truth))


def score_linkage(db: Path, truth: Path) -> dict:
    """Pairwise precision, recall and F1 of person_link against the true persons."""
    with Warehouse(db, read_only=True) as wh:
        links = wh.query_pl("SELECT source, record_id, person_id FROM person_link", table="person_link")
    joined = links.join(
        truth_records(truth).rename({"person_id": "true_person"}), on=["source", "record_id"], how="inner"
    )
    return pairwise_scores(joined["person_id"], joined["true_person"])
