"""Hypothesis: a record matches itself best, and scores are symmetric."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import lazy_pinyin

from recon.matching.comparison_levels import EncodedRecords, PairContext
from recon.matching.engine import tf_columns
from recon.matching.fellegi_sunter import LinkageModel, compute_gammas, score_pairs
from recon.matching.id_number import check_character
from recon.matching.linkage import person_settings
from recon.matching.lookalike import fold_lookalikes
from recon.matching.term_frequency import TermFrequencies, record_frequencies


def model() -> LinkageModel:
    s = person_settings()
    rng = np.random.default_rng(11)
    m, u = {}, {}
    for c in s.comparisons:
        k = len(c.levels)
        m[c.name] = list(rng.dirichlet(np.ones(k)))  # deliberately unordered: weights must still be monotone
        u[c.name] = list(rng.dirichlet(np.ones(k)))
    tf = {
        "name_norm": TermFrequencies("name_norm", 1000, {"王伟": 40, "张伟": 30, "李娜": 20}),
        "name_pinyin": TermFrequencies("name_pinyin", 1000, {"wangwei": 45, "zhangwei": 35, "lina": 25}),
    }
    return LinkageModel(s, m, u, prior=1e-5, tf=tf)


MODEL = model()
NAMES = ["王伟", "王伟", "张伟", "章伟", "李娜", "李纳", "王己", "王已", "欧阳娜娜", "張偉", None]
IDS = [None, "341221********1234"] + [
    b + check_character(b) for b in ("34122119900101123", "34122119900101124", "11010119851231001")
]


@st.composite
def records(draw) -> dict:
    name = draw(st.sampled_from(NAMES))
    norm = None if name is None else name.replace("張偉", "张伟")
    idn = draw(st.sampled_from(IDS))
    if idn is not None and "*" not in idn and draw(st.booleans()):
        idn = idn[:10] + "9" + idn[11:]  # typo
    area = None if idn is None else idn[:6]
    return {
        "name_clean": name,
        "name_norm": norm,
        "name_pinyin": None if norm is None else "".join(lazy_pinyin(norm)),
        "name_lookalike": fold_lookalikes(norm),
        "id_norm": None if idn is None or "*" in idn else idn,
        "id_pattern": idn,
        "id_valid": bool(idn and "*" not in idn and check_character(idn[:17]) == idn[17]),
        "birth": draw(st.sampled_from([None, "19900101", "19900110", "19901001", "19851231"])),
        "gender": draw(st.sampled_from([None, "男", "女"])),
        "phone_norm": (p := draw(st.sampled_from([None, "13812345678", "13812345687", "057188889999"]))),
        "phone_mobile": p if p and p.startswith("1") else None,
        "dwelling": draw(st.sampled_from([None, "D1", "D2"])),
        "building": draw(st.sampled_from([None, "B1", "B2"])),
        "community": draw(st.sampled_from([None, "C1", "C2"])),
        "hukou_county": area,
        "hukou_prefecture": area and area[:4],
        "hukou_province": area and area[:2],
    }


def weights_for(recs: list[dict], left: list[int], right: list[int]) -> np.ndarray:
    s = MODEL.settings
    cols = [c for comp in s.comparisons for c in comp.columns]
    frame = pl.DataFrame(recs, schema={c: pl.Boolean if c == "id_valid" else pl.String for c in recs[0]})
    enc = EncodedRecords(frame, cols)
    ctx = PairContext(enc, np.array(left), np.array(right))
    g = compute_gammas(ctx, s.comparisons)
    tf = {c: record_frequencies(enc, c, MODEL.tf[c]) for c in tf_columns(s)}
    _, total = score_pairs(ctx, g, MODEL, tf)
    return total


@settings(max_examples=300, deadline=None)
@given(records(), records())
def test_a_record_matches_itself_best(a: dict, b: dict) -> None:
    w = weights_for([a, b], [0, 1, 0], [0, 1, 1])
    assert w[0] >= w[2] - 1e-9 and w[1] >= w[2] - 1e-9, (a, b, w)


@settings(max_examples=300, deadline=None)
@given(records(), records())
def test_scores_are_symmetric(a: dict, b: dict) -> None:
    w = weights_for([a, b], [0, 1], [1, 0])
    assert abs(w[0] - w[1]) < 1e-9, (a, b, w)


def test_level_weights_are_monotone_and_common_names_weigh_less() -> None:
    for c in MODEL.settings.comparisons:
        w = MODEL.level_weights(c.name)
        assert np.all(np.diff(w) <= 1e-12), c.name
    base = {
        k: None
        for k in (
            "id_norm",
            "id_pattern",
            "birth",
            "gender",
            "phone_norm",
            "phone_mobile",
            "dwelling",
            "building",
            "community",
            "hukou_county",
            "hukou_prefecture",
            "hukou_province",
        )
    }
    base["id_valid"] = False
    common = {
        **base,
        "name_clean": "王伟",
        "name_norm": "王伟",
        "name_pinyin": "wangwei",
        "name_lookalike": "王伟",
    }
    rare = {
        **base,
        "name_clean": "欧阳娜娜",
        "name_norm": "欧阳娜娜",
        "name_pinyin": "ouyangnana",
        "name_lookalike": "欧阳娜娜",
    }
    w = weights_for([common, common, rare, rare], [0, 2], [1, 3])
    assert w[1] > w[0]
