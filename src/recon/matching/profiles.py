"""Identical records collapsed into one node before blocking.

Agencies repeat themselves: the same person's row comes back in every monthly roster, every
snapshot, every feed, often identical in every column the model reads. Two records identical
in all those columns are indistinguishable to the model, so the engine blocks, compares and
scores *nodes* (distinct profiles, each with its record count as weight) and expands the
clusters back to records at the end. This is exact, not an approximation:

- every record of a node has the same candidate pairs and the same scores as the node;
- records of one node are linked to each other exactly when the node's self-match weight
  reaches the threshold (`expand_labels`); otherwise each stays its own person unless the node
  links to something, in which case all of them do, as they would one by one;
- term frequencies and the prior count records (node weights), not nodes;
- records named in reviewers' labels are pinned to nodes of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from recon.matching.comparison_levels import factorize_u64


@dataclass
class Nodes:
    frame: pl.DataFrame  # one row per node: rid (= node index) and the profile columns
    record_node: np.ndarray  # node of every record
    weight: np.ndarray  # records per node (int64)
    first_record: np.ndarray  # smallest record index of every node

    @property
    def n(self) -> int:
        return len(self.weight)


def collapse(frame: pl.DataFrame, columns: list[str], pinned: np.ndarray | None = None) -> Nodes:
    """Group records identical in `columns` (records flagged in `pinned` stay alone).

    Rows are grouped by a 64-bit hash of the profile and checked with a second, independent
    64-bit hash; a collision (never seen, but possible) falls back to an exact group-by."""
    cols = list(dict.fromkeys(columns))
    n = frame.height
    keys = frame.select(cols)
    h = keys.hash_rows(seed=0x5EED).to_numpy()
    if pinned is not None and pinned.any():  # pinned rows get a key of their own
        h = h.copy()
        h[pinned] = np.arange(int(pinned.sum()), dtype=np.uint64) + np.uint64(1)
        h[~pinned] |= np.uint64(1 << 63)
    first, inv = factorize_u64(h)
    h2 = keys.hash_rows(seed=0xC0FFEE).to_numpy()  # independent check of the grouping
    ok = np.array_equal(h2[first][inv], h2)
    if not ok:
        pin = pl.Series(np.where(pinned, np.arange(n), -1) if pinned is not None else np.full(n, -1))
        grouped = keys.with_columns(pin.alias("_pin")).with_row_index("_r")
        g = grouped.group_by([*cols, "_pin"]).agg(pl.col("_r").min().alias("_f"))
        inv_s = grouped.join(g, on=[*cols, "_pin"], how="left", nulls_equal=True, maintain_order="left")["_f"]
        first, inv = np.unique(inv_s.to_numpy(), return_inverse=True)
    # number nodes by their first record so the result does not depend on hash values
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    record_node = rank[inv].astype(np.int64)
    first_record = first[order].astype(np.int64)
    weight = np.bincount(record_node, minlength=len(first_record)).astype(np.int64)
    node_frame = keys[first_record].with_columns(
        pl.Series("rid", np.arange(len(first_record), dtype=np.int64))
    )
    return Nodes(node_frame.select("rid", *cols), record_node, weight, first_record)


def expand_labels(nodes: Nodes, node_labels: np.ndarray, self_linked: np.ndarray) -> np.ndarray:
    """Cluster label per record (the smallest record index of its cluster).

    A node whose records would not link to each other (self-match below the threshold) and
    that links to nothing splits into one cluster per record."""
    rec_label_node = node_labels[nodes.record_node]
    # label clusters by their smallest record
    first = np.full(nodes.n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, node_labels, nodes.first_record)
    labels = first[rec_label_node]
    nodes_in_cluster = np.bincount(node_labels, minlength=nodes.n)[node_labels]
    alone = ~self_linked & (nodes_in_cluster == 1) & (nodes.weight > 1)
    split = alone[nodes.record_node]
    labels[split] = np.flatnonzero(split)
    return labels
