"""Clustering: connected components checked against networkx; the conflict and cannot-link guards."""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.matching.clustering import cluster, connected_components


def as_sets(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for node, lab in enumerate(labels.tolist()):
        groups.setdefault(lab, set()).add(node)
    return {frozenset(g) for g in groups.values()}


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 60))
    m = draw(st.integers(0, 90))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=m, max_size=m))
    return n, edges


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_components_equal_networkx(g) -> None:
    n, edges = g
    left = np.array([a for a, _ in edges], dtype=np.int64)
    right = np.array([b for _, b in edges], dtype=np.int64)
    labels = connected_components(n, left, right)
    ref = nx.Graph()
    ref.add_nodes_from(range(n))
    ref.add_edges_from(edges)
    assert as_sets(labels) == {frozenset(c) for c in nx.connected_components(ref)}
    # label = smallest node of its cluster
    for s in as_sets(labels):
        assert {labels[x] for x in s} == {min(s)}
    # without conflicts the guarded clustering is plain connected components
    labels2, stats = cluster(n, left, right, np.ones(len(left)), conflict=np.full(n, -1))
    assert as_sets(labels2) == as_sets(labels) and stats["edges_refused"] == 0


def test_random_graphs_against_networkx_at_scale() -> None:
    rng = np.random.default_rng(3)
    for n, m in [(1000, 800), (5000, 6000), (20000, 15000)]:
        left, right = rng.integers(0, n, m), rng.integers(0, n, m)
        ref = nx.Graph()
        ref.add_nodes_from(range(n))
        ref.add_edges_from(zip(left.tolist(), right.tolist(), strict=True))
        assert as_sets(connected_components(n, left, right)) == {
            frozenset(c) for c in nx.connected_components(ref)
        }


def test_conflict_splits_a_chain_between_two_ids() -> None:
    # 0 (ID X) - 1 (no ID) - 2 (no ID) - 3 (ID Y): the weakest link (1-2) must go
    left, right = np.array([0, 1, 2]), np.array([1, 2, 3])
    weight = np.array([20.0, 5.0, 18.0])
    conflict = np.array([7, -1, -1, 9])
    labels, stats = cluster(4, left, right, weight, conflict=conflict)
    assert as_sets(labels) == {frozenset({0, 1}), frozenset({2, 3})}
    assert stats["components_reclustered"] == 1 and stats["edges_refused"] == 1


def test_conflict_allowed_by_overwhelming_typo_evidence() -> None:
    left, right = np.array([0]), np.array([1])
    conflict = np.array([7, 9])
    labels, _ = cluster(2, left, right, np.array([40.0]), conflict=conflict, allow_conflict=np.array([True]))
    assert labels[0] == labels[1]
    labels, _ = cluster(2, left, right, np.array([40.0]), conflict=conflict, allow_conflict=np.array([False]))
    assert labels[0] != labels[1]


def test_unrelated_components_untouched_by_guard() -> None:
    left, right = np.array([0, 2, 3]), np.array([1, 3, 4])
    conflict = np.array([1, 1, 5, -1, 6])
    labels, _ = cluster(5, left, right, np.array([9.0, 9.0, 8.0]), conflict=conflict)
    assert as_sets(labels) == {frozenset({0, 1}), frozenset({2, 3}), frozenset({4})}


def test_cannot_link_pairs_never_share_a_cluster() -> None:
    left, right = np.array([0, 1, 2]), np.array([1, 2, 3])
    labels, _ = cluster(4, left, right, np.array([10.0, 2.0, 10.0]), cannot_link=[(0, 3)])
    assert labels[0] != labels[3]
    assert as_sets(labels) == {frozenset({0, 1}), frozenset({2, 3})}
