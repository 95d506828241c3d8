"""Ground-truth tables: what every written row really is, and the inputs of the findings oracle.

`records` has one row per data row of every person-bearing feed file (including files the
product does not read: the older registry snapshot and the re-delivered copy, marked by
`file_role`). `is_current` marks the version of a key the product should hold: in a file it
reads, not quarantined, and the latest delivery of its key.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from recon.connectors.contract import FEEDS, LEASE_SOURCES, NULL_MARKERS
from recon.synth.districts import DistrictSpec
from recon.synth.idnumbers import area_codes
from recon.synth.lexicon import ETHNICITIES
from recon.synth.library import Library
from recon.synth.plan import FilePlan
from recon.synth.population import NO_CHANGE, Population, exact_names, id_strings

RECORD_SCHEMA = {
    "source": pl.Utf8,
    "source_file": pl.Utf8,
    "source_row": pl.Int64,
    "record_id": pl.Utf8,
    "person_id": pl.Int64,
    "address_raw": pl.Utf8,
    "true_address_code": pl.Utf8,
    "address_identifies": pl.Boolean,
    "is_bad": pl.Boolean,
    "bad_reason": pl.Utf8,
    "is_current": pl.Boolean,
    "file_role": pl.Utf8,
}
EVIDENCE_DATES = (
    "lease_start",
    "lease_end",
    "moved_out_on",
    "declared_on",
    "start_date",
    "end_date",
    "visit_date",
    "residence_start",
)
EVIDENCE_TEXT = ("lodging", "visit_result", "declaration_type")


class TruthWriter:
    """Parquet tables appended chunk by chunk with a fixed schema."""

    def __init__(self, truth_dir: Path) -> None:
        self.dir = truth_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._schemas: dict[str, pa.Schema] = {}

    def append(self, name: str, frame: pl.DataFrame) -> None:
        table = frame.to_arrow()
        if name not in self._writers:
            self._schemas[name] = table.schema
            self._writers[name] = pq.ParquetWriter(
                self.dir / f"{name}.parquet", table.schema, compression="zstd"
            )
        else:
            table = table.cast(self._schemas[name])
        self._writers[name].write_table(table)

    def close(self) -> None:
        for w in self._writers.values():
            w.close()
        self._writers.clear()


def _codes(lib: Library, dwelling: pl.Series) -> pl.Series:
    idx = dwelling.fill_null(0).to_numpy()
    return pl.select(pl.when(dwelling.is_not_null()).then(pl.Series(lib.code[idx]))).to_series()


def _blank(col: str) -> pl.Expr:
    return pl.col(col).is_null() | pl.col(col).str.strip_chars().is_in(NULL_MARKERS)


def record_ids(source: str, frame: pl.DataFrame, plans: list[FilePlan]) -> pl.Series:
    spec = FEEDS[source]
    if source == "community_roster":
        prefix = pl.Series([f"{f.community}_{f.quarter}:" for f in plans]).gather(frame["_file"])
        return (prefix + frame["seq"].str.strip_chars()).alias("record_id")
    return frame[spec.key].str.strip_chars().alias("record_id")


def records(source: str, frame: pl.DataFrame, plans: list[FilePlan], lib: Library) -> pl.DataFrame:
    files = frame["_file"]
    role = pl.Series([f.role for f in plans]).gather(files)
    rid = record_ids(source, frame, plans)
    f = pl.DataFrame(
        {
            "source": pl.Series([source] * frame.height, dtype=pl.Utf8),
            "source_file": pl.Series([p.name for p in plans]).gather(files),
            "source_row": frame["_row"],
            "record_id": rid,
            "person_id": frame["_person"] + 1,
            "address_raw": frame["address"],
            "true_address_code": _codes(lib, frame["_dwelling"]),
            "address_identifies": (frame["_identifies"] & frame["_dwelling"].is_not_null()).fill_null(False),
            "is_bad": frame["_bad"].is_not_null(),
            "bad_reason": frame["_bad"],
            "file_role": role,
            "_file": files,
        }
    )
    live = (pl.col("file_role") == "current") & ~pl.col("is_bad")
    version = pl.col("_file").cast(pl.Int64) * 1_000_000_000 + pl.col("source_row")
    latest = version.rank("ordinal", descending=True).over(pl.when(live).then(pl.col("record_id"))) == 1
    return f.with_columns(is_current=live & latest.fill_null(False)).select(list(RECORD_SCHEMA))


def evidence(source: str, frame: pl.DataFrame, plans: list[FilePlan], lib: Library) -> pl.DataFrame:
    """Rows of the files the product reads, in the oracle's evidence schema."""
    current = pl.Series([f.role == "current" for f in plans]).gather(frame["_file"])
    frame = frame.filter(current)
    n = frame.height
    identified = (frame["_identifies"] & frame["_dwelling"].is_not_null()).fill_null(False)
    dwelling = _codes(lib, frame["_dwelling"])
    cols = {
        "source": pl.Series([source] * n, dtype=pl.Utf8),
        "record_id": record_ids(source, frame, plans),
        "file_order": frame["_file"],
        "source_row": frame["_row"],
        "person_id": frame["_person"] + 1,
        "dwelling": pl.select(pl.when(identified).then(dwelling)).to_series(),
        "has_address": frame.select(~_blank("address")).to_series(),
        "is_bad": frame["_bad"].is_not_null(),
    }
    for c in EVIDENCE_DATES:
        cols[c] = frame[f"t_{c}"] if f"t_{c}" in frame.columns else pl.Series([None] * n, dtype=pl.Date)
    for c in EVIDENCE_TEXT:
        cols[c] = frame[c] if c in frame.columns else pl.Series([None] * n, dtype=pl.Utf8)
    if source in LEASE_SOURCES:
        responsible = frame.select(
            pl.when(_blank("agency_name")).then(pl.col("landlord_name")).otherwise(pl.col("agency_name"))
        ).to_series()
    elif source == "employer_roster":
        responsible = frame["employer_name"]
    elif source == "site_roster":
        responsible = frame.select(
            pl.when(_blank("contractor")).then(pl.col("project_name")).otherwise(pl.col("contractor"))
        ).to_series()
    else:
        responsible = pl.Series([None] * n, dtype=pl.Utf8)
    cols["responsible"] = responsible.str.strip_chars()
    return pl.DataFrame(cols)


