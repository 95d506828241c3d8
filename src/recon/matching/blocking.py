"""Blocking rules declared as data, and candidate pairs generated per hash partition of the key.

A rule names the record columns that must be equal (all present) for two records to become a
candidate pair. Keys are hashed; `partition_pairs` handles one partition (hash mod N) and
is the unit a task runner can spread over workers: a block lives in exactly one partition,
so partitions never need each other. Blocks above a rule's `max_block_size` (a placeholder
phone shared by hundreds, a dormitory and surname 王) are skipped and reported, never
silently truncated. Pairs found by several rules are kept once, with a bitmask of the rules
that found them (for per-rule counts, pair completeness and EM training sessions).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import polars as pl

HASH_SEED = 0x5EED


@dataclass(frozen=True)
class BlockingRule:
    """Records are candidates when every column of `keys` is present and equal."""

    name: str
    keys: tuple[str, ...]
    max_block_size: int = 500
    description: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["keys"] = list(self.keys)
        return d

    @staticmethod
    def from_dict(d: dict) -> BlockingRule:
        return BlockingRule(
            d["name"], tuple(d["keys"]), int(d.get("max_block_size", 500)), d.get("description", "")
        )


@dataclass
class Candidates:
    """Deduplicated candidate pairs (left < right, sorted) and which rules found each."""

    left: np.ndarray  # int64 record index
    right: np.ndarray
    rules_mask: np.ndarray  # uint32 bitmask over `rules`
    rules: list[BlockingRule]
    report: pl.DataFrame  # rule, pairs, new_pairs, blocks, skipped_blocks, skipped_records

    def __len__(self) -> int:
        return len(self.left)

    def found_by(self, rule_index: int) -> np.ndarray:
        return (self.rules_mask >> np.uint32(rule_index)) & np.uint32(1) == 1


def rule_keys(frame: pl.DataFrame, rule: BlockingRule) -> tuple[np.ndarray, np.ndarray]:
    """(rid, key) arrays for records where every key column is present; key is a 64-bit hash."""
    missing = [k for k in rule.keys if k not in frame.columns]
    if missing:
        raise KeyError(
            f"blocking rule {rule.name!r} needs columns {missing}; the records have {frame.columns}"
        )
    present = pl.all_horizontal(
        [pl.col(k).is_not_null() & (pl.col(k).cast(pl.String) != "") for k in rule.keys]
    )
    keys = (
        frame.lazy()
        .select(
            pl.col("rid"),
            pl.struct([pl.col(k).cast(pl.String) for k in rule.keys]).hash(HASH_SEED).alias("key"),
            present.alias("ok"),
        )
        .filter(pl.col("ok"))
        .collect()
    )
    return keys["rid"].to_numpy().astype(np.int64), keys["key"].to_numpy()


def partition_pairs(
    rid: np.ndarray, key: np.ndarray, max_block_size: int, presorted: bool = False
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Candidate pairs (l < r) among records sharing a key, for the records of one partition.

    Vectorized: after sorting by key, the record at offset o of a block of size s pairs with
    the s - o - 1 records after it; numpy repeats generate exactly those pairs."""
    if presorted:
        k, ids = key, rid
    else:
        order = np.argsort(key, kind="stable")
        k, ids = key[order], rid[order]
    if len(k) == 0:
        return (
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            {"blocks": 0, "skipped_blocks": 0, "skipped_records": 0},
        )
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sizes = np.diff(np.r_[starts, len(k)])
    big = sizes > max_block_size
    stats = {
        "blocks": int((sizes > 1).sum()),
        "skipped_blocks": int(big.sum()),
        "skipped_records": int(sizes[big].sum()),
    }
    group = np.repeat(np.arange(len(starts)), sizes)
    offset = np.arange(len(k)) - starts[group]
    count = np.where(big[group], 0, sizes[group] - offset - 1)
    total = int(count.sum())
    left_pos = np.repeat(np.arange(len(k)), count)
    within = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    a, b = ids[left_pos], ids[left_pos + 1 + within]
    return np.minimum(a, b), np.maximum(a, b), stats


