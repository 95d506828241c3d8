"""Score findings against ground truth: precision, recall and F1 per finding type.

How a finding is matched to a true one:
- registry-record findings (address_inaccurate, not_deregistered, invalid_identity) by the
  registry record id;
- late_declaration by the evidence record (source, record_id);
- person-level findings (unregistered, duplicate_registration) by the TRUE person: the true
  person of the record our finding names (our person ids are our own, so they are mapped
  through that record).
The reason is scored separately (share of matched findings with the same reason, after
mapping reason names), so a right finding with another reading of its reason still counts.
"""

from __future__ import annotations

import polars as pl

PERSON_LEVEL = ("unregistered", "duplicate_registration")
REASON_ALIASES = {  # truth's reason names → ours
    "still_unregistered": "undeclared",
    "registered_late": "declared_late",
    "left_without_deregistration": "left_over_7_days",
    "multiple_active_registrations": "multiple_active",
    "check_char": "bad_check",
    "birth_date": "bad_birth_date",
    "area_code": "bad_area",
    "format": "bad_format",
}


def _keys(df: pl.DataFrame, truth_records: pl.DataFrame) -> pl.DataFrame:
    tp = truth_records.select("source", "record_id", pl.col("person_id").cast(pl.Utf8).alias("true_person"))
    df = df.join(tp, on=["source", "record_id"], how="left")
    return df.with_columns(
        pl.when(pl.col("flag_type").is_in(PERSON_LEVEL))
        .then(pl.col("flag_type") + "|" + pl.col("true_person"))
        .otherwise(pl.col("flag_type") + "|" + pl.col("source") + "|" + pl.col("record_id"))
        .alias("key")
    )


def score_findings(predicted: pl.DataFrame, truth: pl.DataFrame, truth_records: pl.DataFrame) -> pl.DataFrame:
    """One row per flag_type: tp, fp, fn, precision, recall, f1, reason_agreement."""
    pred = (
        _keys(
            predicted.filter(pl.col("status") != "closed") if "status" in predicted.columns else predicted,
            truth_records,
        )
        .select("flag_type", "key", "reason")
        .unique("key")
    )
    true = (
        _keys(truth.with_columns(pl.col("reason").replace(REASON_ALIASES)), truth_records)
        .select("flag_type", "key", pl.col("reason").alias("true_reason"))
        .unique("key")
    )
    rows = []
    for t in sorted(set(pred["flag_type"].to_list()) | set(true["flag_type"].to_list())):
        p = pred.filter(pl.col("flag_type") == t)
        g = true.filter(pl.col("flag_type") == t)
        both = p.join(g, on="key", how="inner")
        tp, fp, fn = both.height, p.height - both.height, g.height - both.height
        prec = tp / (tp + fp) if tp + fp else 1.0
        rec = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        agree = (both["reason"] == both["true_reason"]).mean() if both.height else None
        rows.append(
            {
                "flag_type": t,
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "precision": round(prec, 4),
                "recall": round(rec, 4),
                "f1": round(f1, 4),
                "reason_agreement": None if agree is None else round(float(agree), 4),
            }
        )
    return pl.DataFrame(rows)


def mismatches(
    predicted: pl.DataFrame, truth: pl.DataFrame, truth_records: pl.DataFrame, flag_type: str, limit: int = 20
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """False positives and false negatives of one type, for looking at failures."""
    pred = _keys(predicted.filter(pl.col("flag_type") == flag_type), truth_records)
    true = _keys(truth.filter(pl.col("flag_type") == flag_type), truth_records)
    fp = pred.join(true.select("key"), on="key", how="anti").head(limit)
    fn = true.join(pred.select("key"), on="key", how="anti").head(limit)
    return fp, fn
