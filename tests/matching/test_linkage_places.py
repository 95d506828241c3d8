"""Where a record places its person: partial addresses and grid visits (rule tables)."""

from __future__ import annotations

import polars as pl

from recon.matching.person_places import GRID_MIN_VISITS, grid_communities, record_places

PLACES = pl.DataFrame(
    {
        "code": ["D1", "D2", "D3", "D4", "D5"],
        "building_key": ["B1", "B1", "B2", "B3", None],
        "community": ["C1", "C1", "C1", "C2", "C2"],
    }
)


def test_partial_addresses_keep_the_building_or_community_all_candidates_share() -> None:
    cases = [
        # (std_address_code, candidates, expected building, expected community)
        ("D1", [], "B1", "C1"),  # resolved: the dwelling's own
        (None, ["D1", "D2"], "B1", "C1"),  # room missing, one building
        (None, ["D1", "D3"], None, "C1"),  # two buildings of one community
        (None, ["D1", "D4"], None, None),  # two communities: nothing
        (None, ["D4", "D5"], None, "C2"),  # a candidate of unknown building: no building
        (None, [], None, None),  # unmatched
        (None, ["D9"], None, None),  # candidate not in the library
        ("D3", ["D1", "D2"], "B2", "C1"),  # a resolved code wins over candidates
    ]
    matches = pl.DataFrame(
        {
            "source": ["s"] * len(cases),
            "record_id": [str(i) for i in range(len(cases))],
            "std_address_code": [c[0] for c in cases],
            "candidates": [c[1] for c in cases],
        },
        schema_overrides={"candidates": pl.List(pl.String)},
    )
    got = record_places(matches, PLACES).sort(pl.col("record_id").cast(pl.Int64))
    wrong = [
        (case, row)
        for case, row in zip(cases, got.iter_rows(named=True), strict=True)
        if (row["building_key"], row["community"]) != (case[2], case[3])
    ]
    assert not wrong, "\n".join(map(str, wrong))


def test_grid_community_is_learned_only_when_the_grid_clearly_lies_in_one() -> None:
    n = GRID_MIN_VISITS
    grid = ["G1"] * (n + 1) + ["G2"] * n + ["G2"] * n + ["G3"] * (n - 1) + ["G4"] * 20 + [None]
    comm = (
        ["C1"] * n
        + [None]  # G1: n resolved visits in C1, one unresolved → C1
        + ["C1"] * n
        + ["C2"] * n  # G2: split between two communities → unknown
        + ["C1"] * (n - 1)  # G3: too few resolved visits → unknown
        + ["C2"] * 19
        + ["C3"]  # G4: 95% in C2 → C2
        + [None]
    )
    got = grid_communities(pl.Series(grid), pl.Series(comm)).to_list()
    expected = {"G1": "C1", "G2": None, "G3": None, "G4": "C2", None: None}
    assert got == [expected[g] for g in grid]
