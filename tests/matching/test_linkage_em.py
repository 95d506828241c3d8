"""EM on aggregated patterns recovers known parameters; u from random pairs; the prior."""

from __future__ import annotations

import numpy as np

from recon.matching.em import (
    aggregate_patterns,
    estimate_prior,
    level_frequencies,
    log_bayes_factors,
    run_em,
    sample_random_pairs,
)


def simulate(n_match: int, n_non: int, m: list[np.ndarray], u: list[np.ndarray], seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    cols = []
    for mc, uc in zip(m, u, strict=True):
        a = rng.choice(len(mc), size=n_match, p=mc)
        b = rng.choice(len(uc), size=n_non, p=uc)
        cols.append(np.r_[a, b])
    g = np.stack(cols, axis=1).astype(np.int8)
    g[rng.random(g.shape) < 0.05] = -1  # some nulls
    return g


def test_em_recovers_m_and_match_share() -> None:
    m = [
        np.array([0.9, 0.07, 0.03]),
        np.array([0.85, 0.15]),
        np.array([0.8, 0.1, 0.1]),
        np.array([0.95, 0.05]),
    ]
    u = [np.array([0.01, 0.09, 0.9]), np.array([0.1, 0.9]), np.array([0.05, 0.15, 0.8]), np.array([0.3, 0.7])]
    g = simulate(20_000, 80_000, m, u)
    patterns, counts = aggregate_patterns(g)
    assert counts.sum() == len(g) and len(patterns) <= 3 * 2 * 3 * 2 * 2**4
    init = [np.full(len(x), 1 / len(x)) for x in m]
    init = [np.r_[0.6, np.full(len(x) - 1, 0.4 / (len(x) - 1))] for x in m]
    res = run_em(patterns, counts, init, u, lam_init=0.5, max_iter=200, tol=1e-7)
    assert res.converged
    assert abs(res.lam - 0.2) < 0.01
    for est, true in zip(res.m, m, strict=True):
        np.testing.assert_allclose(est, true, atol=0.02)


def test_fixed_comparisons_keep_their_m() -> None:
    m = [np.array([0.9, 0.1]), np.array([0.8, 0.2])]
    u = [np.array([0.05, 0.95]), np.array([0.1, 0.9])]
    g = simulate(5000, 5000, m, u)
    patterns, counts = aggregate_patterns(g)
    init = [np.array([0.5, 0.5]), np.array([0.6, 0.4])]
    res = run_em(patterns, counts, init, u, fixed={0})
    np.testing.assert_array_equal(res.m[0], init[0])


def test_random_pairs_are_seeded_and_proper() -> None:
    a1, b1 = sample_random_pairs(1000, 5000, seed=4)
    a2, b2 = sample_random_pairs(1000, 5000, seed=4)
    assert np.array_equal(a1, a2) and np.array_equal(b1, b2)
    assert (a1 < b1).all() and len(a1) == 5000
    a, b = sample_random_pairs(10, 10_000, seed=1)  # small: every pair exactly once
    assert len(a) == 45 and len(set(zip(a.tolist(), b.tolist(), strict=True))) == 45


def test_level_frequencies_smoothed() -> None:
    u = level_frequencies(np.array([1, 1, 1, -1, 2], dtype=np.int8), 3)
    assert u[0] > 0 and abs(u.sum() - 1) < 1e-12 and u[1] > u[2] > u[0]


def test_prior_is_expected_matches_over_all_pairs() -> None:
    # 100 decisive matches among 1000 candidates of 10_000 records
    lbf = np.r_[np.full(100, 40.0), np.full(900, -20.0)]
    lam = estimate_prior(lbf, np.ones(1000), 10_000)
    assert abs(lam - 100 / (10_000 * 9_999 / 2)) / lam < 0.01
    assert (
        log_bayes_factors(
            np.array([[0, -1]], dtype=np.int8), [np.array([0.5, 0.5])] * 2, [np.array([0.25, 0.75])] * 2
        )[0]
        == 1.0
    )
