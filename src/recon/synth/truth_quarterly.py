"""The oracle for the quarterly statements (村社人口数据对账): the true section of every roster row
and every registration active at the quarter's last day, from the generator's true persons and
true dwellings.

An independent reading of issue #7, written to be checked by eye; it shares no code with
`recon.reconcile` (nor with `recon.matching`): the product is scored against what it returns.

Inputs (true values, as the generator drew them):
  roster: record_id, community (the file's), quarter, person_id (true), dwelling (the true dwelling's
          code), name, phone (as written), is_bad (quarantined rows are not read)
  registrations: registration_id, person_id, dwelling (true code), identifies (the 居住地址 text
          identifies that dwelling), registered_on, deregistered_on, name, phone, is_bad
  persons: person_id, is_local
  dwellings: dwelling (code), community

Readings:
* A roster row of a local-hukou person is 户籍人口 (no registration is due).
* Otherwise it pairs with the person's registration active at QE: at the same true dwelling with an
  address that identifies it, else in the same community, else the newest (then the smaller id).
  No such registration: 底册有、登记无.
* Paired: 一致 when same dwelling (and the registration's address identifies it), the names are the
  same after width, spacing and traditional→simplified folding, and the phones (digits only,
  unmasked, both present) are equal; else 信息不一致. A partial or vague roster address is not a
  difference: the community's list names the person and the truth knows where they live.
* 网格走访不符 (a list apart): in a community that delivered a roster, the newest visit of the
  quarter per person and dwelling (visit address identifying it) that says 在住 of a non-local
  person with no registration active at QE whose address identifies that dwelling, or says
  已搬离 / 查无此人 while such a registration made before the visit is still active at QE.
* A registration active at QE in a community that delivered a roster takes the section of the roster
  row of its own community that paired with it; if none did, 信息不一致 when that roster still lists
  the person (a second registration), else 登记有、底册无.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache

import polars as pl

SECTION_SCHEMA = {
    "quarter": pl.Utf8,
    "kind": pl.Utf8,  # roster / registration
    "record_id": pl.Utf8,
    "community": pl.Utf8,
    "person_id": pl.Int64,
    "section": pl.Utf8,
}

_EMPTY = {"", "NULL", "无", "-", "/", "--"}


@cache
def _converter():
    from opencc_purepy import OpenCC

    return OpenCC("t2s")


@cache
def _fold_name(text: str | None) -> str | None:
    if text is None:
        return None
    s = unicodedata.normalize("NFKC", text).strip()
    if s.upper() in _EMPTY:
        return None
    s = "".join(ch for ch in s if not ch.isspace() and ch not in "·.•・")
    kept = "乾著昇"  # standard simplified characters in names that t2s would change
    s = "".join(ch if ch in kept else _converter().convert(ch) for ch in s)
    return s.upper() or None


def _fold_phone(text: str | None) -> str | None:
    if text is None:
        return None
    s = unicodedata.normalize("NFKC", text)
    s = re.sub(r"[\s\-()+]", "", s)
    if not re.fullmatch(r"\d{7,}", s):
        return None
    return s[2:] if len(s) == 13 and s.startswith("861") else s


def _fold(frame: pl.DataFrame) -> pl.DataFrame:
    names = {v: _fold_name(v) for v in frame["name"].drop_nulls().unique().to_list()}
    phones = {v: _fold_phone(v) for v in frame["phone"].drop_nulls().unique().to_list()}
    return frame.with_columns(
        fname=pl.col("name").replace_strict(names, default=None, return_dtype=pl.Utf8),
        fphone=pl.col("phone").replace_strict(phones, default=None, return_dtype=pl.Utf8),
    )


def quarter_end(quarter: str) -> dt.date:
    y, q = int(quarter[:4]), int(quarter[-1])
    return dt.date(y + (q == 4), (q % 4) * 3 + 1, 1) - dt.timedelta(days=1)


def true_sections(
    quarter: str,
    roster: pl.DataFrame,
    registrations: pl.DataFrame,
    persons: pl.DataFrame,
    dwellings: pl.DataFrame,
) -> pl.DataFrame:
    """One row per roster row of the quarter and per registration active at its end (in a community
    with a roster that quarter), columns of SECTION_SCHEMA."""
    qe = quarter_end(quarter)
    comm = dwellings.select("dwelling", pl.col("community").alias("dw_community"))
    ros = _fold(roster.filter((pl.col("quarter") == quarter) & ~pl.col("is_bad"))).join(
        persons.select("person_id", "is_local"), on="person_id", how="left"
    )
    regs = _fold(
        registrations.filter(
            ~pl.col("is_bad")
            & (pl.col("registered_on") <= qe)
            & (pl.col("deregistered_on").is_null() | (pl.col("deregistered_on") > qe))
        )
    ).join(comm, on="dwelling", how="left")

    cand = (
        ros.filter(~pl.col("is_local"))
        .select("record_id", "community", "person_id", "dwelling", "fname", "fphone")
        .join(
            regs.select(
                "registration_id",
                "person_id",
                pl.col("dwelling").alias("g_dwelling"),
                "identifies",
                "dw_community",
                "registered_on",
                pl.col("fname").alias("g_fname"),
                pl.col("fphone").alias("g_fphone"),
            ),
            on="person_id",
        )
        .with_columns(
            same_dw=(pl.col("dwelling") == pl.col("g_dwelling")) & pl.col("identifies"),
            same_comm=pl.col("dw_community") == pl.col("community"),
        )
    )
    pick = (
        cand.sort(
            ["record_id", "same_dw", "same_comm", "registered_on", "registration_id"],
            descending=[False, True, True, True, False],
        )
        .group_by("record_id", maintain_order=True)
        .first()
    )
    agree = (
        pl.col("same_dw")
        & (pl.col("fname") == pl.col("g_fname")).fill_null(True)
        & (pl.col("fphone") == pl.col("g_fphone")).fill_null(True)
    )
    pick = pick.with_columns(section=pl.when(agree).then(pl.lit("一致")).otherwise(pl.lit("信息不一致")))
    rows = ros.join(
        pick.select("record_id", "registration_id", "same_comm", "section"), on="record_id", how="left"
    ).with_columns(
        section=pl.when(pl.col("is_local"))
        .then(pl.lit("户籍人口"))
        .when(pl.col("registration_id").is_null())
        .then(pl.lit("底册有、登记无"))
        .otherwise(pl.col("section"))
    )
    roster_out = rows.select(
        pl.lit(quarter).alias("quarter"),
        pl.lit("roster").alias("kind"),
        "record_id",
        "community",
        "person_id",
        "section",
    )

    communities = ros.select("community").unique()
    in_scope = regs.join(communities, left_on="dw_community", right_on="community", how="semi")
    own = (
        rows.filter(pl.col("registration_id").is_not_null() & pl.col("same_comm"))
        .sort("record_id")
        .unique("registration_id", keep="first")
        .select("registration_id", pl.col("section").alias("own_section"))
    )
    listed = ros.select(pl.col("community").alias("dw_community"), "person_id").unique()
    reg_out = (
        in_scope.join(own, on="registration_id", how="left")
        .join(listed.with_columns(listed=pl.lit(True)), on=["dw_community", "person_id"], how="left")
        .select(
            pl.lit(quarter).alias("quarter"),
            pl.lit("registration").alias("kind"),
            pl.col("registration_id").alias("record_id"),
            pl.col("dw_community").alias("community"),
            "person_id",
            pl.when(pl.col("own_section").is_not_null())
            .then(pl.col("own_section"))
            .when(pl.col("listed").fill_null(False))
            .then(pl.lit("信息不一致"))
            .otherwise(pl.lit("登记有、底册无"))
            .alias("section"),
        )
    )
    out = pl.concat([roster_out, reg_out], how="vertical")
    return out.select([pl.col(c).cast(t) for c, t in SECTION_SCHEMA.items()]).sort("kind", "record_id")


def quarterly_truth_frames(
    roster_frame: pl.DataFrame, registry_frame: pl.DataFrame, plans: dict, lib
) -> tuple:
    """The oracle's inputs from one chunk's written roster and registry frames (truth columns
    `_person`, `_dwelling`, `_identifies`, `_bad`, `_file`, `t_registered_on`, ...)."""
    from recon.synth.truth import record_ids

    rplans = plans["community_roster"]
    roster = pl.DataFrame(
        {
            "record_id": record_ids("community_roster", roster_frame, rplans),
            "community": pl.Series([f.community for f in rplans], dtype=pl.Utf8).gather(
                roster_frame["_file"]
            ),
            "quarter": pl.Series([f.quarter for f in rplans], dtype=pl.Utf8).gather(roster_frame["_file"]),
            "person_id": roster_frame["_person"].cast(pl.Int64) + 1,
            "dwelling": pl.Series(lib.code[roster_frame["_dwelling"].fill_null(0).to_numpy()]),
            "name": roster_frame["name"],
            "phone": roster_frame["phone"],
            "is_bad": roster_frame["_bad"].is_not_null(),
        }
    )
    gplans = plans["police_registry"]
    current = pl.Series([f.role == "current" for f in gplans]).gather(registry_frame["_file"])
    g = registry_frame.filter(current)
    regs = pl.DataFrame(
        {
            "registration_id": record_ids("police_registry", g, gplans),
            "person_id": g["_person"].cast(pl.Int64) + 1,
            "dwelling": pl.Series(lib.code[g["_dwelling"].fill_null(0).to_numpy()]),
            "identifies": (g["_identifies"] & g["_dwelling"].is_not_null()).fill_null(False),
            "registered_on": g["t_registered_on"],
            "deregistered_on": g["t_deregistered_on"],
            "name": g["name"],
            "phone": g["phone"],
            "is_bad": g["_bad"].is_not_null(),
        }
    )
    names = lib.places.communities["name"]
    dwellings = pl.DataFrame(
        {"dwelling": pl.Series(lib.code), "community": names.gather(pl.Series(lib.dw["comm"]))}
    )
    return roster, regs, dwellings


def true_grid_items(
    quarter: str,
    visits: pl.DataFrame,
    registrations: pl.DataFrame,
    persons: pl.DataFrame,
    dwellings: pl.DataFrame,
    communities: list[str],
) -> pl.DataFrame:
    """Grid visits that contradict the registrations (kind `grid`, section 网格走访不符).

    visits: visit_id, person_id, dwelling (true), identifies, visit_date, visit_result, is_bad."""
    qe = quarter_end(quarter)
    q_start = dt.date(qe.year, qe.month - 2, 1)
    comm = dwellings.select("dwelling", "community")
    v = (
        visits.filter(
            ~pl.col("is_bad")
            & pl.col("identifies")
            & (pl.col("visit_date") >= q_start)
            & (pl.col("visit_date") <= qe)
        )
        .join(comm, on="dwelling", how="left")
        .filter(pl.col("community").is_in(communities))
        .sort(["person_id", "dwelling", "visit_date", "visit_id"], descending=[False, False, True, True])
        .unique(["person_id", "dwelling"], keep="first")
        .join(persons.select("person_id", "is_local"), on="person_id", how="left")
    )
    active = registrations.filter(
        ~pl.col("is_bad")
        & pl.col("identifies")
        & (pl.col("registered_on") <= qe)
        & (pl.col("deregistered_on").is_null() | (pl.col("deregistered_on") > qe))
    )
    here = active.group_by("person_id", "dwelling").agg(pl.col("registered_on").min().alias("first_reg"))
    v = v.join(here, on=["person_id", "dwelling"], how="left")
    seen = (
        (pl.col("visit_result") == "在住")
        & ~pl.col("is_local").fill_null(False)
        & pl.col("first_reg").is_null()
    )
    gone = pl.col("visit_result").is_in(["已搬离", "查无此人"]) & (pl.col("first_reg") < pl.col("visit_date"))
    out = v.filter(seen | gone.fill_null(False)).select(
        pl.lit(quarter).alias("quarter"),
        pl.lit("grid").alias("kind"),
        pl.col("visit_id").alias("record_id"),
        "community",
        "person_id",
        pl.lit("网格走访不符").alias("section"),
    )
    return out.select([pl.col(c).cast(t) for c, t in SECTION_SCHEMA.items()]).sort("record_id")


def grid_truth_frame(grid_frame: pl.DataFrame, plans: dict, lib) -> pl.DataFrame:
    """The oracle's visit input from one chunk's written grid_visit frame."""
    gplans = plans["grid_visit"]
    current = pl.Series([f.role == "current" for f in gplans]).gather(grid_frame["_file"])
    g = grid_frame.filter(current)
    return pl.DataFrame(
        {
            "visit_id": g["visit_id"].str.strip_chars(),
            "person_id": g["_person"].cast(pl.Int64) + 1,
            "dwelling": pl.Series(lib.code[g["_dwelling"].fill_null(0).to_numpy()]),
            "identifies": (g["_identifies"] & g["_dwelling"].is_not_null()).fill_null(False),
            "visit_date": g["t_visit_date"],
            "visit_result": g["visit_result"].str.strip_chars(),
            "is_bad": g["_bad"].is_not_null(),
        }
    )
