"""Quarterly account reconciliation between a community's roster and the registry (村社人口数据对账).

Pure functions over polars frames. For one quarter (its last day QE), every roster row of a
community's file and every registration active at QE lands in exactly one section:

    一致             the roster row's person holds an active registration at the same dwelling
                     and name and phone agree
    信息不一致       same person, but the dwelling differs (or the registration is in another
                     community, or its address resolves to no dwelling), or name / phone differ,
                     or a second registration of a person the roster lists once; the evidence
                     says which side it supports
    底册有、登记无   the community lists a non-local person with no active registration at QE:
                     a registration task for the collector (or a roster clean-up when the
                     evidence says the person left)
    登记有、底册无   an active registration in the community whose person the roster does not
                     list: verify, or deregister when the evidence says the person left
    户籍人口         a local-hukou person on the roster: no registration is due (counted, not a
                     discrepancy)

and a sixth list, 网格走访不符, of grid visits in the quarter that contradict the registrations
(seen living at a dwelling without a registration there; reported gone while the registration
there is still active). A roster row picks the person's registration at the same dwelling, else
in the same community, else the newest; that registration shares the row's section.

Inputs (all per quarter; see `statement`):
  roster:  record_id, community, seq, name, id_number, phone, address, person_category, remark,
           person_id, dwelling, candidates (list of dwellings a partial address may be), street
  regs:    record_id, person_id, dwelling, community, street, police_station, registered_on,
           deregistered_on, name, id_number, phone, address, collector
  locality: person_id, is_local
  current: person_id, current_dwelling, current_since, current_source, current_record_id (at QE)
  departures: person_id, dwelling, gone_from (evidence that the person left, on or before QE)
  visits:  record_id, person_id, dwelling, community, street, visit_date, visit_result, grid_worker
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from recon.matching.names import normalize_name
from recon.reconcile.quarterly_grid import grid_discrepancies
from recon.reconcile.quarterly_terms import (
    ALL_SECTIONS,
    CONSISTENT,
    GRID,
    ITEM_SCHEMA,
    LOCAL,
    MISMATCH,
    REGISTRY_ITEM_COLUMNS,
    REGISTRY_ONLY,
    ROSTER_ONLY,
    SECTIONS,
    active_at,
    quarter_bounds,
    quarter_label,
    registry_fields,
    roster_fields,
    shape,
)

__all__ = [
    "ALL_SECTIONS", "CONSISTENT", "GRID", "ITEM_SCHEMA", "LOCAL", "MISMATCH", "REGISTRY_ONLY", "ROSTER_ONLY",
    "SECTIONS", "Statement", "active_at", "grid_discrepancies", "quarter_bounds", "quarter_label", "statement",
    "summarize",
]  # fmt: skip


# -- text comparison --------------------------------------------------------------------------
def _name_norm(col: str) -> pl.Expr:
    """The linkage's name normalizer (NFKC, no spaces or remarks, simplified characters): 張 三 and
    张三 are the same name; a homophone or look-alike is not. Computed once per distinct value."""

    def norm(s: pl.Series) -> pl.Series:
        uniq = s.drop_nulls().unique()
        table = {v: normalize_name(v) for v in uniq.to_list()}
        return s.replace_strict(table, default=None, return_dtype=pl.Utf8)

    return pl.col(col).map_batches(norm, return_dtype=pl.Utf8)


def _phone_norm(col: str) -> pl.Expr:
    """Digits only (full-width ones too); masked or empty numbers compare as unknown."""
    s = pl.col(col).str.normalize("NFKC").str.replace_all(r"[\s\-()（）+]", "")
    digits = s.str.replace_all(r"\D", "")
    usable = s.str.contains(r"^\d{7,}$")
    return pl.when(usable).then(digits.str.replace(r"^86(1\d{10})$", "$1")).otherwise(None)


# -- the statement ----------------------------------------------------------------------------
@dataclass
class Statement:
    quarter: str
    quarter_end: date
    items: pl.DataFrame  # ITEM_SCHEMA, one row per item
    roster_sections: pl.DataFrame  # record_id, community, section
    registration_sections: pl.DataFrame  # registration_id, community, section
    summary: pl.DataFrame  # per community: counts and rates per section


def _pairs(roster: pl.DataFrame, active: pl.DataFrame, buildings: pl.DataFrame) -> pl.DataFrame:
    """Each roster row with the registration it picks (or none). `buildings`: dwelling, building_key."""
    b = buildings.select("dwelling", "building_key")
    r = roster.select(
        "record_id",
        "community",
        "person_id",
        pl.col("dwelling").alias("r_dwelling"),
        pl.col("candidates").fill_null(pl.lit([], pl.List(pl.Utf8))),
    ).with_columns(first_candidate=pl.col("candidates").list.first())
    r = r.join(
        b.rename({"dwelling": "first_candidate", "building_key": "r_building"}),
        on="first_candidate",
        how="left",
    )
    g = active.select(
        pl.col("record_id").alias("registration_id"),
        "person_id",
        pl.col("dwelling").alias("g_dwelling"),
        pl.col("community").alias("g_community"),
        "registered_on",
    ).join(b.rename({"dwelling": "g_dwelling", "building_key": "g_building"}), on="g_dwelling", how="left")
    j = r.filter(pl.col("person_id").is_not_null()).join(g, on="person_id", how="inner")
    # a partial roster address (building only) agrees with any dwelling it may be; one that
    # identifies nothing cannot disagree with a registration in the same community
    same = (
        pl.when(pl.col("g_dwelling").is_null())
        .then(False)
        .when(pl.col("r_dwelling").is_not_null())
        .then(pl.col("r_dwelling") == pl.col("g_dwelling"))
        .when(pl.col("candidates").list.len() > 0)
        .then(
            pl.col("candidates").list.contains(pl.col("g_dwelling"))
            | (pl.col("r_building") == pl.col("g_building")).fill_null(False)
        )
        .otherwise(pl.col("g_community") == pl.col("community"))
    )
    j = j.with_columns(
        same_dwelling=same, same_community=(pl.col("g_community") == pl.col("community")).fill_null(False)
    )
    return (
        j.sort(
            ["record_id", "same_dwelling", "same_community", "registered_on", "registration_id"],
            descending=[False, True, True, True, False],
        )
        .group_by("record_id", maintain_order=True)
        .first()
        .select("record_id", "registration_id", "same_dwelling", "same_community")
    )


def _supports(roster_dw: pl.Expr, reg_dw: pl.Expr, ev_dw: pl.Expr) -> pl.Expr:
    return (
        pl.when(ev_dw.is_null())
        .then(pl.lit("无证据"))
        .when(roster_dw.is_not_null() & (ev_dw == roster_dw))
        .then(pl.lit("底册"))
        .when(reg_dw.is_not_null() & (ev_dw == reg_dw))
        .then(pl.lit("登记"))
        .otherwise(pl.lit("均不符"))
    )


def statement(
    quarter: str,
    roster: pl.DataFrame,
    regs: pl.DataFrame,
    locality: pl.DataFrame,
    current: pl.DataFrame,
    departures: pl.DataFrame,
    visits: pl.DataFrame,
    dwelling_community: pl.DataFrame,
) -> Statement:
    """Every community's statement for the quarter (see module docstring).

    `dwelling_community`: dwelling, community, street, building_key (the standard-address library;
    a partial roster address agrees with a registration in the building it names)."""
    q = quarter_label(quarter)
    q_start, qe = quarter_bounds(q)
    active = active_at(regs, qe)
    local = locality.select("person_id", pl.col("is_local").fill_null(False))
    roster = roster.join(local, on="person_id", how="left").with_columns(pl.col("is_local").fill_null(False))
    if "building_key" not in dwelling_community.columns:
        dwelling_community = dwelling_community.with_columns(building_key=pl.lit(None, pl.Utf8))
    picks = _pairs(roster.filter(~pl.col("is_local")), active, dwelling_community)
    reg_cols = active.select(*registry_fields(), pl.col("community").alias("registration_community"))
    cur = current.select(
        "person_id",
        pl.col("current_dwelling").alias("evidence_dwelling"),
        pl.col("current_since").alias("evidence_since"),
        pl.concat_str(["current_source", "current_record_id"], separator=":").alias("evidence_record"),
    )
    street_of = dwelling_community.select("community", "street").unique("community", keep="first")

    # roster rows
    r = (
        roster.join(picks, on="record_id", how="left")
        .join(reg_cols, on="registration_id", how="left")
        .join(cur, on="person_id", how="left")
        .with_columns(
            n_r=_name_norm("name"),
            n_g=_name_norm("registry_name"),
            p_r=_phone_norm("phone"),
            p_g=_phone_norm("registry_phone"),
        )
    )
    diff_dw = pl.col("registration_id").is_not_null() & ~pl.col("same_dwelling").fill_null(False)
    diff_name = (pl.col("n_r") != pl.col("n_g")).fill_null(False)
    diff_phone = (pl.col("p_r") != pl.col("p_g")).fill_null(False)
    differences = pl.concat_list(
        pl.when(diff_dw & pl.col("registry_dwelling").is_null()).then(pl.lit("登记地址无法识别")),
        pl.when(diff_dw & pl.col("registry_dwelling").is_not_null() & ~pl.col("same_community"))
        .then(pl.lit("在其他社区登记"))
        .when(diff_dw & pl.col("registry_dwelling").is_not_null())
        .then(pl.lit("居住地址")),
        pl.when(diff_name).then(pl.lit("姓名")),
        pl.when(diff_phone).then(pl.lit("联系电话")),
    ).list.drop_nulls()
    r = r.with_columns(differences=differences.list.join("、"))
    section = (
        pl.when(pl.col("is_local"))
        .then(pl.lit(LOCAL))
        .when(pl.col("registration_id").is_null())
        .then(pl.lit(ROSTER_ONLY))
        .when(pl.col("differences") == "")
        .then(pl.lit(CONSISTENT))
        .otherwise(pl.lit(MISMATCH))
    )
    r = r.with_columns(section=section)
    gone = departures.select("person_id", pl.col("dwelling").alias("gone_dwelling"), "gone_from")
    r_gone = (
        r.select("record_id", "person_id", "dwelling")
        .join(gone, on="person_id", how="inner")
        .filter(pl.col("gone_dwelling") == pl.col("dwelling"))
        .group_by("record_id")
        .agg(pl.col("gone_from").max().alias("roster_gone_from"))
    )
    r = r.join(r_gone, on="record_id", how="left")
    ev_here = (
        pl.col("evidence_dwelling").is_not_null() & (pl.col("evidence_dwelling") == pl.col("dwelling"))
    ) | (
        pl.col("evidence_dwelling").is_not_null()
        & pl.col("candidates")
        .fill_null(pl.lit([], pl.List(pl.Utf8)))
        .list.contains(pl.col("evidence_dwelling"))
    )
    action = (
        pl.when(pl.col("section") == LOCAL)
        .then(pl.lit("户籍人口,无需居住登记"))
        .when(pl.col("section") == CONSISTENT)
        .then(pl.lit(""))
        .when((pl.col("section") == ROSTER_ONLY) & ev_here)
        .then(pl.lit("补办居住登记(证据显示在住)"))
        .when((pl.col("section") == ROSTER_ONLY) & pl.col("roster_gone_from").is_not_null())
        .then(pl.lit("核实后从底册删除(证据显示已搬离)"))
        .when(pl.col("section") == ROSTER_ONLY)
        .then(pl.lit("上门核实,在住则补办居住登记"))
        .when(pl.col("differences").str.contains("居住地址|在其他社区登记|登记地址无法识别"))
        .then(
            pl.when(ev_here)
            .then(pl.lit("更正登记地址(证据支持底册)"))
            .when(pl.col("evidence_dwelling") == pl.col("registry_dwelling"))
            .then(pl.lit("更正底册地址(证据支持登记)"))
            .otherwise(pl.lit("上门核实居住地址"))
        )
        .otherwise(pl.lit("核对姓名/联系电话"))
    )
    r = r.with_columns(
        suggested_action=action,
        evidence_supports=pl.when(pl.col("section").is_in([MISMATCH, ROSTER_ONLY]))
        .then(
            pl.when(ev_here)
            .then(pl.lit("底册"))
            .otherwise(
                _supports(pl.col("dwelling"), pl.col("registry_dwelling"), pl.col("evidence_dwelling"))
            )
        )
        .otherwise(pl.lit("")),
        street=pl.col("community").replace_strict(
            street_of["community"], street_of["street"], default=None, return_dtype=pl.Utf8
        ),
    )
    roster_items = r.select(
        pl.lit(q).alias("quarter"),
        "street",
        "community",
        "section",
        pl.col("record_id").alias("roster_record_id"),
        pl.col("seq").alias("roster_seq"),
        "registration_community",
        "person_id",
        *roster_fields(),
        *REGISTRY_ITEM_COLUMNS,
        "differences",
        "evidence_dwelling",
        "evidence_since",
        "evidence_record",
        "evidence_supports",
        "suggested_action",
        "remark",
    )

    # registrations the roster of their own community does not account for
    own = roster_items.filter(
        pl.col("registration_id").is_not_null() & (pl.col("registration_community") == pl.col("community"))
    )
    picked = own.select("registration_id").unique()
    listed = roster.filter(pl.col("person_id").is_not_null()).select("community", "person_id").unique()
    with_roster = roster.select("community").unique()
    g = (
        active.join(with_roster, on="community", how="semi")
        .join(picked, left_on="record_id", right_on="registration_id", how="anti")
        .join(listed.with_columns(listed=pl.lit(True)), on=["community", "person_id"], how="left")
        .join(cur, on="person_id", how="left")
    )
    g_gone = (
        g.select("record_id", "person_id", "dwelling")
        .join(gone, on="person_id", how="inner")
        .filter(pl.col("gone_dwelling") == pl.col("dwelling"))
        .group_by("record_id")
        .agg(pl.col("gone_from").max().alias("gone_from"))
    )
    g = g.join(g_gone, on="record_id", how="left")
    g_section = (
        pl.when(pl.col("listed").fill_null(False)).then(pl.lit(MISMATCH)).otherwise(pl.lit(REGISTRY_ONLY))
    )
    g_action = (
        pl.when(pl.col("listed").fill_null(False))
        .then(pl.lit("重复登记,核实后注销多余登记"))
        .when(
            pl.col("gone_from").is_not_null()
            & (pl.col("evidence_dwelling") != pl.col("dwelling")).fill_null(True)
        )
        .then(pl.lit("建议注销(证据显示已搬离)"))
        .when(pl.col("evidence_dwelling") == pl.col("dwelling"))
        .then(pl.lit("证据显示在住,补入底册"))
        .otherwise(pl.lit("上门核实,已离开则注销"))
    )
    g = g.with_columns(section=g_section, suggested_action=g_action)
    reg_items = g.select(
        pl.lit(q).alias("quarter"),
        "street",
        "community",
        "section",
        *registry_fields(),  # the roster side stays empty (`shape` fills it)
        pl.col("community").alias("registration_community"),
        "person_id",
        pl.when(pl.col("listed").fill_null(False))
        .then(pl.lit("重复登记"))
        .otherwise(pl.lit(""))
        .alias("differences"),
        "evidence_dwelling",
        "evidence_since",
        "evidence_record",
        _supports(pl.lit(None, pl.Utf8), pl.col("dwelling"), pl.col("evidence_dwelling")).alias(
            "evidence_supports"
        ),
        "suggested_action",
    )
    grid_items = grid_discrepancies(q, visits.join(with_roster, on="community", how="semi"), active, local)
    items = pl.concat(
        [
            shape(roster_items),
            shape(reg_items),
            shape(grid_items),
        ],
        how="vertical",
    ).sort(
        ["street", "community", "section", "roster_record_id", "registration_id", "visit_id"], nulls_last=True
    )
    items = items.with_columns(
        item_id=pl.coalesce(
            pl.when(pl.col("section") == GRID).then(pl.lit("V:") + pl.col("visit_id")),
            pl.lit("R:") + pl.col("roster_record_id"),
            pl.lit("G:") + pl.col("registration_id"),
        )
    )

    roster_sections = roster_items.select(
        pl.col("roster_record_id").alias("record_id"), "community", "section"
    )
    reg_sections = pl.concat(
        [
            own.select("registration_id", "community", "section").unique("registration_id", keep="first"),
            reg_items.select("registration_id", "community", "section"),
        ]
    ).sort("registration_id")
    return Statement(q, qe, items, roster_sections, reg_sections, summarize(items, roster, active))


def summarize(items: pl.DataFrame, roster: pl.DataFrame, active: pl.DataFrame) -> pl.DataFrame:
    """Per community: roster rows, active registrations, items per section and each section's rate
    (share of the reconciled items: 一致 + 底册有、登记无 + 登记有、底册无 + 信息不一致)."""
    counts = (
        items.group_by("street", "community")
        .agg(*[(pl.col("section") == s).sum().cast(pl.Int64).alias(s) for s in ALL_SECTIONS])
        .with_columns(pl.sum_horizontal(*SECTIONS).alias("对账项"))
    )
    rows = roster.group_by("community").agg(pl.len().cast(pl.Int64).alias("底册人数"))
    regs = active.group_by("community").agg(pl.len().cast(pl.Int64).alias("在册登记数"))
    out = counts.join(rows, on="community", how="full", coalesce=True).join(regs, on="community", how="left")
    rate = lambda s: (pl.col(s) / pl.col("对账项")).fill_nan(None).round(4).alias(f"{s}率")  # noqa: E731
    return (
        out.with_columns(pl.col(c).fill_null(0) for c in (*ALL_SECTIONS, "对账项", "底册人数", "在册登记数"))
        .with_columns(*[rate(s) for s in SECTIONS])
        .select(
            "street",
            "community",
            "底册人数",
            "在册登记数",
            "对账项",
            *ALL_SECTIONS,
            *[f"{s}率" for s in SECTIONS],
        )
        .sort("street", "community", nulls_last=True)
    )
