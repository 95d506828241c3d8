"""Collector (专管员) figures for a quarter: monthly assessment, staffing ratio, street ranking.

Pure functions over polars frames. Every figure carries its formula (FORMULAS) so the workbook
and the table show how it was computed. The seed documents: collectors are assessed monthly,
sub-districts ranked quarterly, and staffing is 1 collector per 800 floating residents.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from recon.reconcile.quarterly import active_at, quarter_bounds, quarter_label
from recon.reconcile.workdays import WorkCalendar

STAFFING_STANDARD = 800  # floating residents per collector
DEADLINE_WORKDAYS = 3
W_TIMELY, W_ACCURATE, W_OPEN = 40, 30, 30
CONFIRMING = ("confirm", "correct_address")  # the finding was right: the registration was wrong
DISMISSING = ("dismiss", "not_same_person")
OPEN_STATES = ("open", "confirmed")

FORMULAS = {
    "登记数": "本月登记日期在月内的居住登记条数",
    "注销数": "本月注销日期在月内的居住登记条数",
    "3日内办理率": "(3个工作日内办理的登记 + 3个工作日内办理的注销) / (有证据可查起止日期的登记 + 注销);"
    "登记以同一人同一住址最早的居住证据起始日起算,注销以离开证据日期起算,工作日自次日起算",
    "准确率": "1 − 经审核确认的问题登记数 / 月末在册登记数 (审核结果来自复核决定:确认/更正地址=登记有误,驳回=登记无误)",
    "未结问题率": "min(1, 本人登记当前未结问题数 / 月末在册登记数)",
    "社区未结问题数": "所负责社区内当前状态为待处理或已确认的问题数(取自发布库)",
    "月度得分": f"{W_TIMELY} × 3日内办理率 + {W_ACCURATE} × 准确率 + {W_OPEN} × (1 − 未结问题率)",
    "配置比": f"社区流动人口数 / 专管员数,标准为 1:{STAFFING_STANDARD};缺口 = ⌈流动人口数 / {STAFFING_STANDARD}⌉ − 专管员数",
    "流动人口数": "季末有现住地证据、住址在本社区的非户籍人员数",
    "街道季度得分": "街道内各专管员三个月月度得分的平均值;按得分从高到低排名",
}


def month_ranges(quarter: str) -> list[tuple[str, date, date]]:
    first, last = quarter_bounds(quarter)
    out = []
    for m in range(3):
        start = date(first.year, first.month + m, 1)
        nxt = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        out.append((start.strftime("%Y-%m"), start, min(nxt - timedelta(days=1), last)))
    return out


def collector_home(regs: pl.DataFrame) -> pl.DataFrame:
    """Each collector's community and street: where most of their registrations are."""
    return (
        regs.filter(pl.col("collector").is_not_null() & pl.col("community").is_not_null())
        .group_by("collector", "community", "street")
        .len()
        .sort(["collector", "len", "community"], descending=[False, True, False])
        .unique("collector", keep="first", maintain_order=True)
        .select("collector", "community", "street")
    )


def _starts(regs: pl.DataFrame, evidence: pl.DataFrame) -> pl.DataFrame:
    """Registration → the start of the stay it registers (earliest presence evidence of that person
    at that dwelling within the year before 登记日期)."""
    pres = evidence.filter((pl.col("kind") == "presence") & pl.col("dwelling").is_not_null()).select(
        "person_id", "dwelling", pl.col("start").alias("ev_start")
    )
    j = regs.select("record_id", "person_id", "dwelling", "registered_on").join(
        pres, on=["person_id", "dwelling"], how="inner"
    )
    return (
        j.filter(
            (pl.col("ev_start") <= pl.col("registered_on"))
            & (pl.col("ev_start") >= pl.col("registered_on") - pl.duration(days=365))
        )
        .group_by("record_id")
        .agg(pl.col("ev_start").min().alias("stay_start"))
    )


def _leaves(regs: pl.DataFrame, evidence: pl.DataFrame) -> pl.DataFrame:
    """Deregistration → the departure it records (latest departure evidence on or before 注销日期)."""
    dep = evidence.filter((pl.col("kind") == "departure") & pl.col("dwelling").is_not_null()).select(
        "person_id", "dwelling", pl.col("gone_from")
    )
    j = regs.filter(pl.col("deregistered_on").is_not_null()).select(
        "record_id", "person_id", "dwelling", "deregistered_on"
    )
    return (
        j.join(dep, on=["person_id", "dwelling"], how="inner")
        .filter(
            (pl.col("gone_from") <= pl.col("deregistered_on"))
            & (pl.col("gone_from") >= pl.col("deregistered_on") - pl.duration(days=365))
        )
        .group_by("record_id")
        .agg(pl.col("gone_from").max().alias("left_on"))
    )


