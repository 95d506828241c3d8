"""Blocking rules as data: partitions, block caps, the per-rule report, pair completeness."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from recon.matching.blocking import BlockingRule, generate_candidates
from recon.matching.evaluation import blocking_completeness, pair_scores, pairwise_scores


def frame() -> pl.DataFrame:
    rng = np.random.default_rng(0)
    n = 3000
    return pl.DataFrame(
        {
            "rid": np.arange(n),
            "a": rng.integers(0, 400, n).astype(str),
            "b": [
                None if x < 0.2 else str(v)
                for x, v in zip(rng.random(n), rng.integers(0, 30, n), strict=True)
            ],
            "c": rng.integers(0, 5, n).astype(str),
        }
    )


def brute_force(f: pl.DataFrame, keys: tuple[str, ...]) -> set[tuple[int, int]]:
    rows = f.select(["rid", *keys]).rows()
    out = set()
    by: dict[tuple, list[int]] = {}
    for r in rows:
        if all(v is not None for v in r[1:]):
            by.setdefault(r[1:], []).append(r[0])
    for ids in by.values():
        out |= {(x, y) for i, x in enumerate(ids) for y in ids[i + 1 :]}
    return out


def test_candidates_equal_brute_force_for_any_partitioning() -> None:
    f = frame()
    rules = [BlockingRule("a", ("a",)), BlockingRule("b_c", ("b", "c"))]
    expect = brute_force(f, ("a",)) | brute_force(f, ("b", "c"))
    for parts in (1, 3, 8):
        c = generate_candidates(f, rules, n_partitions=parts)
        got = set(zip(c.left.tolist(), c.right.tolist(), strict=True))
        assert got == expect, parts
        assert (c.left < c.right).all()
        assert np.all(np.diff(c.left * 10**6 + c.right) > 0)  # sorted, unique
        rep = c.report.to_dicts()
        assert rep[0]["pairs"] == len(brute_force(f, ("a",))) and rep[1]["pairs"] == len(
            brute_force(f, ("b", "c"))
        )
        assert rep[0]["new_pairs"] + rep[1]["new_pairs"] == len(c)
        assert c.found_by(0).sum() == rep[0]["pairs"]


def test_blocks_above_the_cap_are_skipped_and_reported() -> None:
    f = frame()
    c = generate_candidates(f, [BlockingRule("c", ("c",), max_block_size=100)], n_partitions=2)
    rep = c.report.row(0, named=True)
    assert len(c) == 0 and rep["skipped_blocks"] == 5 and rep["skipped_records"] == 3000


def test_unknown_column_names_the_rule() -> None:
    with pytest.raises(KeyError, match="blocking rule 'x' needs columns"):
        generate_candidates(frame(), [BlockingRule("x", ("nope",))])


def test_completeness_and_pairwise_scores_agree_with_recordlinkage() -> None:
    import pandas as pd
    import recordlinkage as rl

    f = frame()
    truth = (np.arange(f.height) // 3).astype(str)  # entities of three records
    c = generate_candidates(f, [BlockingRule("a", ("a",)), BlockingRule("b", ("b",))], n_partitions=4)
    rep = blocking_completeness(c, truth)
    union = rep.filter(pl.col("rule") == "(union)").row(0, named=True)
    true_links = pd.MultiIndex.from_tuples(
        [(i, j) for i in range(f.height) for j in range(i + 1, f.height) if truth[i] == truth[j]]
    )
    cand = pd.MultiIndex.from_arrays([c.left, c.right])
    assert union["completeness"] == pytest.approx(len(cand.intersection(true_links)) / len(true_links))
    assert 0 < union["completeness"] < 1
    # predicted pairs: candidates inside a true entity plus some noise
    hit = truth[c.left] == truth[c.right]
    pick = hit | (np.arange(len(c)) < 300)
    pred_l, pred_r = c.left[pick], c.right[pick]
    s = pair_scores(pred_l, pred_r, truth)
    links_pred = pd.MultiIndex.from_arrays([pred_l, pred_r])
    assert s["precision"] == pytest.approx(rl.precision(true_links, links_pred))
    assert s["recall"] == pytest.approx(rl.recall(true_links, links_pred))
    assert s["f1"] == pytest.approx(rl.fscore(true_links, links_pred))
    # clusters: transitive closure scored from the contingency table equals explicit pairs
    labels = np.array([0, 0, 0, 1, 1, 2, 2, 2, 3])
    tr = np.array([0, 0, 1, 1, 1, 2, 2, 3, 3])
    pl_pairs = pd.MultiIndex.from_tuples(
        [(i, j) for i in range(9) for j in range(i + 1, 9) if labels[i] == labels[j]]
    )
    tl_pairs = pd.MultiIndex.from_tuples(
        [(i, j) for i in range(9) for j in range(i + 1, 9) if tr[i] == tr[j]]
    )
    ps = pairwise_scores(labels, tr)
    assert ps["precision"] == pytest.approx(rl.precision(tl_pairs, pl_pairs))
    assert ps["recall"] == pytest.approx(rl.recall(tl_pairs, pl_pairs))
    assert ps["f1"] == pytest.approx(rl.fscore(tl_pairs, pl_pairs))
