"""Person linkage across every feed: the entry point the nightly flow calls.

    result = link_persons(records, previous=last_person_link)
    result.person_link   # source, record_id, person_id, match_probability
    result.persons       # golden records
    result.pairs         # scored pairs above the floor, with per-comparison weights
    result.model.to_json()
    result.blocking_report

Pure functions over polars frames: no files, no DuckDB. Deterministic: records are sorted by
(source, record_id) first and every sample is seeded.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from recon.matching.blocking import BlockingRule
from recon.matching.comparison_levels import PairContext
from recon.matching.engine import EngineResult, collapse_records, encode, profile_columns, run_nodes
from recon.matching.fellegi_sunter import LinkageModel, LinkageSettings, compute_gammas
from recon.matching.golden_record import golden_records
from recon.matching.person_comparisons import (
    BirthDateComparison,
    DwellingComparison,
    GenderComparison,
    HukouAreaComparison,
    IdNumberComparison,
    NameComparison,
    PhoneComparison,
)
from recon.matching.person_features import LINEAGE, prepare_person_records
from recon.matching.stable_ids import assign_person_ids
from recon.matching.supervised import LogisticScorer

log = logging.getLogger("recon.matching.linkage")

PERSON_BLOCKING = [
    BlockingRule("id_number", ("id_norm",), 2000, "same ID number"),
    BlockingRule(
        "birth_pinyin",
        ("birth", "name_pinyin"),
        200,
        "same birth date (stated or from the ID) and name pinyin",
    ),
    BlockingRule(
        "id_area_birth", ("id_head14",), 200, "same area code and birth date in the ID (typos after them)"
    ),
    BlockingRule("phone", ("phone_norm",), 100, "same phone number"),
    BlockingRule("dwelling_surname", ("dwelling", "surname"), 100, "same dwelling and surname"),
    BlockingRule("id_tail_name", ("id_tail4", "name_norm"), 200, "masked-ID tail and name"),
    BlockingRule(
        "building_pinyin",
        ("building", "name_pinyin"),
        100,
        "same building and name pinyin (a visit that names no room; a homophone typed for the name)",
    ),
    BlockingRule("community_pinyin", ("community", "name_pinyin"), 300, "same community and name pinyin"),
]


def person_settings(**overrides) -> LinkageSettings:
    """The default settings for person linkage (comparisons, blocking rules, guard)."""
    comps = [
        IdNumberComparison(),
        NameComparison(),
        BirthDateComparison(),
        GenderComparison(),
        PhoneComparison(),
        DwellingComparison(),
        HukouAreaComparison(),
    ]
    base = {"lineage": LINEAGE, "conflict_column": "id_conflict", "conflict_comparison": "id_number"}
    base.update(overrides)
    return LinkageSettings(comps, list(PERSON_BLOCKING), **base)


# prepared columns kept on LinkageResult.records (and read by the golden records)
RECORD_COLUMNS = (
    "name_norm",
    "id_norm",
    "id_status",
    "id_valid",
    "phone_norm",
    "birth",
    "gender",
    "dwelling",
    "hukou_county",
)


@dataclass
class LinkageResult:
    person_link: pl.DataFrame  # source, record_id, person_id, match_probability
    persons: pl.DataFrame  # golden record per person
    pairs: (
        pl.DataFrame
    )  # source_l, record_id_l, source_r, record_id_r, match_weight, match_probability, linked, g_*, w_*
    model: LinkageModel
    blocking_report: pl.DataFrame  # rule, keys, pairs, new_pairs, blocks, skipped_blocks, skipped_records
    records: pl.DataFrame  # rid, source, record_id, person_id and the RECORD_COLUMNS derived from each record
    stats: dict = field(default_factory=dict)


def _label_pairs(prepared: pl.DataFrame, labels: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Reviewer decisions → (rid_l, rid_r) pairs and match flags; unknown records are reported."""
    need = {"source_l", "record_id_l", "source_r", "record_id_r", "is_match"}
    if not need <= set(labels.columns):
        raise KeyError(f"labels need columns {sorted(need)}; got {labels.columns}")
    key = prepared.select("source", "record_id", "rid")
    lab = (
        labels.select(
            pl.col("source_l").cast(pl.String),
            pl.col("record_id_l").cast(pl.String),
            pl.col("source_r").cast(pl.String),
            pl.col("record_id_r").cast(pl.String),
            pl.col("is_match").cast(pl.Boolean),
        )
        .join(
            key.rename({"source": "source_l", "record_id": "record_id_l", "rid": "l"}),
            on=["source_l", "record_id_l"],
            how="left",
        )
        .join(
            key.rename({"source": "source_r", "record_id": "record_id_r", "rid": "r"}),
            on=["source_r", "record_id_r"],
            how="left",
        )
    )
    unknown = lab.filter(pl.col("l").is_null() | pl.col("r").is_null())
    notes = (
        [f"{unknown.height} labelled pairs name records not in tonight's data; ignored"]
        if unknown.height
        else []
    )
    lab = lab.filter(pl.col("l").is_not_null() & pl.col("r").is_not_null() & (pl.col("l") != pl.col("r")))
    lab = lab.with_columns(pl.min_horizontal("l", "r").alias("l"), pl.max_horizontal("l", "r").alias("r"))
    # the newest decision on a pair is not known here; a pair labelled both ways counts as "not the same"
    lab = lab.group_by("l", "r").agg(pl.col("is_match").all()).sort("l", "r")
    pairs = lab.select("l", "r").to_numpy().astype(np.int64)
    return pairs, lab["is_match"].to_numpy(), notes


