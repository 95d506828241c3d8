"""Stable person ids: tonight's clusters inherit last night's ids by record overlap.

Each new cluster takes the previous person id that most of its records carried, one to one:
candidate (cluster, previous id) pairs are taken in order of overlap (largest first; ties by
previous id, then cluster), each side used at most once. When a person splits, the larger part
keeps the id; when two merge, the merged person keeps the id of the larger overlap. A cluster
with no previous id gets a new one derived from its smallest record key ("P" + 10 hex of
blake2b), so a rerun on the same input gives the same ids even without a previous file;
collisions with any id in use or previously published are salted away.
"""

from __future__ import annotations

import hashlib

import polars as pl

PREFIX = "P"


def new_person_id(record_key: str, salt: int = 0) -> str:
    h = hashlib.blake2b(f"{record_key}#{salt}".encode() if salt else record_key.encode(), digest_size=8)
    return PREFIX + h.hexdigest()[:10]


def assign_person_ids(clusters: pl.DataFrame, previous: pl.DataFrame | None = None) -> pl.DataFrame:
    """`clusters` (source, record_id, cluster) → (source, record_id, person_id).

    `previous` is the previous run's person_link (source, record_id, person_id) or None."""
    keyed = clusters.select("source", "record_id", "cluster")
    mapping: dict[int, str] = {}
    used: set[str] = set()
    if previous is not None and previous.height:
        prev = previous.select("source", "record_id", pl.col("person_id").cast(pl.String))
        used = set(prev["person_id"].unique().to_list())
        ov = (
            keyed.join(prev, on=["source", "record_id"], how="inner")
            .group_by("cluster", "person_id")
            .len()
            .sort(["len", "person_id", "cluster"], descending=[True, False, False])
        )
        # uncontested: the cluster saw one previous id and that id one cluster
        ov = ov.with_columns(pl.len().over("cluster").alias("_nc"), pl.len().over("person_id").alias("_np"))
        easy = ov.filter((pl.col("_nc") == 1) & (pl.col("_np") == 1))
        mapping.update(zip(easy["cluster"].to_list(), easy["person_id"].to_list(), strict=True))
        taken = set(mapping.values())
        contested = ov.filter((pl.col("_nc") > 1) | (pl.col("_np") > 1)).select("cluster", "person_id")
        for c, pid in contested.iter_rows():
            if c not in mapping and pid not in taken:
                mapping[c] = pid
                taken.add(pid)
    order = ["source", "record_id"]
    first = (
        keyed.filter(~pl.col("cluster").is_in(list(mapping)))
        .group_by("cluster")
        .agg(pl.col("source").sort_by(order).first(), pl.col("record_id").sort_by(order).first())
        .sort("cluster")
    )
    used |= set(mapping.values())
    keys = (first["source"] + ":" + first["record_id"]).to_list()
    for c, key in zip(first["cluster"].to_list(), keys, strict=True):
        salt = 0
        pid = new_person_id(key)
        while pid in used:
            salt += 1
            pid = new_person_id(key, salt)
        mapping[c] = pid
        used.add(pid)
    ids = pl.DataFrame(
        {"cluster": list(mapping.keys()), "person_id": list(mapping.values())},
        schema={"cluster": keyed.schema["cluster"], "person_id": pl.String},
    )
    return keyed.join(ids, on="cluster", how="left", maintain_order="left").select(
        "source", "record_id", "person_id"
    )
