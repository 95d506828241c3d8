"""Clustering scored pairs into persons.

Connected components of the edges above the threshold, with two guards:

- *conflict*: every record may carry a conflict key (its valid resident ID number). A
  component that would hold two different keys is re-clustered by constrained single
  linkage: edges in descending weight order, a merge refused when both sides already hold
  different keys. Records without a key join the side of their strongest link. An edge
  whose own evidence overwhelmingly says "typo" (`allow_conflict`) first declares its two
  keys one person.
- *cannot-link* pairs (a reviewer's "not the same person") are never put in one cluster.

Components without a conflict are left exactly as connected components (tested against
networkx). Labels are the smallest record index of each cluster, so output is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as _scipy_cc


def connected_components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Component label per node: the smallest node index in its component."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    g = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, lab = _scipy_cc(g, directed=False)
    first = np.full(lab.max() + 1, n, dtype=np.int64)
    np.minimum.at(first, lab, np.arange(n))
    return first[lab]


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        p = self.parent.setdefault(x, x)
        while p != x:
            self.parent[x] = self.parent.setdefault(p, p)
            x, p = p, self.parent[p]
        return x

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra
        return ra


def _conflict_groups(
    conflict: np.ndarray, left: np.ndarray, right: np.ndarray, allow: np.ndarray | None
) -> np.ndarray:
    """Conflict keys joined by edges allowed to bridge them (typos), as one group code per node."""
    group = conflict.astype(np.int64).copy()
    if allow is None or not allow.any():
        return group
    uf = _UnionFind()
    for a, b in zip(conflict[left[allow]], conflict[right[allow]], strict=True):
        if a >= 0 and b >= 0 and a != b:
            uf.union(int(a), int(b))
    has = group >= 0
    group[has] = [uf.find(int(x)) for x in group[has]]
    return group


def cluster(
    n: int,
    left: np.ndarray,
    right: np.ndarray,
    weight: np.ndarray,
    *,
    conflict: np.ndarray | None = None,
    allow_conflict: np.ndarray | None = None,
    cannot_link: Iterable[tuple[int, int]] = (),
) -> tuple[np.ndarray, dict]:
    """Cluster label per node, and stats (components split, edges refused)."""
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    labels = connected_components(n, left, right)
    stats = {"components_reclustered": 0, "edges_refused": 0}
    bad = np.zeros(n, dtype=bool)  # component ids (= label values) needing the constrained pass
    group = None
    if conflict is not None:
        group = _conflict_groups(conflict, left, right, allow_conflict)
        has = group >= 0
        lab_h, grp_h = labels[has], group[has]
        if len(lab_h):
            order = np.lexsort((grp_h, lab_h))
            lab_s, grp_s = lab_h[order], grp_h[order]
            multi = (lab_s[1:] == lab_s[:-1]) & (grp_s[1:] != grp_s[:-1])
            bad[lab_s[1:][multi]] = True
    cl_pairs = [(int(a), int(b)) for a, b in cannot_link if a != b]
    for a, b in cl_pairs:
        if labels[a] == labels[b]:
            bad[labels[a]] = True
    if not bad.any():
        return labels, stats
    in_bad = bad[labels[left]]
    el, er, ew = left[in_bad], right[in_bad], np.asarray(weight, dtype=np.float64)[in_bad]
    order = np.lexsort((er, el, -ew))
    uf = _UnionFind()
    root_group: dict[int, int] = {}
    if group is not None:
        for node in np.flatnonzero(bad[labels] & (group >= 0)):
            root_group[int(node)] = int(group[node])
    cl_by_node: dict[int, set[int]] = {}
    for k, (a, b) in enumerate(cl_pairs):
        cl_by_node.setdefault(a, set()).add(k)
        cl_by_node.setdefault(b, set()).add(k)
    root_cl: dict[int, set[int]] = {node: set(ks) for node, ks in cl_by_node.items()}
    for a, b in zip(el[order].tolist(), er[order].tolist(), strict=True):
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            continue
        ga, gb = root_group.get(ra), root_group.get(rb)
        if ga is not None and gb is not None and ga != gb:
            stats["edges_refused"] += 1
            continue
        ca, cb = root_cl.get(ra, set()), root_cl.get(rb, set())
        if ca and cb:
            small, big_root = (ca, rb) if len(ca) <= len(cb) else (cb, ra)
            if any(uf.find(cl_pairs[k][0]) == big_root or uf.find(cl_pairs[k][1]) == big_root for k in small):
                stats["edges_refused"] += 1
                continue
        r = uf.union(ra, rb)
        other = rb if r == ra else ra
        g = ga if ga is not None else gb
        if g is not None:
            root_group[r] = g
        root_group.pop(other, None)
        if ca or cb:
            root_cl[r] = ca | cb
            root_cl.pop(other, None)
    nodes = np.flatnonzero(bad[labels])
    roots = np.array([uf.find(int(x)) for x in nodes], dtype=np.int64)
    # relabel each refined cluster by its smallest node
    first: dict[int, int] = {}
    for node, r in zip(nodes.tolist(), roots.tolist(), strict=True):
        if r not in first or node < first[r]:
            first[r] = node
    labels = labels.copy()
    labels[nodes] = [first[r] for r in roots.tolist()]
    stats["components_reclustered"] = int(bad.sum())
    return labels, stats