def link_persons(
    records: pl.DataFrame,
    *,
    previous: pl.DataFrame | None = None,
    model: LinkageModel | None = None,
    labels: pl.DataFrame | None = None,
    settings: LinkageSettings | None = None,
    as_of: date | None = None,
) -> LinkageResult:
    """Link person records of all feeds into persons (see module docstring).

    `previous`: last run's person_link (source, record_id, person_id), for stable ids.
    `model`: a trained model to reuse instead of estimating one from tonight's data.
    `labels`: reviewers' decisions (source_l, record_id_l, source_r, record_id_r, is_match):
    "same person" links are forced, "not the same person" pairs are never clustered together;
    with `settings.scorer == "logistic"` and enough of both, a logistic regression trained on
    them scores the pairs (Fellegi–Sunter weights still explain them)."""
    start = time.perf_counter()
    settings = settings or (model.settings if model is not None else person_settings())
    keep = ["rid", "source", "record_id", *profile_columns(settings), *RECORD_COLUMNS]
    prepared = prepare_person_records(records, as_of=as_of)
    del records  # freed here when the caller passed it without keeping a reference (link_step)
    prepared = prepared.select([c for c in dict.fromkeys(keep) if c in prepared.columns])
    must = cannot = None
    scorer = None
    notes: list[str] = []
    if labels is not None and labels.height:
        pairs, is_match, notes = _label_pairs(prepared, labels)
        must, cannot = pairs[is_match], pairs[~is_match]
        if settings.scorer == "logistic" and not LogisticScorer.enough(is_match):
            notes.append(
                f"logistic scorer wanted but only {int(is_match.sum())} / {int((~is_match).sum())} "
                "labelled matches / non-matches; Fellegi–Sunter scores the pairs"
            )
        elif settings.scorer == "logistic":
            enc = encode(prepared, settings)
            g = compute_gammas(PairContext(enc, pairs[:, 0], pairs[:, 1]), settings.comparisons)
            scorer = LogisticScorer(settings.comparisons).fit(g, is_match)
            notes.append(f"logistic scorer trained on {len(is_match)} labelled pairs")
    t0 = time.perf_counter()
    nodes = collapse_records(prepared, settings, must, cannot)
    # only the record columns outlive the collapse: the profile text lives on in the nodes
    prepared = prepared.select("rid", "source", "record_id", *RECORD_COLUMNS)
    t1 = time.perf_counter()
    eng = run_nodes(nodes, settings, model=model, must_link=must, cannot_link=cannot, scorer=scorer)
    t2 = time.perf_counter()
    result = _assemble(prepared, eng, previous, notes)
    seconds = {"prepare": round(t0 - start, 3), "collapse": round(t1 - t0, 3), **eng.stats["seconds"]}
    seconds["ids_golden_pairs"] = round(time.perf_counter() - t2, 3)
    result.stats["seconds"] = seconds
    return result


def _assemble(
    prepared: pl.DataFrame, eng: EngineResult, previous: pl.DataFrame | None, notes: list[str]
) -> LinkageResult:
    clusters = prepared.select("source", "record_id").with_columns(pl.Series("cluster", eng.labels))
    ids = assign_person_ids(clusters, previous)
    person_link = ids.with_columns(pl.Series("match_probability", eng.record_probability).fill_nan(None))
    records = prepared.select("rid", "source", "record_id", *RECORD_COLUMNS).with_columns(
        ids["person_id"], pl.Series("cluster", eng.labels)
    )
    persons = golden_records(records, key="cluster")
    records = records.drop("cluster")
    lab = pl.Series(eng.labels)
    src, rid = prepared["source"].cast(pl.Categorical), prepared["record_id"]
    pairs = eng.pairs.sort("l", "r")
    left, right = pairs["l"], pairs["r"]
    pairs = pairs.with_columns(
        src.gather(left).alias("source_l"),
        rid.gather(left).alias("record_id_l"),
        src.gather(right).alias("source_r"),
        rid.gather(right).alias("record_id_r"),
        (lab.gather(left) == lab.gather(right)).alias("linked"),
    )
    front = [
        "source_l",
        "record_id_l",
        "source_r",
        "record_id_r",
        "match_weight",
        "match_probability",
        "linked",
    ]
    pairs = pairs.select(front + [c for c in pairs.columns if c not in front and c not in ("l", "r")])
    stats = dict(eng.stats)
    stats["persons"] = persons.height
    stats["notes"] = notes
    return LinkageResult(person_link, persons, pairs, eng.model, eng.candidates.report, records, stats)
