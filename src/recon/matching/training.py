"""Train a Fellegi–Sunter model from unlabelled data (see `em` for the method)."""

from __future__ import annotations

import logging

import numpy as np

from recon.matching.blocking import Candidates
from recon.matching.comparison_levels import EncodedRecords, PairContext
from recon.matching.em import (
    aggregate_patterns,
    estimate_prior,
    level_frequencies,
    log_bayes_factors,
    pattern_index,
    run_em,
    sample_random_pairs,
)
from recon.matching.fellegi_sunter import LinkageModel, LinkageSettings, compute_gammas

log = logging.getLogger("recon.matching.training")


def estimate_u(
    enc: EncodedRecords, settings: LinkageSettings, record_node: np.ndarray | None = None
) -> tuple[dict[str, list[float]], int]:
    """u per level from uniformly random *record* pairs (seeded); when rows are collapsed
    profiles, `record_node` maps each record to its row."""
    n_records = enc.n if record_node is None else len(record_node)
    left, right = sample_random_pairs(n_records, settings.u_sample_pairs, settings.seed)
    if record_node is not None:
        left, right = record_node[left], record_node[right]
    u: dict[str, list[float]] = {}
    ctx = PairContext(enc, left, right)
    for c in settings.comparisons:
        u[c.name] = level_frequencies(c.gamma(ctx), len(c.levels)).tolist()
    return u, len(left)


def train(
    enc: EncodedRecords,
    cands: Candidates,
    gammas: np.ndarray,
    settings: LinkageSettings,
    record_node: np.ndarray | None = None,
    weight: np.ndarray | None = None,
) -> LinkageModel:
    """u from random pairs, m by EM sessions per blocking rule, then the prior.

    Rows may be collapsed profiles (`record_node`: row of each record, `weight`: records per
    row): EM then sees each distinct pair of profiles once, while u and the prior count records."""
    comps = settings.comparisons
    u, n_random = estimate_u(enc, settings, record_node)
    u_arr = [np.array(u[c.name]) for c in comps]
    m_init = [c.initial_m() for c in comps]
    comp_fields = [settings.fields_of(c.columns) for c in comps]
    sums = [np.zeros(len(c.levels)) for c in comps]
    n_sessions = [0] * len(comps)
    sessions = []
    all_patterns, pattern_of_pair = pattern_index(gammas)  # once; each session only counts
    for i, rule in enumerate(cands.rules):
        sel = cands.found_by(i)
        n_sel = int(sel.sum())
        rule_fields = settings.fields_of(rule.keys)
        fixed = {j for j, f in enumerate(comp_fields) if f & rule_fields}
        info = {"rule": rule.name, "pairs": n_sel, "fixed": [comps[j].name for j in sorted(fixed)]}
        if n_sel < settings.min_session_pairs or len(fixed) == len(comps):
            info["skipped"] = (
                "too few pairs" if n_sel < settings.min_session_pairs else "every comparison fixed"
            )
            sessions.append(info)
            continue
        counts = np.bincount(pattern_of_pair[sel], minlength=len(all_patterns)).astype(float)
        patterns, counts = all_patterns[counts > 0], counts[counts > 0]
        res = run_em(
            patterns, counts, m_init, u_arr, fixed=fixed, lam_init=0.5, max_iter=settings.em_max_iter
        )
        info.update(
            {
                "iterations": res.iterations,
                "converged": res.converged,
                "match_share": round(res.lam, 6),
                "patterns": len(counts),
            }
        )
        sessions.append(info)
        log.info(
            "EM session %s: %d pairs, %d patterns, %d iterations, match share %.4f",
            rule.name,
            n_sel,
            len(counts),
            res.iterations,
            res.lam,
        )
        for j in range(len(comps)):
            if j not in fixed:
                sums[j] += res.m[j]
                n_sessions[j] += 1
    m = {}
    for j, c in enumerate(comps):
        mj = sums[j] / n_sessions[j] if n_sessions[j] else m_init[j]
        m[c.name] = (mj / mj.sum()).tolist()
    # prior: expected matching record pairs among all record pairs
    n_records = enc.n if record_node is None else len(record_node)
    if weight is None:
        patterns, counts = aggregate_patterns(gammas)
    else:
        w = weight.astype(float)
        dup = np.flatnonzero(weight > 1)  # records inside one profile: pairs of identical records
        self_g = compute_gammas(PairContext(enc, dup, dup), comps)
        patterns, counts = aggregate_patterns(
            np.concatenate([gammas, self_g]),
            np.concatenate([w[cands.left] * w[cands.right], w[dup] * (w[dup] - 1) / 2]),
        )
    lbf = log_bayes_factors(patterns, [np.array(m[c.name]) for c in comps], u_arr)
    prior = estimate_prior(lbf, counts, n_records)
    training = {
        "records": n_records,
        "profiles": enc.n,
        "candidate_pairs": len(cands),
        "random_pairs_for_u": n_random,
        "sessions": sessions,
        "m_sessions": {c.name: n_sessions[j] for j, c in enumerate(comps)},
    }
    return LinkageModel(settings=settings, m=m, u=u, prior=prior, training=training)


def gammas_for(
    enc: EncodedRecords, left: np.ndarray, right: np.ndarray, settings: LinkageSettings
) -> np.ndarray:
    """Gamma matrix for pairs, computed chunk by chunk to bound memory."""
    out = np.empty((len(left), len(settings.comparisons)), dtype=np.int8)
    step = max(1, settings.chunk_pairs)
    for s in range(0, len(left), step):
        ctx = PairContext(enc, left[s : s + step], right[s : s + step])
        out[s : s + step] = compute_gammas(ctx, settings.comparisons)
    return out
