"""Findings and linkage of the whole nightly run, scored against the generator's ground truth.

Two districts: Hangzhou Qiantang (the demo's) and Shenzhen Bao'an (another city, its own
sub-districts, roads and agencies' habits), each generated with a seed no other test uses.
Thresholds are the issue's figures: per finding type precision ≥ 0.98 and recall ≥ 0.95;
pairwise linkage precision ≥ 0.998 and F1 ≥ 0.995.
"""

from __future__ import annotations

import pytest

from recon.pipelines.evaluate import score_linkage, score_run
from tests.conftest import AS_OF

DISTRICTS = {"330114": 23, "440306": 29}  # county code → seed
PERSONS = 2500


@pytest.fixture(scope="module", params=sorted(DISTRICTS))
def scored(request, prefect_harness, tmp_path_factory):
    from recon.pipelines.nightly import nightly_flow
    from recon.synth import generate

    district = request.param
    out = tmp_path_factory.mktemp(f"acc{district}")
    generate(out=out, persons=PERSONS, seed=DISTRICTS[district], as_of=AS_OF, district=district)
    db = out / "published" / "recon.duckdb"
    result = nightly_flow(str(out / "input"), str(db), AS_OF.isoformat(), district)
    assert result["status"] in ("succeeded", "degraded"), result
    return district, score_run(db, out / "truth"), score_linkage(db, out / "truth")


def test_every_finding_type_meets_precision_and_recall(scored):
    district, scores, _ = scored
    assert set(scores["flag_type"]) == {
        "address_inaccurate",
        "duplicate_registration",
        "invalid_identity",
        "late_declaration",
        "not_deregistered",
        "unregistered",
    }
    low = scores.filter((scores["precision"] < 0.98) | (scores["recall"] < 0.95))
    assert low.height == 0, f"district {district}:\n{scores}"
    assert (scores["tp"] > 0).all(), f"district {district}: a finding type with no true positive\n{scores}"


def test_person_linkage_is_precise_and_complete(scored):
    district, _, link = scored
    assert link["precision"] >= 0.998 and link["f1"] >= 0.995, (district, link)
