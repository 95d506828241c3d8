"""Collapsing identical records into one node is exact: same persons as linking every copy."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl

from recon.matching.engine import run_engine
from recon.matching.linkage import person_settings
from recon.matching.person_features import prepare_person_records
from recon.matching.profiles import collapse, expand_labels

sys.path.insert(0, str(Path(__file__).parent))
from test_linkage_persons import population  # noqa: E402


def partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for i, lab in enumerate(labels.tolist()):
        groups.setdefault(lab, set()).add(i)
    return {frozenset(g) for g in groups.values()}


def test_collapsed_and_uncollapsed_runs_give_the_same_persons() -> None:
    records, _ = population(600, seed=9)
    # copies of records, as repeated roster rows, plus name-only copies that must not self-link
    dup = records.head(300).with_columns(pl.col("record_id") + "b")
    bare = records.head(40).with_columns(
        pl.col("record_id") + "n",
        pl.lit(None, dtype=pl.String).alias("id_number"),
        pl.lit(None, dtype=pl.String).alias("phone"),
        pl.lit(None, dtype=pl.String).alias("std_address_code"),
        pl.lit(None, dtype=pl.String).alias("building_key"),
        pl.lit(None, dtype=pl.String).alias("community"),
    )
    prepared = prepare_person_records(
        pl.concat([records, dup, bare, bare.with_columns(pl.col("record_id") + "2")])
    )
    trained = run_engine(
        prepared, person_settings(min_session_pairs=50, u_sample_pairs=200_000, collapse_identical=False)
    )
    model = trained.model
    full = run_engine(prepared, model.settings, model=model)
    model.settings.collapse_identical = True
    collapsed = run_engine(prepared, model.settings, model=model)
    assert collapsed.stats["profiles"] < full.stats["profiles"] == prepared.height
    assert partition(collapsed.labels) == partition(full.labels)
    both = ~np.isnan(full.record_probability)
    assert (both == ~np.isnan(collapsed.record_probability)).all()
    np.testing.assert_allclose(collapsed.record_probability[both], full.record_probability[both], rtol=1e-5)


def test_expand_labels_splits_nodes_that_do_not_self_link() -> None:
    frame = pl.DataFrame({"a": ["x", "x", "y", "y", "z"]})
    nodes = collapse(frame, ["a"])
    assert nodes.n == 3 and nodes.weight.tolist() == [2, 2, 1]
    node_labels = np.array([0, 1, 2])
    labels = expand_labels(nodes, node_labels, self_linked=np.array([True, False, False]))
    assert partition(labels) == {frozenset({0, 1}), frozenset({2}), frozenset({3}), frozenset({4})}
    # linked to another node: every copy follows the link
    labels = expand_labels(nodes, np.array([0, 1, 1]), self_linked=np.array([True, False, False]))
    assert partition(labels) == {frozenset({0, 1}), frozenset({2, 3, 4})}


def test_pinned_records_stay_alone() -> None:
    frame = pl.DataFrame({"a": ["x", "x", "x"]})
    nodes = collapse(frame, ["a"], pinned=np.array([False, True, False]))
    assert nodes.n == 2 and sorted(nodes.weight.tolist()) == [1, 2]
