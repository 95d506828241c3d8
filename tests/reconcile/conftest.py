"""Small builders for hand-made evidence and registry frames."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from recon.connectors.contract import FEEDS


def feed_frame(source: str, rows: list[dict]) -> pl.DataFrame:
    """A current_<source> frame with every contract column (nulls where not given)."""
    spec = FEEDS[source]
    types = {"date": pl.Date, "int": pl.Int64}
    schema = {"record_id": pl.Utf8, **{c.name: types.get(c.kind, pl.Utf8) for c in spec.columns}}
    return pl.DataFrame([{k: r.get(k) for k in schema} for r in rows], schema=schema)


class World:
    """Feeds, links and dwellings for one hand-built case."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {}
        self.links: list[tuple[str, str, str]] = []
        self.dwell: list[tuple[str, str, str | None]] = []
        self.regs: list[dict] = []
        self.persons: dict[str, bool] = {}

    def person(self, pid: str, local: bool = False) -> World:
        self.persons[pid] = local
        return self

    def add(self, source: str, pid: str, rid: str, dwelling: str | None, **cols) -> World:
        self.rows.setdefault(source, []).append({"record_id": rid, **cols})
        self.links.append((source, rid, pid))
        self.dwell.append((source, rid, dwelling))
        self.persons.setdefault(pid, False)
        return self

    def lease(self, pid, rid, dwelling, start, end=None, out=None, source="intermediary_lease", **kw):
        return self.add(
            source,
            pid,
            rid,
            dwelling,
            contract_id=rid,
            lease_start=start,
            lease_end=end,
            moved_out_on=out,
            agency_name=kw.get("agency", "某中介"),
            landlord_name="房东甲",
        )

    def visit(self, pid, rid, dwelling, day, result="在住"):
        return self.add("grid_visit", pid, rid, dwelling, visit_id=rid, visit_date=day, visit_result=result)

    def roster(self, pid, rid, dwelling, start, end=None, lodging="单位宿舍", address="某宿舍"):
        return self.add(
            "employer_roster",
            pid,
            rid,
            dwelling,
            record_no=rid,
            employer_name="某公司",
            start_date=start,
            end_date=end,
            lodging=lodging,
            address=address,
        )

    def declare(self, pid, rid, dwelling, kind, declared, start=None):
        return self.add(
            "self_declaration",
            pid,
            rid,
            dwelling,
            declaration_id=rid,
            declaration_type=kind,
            declared_on=declared,
            residence_start=start,
        )

    def reg(
        self,
        pid,
        rid,
        dwelling,
        registered,
        dereg=None,
        held=None,
        id_status="valid",
        id_type=None,
        status="exact",
    ):
        self.regs.append(
            dict(
                record_id=rid,
                person_id=pid,
                id_type=id_type,
                id_status=id_status,
                id_problems=[] if id_status == "valid" else [id_status],
                registered_on=registered,
                deregistered_on=dereg,
                address=f"地址{dwelling}",
                held_code=held,
                dwelling=dwelling,
                address_status=status if dwelling else "unmatched",
            )
        )
        self.persons.setdefault(pid, False)
        return self

    def frames(self):
        feeds = {s: feed_frame(s, rows) for s, rows in self.rows.items()}
        links = pl.DataFrame(self.links, schema=["source", "record_id", "person_id"], orient="row")
        dw = pl.DataFrame(
            self.dwell,
            schema={"source": pl.Utf8, "record_id": pl.Utf8, "std_address_code": pl.Utf8},
            orient="row",
        )
        regs = pl.DataFrame(
            self.regs,
            schema={
                "record_id": pl.Utf8,
                "person_id": pl.Utf8,
                "id_type": pl.Utf8,
                "id_status": pl.Utf8,
                "id_problems": pl.List(pl.Utf8),
                "registered_on": pl.Date,
                "deregistered_on": pl.Date,
                "address": pl.Utf8,
                "held_code": pl.Utf8,
                "dwelling": pl.Utf8,
                "address_status": pl.Utf8,
            },
        )
        persons = pl.DataFrame({"person_id": list(self.persons), "is_local": list(self.persons.values())})
        return feeds, links, dw, regs, persons


@pytest.fixture
def world() -> World:
    return World()


D = date(2026, 11, 20)  # a Friday
