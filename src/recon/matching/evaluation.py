"""Scoring linkage against ground truth: pairwise precision / recall / F1, blocking completeness.

Pair counts come from cluster contingency tables (sum of C(n, 2) over cells), so a million
persons never means enumerating their pairs. Tests cross-check these figures against
recordlinkage's own evaluation functions on small data.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from recon.matching.blocking import Candidates


def _pairs(col: pl.Expr) -> pl.Expr:
    return (col * (col - 1) // 2).sum()


def pairwise_scores(predicted: np.ndarray | pl.Series | list, truth: np.ndarray | pl.Series | list) -> dict:
    """Pairwise precision, recall and F1 of a clustering (transitive closure) against true entities."""
    df = pl.DataFrame({"p": pl.Series(predicted).cast(pl.String), "t": pl.Series(truth).cast(pl.String)})
    both = df.group_by("p", "t").len().select(_pairs(pl.col("len").cast(pl.Int64))).item()
    pred = df.group_by("p").len().select(_pairs(pl.col("len").cast(pl.Int64))).item()
    true = df.group_by("t").len().select(_pairs(pl.col("len").cast(pl.Int64))).item()
    tp, fp, fn = int(both or 0), int((pred or 0) - (both or 0)), int((true or 0) - (both or 0))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def pair_scores(left: np.ndarray, right: np.ndarray, truth: np.ndarray) -> dict:
    """Precision / recall / F1 of a set of predicted pairs (no transitive closure)."""
    t = np.asarray(truth)
    tp = int((t[left] == t[right]).sum())
    true_pairs = int(pl.Series(t).value_counts().select(_pairs(pl.col("count").cast(pl.Int64))).item())
    fp, fn = len(left) - tp, true_pairs - tp
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def blocking_completeness(
    cands: Candidates, truth: np.ndarray, report: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The blocking report with each rule's pair completeness (share of true pairs it finds),
    its true pairs, and a final row for the union of all rules."""
    t = np.asarray(truth)
    true_pairs = int(pl.Series(t).value_counts().select(_pairs(pl.col("count").cast(pl.Int64))).item())
    is_true = t[cands.left] == t[cands.right]
    rows = []
    rep = report if report is not None else cands.report
    for i, rule in enumerate(cands.rules):
        found = cands.found_by(i)
        rows.append(
            {
                "rule": rule.name,
                "true_pairs_found": int((found & is_true).sum()),
                "completeness": (found & is_true).sum() / true_pairs if true_pairs else 1.0,
            }
        )
    comp = pl.DataFrame(
        rows, schema={"rule": pl.String, "true_pairs_found": pl.Int64, "completeness": pl.Float64}
    )
    out = rep.join(comp, on="rule", how="left")
    union = {
        "rule": "(union)",
        "keys": "",
        "pairs": len(cands),
        "new_pairs": len(cands),
        "true_pairs_found": int(is_true.sum()),
        "completeness": is_true.sum() / true_pairs if true_pairs else 1.0,
    }
    return pl.concat([out, pl.DataFrame([union])], how="diagonal_relaxed")


def rule_completeness(
    prepared: pl.DataFrame, rules: list, truth: np.ndarray, n_partitions: int = 8
) -> pl.DataFrame:
    """Per-rule record-pair counts and pair completeness on ground truth, on the records as they
    are (no collapsing of identical records): the figures a reviewer of the blocking rules needs."""
    from recon.matching.blocking import generate_candidates

    cands = generate_candidates(prepared, rules, n_partitions)
    return blocking_completeness(cands, np.asarray(truth))
