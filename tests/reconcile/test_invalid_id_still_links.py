"""CONTRACT.md edge case: a registry record with an invalid ID number still links to its person
by name and phone, and the person's registration is then an `invalid_identity` finding, not an
unregistered person plus a stranger."""

from __future__ import annotations

import random
from datetime import date

import polars as pl

from recon.matching.id_number import parse_ids
from recon.matching.linkage import link_persons, person_settings
from tests.matching.test_linkage_persons import make_id, population


def test_registry_record_with_an_invalid_id_links_by_name_and_phone():
    records, _ = population(600, seed=9)
    rng = random.Random(3)
    good = make_id(rng, "412723", date(1991, 3, 14), True)
    bad = good[:17] + ("0" if good[17] != "0" else "1")  # wrong check character
    assert parse_ids(pl.Series([bad]), pl.Series([None], dtype=pl.Utf8))["id_status"][0] != "valid"
    base = {"id_type": None, "birth_date": None, "gender": None, "community": "C1"}
    ours = pl.DataFrame(
        [
            {
                **base,
                "source": "police_registry",
                "record_id": "REG-BAD",
                "name": "覃晓燕",
                "id_number": bad,
                "phone": "13905710001",
                "std_address_code": "D90001",
                "building_key": "D9000",
                "birth_date": "1991-03-14",
                "gender": "男",
            },
            {
                **base,
                "source": "intermediary_lease",
                "record_id": "LEASE-1",
                "name": "覃晓燕",
                "id_number": good,
                "phone": "13905710001",
                "std_address_code": "D90001",
                "building_key": "D9000",
            },
            {
                **base,
                "source": "grid_visit",
                "record_id": "VISIT-1",
                "name": "覃晓燕",
                "id_number": None,
                "phone": "13905710001",
                "std_address_code": "D90001",
                "building_key": "D9000",
            },
        ],
        schema=records.schema,
    )
    result = link_persons(
        pl.concat([records, ours]), settings=person_settings(min_session_pairs=50, u_sample_pairs=200_000)
    )
    ids = dict(
        result.person_link.filter(pl.col("record_id").is_in(["REG-BAD", "LEASE-1", "VISIT-1"]))
        .select("record_id", "person_id")
        .iter_rows()
    )
    assert len(set(ids.values())) == 1, ids