def _flag_community(flags: pl.DataFrame, regs: pl.DataFrame, library: pl.DataFrame) -> pl.DataFrame:
    by_dw = library.select(pl.col("dwelling").alias("std_address_code"), pl.col("community").alias("dw_comm"))
    by_reg = regs.select(
        "record_id", pl.col("community").alias("reg_comm"), pl.col("collector").alias("reg_collector")
    )
    return (
        flags.join(by_dw, on="std_address_code", how="left")
        .join(by_reg, on="record_id", how="left")
        .with_columns(
            community=pl.coalesce("reg_comm", "dw_comm"),
            reg_collector=pl.when(pl.col("source") == "police_registry").then(pl.col("reg_collector")),
        )
    )


def collector_monthly(
    quarter: str,
    regs: pl.DataFrame,
    evidence: pl.DataFrame,
    flags: pl.DataFrame,
    decisions: pl.DataFrame,
    library: pl.DataFrame,
    calendar: WorkCalendar | None = None,
) -> pl.DataFrame:
    """One row per collector and month of the quarter, with the figures of FORMULAS."""
    cal = calendar or WorkCalendar()
    q = quarter_label(quarter)
    regs = regs.filter(pl.col("collector").is_not_null())
    home = collector_home(regs)
    starts = _starts(regs, evidence)
    leaves = _leaves(regs, evidence)
    r = regs.join(starts, on="record_id", how="left").join(leaves, on="record_id", how="left")
    r = r.with_columns(
        reg_deadline=cal.deadlines(r["stay_start"], DEADLINE_WORKDAYS),
        dereg_deadline=cal.deadlines(r["left_on"], DEADLINE_WORKDAYS),
    )
    fl = _flag_community(flags, regs, library)
    dec = decisions.select("flag_id", "action", pl.col("created_at").cast(pl.Date).alias("decided_on"))
    reviewed = fl.select("flag_id", "reg_collector").join(dec, on="flag_id", how="inner")
    rows = []
    for month, m_start, m_end in month_ranges(q):
        made = r.filter(pl.col("registered_on").is_between(m_start, m_end))
        ended = r.filter(pl.col("deregistered_on").is_between(m_start, m_end))
        reg_stats = made.group_by("collector").agg(
            pl.len().alias("登记数"),
            pl.col("stay_start").is_not_null().sum().alias("reg_known"),
            (pl.col("registered_on") <= pl.col("reg_deadline")).sum().alias("reg_in_time"),
        )
        dereg_stats = ended.group_by("collector").agg(
            pl.len().alias("注销数"),
            pl.col("left_on").is_not_null().sum().alias("dereg_known"),
            (pl.col("deregistered_on") <= pl.col("dereg_deadline")).sum().alias("dereg_in_time"),
        )
        active = active_at(regs, m_end).group_by("collector").agg(pl.len().alias("在册登记数"))
        upto = (
            reviewed.filter(pl.col("decided_on") <= m_end)
            .group_by("reg_collector")
            .agg(
                pl.col("action").is_in(CONFIRMING).sum().alias("确认问题数"),
                pl.col("action").is_in(DISMISSING).sum().alias("驳回数"),
            )
        )
        # findings open in the published file (the run on the quarter's first day sees the quarter's end)
        open_now = fl.filter(pl.col("status").is_in(OPEN_STATES))
        own_open = (
            open_now.filter(pl.col("reg_collector").is_not_null())
            .group_by("reg_collector")
            .agg(pl.len().alias("本人未结问题数"))
        )
        comm_open = open_now.group_by("community").agg(pl.len().alias("社区未结问题数"))
        m = (
            home.join(reg_stats, on="collector", how="left")
            .join(dereg_stats, on="collector", how="left")
            .join(active, on="collector", how="left")
            .join(upto, left_on="collector", right_on="reg_collector", how="left")
            .join(own_open, left_on="collector", right_on="reg_collector", how="left")
            .join(comm_open, on="community", how="left")
        )
        ints = [
            "登记数", "reg_known", "reg_in_time", "注销数", "dereg_known", "dereg_in_time",
            "在册登记数", "确认问题数", "驳回数", "本人未结问题数", "社区未结问题数",
        ]  # fmt: skip
        m = m.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in ints)
        known = pl.col("reg_known") + pl.col("dereg_known")
        timely = pl.when(known > 0).then((pl.col("reg_in_time") + pl.col("dereg_in_time")) / known)
        accurate = pl.when(pl.col("在册登记数") > 0).then(
            (1 - pl.col("确认问题数") / pl.col("在册登记数")).clip(0, 1)
        )
        open_rate = pl.when(pl.col("在册登记数") > 0).then(
            (pl.col("本人未结问题数") / pl.col("在册登记数")).clip(0, 1)
        )
        m = m.with_columns(
            month=pl.lit(month),
            **{"3日内办理率": timely, "准确率": accurate, "未结问题率": open_rate},
        ).with_columns(
            月度得分=(
                W_TIMELY * pl.col("3日内办理率").fill_null(1.0)
                + W_ACCURATE * pl.col("准确率").fill_null(1.0)
                + W_OPEN * (1 - pl.col("未结问题率").fill_null(0.0))
            ).round(2)
        )
        rows.append(m)
    out = pl.concat(rows, how="vertical")
    return out.select(
        pl.lit(q).alias("quarter"),
        "month",
        "street",
        "community",
        "collector",
        "登记数",
        "注销数",
        (pl.col("reg_in_time") + pl.col("dereg_in_time")).alias("3日内办理数"),
        (pl.col("reg_known") + pl.col("dereg_known")).alias("可核起止日期数"),
        pl.col("3日内办理率").round(4),
        "在册登记数",
        "确认问题数",
        "驳回数",
        pl.col("准确率").round(4),
        "本人未结问题数",
        pl.col("未结问题率").round(4),
        "社区未结问题数",
        "月度得分",
        pl.lit(FORMULAS["月度得分"]).alias("公式"),
    ).sort("street", "community", "collector", "month", nulls_last=True)


