"""Optional scorer trained on reviewers' decisions (labelled pairs): recordlinkage's logistic
regression on one-hot comparison levels. Fellegi–Sunter weights still explain every pair; when
this scorer is active it only replaces the match probability used for clustering.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recon.matching.comparisons import Comparison

MIN_PER_CLASS = 20  # fewer labels than this per class: keep the unsupervised model


def one_hot(gammas: np.ndarray, comparisons: list[Comparison]) -> pd.DataFrame:
    cols = {}
    for j, c in enumerate(comparisons):
        for k, label in enumerate(c.labels):
            cols[f"{c.name}={label}"] = (gammas[:, j] == k).astype(np.int8)
    return pd.DataFrame(cols)


class LogisticScorer:
    """recordlinkage.LogisticRegressionClassifier over one-hot levels."""

    def __init__(self, comparisons: list[Comparison]):
        self.comparisons = comparisons
        self.classifier = None
        self.n_labels = (0, 0)

    @staticmethod
    def enough(y: np.ndarray) -> bool:
        y = np.asarray(y, dtype=bool)
        return int(y.sum()) >= MIN_PER_CLASS and int((~y).sum()) >= MIN_PER_CLASS

    def fit(self, gammas: np.ndarray, y: np.ndarray) -> LogisticScorer:
        import recordlinkage as rl

        y = np.asarray(y, dtype=bool)
        if not self.enough(y):
            raise ValueError(
                f"the logistic scorer needs at least {MIN_PER_CLASS} labelled pairs of each class; "
                f"got {int(y.sum())} matches and {int((~y).sum())} non-matches"
            )
        x = one_hot(gammas, self.comparisons)
        x.index = pd.MultiIndex.from_arrays([np.arange(len(x)), np.arange(len(x))])
        clf = rl.LogisticRegressionClassifier()
        clf.fit(x, x.index[y])
        self.classifier = clf
        self.n_labels = (int(y.sum()), int((~y).sum()))
        return self

    def match_weight(self, gammas: np.ndarray) -> np.ndarray:
        """log2 odds of a match for each pair."""
        if self.classifier is None:
            raise RuntimeError("LogisticScorer.match_weight called before fit()")
        x = one_hot(gammas, self.comparisons)
        x.index = pd.MultiIndex.from_arrays([np.arange(len(x)), np.arange(len(x))])
        p = np.clip(np.asarray(self.classifier.prob(x), dtype=float), 1e-12, 1 - 1e-12)
        return np.log2(p / (1 - p))
