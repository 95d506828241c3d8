"""Rows the product must quarantine (CONTRACT.md 1.2): a missing required value, an unparseable
required date, the same key twice in one file with different content, broken encoding bytes.

Bad rows are drawn only from keys delivered once, so a quarantined row never hides a later or an
earlier version of its key. Both rows of a duplicated key are bad. Broken bytes are written into
GB18030 files only: the writer replaces `BROKEN_MARKER` with bytes that no GB18030 text has.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from recon.connectors.contract import FeedSpec
from recon.synth.noise import NULL_MARKERS, NoiseProfile
from recon.synth.plan import FilePlan

BROKEN_MARKER = "\ue000"
BROKEN_BYTES = b"\x80\xff"
BAD_DATES = ("2026-13-45", "待定", "2025-02-30", "不详", "20261345", "0000-00-00")
REASONS = ("missing_required", "unparseable_date", "duplicate_key", "broken_encoding")


def inject(
    rng: np.random.Generator, frame: pl.DataFrame, spec: FeedSpec, plans: list[FilePlan], p: NoiseProfile
) -> pl.DataFrame:
    """Adds `_bad` (reason, null when fine) and, for duplicated keys, the second rows."""
    frame = frame.with_columns(_bad=pl.lit(None, pl.Utf8))
    n = frame.height
    if n == 0:
        return frame
    key = spec.key
    current = np.array([f.role == "current" for f in plans])[frame["_file"].to_numpy()]
    if spec.source == "community_roster":
        once = np.ones(n, bool)
    else:  # keys delivered once among the files the product reads
        k_expr = pl.when(pl.Series(current)).then(pl.col(key).str.strip_chars())
        once = frame.select((pl.len().over(k_expr) == 1) | k_expr.is_null()).to_series().to_numpy()
    eligible = np.flatnonzero(current & once)
    k = int(rng.binomial(len(eligible), p.bad_rows)) if len(eligible) else 0
    if k == 0:
        return frame
    rows = np.sort(rng.choice(eligible, k, replace=False))
    reason = rng.choice(4, k, p=[0.4, 0.3, 0.2, 0.1])
    gbk = np.array([f.encoding == "gb18030" for f in plans])[frame["_file"].to_numpy()[rows]]
    required = [c.name for c in spec.columns if c.required and c.name != key]
    req_dates = [c.name for c in spec.columns if c.required and c.kind == "date"]
    if not req_dates:
        reason = np.where(reason == 1, 0, reason)
    if spec.source == "community_roster":
        reason = np.where(reason == 2, 0, reason)
    reason = np.where((reason == 3) & ~gbk, 0, reason)
    changes: dict[str, dict[int, str]] = {}
    bad: dict[int, str] = {}
    extra = []
    for r, why in zip(rows.tolist(), reason.tolist(), strict=True):
        if why == 0:
            col = required[int(rng.integers(0, len(required)))]
            value = "" if rng.random() < 0.5 else NULL_MARKERS[int(rng.integers(0, len(NULL_MARKERS)))]
            changes.setdefault(col, {})[r] = value
            bad[r] = f"missing_required:{spec.column(col).header}"
        elif why == 1:
            col = req_dates[int(rng.integers(0, len(req_dates)))]
            changes.setdefault(col, {})[r] = BAD_DATES[int(rng.integers(0, len(BAD_DATES)))]
            bad[r] = f"unparseable_date:{spec.column(col).header}"
        elif why == 2:
            bad[r] = "duplicate_key"
            extra.append(r)
        else:
            name = frame["name"][r] or "某"
            changes.setdefault("name", {})[r] = name[:1] + BROKEN_MARKER + name[1:]
            bad[r] = "broken_encoding"
    updates = {}
    for col, vals in changes.items():
        idx = sorted(vals)
        updates[col] = frame[col].scatter(idx, pl.Series([vals[i] for i in idx], dtype=pl.Utf8))
    idx = sorted(bad)
    updates["_bad"] = frame["_bad"].scatter(idx, pl.Series([bad[i] for i in idx], dtype=pl.Utf8))
    frame = frame.with_columns(**updates)
    if extra:
        twins = frame[extra]
        change = "phone" if "phone" in frame.columns else "name"
        new = (
            [f"1{int(x):010d}" for x in rng.integers(3_000_000_000, 9_999_999_999, len(extra))]
            if change == "phone"
            else [v + "某" for v in twins["name"].to_list()]
        )
        twins = twins.with_columns(pl.Series(change, new, dtype=pl.Utf8))
        frame = pl.concat([frame, twins])
    return frame
