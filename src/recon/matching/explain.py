"""Explanations: why two records are (not) one person, as a waterfall of weights.

The prior (log2 odds that two random records match) is the first bar; each comparison adds
the weight of the level the pair falls in (log2 m/u, plus a term-frequency adjustment for
common or rare names); the sum is the match weight, whose logistic is the match probability.
`explain_pair` recomputes this for any two raw records; `explain_stored` renders a row of
`LinkageResult.pairs` (what the run decided, kept for the pairs behind findings).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import polars as pl

from recon.matching.comparison_levels import EncodedRecords, PairContext
from recon.matching.engine import encode, tf_columns
from recon.matching.fellegi_sunter import LinkageModel, compute_gammas, probability, score_pairs
from recon.matching.term_frequency import record_frequencies


@dataclass
class Step:
    comparison: str
    level: str
    description: str
    weight: float  # including the term-frequency adjustment
    m: float | None = None
    u: float | None = None
    tf_adjustment: float = 0.0
    value_l: Any = None
    value_r: Any = None


@dataclass
class Explanation:
    prior_weight: float
    steps: list[Step] = field(default_factory=list)
    record_l: str = ""
    record_r: str = ""

    @property
    def match_weight(self) -> float:
        return self.prior_weight + sum(s.weight for s in self.steps)

    @property
    def match_probability(self) -> float:
        return float(probability(self.match_weight))

    def to_dict(self) -> dict:
        return {
            "record_l": self.record_l,
            "record_r": self.record_r,
            "prior_weight": round(self.prior_weight, 4),
            "match_weight": round(self.match_weight, 4),
            "match_probability": self.match_probability,
            "steps": [asdict(s) for s in self.steps],
        }

    def waterfall(self) -> str:
        """Plain-text waterfall: one bar per step with the running total."""
        lines = [
            f"{self.record_l}  vs  {self.record_r}",
            f"{'step':<14}{'level':<20}{'weight':>8}{'total':>9}  values",
        ]
        total = self.prior_weight
        lines.append(f"{'prior':<14}{'':<20}{self.prior_weight:>8.2f}{total:>9.2f}")
        for s in self.steps:
            total += s.weight
            tf = f" (tf {s.tf_adjustment:+.2f})" if s.tf_adjustment else ""
            bar = ("+" if s.weight >= 0 else "-") * min(int(abs(s.weight) + 0.5), 30)
            vals = f"{s.value_l!s} | {s.value_r!s}"
            lines.append(f"{s.comparison:<14}{s.level:<20}{s.weight:>8.2f}{total:>9.2f}  {vals}{tf}  {bar}")
        lines.append(f"match weight {self.match_weight:.2f} → probability {self.match_probability:.6f}")
        return "\n".join(lines)


def explain_prepared(
    prepared: pl.DataFrame, model: LinkageModel, left: int = 0, right: int = 1
) -> Explanation:
    """Explain rows `left` and `right` of a prepared record frame under `model`."""
    settings = model.settings
    enc: EncodedRecords = encode(prepared, settings)
    ctx = PairContext(enc, np.array([left]), np.array([right]))
    g = compute_gammas(ctx, settings.comparisons)
    tf_by_code = {
        c: record_frequencies(enc, c, model.tf.get(c)) for c in tf_columns(settings) if c in model.tf
    }
    weights, _ = score_pairs(ctx, g, model, tf_by_code)
    exp = Explanation(model.prior_weight)
    if "source" in prepared.columns and "record_id" in prepared.columns:
        exp.record_l = f"{prepared['source'][left]}:{prepared['record_id'][left]}"
        exp.record_r = f"{prepared['source'][right]}:{prepared['record_id'][right]}"
    for j, c in enumerate(settings.comparisons):
        k = int(g[0, j])
        col = getattr(c.levels[0], "col", None) or c.columns[0]
        va, vb = ctx.values(col)
        if k < 0:
            exp.steps.append(
                Step(c.name, "null", c.null_level.description, 0.0, value_l=va[0], value_r=vb[0])
            )
            continue
        base = float(model.level_weights(c.name)[k])
        w = float(weights[0, j])
        exp.steps.append(
            Step(
                c.name,
                c.labels[k],
                c.levels[k].description,
                w,
                m=model.m[c.name][k],
                u=model.u[c.name][k],
                tf_adjustment=round(w - base, 4),
                value_l=va[0],
                value_r=vb[0],
            )
        )
    return exp


def explain_pair(rec_a: dict, rec_b: dict, model: LinkageModel) -> Explanation:
    """Explain two raw person records (dicts with the link_persons input columns)."""
    from recon.matching.person_features import INPUT_COLUMNS, prepare_person_records

    rows = []
    for i, rec in enumerate((rec_a, rec_b)):
        row = {c: rec.get(c) for c in INPUT_COLUMNS}
        row["source"] = str(row["source"] if row["source"] is not None else "record")
        row["record_id"] = str(row["record_id"] if row["record_id"] is not None else i)
        row["birth_date"] = None if row["birth_date"] in (None, "") else str(row["birth_date"])
        rows.append({k: (None if v is None else str(v)) for k, v in row.items()})
    frame = pl.DataFrame(rows, schema={c: pl.String for c in INPUT_COLUMNS})
    prepared = prepare_person_records(frame)
    key_a = (rows[0]["source"], rows[0]["record_id"])
    first = (prepared["source"][0], prepared["record_id"][0])
    left, right = (0, 1) if first == key_a else (1, 0)
    return explain_prepared(prepared, model, left, right)


def parse_record_key(key: str) -> tuple[str, str]:
    """'SOURCE:RECORD_ID' → (source, record_id); the record id may itself contain ':'."""
    source, sep, record_id = key.partition(":")
    if not sep or not source or not record_id:
        raise ValueError(
            f"record key {key!r} is not SOURCE:RECORD_ID (e.g. police_registry:330114202401230000827)"
        )
    return source, record_id


def explain_keys(records: pl.DataFrame, key_a: str, key_b: str, model: LinkageModel) -> Explanation:
    """Explain two records named 'SOURCE:RECORD_ID' found in `records` (link_persons input rows);
    what `recon explain A B` prints."""
    found = []
    for key in (key_a, key_b):
        source, record_id = parse_record_key(key)
        row = records.filter(
            (pl.col("source") == source) & (pl.col("record_id").cast(pl.String) == record_id)
        )
        if row.height == 0:
            raise KeyError(
                f"no record {key!r} in tonight's person records; check the source name and record id"
            )
        found.append(row.row(0, named=True))
    return explain_pair(found[0], found[1], model)


def explain_stored(pair: dict, model: LinkageModel) -> Explanation:
    """Render a row of `LinkageResult.pairs` (as a dict) with the run's own weights."""

    def name(side: str) -> str:
        if f"source_{side}" in pair:
            return f"{pair[f'source_{side}']}:{pair[f'record_id_{side}']}"
        return str(pair.get(side, ""))

    exp = Explanation(model.prior_weight, record_l=name("l"), record_r=name("r"))
    for c in model.settings.comparisons:
        k = int(pair[f"g_{c.name}"])
        w = float(pair[f"w_{c.name}"])
        if k < 0:
            exp.steps.append(Step(c.name, "null", c.null_level.description, 0.0))
            continue
        base = float(model.level_weights(c.name)[k])
        exp.steps.append(
            Step(
                c.name,
                c.labels[k],
                c.levels[k].description,
                w,
                m=model.m[c.name][k],
                u=model.u[c.name][k],
                tf_adjustment=round(w - base, 4),
            )
        )
    return exp


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def waterfall_view_sql(wide_table: str, keys: list[str], model: LinkageModel) -> str:
    """SELECT unfolding a wide table of stored pairs (`keys` plus `g_<comparison>` levels and
    `w_<comparison>` weights, as in `LinkageResult.pairs`) into waterfall rows: step 0 is the
    prior, then one row per comparison in the model's order with its level label, weight (TF
    included) and running total (summed in double precision, stored as FLOAT); the last
    running total is the pair's match weight. This is what the review app draws for the pairs
    behind a finding.

    The view is cheap to filter by any key column (each branch is a plain projection), so the
    review app's lookups by finding never unfold more than the pairs they ask for."""
    comps = model.settings.comparisons
    key_sql = ", ".join(f'"{k}"' for k in keys)
    prior = f"CAST({float(model.prior_weight)!r} AS FLOAT)"
    branches = [
        f"SELECT {key_sql}, CAST(0 AS TINYINT) AS step, 'prior' AS comparison, CAST(NULL AS VARCHAR) AS level, "
        f'{prior} AS weight, {prior} AS running_total FROM "{wide_table}"'
    ]
    total = f"CAST({prior} AS DOUBLE)"
    for j, c in enumerate(comps):
        labels = {-1: "null", **dict(enumerate(c.labels))}
        case = " ".join(f"WHEN {g} THEN {_sql_text(label)}" for g, label in labels.items())
        weight = f'CAST("w_{c.name}" AS FLOAT)'
        total = f"({total} + {weight})"
        branches.append(
            f"SELECT {key_sql}, CAST({j + 1} AS TINYINT), {_sql_text(c.name)}, "
            f'CASE CAST("g_{c.name}" AS INTEGER) {case} END, {weight}, CAST({total} AS FLOAT) FROM "{wide_table}"'
        )
    return "\nUNION ALL\n".join(branches)