def registrations(frame: pl.DataFrame, plans: list[FilePlan], lib: Library) -> pl.DataFrame:
    """The newest registry snapshot in the oracle's registration schema."""
    current = pl.Series([f.role == "current" for f in plans]).gather(frame["_file"])
    frame = frame.filter(current)
    identified = (frame["_identifies"] & frame["_dwelling"].is_not_null()).fill_null(False)
    return pl.DataFrame(
        {
            "registration_id": record_ids("police_registry", frame, plans),
            "person_id": frame["_person"] + 1,
            "dwelling": pl.select(pl.when(identified).then(_codes(lib, frame["_dwelling"]))).to_series(),
            "std_address_code": frame["std_address_code"],
            "registered_on": frame["t_registered_on"],
            "deregistered_on": frame["t_deregistered_on"],
            "id_type": frame["id_type"],
            "id_number": frame["id_number"],
            "is_bad": frame["_bad"].is_not_null(),
        }
    )


def persons_table(
    spec: DistrictSpec, pop: Population, who: np.ndarray, households: np.ndarray, chunk: int
) -> pl.DataFrame:
    codes = area_codes()
    area = pop.area[who]
    info = {a: codes.get(f"{a:06d}") for a in np.unique(area).tolist()}
    own = int(spec.code)
    prov = {a: spec.province if a == own else (v.province if v else "") for a, v in info.items()}
    city = {a: spec.city if a == own else (v.city if v else "") for a, v in info.items()}
    county = {a: spec.county if a == own else (v.county if v else "") for a, v in info.items()}
    a = pl.Series(area.astype(np.int64))
    phone1 = pl.Series(pop.phone1[who]).cast(pl.Utf8)
    phone2 = pl.Series(pop.phone2[who]).cast(pl.Utf8)
    changed = pop.phone_change[who] != NO_CHANGE
    return pl.DataFrame(
        {
            "person_id": pl.Series(who.astype(np.int64) + 1),
            "name": exact_names(pop, who),
            "id_number": id_strings(pop, who),
            "gender": pl.Series(np.where(pop.male[who], "男", "女")),
            "birth_date": pl.Series(pop.birth[who]).cast(pl.Date),
            "phones": pl.select(
                pl.when(pl.Series(changed))
                .then(pl.concat_list(phone1, phone2))
                .otherwise(pl.concat_list(phone1))
            ).to_series(),
            "phone_changed_on": pl.select(
                pl.when(pl.Series(changed)).then(pl.Series(pop.phone_change[who]).cast(pl.Date))
            ).to_series(),
            "hukou_area_code": a.cast(pl.Utf8).str.zfill(6),
            "is_local": pl.Series(pop.is_local[who]),
            "origin_province": a.replace_strict(prov, return_dtype=pl.Utf8),
            "origin_city": a.replace_strict(city, return_dtype=pl.Utf8),
            "origin_county": a.replace_strict(county, return_dtype=pl.Utf8),
            "ethnicity": pl.Series([e for e, _ in ETHNICITIES]).gather(
                pl.Series(pop.ethnicity[who].astype(np.int64))
            ),
            "household_id": pl.Series(households.astype(np.int64) + chunk * 10_000_000),
        }
    )
