"""The oracle: every finding of CONTRACT.md section 2 as of D, from evidence whose true person and
true dwelling are known.

This is an independent reading of the contract, written to be checked by eye against it; the
product's own rules (recon.reconcile) are scored against what it returns, so it shares no code
with them. It takes three frames:

`evidence` (one row per data row of every evidence feed file that the product reads, i.e. the
older registry snapshot and re-delivered identical files left out; community rosters are not
evidence):
    source, record_id, file_order (later files supersede earlier ones), source_row, person_id,
    dwelling (the dwelling's code when the address text identifies it, else null),
    has_address (the row carries an address: presence in the district even when it identifies
    no dwelling), is_bad (quarantined), lease_start, lease_end, moved_out_on, start_date,
    end_date, lodging, visit_date, visit_result, declaration_type, residence_start, declared_on,
    responsible (landlord, agency, employer or site named on the row).

`registrations` (the newest police registry snapshot): registration_id, person_id, dwelling
(code its 居住地址 identifies, else null), std_address_code (text as written), registered_on,
deregistered_on, id_type, id_number (as written), is_bad.

`persons`: person_id, is_local.

Readings that the contract leaves to the implementer, chosen here and documented:

* A departure ends a piece of evidence at the same dwelling that started strictly before the
  departure date; the ended piece still covers the departure day (intervals include both ends).
* `address_inaccurate` has one row per registration with one reason, in this priority:
  `unresolvable` (its 居住地址 identifies no dwelling), then `moved`, then `code_mismatch`;
  `all_reasons` lists every reason that holds.
* A registration's dwelling is what its 居住地址 identifies (not its 标准地址编码); `late_declaration`
  and `not_deregistered` use that dwelling, so a registration with an unresolvable address never
  satisfies a declaration and never gets `not_deregistered`.
* `late_declaration` needs a start whose address identifies a dwelling. Renewal: another lease of
  the same person at the same dwelling that started earlier and ended 0-7 days before this start.
* Person-level findings (`unregistered`, `duplicate_registration`) name one record: the current
  evidence record, resp. the earliest active registration; `record_ids` lists all of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl

from recon.synth.truth_declarations import declaration_deadline, late_declarations
from recon.synth.truth_evidence import (
    NULL_TEXTS,
    current_addresses,
    departures,
    end_by_departures,
    latest_versions,
    presence_pieces,
)
from recon.synth.truth_identity import id_problems

__all__ = ["FINDINGS_SCHEMA", "compute_findings", "declaration_deadline", "id_problems"]

LEFT_MORE_THAN_DAYS = 7

FINDINGS_SCHEMA = {
    "flag_type": pl.Utf8,
    "reason": pl.Utf8,
    "person_id": pl.Int64,
    "source": pl.Utf8,
    "record_id": pl.Utf8,
    "std_address_code": pl.Utf8,
    "responsible": pl.Utf8,
    "all_reasons": pl.List(pl.Utf8),
    "record_ids": pl.List(pl.Utf8),
}


# --- findings ------------------------------------------------------------------------------


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDINGS_SCHEMA)


def _shape(frame: pl.DataFrame, **fixed) -> pl.DataFrame:
    cols = []
    for name, dtype in FINDINGS_SCHEMA.items():
        if name in fixed:
            cols.append(pl.lit(fixed[name], dtype).alias(name))
        elif name in frame.columns:
            cols.append(pl.col(name).cast(dtype))
        else:
            cols.append(pl.lit(None, dtype).alias(name))
    return frame.select(cols)


def _blank(expr: pl.Expr) -> pl.Expr:
    return expr.is_null() | expr.str.strip_chars().is_in(NULL_TEXTS)


def compute_findings(
    persons: pl.DataFrame,
    evidence: pl.DataFrame,
    registrations: pl.DataFrame,
    as_of: dt.date,
    district: str,
    holidays: Iterable[dt.date] = (),
) -> pl.DataFrame:
    """Every finding at D, one row per finding, columns of FINDINGS_SCHEMA."""
    D = as_of
    ev = latest_versions(evidence)
    deps = departures(ev)
    pieces = end_by_departures(presence_pieces(ev), deps)
    current = current_addresses(pieces, D)
    regs = registrations.filter(~pl.col("is_bad"))
    active = regs.filter(
        (pl.col("registered_on") <= D)
        & (pl.col("deregistered_on").is_null() | (pl.col("deregistered_on") > D))
    )
    local = persons.select("person_id", "is_local")
    out = []

    # unregistered: a non-local person with a current address and no active registration.
    unreg = (
        current.join(local, on="person_id", how="left")
        .filter(~pl.col("is_local").fill_null(False))
        .join(active.select("person_id").unique(), on="person_id", how="anti")
    )
    out.append(
        _shape(
            unreg.select(
                "person_id",
                source="current_source",
                record_id="current_record_id",
                std_address_code="current_dwelling",
                record_ids=pl.concat_list("current_record_id"),
            ),
            flag_type="unregistered",
            reason="no_active_registration",
        )
    )

    # address_inaccurate: unresolvable, moved (evidence strictly after 登记日期), code_mismatch.
    a = active.join(current, on="person_id", how="left").with_columns(
        code=pl.col("std_address_code").str.strip_chars()
    )
    unresolvable = pl.col("dwelling").is_null()
    moved = (
        pl.col("current_dwelling").is_not_null()
        & (pl.col("current_start") > pl.col("registered_on"))
        & (pl.col("current_dwelling") != pl.col("dwelling")).fill_null(True)
    )
    mismatch = (
        pl.col("dwelling").is_not_null()
        & ~_blank(pl.col("std_address_code"))
        & (pl.col("code") != pl.col("dwelling"))
    )
    a = a.with_columns(u=unresolvable, m=moved.fill_null(False), c=mismatch.fill_null(False))
    a = a.filter(pl.col("u") | pl.col("m") | pl.col("c")).with_columns(
        reason=pl.when("u")
        .then(pl.lit("unresolvable"))
        .when("m")
        .then(pl.lit("moved"))
        .otherwise(pl.lit("code_mismatch")),
        all_reasons=pl.concat_list(
            pl.when("u").then(pl.lit("unresolvable")),
            pl.when("m").then(pl.lit("moved")),
            pl.when("c").then(pl.lit("code_mismatch")),
        ).list.drop_nulls(),
    )
    out.append(
        _shape(
            a.select(
                "person_id",
                "reason",
                "all_reasons",
                record_id="registration_id",
                std_address_code=pl.when(pl.col("reason") == "moved")
                .then("current_dwelling")
                .when(pl.col("reason") == "code_mismatch")
                .then("dwelling"),
                record_ids=pl.concat_list("registration_id"),
            ),
            flag_type="address_inaccurate",
            source="police_registry",
        )
    )

    # not_deregistered: left that dwelling on D-8 or earlier and no current address anywhere in the district.
    left = (
        deps.filter(pl.col("left_on") <= D).group_by(["person_id", "dwelling"]).agg(pl.col("left_on").max())
    )
    nd = (
        active.filter(pl.col("dwelling").is_not_null())
        .join(left, on=["person_id", "dwelling"], how="inner")
        .filter(pl.col("left_on") <= D - dt.timedelta(days=LEFT_MORE_THAN_DAYS + 1))
        .join(current.select("person_id"), on="person_id", how="anti")
    )
    out.append(
        _shape(
            nd.select(
                "person_id",
                record_id="registration_id",
                std_address_code="dwelling",
                record_ids=pl.concat_list("registration_id"),
            ),
            flag_type="not_deregistered",
            reason="left_without_deregistration",
            source="police_registry",
        )
    )

    # duplicate_registration: two or more active registrations of one person.
    dup = (
        active.sort(["person_id", "registered_on", "registration_id"])
        .group_by("person_id", maintain_order=True)
        .agg(pl.col("registration_id").alias("record_ids"), pl.len().alias("n"))
        .filter(pl.col("n") >= 2)
        .with_columns(record_id=pl.col("record_ids").list.first())
    )
    out.append(
        _shape(
            dup,
            flag_type="duplicate_registration",
            reason="multiple_active_registrations",
            source="police_registry",
        )
    )

    # invalid_identity: an active registration whose 居民身份证 number fails a check.
    ids = active.filter(_blank(pl.col("id_type")) | (pl.col("id_type").str.strip_chars() == "居民身份证"))
    ids = ids.with_columns(reason=id_problems(ids["id_number"], district, D)).filter(
        pl.col("reason").is_not_null()
    )
    out.append(
        _shape(
            ids.select(
                "person_id",
                "reason",
                record_id="registration_id",
                std_address_code="dwelling",
                record_ids=pl.concat_list("registration_id"),
            ),
            flag_type="invalid_identity",
            source="police_registry",
        )
    )

    late = late_declarations(ev, regs, local, D, holidays)
    out.append(
        _shape(
            late.select(
                "person_id",
                "source",
                "record_id",
                "reason",
                "responsible",
                std_address_code="dwelling",
                record_ids=pl.concat_list("record_id"),
            ),
            flag_type="late_declaration",
        )
    )
    return pl.concat(out, how="vertical").sort(["flag_type", "person_id", "source", "record_id"])
