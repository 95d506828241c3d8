"""Parameter estimation without labels: u from random pairs, m by EM on aggregated patterns.

- u (P(level | two different people)) is the level frequency among uniformly random record
  pairs, almost all of which are non-matches. Add-one smoothing keeps a level never seen among
  random pairs (two random records with the same ID) finite.
- m (P(level | same person)) comes from EM over *agreement patterns* (distinct gamma vectors
  with their counts: a few thousand rows however many million pairs), with u held fixed.
  As in Splink, EM runs in sessions, one per blocking rule, over the pairs that rule found;
  the comparisons whose source fields the rule blocked on are held fixed in that session
  (their agreement there is an artefact of blocking), and the m of each comparison is the
  average over the sessions where it was free.
- The prior is the probability that two random records match: the fixed point of
  lambda = (expected matches among candidates) / (all record pairs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

M_FLOOR = 1e-6


def sample_random_pairs(n: int, n_pairs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Up to `n_pairs` random pairs (l < r) of n records, reproducible from the seed."""
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    total = n * (n - 1) // 2
    rng = np.random.default_rng(seed)
    if total <= n_pairs:  # small data: every pair
        left, right = np.triu_indices(n, k=1)
        return left.astype(np.int64), right.astype(np.int64)
    a = rng.integers(0, n, size=int(n_pairs * 1.01) + 10)
    b = rng.integers(0, n, size=len(a))
    keep = a != b  # sampled with replacement: a repeated pair is harmless for frequencies
    lo, hi = np.minimum(a[keep], b[keep])[:n_pairs], np.maximum(a[keep], b[keep])[:n_pairs]
    return lo.astype(np.int64), hi.astype(np.int64)


def level_frequencies(gamma: np.ndarray, n_levels: int, smoothing: float = 1.0) -> np.ndarray:
    """Share of each level among non-null gammas, add-`smoothing` so no level is 0."""
    g = gamma[gamma >= 0].astype(np.int64)
    counts = np.bincount(g, minlength=n_levels).astype(float) + smoothing
    return counts / counts.sum()


def pattern_index(gammas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of the (pairs × comparisons) int8 gamma matrix, and each pair's row in them."""
    if gammas.shape[0] == 0:
        return gammas.reshape(0, gammas.shape[1]), np.zeros(0, dtype=np.int64)
    key = np.zeros(gammas.shape[0], dtype=np.int64)
    for c in range(gammas.shape[1]):  # levels -1..14 -> one hex digit per comparison
        key = key * 16 + (gammas[:, c].astype(np.int64) + 1)
    uniq, first, inv = np.unique(key, return_index=True, return_inverse=True)
    return gammas[first], inv


def aggregate_patterns(
    gammas: np.ndarray, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of the gamma matrix and their (weighted) counts."""
    patterns, inv = pattern_index(gammas)
    return patterns, np.bincount(inv, weights=weights, minlength=len(patterns)).astype(float)


def log_bayes_factors(patterns: np.ndarray, m: list[np.ndarray], u: list[np.ndarray]) -> np.ndarray:
    """log2(P(pattern | match) / P(pattern | non-match)) under conditional independence."""
    out = np.zeros(patterns.shape[0])
    for c in range(patterns.shape[1]):
        g = patterns[:, c].astype(np.int64)
        w = np.log2(np.maximum(m[c], M_FLOOR)) - np.log2(u[c])
        out += np.where(g >= 0, w[np.maximum(g, 0)], 0.0)
    return out


def _posterior(log2_prior_odds: float, lbf: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp2(-np.clip(log2_prior_odds + lbf, -200, 200)))


@dataclass
class EMResult:
    m: list[np.ndarray]
    lam: float
    iterations: int
    converged: bool
    pairs: float


def run_em(
    patterns: np.ndarray,
    counts: np.ndarray,
    m_init: list[np.ndarray],
    u: list[np.ndarray],
    *,
    fixed: set[int] | frozenset[int] = frozenset(),
    lam_init: float = 0.5,
    max_iter: int = 100,
    tol: float = 1e-5,
) -> EMResult:
    """EM for m (and the session's match share) with u fixed.

    Comparisons in `fixed` keep m_init and take no part in the session: their agreement was
    forced by the blocking rule that chose these pairs, so it says nothing about matching here
    (letting it vote makes every blocked pair look like a match once the data is large)."""
    m = [mi.copy() for mi in m_init]
    lam = lam_init
    total = counts.sum()
    converged = False
    it = 0
    active = patterns.copy()
    for c in fixed:
        active[:, c] = -1
    for it in range(1, max_iter + 1):  # noqa: B007
        p = _posterior(np.log2(lam / (1 - lam)), log_bayes_factors(active, m, u))
        w = counts * p
        lam_new = float(np.clip(w.sum() / total, 1e-9, 1 - 1e-9))
        delta = abs(lam_new - lam)
        for c in range(patterns.shape[1]):
            if c in fixed:
                continue
            g = patterns[:, c].astype(np.int64)
            ok = g >= 0
            num = np.bincount(g[ok], weights=w[ok], minlength=len(m[c]))
            if num.sum() <= 0:
                continue
            new = np.maximum(num / num.sum(), M_FLOOR)
            new /= new.sum()
            delta = max(delta, float(np.abs(new - m[c]).max()))
            m[c] = new
        lam = lam_new
        if delta < tol:
            converged = True
            break
    return EMResult(m, lam, it, converged, float(total))


def estimate_prior(lbf: np.ndarray, counts: np.ndarray, n_records: int, iterations: int = 200) -> float:
    """P(two random records match): fixed point of expected matches among candidates / all pairs."""
    all_pairs = max(n_records * (n_records - 1) / 2, 1.0)
    lam = max(float(counts[lbf > 0].sum()) / all_pairs, 1.0 / all_pairs)
    for _ in range(iterations):
        new = float((counts * _posterior(np.log2(lam / (1 - lam)), lbf)).sum()) / all_pairs
        new = min(max(new, 1.0 / all_pairs), 0.5)
        if abs(new - lam) <= 1e-12 + 1e-9 * lam:
            lam = new
            break
        lam = new
    return lam
