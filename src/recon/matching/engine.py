"""The linkage engine over any prepared record frame: block → compare → train → score → cluster.

`run_engine` knows nothing about persons or feeds: records are rows of a polars frame (row
index = record index), the settings name the columns. `linkage.link_persons` prepares person
records and wraps it; the FEBRL benchmark calls it with generic string comparisons.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field, replace

import numpy as np
import polars as pl

from recon.matching.blocking import Candidates, generate_candidates
from recon.matching.clustering import cluster
from recon.matching.comparison_levels import EncodedRecords, PairContext
from recon.matching.comparisons import StringComparison
from recon.matching.fellegi_sunter import (
    LinkageModel,
    LinkageSettings,
    compute_gammas,
    probability,
    score_pairs,
    weight_for_probability,
)
from recon.matching.profiles import Nodes, collapse, expand_labels
from recon.matching.term_frequency import TermFrequencies, record_frequencies
from recon.matching.training import gammas_for, train

log = logging.getLogger("recon.matching.engine")


@dataclass
class EngineResult:
    labels: np.ndarray  # cluster label per record (smallest record index in the cluster)
    record_probability: np.ndarray  # strongest in-cluster link per record (NaN: alone)
    pairs: pl.DataFrame  # l, r (records), match_weight, match_probability, g_<comparison>, w_<comparison>
    model: LinkageModel
    candidates: Candidates  # candidate pairs between nodes (collapsed identical records)
    nodes: Nodes
    stats: dict = field(default_factory=dict)


def rss_gb() -> float:
    """Resident memory of this process now (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**30
    except (OSError, ValueError):
        return 0.0


class _Clock:
    """Wall and CPU seconds and resident memory per step (CPU shows the work on a shared machine)."""

    def __init__(self) -> None:
        self.last = (time.perf_counter(), time.process_time())
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.rss: dict[str, float] = {}

    def lap(self, step: str) -> None:
        now = (time.perf_counter(), time.process_time())
        self.wall[step] = round(now[0] - self.last[0], 3)
        self.cpu[step] = round(now[1] - self.last[1], 3)
        self.rss[step] = round(rss_gb(), 2)
        self.last = now


def tf_columns(settings: LinkageSettings) -> list[str]:
    return list(dict.fromkeys(lv.tf_col for c in settings.comparisons for lv in c.levels if lv.tf_col))


def profile_columns(settings: LinkageSettings) -> list[str]:
    """Every column the model reads: records equal in all of them are one node."""
    cols = [col for c in settings.comparisons for col in c.columns]
    cols += [k for r in settings.blocking_rules for k in r.keys]
    if settings.conflict_column:
        cols.append(settings.conflict_column)
    return list(dict.fromkeys(cols))


def encode(
    frame: pl.DataFrame, settings: LinkageSettings, weights: np.ndarray | None = None
) -> EncodedRecords:
    cols = [col for c in settings.comparisons for col in c.columns]
    if settings.conflict_column:
        cols.append(settings.conflict_column)
    missing = sorted({c for c in cols if c not in frame.columns})
    if missing:
        raise KeyError(f"the comparisons need columns {missing}; the records have {frame.columns}")
    return EncodedRecords(frame, cols, weights)


def _edges_from_labels(pairs: np.ndarray | None, nodes: Nodes) -> np.ndarray:
    return (
        np.zeros((0, 2), np.int64)
        if pairs is None
        else nodes.record_node[np.asarray(pairs, np.int64).reshape(-1, 2)]
    )


def collapse_records(
    frame: pl.DataFrame,
    settings: LinkageSettings,
    must_link: np.ndarray | None = None,
    cannot_link: np.ndarray | None = None,
) -> Nodes:
    """The nodes (distinct profiles) of a record frame; records named in labels stay alone."""
    n = frame.height
    pinned = np.full(n, not settings.collapse_identical, dtype=bool)
    for arr in (must_link, cannot_link):
        if arr is not None and len(arr):
            pinned[np.asarray(arr, np.int64).ravel()] = True
    missing = sorted({c for c in profile_columns(settings) if c not in frame.columns})
    if missing:
        raise KeyError(
            f"the comparisons and blocking rules need columns {missing}; the records have {frame.columns}"
        )
    return collapse(frame, profile_columns(settings), pinned)


def run_engine(
    frame: pl.DataFrame,
    settings: LinkageSettings,
    *,
    model: LinkageModel | None = None,
    must_link: np.ndarray | None = None,
    cannot_link: np.ndarray | None = None,
    scorer=None,
) -> EngineResult:
    """Link the rows of `frame` (row index = record index). `must_link` / `cannot_link` are
    (k, 2) arrays of record indices; `scorer` optionally replaces the match weight."""
    if model is not None:
        settings = model.settings
    nodes = collapse_records(frame, settings, must_link, cannot_link)
    return run_nodes(
        nodes, settings, model=model, must_link=must_link, cannot_link=cannot_link, scorer=scorer
    )


def run_nodes(
    nodes: Nodes,
    settings: LinkageSettings,
    *,
    model: LinkageModel | None = None,
    must_link: np.ndarray | None = None,
    cannot_link: np.ndarray | None = None,
    scorer=None,
) -> EngineResult:
    """Link collapsed records (see `collapse_records`): block, compare, train, score, cluster."""
    clock = _Clock()
    if model is not None:
        settings = model.settings
    n = len(nodes.record_node)
    enc = encode(nodes.frame, settings, nodes.weight)
    clock.lap("encode")
    cands = generate_candidates(nodes.frame, settings.blocking_rules, settings.n_partitions)
    nodes.frame = nodes.frame.select("rid")  # the profiles' text is encoded; free it
    clock.lap("blocking")
    gammas = gammas_for(enc, cands.left, cands.right, settings)
    clock.lap("compare")
    if model is None:
        model = train(enc, cands, gammas, settings, nodes.record_node, nodes.weight)
    tf_by_code = {c: record_frequencies(enc, c) for c in tf_columns(settings)}
    # frequencies are tonight's facts: the returned model carries them, the caller's is untouched
    model = replace(model, tf={c: TermFrequencies.from_encoded(enc, c) for c in tf_columns(settings)})
    clock.lap("train")

    comps = settings.comparisons
    floor_w = weight_for_probability(settings.pair_floor)
    thr_w = weight_for_probability(settings.threshold)
    conflict_idx, typo_levels = None, []
    if settings.conflict_column and settings.conflict_comparison:
        conflict_idx = [c.name for c in comps].index(settings.conflict_comparison)
        typo_levels = [
            comps[conflict_idx].labels.index(x)
            for x in settings.conflict_typo_levels
            if x in comps[conflict_idx].labels
        ]
    typo_w = weight_for_probability(settings.conflict_typo_min_probability)
    all_nodes = np.arange(nodes.n)
    self_ctx = PairContext(enc, all_nodes, all_nodes)
    self_g = compute_gammas(self_ctx, comps)
    _, self_w = score_pairs(self_ctx, self_g, model, tf_by_code)
    if scorer is not None:
        self_w = scorer.match_weight(self_g)
    keep_parts, edge_l, edge_r, edge_w, edge_allow = [], [], [], [], []
    step = max(1, settings.chunk_pairs)
    for s in range(0, len(cands), step):
        ctx = PairContext(enc, cands.left[s : s + step], cands.right[s : s + step])
        g = gammas[s : s + step]
        weights, total = score_pairs(ctx, g, model, tf_by_code)
        if scorer is not None:
            total = scorer.match_weight(g)
        keep = total >= floor_w
        part = {
            "l": nodes.first_record[ctx.left[keep]],
            "r": nodes.first_record[ctx.right[keep]],
            "match_weight": total[keep].astype(np.float32),
        }
        for j, c in enumerate(comps):
            part[f"g_{c.name}"] = g[keep, j]
            part[f"w_{c.name}"] = weights[keep, j]
        keep_parts.append(pl.DataFrame(part))
        edge = total >= thr_w
        edge_l.append(ctx.left[edge])
        edge_r.append(ctx.right[edge])
        edge_w.append(total[edge])
        if conflict_idx is not None:
            edge_allow.append(np.isin(g[edge, conflict_idx], typo_levels) & (total[edge] >= typo_w))
    clock.lap("score")
    el = np.concatenate(edge_l) if edge_l else np.zeros(0, np.int64)
    er = np.concatenate(edge_r) if edge_r else np.zeros(0, np.int64)
    ew = np.concatenate(edge_w) if edge_w else np.zeros(0)
    allow = np.concatenate(edge_allow) if edge_allow else None
    ml = _edges_from_labels(must_link, nodes)
    if len(ml):
        el, er, ew = np.r_[el, ml[:, 0]], np.r_[er, ml[:, 1]], np.r_[ew, np.full(len(ml), 1e6)]
        allow = None if allow is None else np.r_[allow, np.ones(len(ml), dtype=bool)]
    conflict = enc.codes[settings.conflict_column] if settings.conflict_column else None
    cl_pairs = [tuple(x) for x in _edges_from_labels(cannot_link, nodes).tolist()]
    node_labels, cstats = cluster(
        nodes.n, el, er, ew, conflict=conflict, allow_conflict=allow, cannot_link=cl_pairs
    )
    self_linked = self_w >= thr_w
    labels = expand_labels(nodes, node_labels, self_linked)
    clock.lap("cluster")

    node_best = np.where(self_linked & (nodes.weight > 1), self_w, -np.inf)
    inside = node_labels[el] == node_labels[er]
    np.maximum.at(node_best, el[inside], ew[inside])
    np.maximum.at(node_best, er[inside], ew[inside])
    rec_best = node_best[nodes.record_node]
    rec_prob = np.where(np.isfinite(rec_best), probability(rec_best), np.nan)

    pairs = pl.concat(keep_parts) if keep_parts else pl.DataFrame({"l": [], "r": [], "match_weight": []})
    pairs = pairs.with_columns(
        pl.col("match_weight")
        .map_batches(lambda s: pl.Series(probability(s.to_numpy()).astype(np.float32)))
        .alias("match_probability")
    )
    stats = {
        "records": n,
        "profiles": nodes.n,
        "candidate_pairs": len(cands),
        "pairs_above_floor": pairs.height,
        "edges": len(el),
        "clusters": int(len(np.unique(labels))),
        **cstats,
        "seconds": clock.wall,
        "cpu_seconds": clock.cpu,
        "rss_gb_after": clock.rss,
    }
    log.info(
        "linkage: %d records, %d profiles, %d candidate pairs, %d edges, %d clusters in %.1f s",
        n,
        nodes.n,
        len(cands),
        len(el),
        stats["clusters"],
        sum(clock.wall.values()),
    )
    return EngineResult(labels, rec_prob, pairs, model, cands, nodes, stats)


def generic_settings(
    columns: list[str],
    *,
    tf_columns: tuple[str, ...] = (),
    blocking: list[tuple[str, ...]] | None = None,
    **overrides,
) -> LinkageSettings:
    """Settings for plain string columns nobody has tuned: one StringComparison per column,
    one blocking rule per column unless `blocking` is given."""
    from recon.matching.blocking import BlockingRule

    comps = [StringComparison(c, tf=c in tf_columns) for c in columns]
    rules = [BlockingRule("+".join(k), tuple(k)) for k in (blocking or [(c,) for c in columns])]
    return LinkageSettings(comps, rules, **overrides)
