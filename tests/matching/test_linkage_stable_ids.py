"""Stable person ids across runs (unit level; the end-to-end run is in test_linkage_persons)."""

from __future__ import annotations

import polars as pl

from recon.matching.stable_ids import assign_person_ids, new_person_id


def clusters(rows: list[tuple[str, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"source": pl.String, "record_id": pl.String, "cluster": pl.Int64}, orient="row"
    )


def test_first_run_ids_are_derived_from_records_and_deterministic() -> None:
    c = clusters([("a", "1", 0), ("a", "2", 0), ("b", "9", 2)])
    out1, out2 = assign_person_ids(c), assign_person_ids(c)
    assert out1.equals(out2)
    ids = dict(zip(out1["record_id"], out1["person_id"], strict=True))
    assert ids["1"] == ids["2"] == new_person_id("a:1") and ids["9"] == new_person_id("b:9")
    assert all(len(x) == 11 and x.startswith("P") for x in ids.values())


def test_ids_follow_overlap_through_splits_merges_and_new_records() -> None:
    prev = pl.DataFrame(
        {
            "source": ["a"] * 6,
            "record_id": ["1", "2", "3", "4", "5", "6"],
            "person_id": ["PX", "PX", "PX", "PY", "PZ", "PW"],
        }
    )
    now = clusters(
        [
            ("a", "1", 0),
            ("a", "2", 0),  # larger part of PX keeps PX
            ("a", "3", 3),  # split-off part of PX: new id
            ("a", "4", 4),
            ("a", "5", 4),  # PY and PZ merged: tie on overlap -> smaller id PY
            ("a", "6", 6),
            ("b", "7", 6),  # PW gains a record
            ("b", "8", 8),  # brand-new person
        ]
    )
    out = dict(
        zip(assign_person_ids(now, prev)["record_id"], assign_person_ids(now, prev)["person_id"], strict=True)
    )
    assert out["1"] == out["2"] == "PX"
    assert out["3"] not in {"PX", "PY", "PZ", "PW"}
    assert out["4"] == out["5"] == "PY"
    assert out["6"] == out["7"] == "PW"
    assert out["8"] == new_person_id("b:8")


def test_new_ids_never_reuse_a_published_id() -> None:
    # the previous file already holds the id record a:1 would hash to, for another person
    prev = pl.DataFrame({"source": ["z"], "record_id": ["0"], "person_id": [new_person_id("a:1")]})
    out = assign_person_ids(clusters([("a", "1", 0), ("z", "0", 5)]), prev)
    ids = dict(zip(out["record_id"], out["person_id"], strict=True))
    assert ids["0"] == new_person_id("a:1") and ids["1"] != ids["0"]