def generate_candidates(frame: pl.DataFrame, rules: list[BlockingRule], n_partitions: int = 8) -> Candidates:
    """Union of every rule's candidate pairs, each computed partition by partition (the number
    of partitions is rounded up to a power of two).

    Pairs are packed into one integer (left, right, rule index) so the union of all rules is a
    single numpy sort; equal pairs then sit together and their rule bits are OR-ed."""
    if len(rules) > 32:
        raise ValueError(f"at most 32 blocking rules are supported, got {len(rules)}")
    bits = max(1, int(frame.height).bit_length())
    if 2 * bits + 5 > 64:
        raise ValueError(f"{frame.height} records are too many to pack a pair into 64 bits")
    shift_l, shift_r = np.uint64(bits + 5), np.uint64(5)
    packed_all: list[np.ndarray] = []
    rows = []
    pbits = max(0, (max(1, n_partitions) - 1).bit_length())  # partitions: a power of two
    for i, rule in enumerate(rules):
        rid, key = rule_keys(frame, rule)
        # one fast numpy sort of (key, record) packed in 64 bits: the key keeps its top 64 - bits
        # bits (a rare truncation collision only merges two blocks: extra pairs, none lost); the
        # partition is the key's top bits, so partitions are contiguous slices
        packed = np.sort(((key >> np.uint64(bits)) << np.uint64(bits)) | rid.astype(np.uint64))
        rid_s = (packed & np.uint64((1 << bits) - 1)).astype(np.int64)
        key_s = packed >> np.uint64(bits)
        part = packed >> np.uint64(64 - pbits) if pbits else np.zeros(len(packed), np.uint64)
        bounds = np.searchsorted(part, np.arange((1 << pbits) + 1, dtype=np.uint64))
        stats_sum = {"blocks": 0, "skipped_blocks": 0, "skipped_records": 0}
        n_pairs = 0
        for p in range(1 << pbits):  # each partition is an independent task
            sel = slice(bounds[p], bounds[p + 1])
            left, right, stats = partition_pairs(rid_s[sel], key_s[sel], rule.max_block_size, presorted=True)
            packed_all.append(
                (left.astype(np.uint64) << shift_l) | (right.astype(np.uint64) << shift_r) | np.uint64(i)
            )
            n_pairs += len(left)
            for name, v in stats.items():
                stats_sum[name] += v
        rows.append({"rule": rule.name, "keys": ", ".join(rule.keys), "pairs": n_pairs, **stats_sum})
    packed = np.sort(np.concatenate(packed_all)) if packed_all else np.zeros(0, np.uint64)
    pair = packed >> shift_r
    starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if len(pair) else np.zeros(0, np.int64)
    rule_bit = np.left_shift(np.uint32(1), (packed & np.uint64(31)).astype(np.uint32))
    mask = np.bitwise_or.reduceat(rule_bit, starts) if len(pair) else np.zeros(0, np.uint32)
    uk = pair[starts]
    # a rule's "new" pairs: found by no earlier rule in the list
    for i, row in enumerate(rows):
        mine = (mask >> np.uint32(i)) & np.uint32(1) == 1
        earlier = (mask & np.uint32((1 << i) - 1)) != 0
        row["new_pairs"] = int((mine & ~earlier).sum())
    report = pl.DataFrame(
        rows,
        schema={
            "rule": pl.String,
            "keys": pl.String,
            "pairs": pl.Int64,
            "blocks": pl.Int64,
            "skipped_blocks": pl.Int64,
            "skipped_records": pl.Int64,
            "new_pairs": pl.Int64,
        },
    )
    report = report.select(
        "rule", "keys", "pairs", "new_pairs", "blocks", "skipped_blocks", "skipped_records"
    )
    left = (uk >> np.uint64(bits)).astype(np.int64)
    right = (uk & np.uint64((1 << bits) - 1)).astype(np.int64)
    return Candidates(left, right, mask, list(rules), report)
