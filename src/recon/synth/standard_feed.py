"""The standard_address feed (one clean row per dwelling) and the truth tables about places."""

from __future__ import annotations

import numpy as np
import polars as pl

from recon.synth.addresses import standard_columns
from recon.synth.geography import KIND_NAMES
from recon.synth.library import HOUSE_USE, TENURE_NAMES, TENURE_RENT, Library
from recon.synth.population import Population, exact_names, id_strings


def standard_address_rows(lib: Library, pop: Population, idx: np.ndarray) -> pl.DataFrame:
    """Rows of the standard address library for dwellings `idx` (contract English names)."""
    cols = standard_columns(lib, idx)
    landlord = lib.dw["landlord"][idx]
    rented = lib.dw["tenure"][idx] == TENURE_RENT
    who = pop.n_residents + np.where(landlord >= 0, landlord, 0)
    has = pl.Series(landlord >= 0)
    blank = pl.lit("")
    comm = pl.Series(lib.dw["comm"][idx])
    C = lib.places.communities
    return cols.with_columns(
        address_code=pl.Series(lib.code[idx]),
        county=pl.lit(lib.spec.county),
        police_station=C["station"].gather(comm),
        house_use=pl.Series(HOUSE_USE).gather(pl.Series(lib.dw["kind"][idx])),
        is_rental=pl.Series(np.where(rented, "是", "否")),
        landlord_name=pl.when(has).then(exact_names(pop, who)).otherwise(blank),
        landlord_id_number=pl.when(has).then(id_strings(pop, who)).otherwise(blank),
        landlord_phone=pl.when(has).then(pl.Series(pop.phone1[who]).cast(pl.Utf8)).otherwise(blank),
        _file=pl.lit(0, pl.Int64),
        _order=pl.Series(idx.astype(np.int64)),
    )


def dwellings_table(lib: Library, idx: np.ndarray) -> pl.DataFrame:
    cols = standard_columns(lib, idx)
    d = lib.dw
    comm = pl.Series(d["comm"][idx])
    C = lib.places.communities
    return pl.DataFrame(
        {
            "address_code": pl.Series(lib.code[idx]),
            "standard_address": cols["standard_address"],
            "street": cols["street"],
            "community": cols["community"],
            "community_code": lib.spec.code + C["code"].gather(comm),
            "police_station": C["station"].gather(comm),
            "site_kind": pl.Series(KIND_NAMES).gather(pl.Series(d["kind"][idx])),
            "tenure": pl.Series(TENURE_NAMES).gather(pl.Series(d["tenure"][idx])),
            "compound": cols["compound"],
            "building": pl.Series(d["bldg"][idx]),
            "unit": pl.Series(d["unit"][idx]),
            "units_in_building": pl.Series(d["n_units"][idx]),
            "room": pl.Series(d["room"][idx]),
            "door": pl.Series(d["door"][idx]),
            "has_room": pl.Series(d["room"][idx] > 0),
        }
    )


def aliases_table(lib: Library) -> pl.DataFrame:
    C = lib.places.communities
    return C.filter(pl.col("alias").is_not_null()).select(
        community_code=pl.lit(lib.spec.code) + pl.col("code"),
        street=pl.col("street_name"),
        community=pl.col("name"),
        alias=pl.col("alias"),
    )
