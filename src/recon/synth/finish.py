"""Turns a feed builder's frame into the text an agency file holds: dates in the file's habit,
cell noise (spaces, full-width digits, NULL markers) and the bad rows, keeping typed copies of
every date (`t_<column>`) for the ground truth.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from recon.connectors.contract import FEEDS
from recon.synth.badrows import inject
from recon.synth.noise import (
    CHINESE,
    COMPACT,
    DATETIME,
    ISO,
    SERIAL,
    SLASH,
    NoiseProfile,
    cell_noise,
    render_dates,
)
from recon.synth.plan import FilePlan

FULLWIDTH_COLUMNS = {
    "id_number",
    "phone",
    "landlord_phone",
    "lease_start",
    "lease_end",
    "moved_out_on",
    "declared_on",
    "start_date",
    "end_date",
    "visit_date",
    "residence_start",
    "registered_on",
    "deregistered_on",
    "birth_date",
}


def finish(
    rng: np.random.Generator, source: str, frame: pl.DataFrame, plans: list[FilePlan], p: NoiseProfile
) -> pl.DataFrame:
    spec = FEEDS[source]
    n = frame.height
    date_cols = [c.name for c in spec.columns if c.kind == "date"]
    frame = frame.with_columns([pl.col(c).alias(f"t_{c}") for c in date_cols])
    files = frame["_file"].to_numpy()
    style = np.array([f.date_style for f in plans], np.int64)[files]
    mixed = np.array([f.mixed_dates for f in plans], bool)[files]
    xlsx = np.array([f.fmt == "xlsx" for f in plans], bool)[files]
    for col in date_cols:
        st = style.copy()
        m = mixed & (rng.random(n) < 0.5)
        st[m] = rng.choice([ISO, SLASH, COMPACT, CHINESE, DATETIME, SERIAL], int(m.sum()))
        st = np.where((st == SERIAL) & ~xlsx, ISO, st)
        frame = frame.with_columns(render_dates(rng, frame[col], st).alias(col))
    for c in spec.columns:
        if c.name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.Utf8).alias(c.name))
        elif frame[c.name].dtype != pl.Utf8:
            frame = frame.with_columns(pl.col(c.name).cast(pl.Utf8))
    noisy = [c.name for c in spec.columns if not (source == "community_roster" and c.name == spec.key)]
    fullwidth = FULLWIDTH_COLUMNS - ({"birth_date"} if source != "police_registry" else set())
    frame = cell_noise(rng, frame, noisy, fullwidth, p)
    return inject(rng, frame, spec, plans, p)
