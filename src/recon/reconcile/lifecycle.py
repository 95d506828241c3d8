"""Finding lifecycle: stable ids, reviewers' decisions applied, findings closed when their cause goes.

- `flag_id` is derived from the finding's cause (type + the record or person it is about), so
  a finding keeps its id from night to night while the cause persists.
- A reviewer's latest decision sets the status: confirmed / dismissed stay so; a dismissed
  finding is raised again (status open) only when its evidence changed since the decision.
- A finding of the previous state that the data no longer shows is closed, with the reason.
"""

from __future__ import annotations

import hashlib
from datetime import date

import polars as pl

PERSON_LEVEL = ("unregistered", "duplicate_registration")

FLAG_SCHEMA = {
    "flag_id": pl.Utf8,
    "flag_type": pl.Utf8,
    "reason": pl.Utf8,
    "status": pl.Utf8,
    "person_id": pl.Utf8,
    "source": pl.Utf8,
    "record_id": pl.Utf8,
    "std_address_code": pl.Utf8,
    "detected_on": pl.Date,
    "last_seen_on": pl.Date,
    "closed_on": pl.Date,
    "status_reason": pl.Utf8,
    "decision_id": pl.Int64,
    "evidence": pl.Utf8,
    "evidence_hash": pl.Utf8,
}
DECISION_STATUS = {
    "confirm": "confirmed",
    "correct_address": "confirmed",
    "dismiss": "dismissed",
    "reopen": "open",
}


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def cause_key(flag_type: str, person_id: str | None, source: str | None, record_id: str | None) -> str:
    if flag_type in PERSON_LEVEL:
        return f"{flag_type}|person|{person_id}"
    return f"{flag_type}|{source}|{record_id}"


def with_ids(findings: pl.DataFrame) -> pl.DataFrame:
    """Add flag_id (from the cause) and evidence_hash (what a decision was made on)."""
    keys = [
        cause_key(t, p, s, r)
        for t, p, s, r in findings.select("flag_type", "person_id", "source", "record_id").iter_rows()
    ]
    ev_keys = [
        f"{rsn}|{code}|{ev}"
        for rsn, code, ev in findings.select("reason", "std_address_code", "evidence").iter_rows()
    ]
    return findings.with_columns(
        pl.Series("flag_id", ["F" + _sha(k)[:14] for k in keys], pl.Utf8),
        pl.Series("evidence_hash", [_sha(k)[:16] for k in ev_keys], pl.Utf8),
    )


def latest_decisions(decisions: pl.DataFrame) -> pl.DataFrame:
    """The last status-changing decision per flag (notes and field visits do not change status)."""
    if decisions.height == 0:
        return pl.DataFrame(
            schema={
                "flag_id": pl.Utf8,
                "decision_id": pl.Int64,
                "decided_status": pl.Utf8,
                "decided_hash": pl.Utf8,
            }
        )
    return (
        decisions.filter(pl.col("action").is_in(list(DECISION_STATUS)))
        .sort("decision_id")
        .group_by("flag_id", maintain_order=True)
        .last()
        .select(
            "flag_id",
            "decision_id",
            pl.col("action").replace_strict(DECISION_STATUS, return_dtype=pl.Utf8).alias("decided_status"),
            pl.col("evidence_hash").alias("decided_hash"),
        )
    )


def advance(
    previous: pl.DataFrame | None, findings: pl.DataFrame, decisions: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """Tonight's flag table from last night's, tonight's findings and the reviewers' decisions.

    decisions: decision_id, flag_id, action, evidence_hash (the hash the reviewer saw).
    """
    today = with_ids(findings)
    prev = previous if previous is not None and previous.height else pl.DataFrame(schema=FLAG_SCHEMA)
    dec = latest_decisions(decisions)
    prev_small = prev.select(
        "flag_id", pl.col("detected_on").alias("prev_detected"), pl.col("status").alias("prev_status")
    )
    cur = (
        today.join(prev_small, on="flag_id", how="left")
        .join(dec, on="flag_id", how="left")
        .with_columns(
            # a finding that was closed and comes back is a new detection
            pl.when(pl.col("prev_detected").is_not_null() & (pl.col("prev_status") != "closed"))
            .then(pl.col("prev_detected"))
            .otherwise(pl.lit(as_of))
            .alias("detected_on"),
            pl.lit(as_of).alias("last_seen_on"),
            pl.lit(None, pl.Date).alias("closed_on"),
        )
    )
    evidence_changed = pl.col("decided_hash").is_not_null() & (
        pl.col("decided_hash") != pl.col("evidence_hash")
    )
    cur = cur.with_columns(
        pl.when(pl.col("decided_status").is_null())
        .then(pl.lit("open"))
        .when((pl.col("decided_status") == "dismissed") & evidence_changed)
        .then(pl.lit("open"))
        .otherwise(pl.col("decided_status"))
        .alias("status"),
        pl.when(pl.col("decided_status").is_null())
        .then(pl.lit(None, pl.Utf8))
        .when((pl.col("decided_status") == "dismissed") & evidence_changed)
        .then(pl.lit("reopened: evidence changed since dismissal"))
        .otherwise(pl.lit("reviewer decision"))
        .alias("status_reason"),
    )
    gone = prev.join(today.select("flag_id"), on="flag_id", how="anti").with_columns(
        pl.when(pl.col("status") == "closed")
        .then(pl.col("closed_on"))
        .otherwise(pl.lit(as_of))
        .alias("closed_on"),
        pl.when(pl.col("status") == "closed")
        .then(pl.col("status_reason"))
        .otherwise(pl.lit("cause no longer shown by the data"))
        .alias("status_reason"),
        pl.lit("closed").alias("status"),
    )
    out = pl.concat([cur.select(list(FLAG_SCHEMA)), gone.select(list(FLAG_SCHEMA))], how="vertical_relaxed")
    return out.select([pl.col(k).cast(v) for k, v in FLAG_SCHEMA.items()]).sort("flag_id")
