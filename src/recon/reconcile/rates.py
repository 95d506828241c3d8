"""The four district rates of CONTRACT.md section 2 per 街道, 社区 and 派出所 (table `kpi`).

Readings taken:
- 采集率: non-local persons with a current dwelling at D; registered = holds an active
  registration. Counted at the current dwelling's units.
- 准确率: active registrations of persons with a current dwelling; accurate = the
  registration's resolved dwelling is that current dwelling. Counted at the registration's units.
- 7日未注销率: registrations of persons who left that dwelling on D−8 or earlier and live
  nowhere in the district now; still registered = active at D. Registration's units.
- 居住证办证率: persons whose active registration is 6 months old or more; holders have a
  居住证号 on one of them. Registration's units.
A registration's units come from its resolved dwelling, else from its own 社区/派出所 fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from recon.reconcile.evidence import current_address
from recon.reconcile.findings import NOT_DEREGISTERED_DAYS, active_on


@dataclass(frozen=True)
class Metric:
    key: str
    name: str  # shown to users
    target: float
    higher_is_better: bool


METRICS = {
    "collection_rate": Metric("collection_rate", "采集率", 0.95, True),
    "accuracy_rate": Metric("accuracy_rate", "准确率", 0.95, True),
    "not_deregistered_7d_rate": Metric("not_deregistered_7d_rate", "7日未注销率", 0.10, False),
    "permit_rate": Metric("permit_rate", "居住证办证率", 0.85, True),
}
LEVELS = {"street": "街道", "community": "社区", "police_station": "派出所"}
KPI_SCHEMA = {
    "level": pl.Utf8,
    "unit": pl.Utf8,
    "metric": pl.Utf8,
    "metric_name": pl.Utf8,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
    "value": pl.Float64,
    "target": pl.Float64,
    "meets_target": pl.Boolean,
    "as_of": pl.Date,
}


def _units(df: pl.DataFrame, dwelling_col: str, library: pl.DataFrame) -> pl.DataFrame:
    lib = library.select(pl.col("address_code").alias(dwelling_col), "street", "community", "police_station")
    return df.join(lib, on=dwelling_col, how="left")


def _aggregate(df: pl.DataFrame, key: str, hit: str, as_of: date, district: str) -> pl.DataFrame:
    m = METRICS[key]
    out = []
    levels = {**LEVELS, "_district": "区县"}
    for col, level in levels.items():
        d = df.with_columns(pl.lit(district).alias("_district")) if col == "_district" else df
        g = (
            d.filter(pl.col(col).is_not_null())
            .group_by(col)
            .agg(
                pl.col(hit).sum().cast(pl.Int64).alias("numerator"),
                pl.len().cast(pl.Int64).alias("denominator"),
            )
            .rename({col: "unit"})
        )
        out.append(g.with_columns(pl.lit(level).alias("level")))
    res = pl.concat(out, how="vertical").with_columns(
        pl.lit(m.key).alias("metric"),
        pl.lit(m.name).alias("metric_name"),
        (pl.col("numerator") / pl.col("denominator")).alias("value"),
        pl.lit(m.target).alias("target"),
        pl.lit(as_of).alias("as_of"),
    )
    meets = pl.col("value") >= m.target if m.higher_is_better else pl.col("value") <= m.target
    return res.with_columns(meets.alias("meets_target")).select(list(KPI_SCHEMA))


def _reg_units(regs: pl.DataFrame, library: pl.DataFrame) -> pl.DataFrame:
    r = _units(regs, "dwelling", library)
    return r.with_columns(
        pl.coalesce(pl.col("community"), pl.col("reg_community")).alias("community"),
        pl.coalesce(pl.col("police_station"), pl.col("reg_police_station")).alias("police_station"),
    )


def compute_rates(
    regs: pl.DataFrame,
    evidence: pl.DataFrame,
    persons: pl.DataFrame,
    library: pl.DataFrame,
    as_of: date,
    district: str,
) -> pl.DataFrame:
    """The kpi table. `regs` needs reg_community / reg_police_station (the registry's own fields)."""
    current = current_address(evidence, as_of).filter(pl.col("current_dwelling").is_not_null())
    active = regs.filter(active_on(regs, as_of))
    floating = persons.filter(~pl.col("is_local").fill_null(False)).select("person_id")

    # 采集率
    coll = current.join(floating, on="person_id").with_columns(
        pl.col("person_id").is_in(active["person_id"].drop_nulls().implode()).alias("hit")
    )
    coll = _units(coll, "current_dwelling", library)

    # 准确率
    acc = active.join(
        current.select("person_id", "current_dwelling"), on="person_id", how="inner"
    ).with_columns(
        (pl.col("dwelling").is_not_null() & (pl.col("dwelling") == pl.col("current_dwelling")))
        .fill_null(False)
        .alias("hit")
    )
    acc = _reg_units(acc, library)

    # 7日未注销率
    cutoff = as_of - timedelta(days=NOT_DEREGISTERED_DAYS + 1)
    left = (
        evidence.filter(
            (pl.col("kind") == "departure") & pl.col("dwelling").is_not_null() & (pl.col("start") <= cutoff)
        )
        .select("person_id", "dwelling")
        .unique()
    )
    gone = (
        regs.filter(pl.col("dwelling").is_not_null() & (pl.col("registered_on") <= as_of))
        .join(left, on=["person_id", "dwelling"], how="inner")
        .join(current.select("person_id"), on="person_id", how="anti")
        .with_columns(active_on(regs, as_of).alias("hit"))
    )
    gone = _reg_units(gone, library)

    # 居住证办证率
    six_months = _months_before(as_of, 6)
    permit = (
        active.filter(pl.col("registered_on") <= six_months)
        .sort("registered_on", "record_id")
        .group_by("person_id", maintain_order=True)
        .agg(pl.all().first(), pl.col("permit_number").is_not_null().any().alias("hit"))
    )
    permit = _reg_units(permit, library)

    parts = [
        _aggregate(coll, "collection_rate", "hit", as_of, district),
        _aggregate(acc, "accuracy_rate", "hit", as_of, district),
        _aggregate(gone, "not_deregistered_7d_rate", "hit", as_of, district),
        _aggregate(permit, "permit_rate", "hit", as_of, district),
    ]
    return pl.concat(parts, how="vertical").sort("metric", "level", "unit")


def _months_before(d: date, months: int) -> date:
    """The same day `months` earlier (clamped to the month's end)."""
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    m += 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(y, m, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