def staffing(
    quarter: str,
    regs: pl.DataFrame,
    current: pl.DataFrame,
    locality: pl.DataFrame,
    library: pl.DataFrame,
    communities: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Per community: floating residents at QE, collectors, residents per collector vs 1:800."""
    q = quarter_label(quarter)
    _, qe = quarter_bounds(q)
    floating = (
        current.join(locality, on="person_id", how="left")
        .filter(~pl.col("is_local").fill_null(False))
        .join(
            library.select(pl.col("dwelling").alias("current_dwelling"), "community", "street"),
            on="current_dwelling",
        )
        .group_by("street", "community")
        .agg(pl.len().cast(pl.Int64).alias("流动人口数"))
    )
    home = collector_home(regs.filter(pl.col("collector").is_not_null()))
    working = active_at(regs, qe).select("collector").unique()
    n_coll = (
        home.join(working, on="collector", how="semi")
        .group_by("community")
        .agg(pl.len().cast(pl.Int64).alias("专管员数"))
    )
    out = floating.join(n_coll, on="community", how="full", coalesce=True).with_columns(
        pl.col("流动人口数").fill_null(0), pl.col("专管员数").fill_null(0)
    )
    if communities is not None:
        out = out.join(communities, on="community", how="semi")
    return (
        out.with_columns(
            配置比=pl.when(pl.col("专管员数") > 0).then((pl.col("流动人口数") / pl.col("专管员数")).round(1)),
            标准=pl.lit(STAFFING_STANDARD),
            应配专管员数=(pl.col("流动人口数") / STAFFING_STANDARD).ceil().cast(pl.Int64),
        )
        .with_columns(
            缺口=(pl.col("应配专管员数") - pl.col("专管员数")).clip(0, None),
            达标=pl.when(pl.col("专管员数") == 0)
            .then(pl.col("流动人口数") == 0)
            .otherwise(pl.col("配置比") <= STAFFING_STANDARD),
            公式=pl.lit(FORMULAS["配置比"]),
        )
        .select(
            pl.lit(q).alias("quarter"),
            "street",
            "community",
            "流动人口数",
            "专管员数",
            "配置比",
            "标准",
            "应配专管员数",
            "缺口",
            "达标",
            "公式",
        )  # fmt: skip
        .sort("street", "community", nulls_last=True)
    )


def street_ranking(monthly: pl.DataFrame) -> pl.DataFrame:
    """Quarterly ranking of sub-districts by the mean monthly score of their collectors."""
    return (
        monthly.filter(pl.col("street").is_not_null())
        .group_by("quarter", "street")
        .agg(
            pl.col("collector").n_unique().alias("专管员数"),
            pl.col("登记数").sum().alias("登记数"),
            pl.col("注销数").sum().alias("注销数"),
            pl.col("月度得分").mean().round(2).alias("季度得分"),
        )
        .sort(["季度得分", "street"], descending=[True, False])
        .with_columns(
            排名=pl.col("季度得分").rank("min", descending=True).cast(pl.Int64),
            公式=pl.lit(FORMULAS["街道季度得分"]),
        )
        .select("quarter", "排名", "street", "专管员数", "登记数", "注销数", "季度得分", "公式")
    )
