"""Annual-report tables of the floating population (DOMAIN.md) and penalty exposure.

The population counted: non-local persons with a current address (or presence) in the
district at D. Tables, each with `as_of`:
- `report_age_band`: <18 / 18–60 / >60 from the golden birth date (else the ID's);
- `report_origin`: province and city of the hukou area code;
- `report_dwelling_type`: rented / employer dormitory / site dormitory / own home / other /
  unknown, from the current evidence (a lease is rented; a dormitory roster row is a
  dormitory; the registry's 居住处所 otherwise);
- `report_residence_length`: time since the current evidence started;
- `penalty_exposure`: undeclared residence starts per responsible landlord, agency or
  employer × the fine per person (200 yuan in Shenzhen's rule; configurable).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from recon.connectors.contract import LEASE_SOURCES

FINE_PER_PERSON_YUAN = 200
AGE_BANDS = ("<18", "18-60", ">60")
LENGTH_BANDS = ("<6个月", "6-12个月", "1-2年", "≥2年")
REGISTRY_KIND = {"租赁房屋": "租赁房屋", "单位内部": "单位宿舍", "工地现场": "工地宿舍", "自购房": "自购房"}


def _age_band(birth: pl.Expr, as_of: date) -> pl.Expr:
    age = (pl.lit(as_of) - birth).dt.total_days() / 365.2425
    return (
        pl.when(birth.is_null())
        .then(pl.lit("未知"))
        .when(age < 18)
        .then(pl.lit("<18"))
        .when(age <= 60)
        .then(pl.lit("18-60"))
        .otherwise(pl.lit(">60"))
    )


def _length_band(since: pl.Expr, as_of: date) -> pl.Expr:
    days = (pl.lit(as_of) - since).dt.total_days()
    return (
        pl.when(days < 183)
        .then(pl.lit(LENGTH_BANDS[0]))
        .when(days < 365)
        .then(pl.lit(LENGTH_BANDS[1]))
        .when(days < 730)
        .then(pl.lit(LENGTH_BANDS[2]))
        .otherwise(pl.lit(LENGTH_BANDS[3]))
    )


def _dwelling_type(current: pl.DataFrame, evidence: pl.DataFrame, regs: pl.DataFrame) -> pl.DataFrame:
    ev = evidence.select(
        pl.col("source").alias("current_source"), pl.col("record_id").alias("current_record_id"), "lodging"
    ).unique(["current_source", "current_record_id"])
    reg_kind = (
        regs.sort("registered_on", descending=True)
        .group_by("person_id", maintain_order=True)
        .agg(pl.col("dwelling_kind").first())
    )
    df = current.join(ev, on=["current_source", "current_record_id"], how="left").join(
        reg_kind, on="person_id", how="left"
    )
    return df.with_columns(
        pl.when(pl.col("current_source").is_in(LEASE_SOURCES))
        .then(pl.lit("租赁房屋"))
        .when(pl.col("lodging") == "单位宿舍")
        .then(pl.lit("单位宿舍"))
        .when(pl.col("lodging") == "工地宿舍")
        .then(pl.lit("工地宿舍"))
        .otherwise(pl.col("dwelling_kind").replace_strict(REGISTRY_KIND, default="其他").fill_null("未知"))
        .alias("dwelling_type")
    )


def _share(df: pl.DataFrame, by: list[str], as_of: date) -> pl.DataFrame:
    total = max(df.height, 1)
    return (
        df.group_by(by)
        .len("persons")
        .with_columns((pl.col("persons") / total).alias("share"), pl.lit(as_of).alias("as_of"))
        .sort("persons", descending=True)
    )


def annual_tables(
    current: pl.DataFrame, evidence: pl.DataFrame, regs: pl.DataFrame, persons: pl.DataFrame, as_of: date
) -> dict[str, pl.DataFrame]:
    """current: current_address() output; persons: person_id, is_local, birth_date, province, city."""
    pop = current.join(persons, on="person_id", how="inner").filter(~pl.col("is_local").fill_null(False))
    pop = _dwelling_type(pop, evidence, regs).with_columns(
        _age_band(pl.col("birth_date"), as_of).alias("age_band"),
        _length_band(pl.col("current_since"), as_of).alias("residence_length"),
        pl.col("province").fill_null("未知"),
        pl.col("city").fill_null("未知"),
    )
    return {
        "report_age_band": _share(pop, ["age_band"], as_of),
        "report_origin": _share(pop, ["province", "city"], as_of),
        "report_dwelling_type": _share(pop, ["dwelling_type"], as_of),
        "report_residence_length": _share(pop, ["residence_length"], as_of),
    }


def penalty_exposure(
    flags: pl.DataFrame, evidence: pl.DataFrame, as_of: date, fine_per_person: int = FINE_PER_PERSON_YUAN
) -> pl.DataFrame:
    """Undeclared residence starts (open late_declaration, reason undeclared) per responsible party."""
    resp = evidence.select("source", "record_id", "responsible").unique(["source", "record_id"])
    late = flags.filter(
        (pl.col("flag_type") == "late_declaration")
        & (pl.col("status") != "closed")
        & (pl.col("reason") == "undeclared")
    ).join(resp, on=["source", "record_id"], how="left")
    return (
        late.group_by(pl.col("responsible").fill_null("（未注明）"), "source")
        .agg(pl.col("person_id").n_unique().alias("undeclared_persons"))
        .with_columns(
            (pl.col("undeclared_persons") * fine_per_person).alias("exposure_yuan"),
            pl.lit(fine_per_person).alias("fine_per_person_yuan"),
            pl.lit(as_of).alias("as_of"),
        )
        .sort("exposure_yuan", "responsible", descending=[True, False])
    )
