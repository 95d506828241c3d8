"""The Fellegi–Sunter model: settings, parameters, scoring, and the versioned JSON artifact.

A pair's match weight (log2 odds) is the prior plus, per comparison, log2(m/u) of the level
it falls in (0 for the null level), plus the term-frequency adjustment on levels that carry
one. Weights within a comparison are kept non-increasing from the strongest level down (EM
can put a sparse weaker level above a stronger one; evidence ordering is structural), which
also guarantees that a record matches itself at least as well as anything else.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from recon.matching.blocking import BlockingRule
from recon.matching.comparison_levels import PairContext
from recon.matching.comparisons import Comparison
from recon.matching.term_frequency import TermFrequencies, pair_tf, tf_adjustment

MODEL_FORMAT = "recon.linkage.model"
MODEL_VERSION = 1


@dataclass
class LinkageSettings:
    """Everything a linkage run is configured by; serialised into the model artifact."""

    comparisons: list[Comparison]
    blocking_rules: list[BlockingRule]
    lineage: dict[str, list[str]] = field(default_factory=dict)  # column -> source fields (EM sessions)
    threshold: float = 0.9  # match probability at which a pair becomes a clustering edge
    pair_floor: float = 0.01  # pairs at or above this probability are returned (for review/explain)
    u_sample_pairs: int = 1_000_000
    seed: int = 20240611
    em_max_iter: int = 60
    min_session_pairs: int = 200
    n_partitions: int = 8
    chunk_pairs: int = 2_000_000
    scorer: str = "fellegi_sunter"  # or "logistic": trained on reviewers' labels (supervised.py)
    collapse_identical: bool = True  # score distinct profiles once (exact; profiles.py)
    conflict_column: str | None = None  # e.g. "id_conflict": records with different values never merge...
    conflict_comparison: str | None = None  # ...unless this comparison's pair evidence shows a typo
    conflict_typo_levels: tuple[str, ...] = ("near",)
    conflict_typo_min_probability: float = 0.999999

    def fields_of(self, columns: list[str] | tuple[str, ...]) -> set[str]:
        out: set[str] = set()
        for c in columns:
            out |= set(self.lineage.get(c, [c]))
        return out

    def comparison(self, name: str) -> Comparison:
        for c in self.comparisons:
            if c.name == name:
                return c
        raise KeyError(
            f"no comparison named {name!r}; the settings have {[c.name for c in self.comparisons]}"
        )

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if k not in ("comparisons", "blocking_rules")}
        d["conflict_typo_levels"] = list(self.conflict_typo_levels)
        d["comparisons"] = [c.to_dict() for c in self.comparisons]
        d["blocking_rules"] = [r.to_dict() for r in self.blocking_rules]
        return d

    @staticmethod
    def from_dict(d: dict[str, Any]) -> LinkageSettings:
        d = dict(d)
        comps = [Comparison.from_dict(c) for c in d.pop("comparisons")]
        rules = [BlockingRule.from_dict(r) for r in d.pop("blocking_rules")]
        d["conflict_typo_levels"] = tuple(d.get("conflict_typo_levels", ("near",)))
        return LinkageSettings(comps, rules, **d)


@dataclass
class LinkageModel:
    """Trained parameters: m and u per comparison level, the prior, term frequencies."""

    settings: LinkageSettings
    m: dict[str, list[float]]
    u: dict[str, list[float]]
    prior: float  # P(two random records are the same person)
    tf: dict[str, TermFrequencies] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    version: int = MODEL_VERSION
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def prior_weight(self) -> float:
        return math.log2(self.prior / (1 - self.prior))

    def level_weights(self, comparison: str) -> np.ndarray:
        """log2(m/u) per level, made non-increasing from the strongest level down, and >= 0 on
        levels that equal values fall into."""
        w = np.log2(np.maximum(np.array(self.m[comparison]), 1e-6)) - np.log2(np.array(self.u[comparison]))
        w = np.minimum.accumulate(w)
        agree = np.array([lv.agreement for lv in self.settings.comparison(comparison).levels])
        w = np.where(agree, np.maximum(w, 0.0), w)
        return np.maximum.accumulate(w[::-1])[::-1]

    def to_dict(self) -> dict[str, Any]:
        comps = {}
        for c in self.settings.comparisons:
            comps[c.name] = {
                "levels": c.labels,
                "m": self.m[c.name],
                "u": self.u[c.name],
                "weights": [round(float(x), 4) for x in self.level_weights(c.name)],
            }
        return {
            "format": MODEL_FORMAT,
            "version": self.version,
            "created_at": self.created_at,
            "prior": self.prior,
            "prior_weight": round(self.prior_weight, 4),
            "comparisons": comps,
            "term_frequencies": {k: v.to_dict() for k, v in self.tf.items()},
            "training": self.training,
            "settings": self.settings.to_dict(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1, default=_json_default)

    @staticmethod
    def from_json(text: str) -> LinkageModel:
        d = json.loads(text)
        if d.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a linkage model (format {d.get('format')!r}, expected {MODEL_FORMAT!r})")
        if int(d.get("version", 0)) > MODEL_VERSION:
            raise ValueError(
                f"model version {d['version']} is newer than this code reads ({MODEL_VERSION}); upgrade"
            )
        settings = LinkageSettings.from_dict(d["settings"])
        comps = d["comparisons"]
        return LinkageModel(
            settings=settings,
            m={k: list(v["m"]) for k, v in comps.items()},
            u={k: list(v["u"]) for k, v in comps.items()},
            prior=float(d["prior"]),
            tf={k: TermFrequencies.from_dict(v) for k, v in d.get("term_frequencies", {}).items()},
            training=d.get("training", {}),
            version=int(d["version"]),
            created_at=d.get("created_at", ""),
        )


def _json_default(o: Any) -> Any:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"cannot serialise {type(o).__name__} into the model JSON")


def compute_gammas(ctx: PairContext, comparisons: list[Comparison]) -> np.ndarray:
    """(pairs × comparisons) int8 level matrix."""
    out = np.empty((ctx.n, len(comparisons)), dtype=np.int8)
    for j, c in enumerate(comparisons):
        out[:, j] = c.gamma(ctx)
    return out


def score_pairs(
    ctx: PairContext, gammas: np.ndarray, model: LinkageModel, tf_by_code: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Per-comparison weights (pairs × comparisons, float32; TF included) and total match weight."""
    comps = model.settings.comparisons
    weights = np.zeros(gammas.shape, dtype=np.float32)
    for j, c in enumerate(comps):
        w = model.level_weights(c.name)
        g = gammas[:, j].astype(np.int64)
        col = np.where(g >= 0, w[np.maximum(g, 0)], 0.0)
        for k, lv in enumerate(c.levels):
            if lv.tf_col is None or lv.tf_col not in tf_by_code:
                continue
            hit = g == k
            if not hit.any():
                continue
            u_k = model.u[c.name][k]
            tf = pair_tf(ctx, lv.tf_col, tf_by_code[lv.tf_col])[hit]
            floor = w[k + 1 :].max() if k + 1 < len(w) else -np.inf
            if lv.agreement:
                floor = max(floor, 0.0)
            adj = tf_adjustment(u_k, tf, min_tf=1e-9)
            col[hit] = np.maximum(w[k] + adj, floor)
        weights[:, j] = col
    total = model.prior_weight + weights.sum(axis=1, dtype=np.float64)
    return weights, total


def probability(match_weight: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp2(-np.clip(match_weight, -200, 200)))


def weight_for_probability(p: float) -> float:
    return math.log2(p / (1 - p))
