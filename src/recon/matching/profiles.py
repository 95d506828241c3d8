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
    """Group records identical in `columns` (records flagged in `pinned` stay alone)."""
    cols = list(dict.fromkeys(columns))
    f = frame.select(cols).with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_r"))
    f = f.with_columns(
        pl.when(pl.Series(pinned)).then(pl.col("_r")).alias("_pin")
        if pinned is not None
        else pl.lit(None, dtype=pl.Int64).alias("_pin")
    )
    groups = (
        f.group_by([*cols, "_pin"])
        .agg(pl.col("_r").min().alias("_first"), pl.col("_r"), pl.len().alias("_n"))
        .sort("_first")
        .with_row_index("rid")
        .with_columns(pl.col("rid").cast(pl.Int64))
    )
    record_node = np.empty(frame.height, dtype=np.int64)
    exploded = groups.select("rid", "_r").explode("_r")
    record_node[exploded["_r"].to_numpy()] = exploded["rid"].to_numpy()
    return Nodes(
        frame=groups.select("rid", *cols),
        record_node=record_node,
        weight=groups["_n"].to_numpy().astype(np.int64),
        first_record=groups["_first"].to_numpy().astype(np.int64),
    )


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
