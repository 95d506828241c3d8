"""Person linkage end to end on small hand-built populations: guard, stable ids, explanations, labels."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date, timedelta

import polars as pl
import pytest

from recon.matching.evaluation import pairwise_scores
from recon.matching.explain import explain_pair, explain_stored
from recon.matching.fellegi_sunter import LinkageModel
from recon.matching.id_number import check_character
from recon.matching.linkage import link_persons, person_settings

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志斌文辉力宇浩鹏飞俊峰凤玲婷雪梅琳晶波宁欣佳怡嘉晨阳"
TRAD = {
    "张": "張",
    "伟": "偉",
    "刘": "劉",
    "陈": "陳",
    "杨": "楊",
    "黄": "黃",
    "赵": "趙",
    "吴": "吳",
    "丽": "麗",
    "华": "華",
    "国": "國",
    "辉": "輝",
    "鹏": "鵬",
    "飞": "飛",
    "凤": "鳳",
    "玲": "玲",
    "军": "軍",
    "强": "強",
}
HOMO = {
    "张": "章",
    "伟": "玮",
    "娜": "纳",
    "静": "靖",
    "丽": "莉",
    "军": "君",
    "杰": "洁",
    "明": "铭",
    "华": "桦",
}
AREAS = ["341221", "412723", "510322", "330114", "362330", "430521", "522121", "130433", "371326", "421022"]
SOURCES = [
    "police_registry",
    "intermediary_lease",
    "employer_roster",
    "grid_visit",
    "self_declaration",
    "community_roster",
    "site_roster",
]


def make_id(rng: random.Random, area: str, born: date, male: bool) -> str:
    seq = rng.randint(0, 99) * 10 + (rng.choice([1, 3, 5, 7, 9]) if male else rng.choice([0, 2, 4, 6, 8]))
    body = f"{area}{born:%Y%m%d}{seq:03d}"
    return body + check_character(body)


def population(n: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Records of n persons across feeds with the usual errors; and the truth (source, record_id, person)."""
    rng = random.Random(seed)
    rows, truth = [], []
    counter = 0
    for p in range(n):
        male = rng.random() < 0.5
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))
        born = date(1960, 1, 1) + timedelta(days=rng.randint(0, 40 * 365))
        pid = make_id(rng, rng.choice(AREAS), born, male)
        phone = f"1{rng.choice('3578')}{rng.randint(0, 10**9 - 1):09d}"
        dwelling = rng.randint(0, n // 2)
        for _ in range(rng.choice([1, 2, 3, 3, 4, 5])):
            counter += 1
            src = rng.choice(SOURCES)
            nm, idn, ph = name, pid, phone
            r = rng.random()
            if r < 0.08:
                nm = "".join(TRAD.get(ch, ch) for ch in nm)
            elif r < 0.14:
                nm = "".join(HOMO.get(ch, ch) for ch in nm)
            r = rng.random()
            if src == "grid_visit" and r < 0.4:
                idn = pid[:6] + "********" + pid[14:]
            elif r < 0.12:
                idn = None
            elif r < 0.17:
                k = rng.randint(6, 16)
                idn = pid[:k] + str((int(pid[k]) + 1) % 10) + pid[k + 1 :]
            if rng.random() < 0.25:
                ph = None
            placed = rng.random()  # a grid worker's "building 3" names no room: building only
            d = f"D{dwelling:05d}" if placed < 0.85 else None
            b = f"D{dwelling:05d}"[:5] if placed < 0.93 else None
            rows.append(
                {
                    "source": src,
                    "record_id": f"R{counter:06d}",
                    "name": nm,
                    "id_number": idn,
                    "id_type": None,
                    "phone": ph,
                    "birth_date": born.isoformat() if src == "police_registry" else None,
                    "gender": ("男" if male else "女") if src == "police_registry" else None,
                    "std_address_code": d,
                    "building_key": b,
                    "community": f"C{dwelling % 7}",
                }
            )
            truth.append({"source": src, "record_id": f"R{counter:06d}", "true_person": p})
    return pl.DataFrame(rows), pl.DataFrame(truth)


def scores(result, truth: pl.DataFrame) -> dict:
    j = result.person_link.join(truth, on=["source", "record_id"])
    return pairwise_scores(j["person_id"], j["true_person"])


@pytest.fixture(scope="module")
def run():
    records, truth = population(1500, seed=5)
    settings = person_settings(min_session_pairs=50, u_sample_pairs=300_000)
    return records, truth, link_persons(records, settings=settings)


def test_accuracy_completeness_and_shape(run) -> None:
    records, truth, res = run
    s = scores(res, truth)
    assert s["precision"] >= 0.995 and s["recall"] >= 0.97, s
    assert res.person_link.height == records.height
    assert res.person_link.columns == ["source", "record_id", "person_id", "match_probability"]
    assert res.person_link.select(pl.col("person_id").str.contains(r"^P[0-9a-f]{10}$").all()).item()
    assert res.persons.height == res.person_link["person_id"].n_unique()
    assert set(res.blocking_report["rule"]) == {r.name for r in person_settings().blocking_rules}
    json.loads(res.model.to_json())


def test_deterministic(run) -> None:
    records, _, res = run
    again = link_persons(records.sample(fraction=1.0, shuffle=True, seed=3), settings=res.model.settings)
    assert again.person_link.sort("source", "record_id").equals(res.person_link.sort("source", "record_id"))


def common_name_twins(extra: list[dict] | None = None) -> pl.DataFrame:
    born = date(1990, 1, 1)
    a = make_id(random.Random(1), "341221", born, True)
    b = make_id(random.Random(2), "341221", born, True)
    assert a != b
    base = {
        "name": "王伟",
        "id_type": None,
        "birth_date": born.isoformat(),
        "gender": "男",
        "phone": "13800000001",
        "std_address_code": "D1",
        "building_key": "B1",
        "community": "C1",
    }
    rows = [
        {**base, "source": "police_registry", "record_id": "1", "id_number": a},
        {**base, "source": "police_registry", "record_id": "2", "id_number": b},
        {**base, "source": "self_declaration", "record_id": "3", "id_number": a},
        {**base, "source": "self_declaration", "record_id": "4", "id_number": b},
    ]
    return pl.DataFrame(rows + (extra or []))


def test_common_name_same_birth_different_valid_ids_never_merged(run) -> None:
    _, _, res = run
    bridge = {
        "source": "grid_visit",
        "record_id": "5",
        "name": "王伟",
        "id_number": None,
        "id_type": None,
        "birth_date": None,
        "gender": None,
        "phone": "13800000001",
        "std_address_code": "D1",
        "building_key": "B1",
        "community": "C1",
    }
    for recs in (common_name_twins(), common_name_twins([bridge])):
        out = link_persons(recs, model=res.model)
        ids = dict(zip(out.person_link["record_id"], out.person_link["person_id"], strict=True))
        assert ids["1"] == ids["3"] and ids["2"] == ids["4"]
        assert ids["1"] != ids["2"], out.pairs


def test_ids_stay_stable_across_two_runs_with_changed_input(run) -> None:
    records, _, res = run
    changed = (
        records.filter(pl.col("record_id") != "R000010").with_columns(  # a record withdrawn
            pl.when(pl.col("record_id") == "R000020")
            .then(pl.lit("张三丰"))
            .otherwise(pl.col("name"))
            .alias("name")
        )  # a correction
    )
    new = pl.DataFrame(
        [
            {
                "source": "grid_visit",
                "record_id": "R999999",
                "name": records["name"][30],
                "id_number": records["id_number"][30],
                "id_type": None,
                "phone": None,
                "birth_date": None,
                "gender": None,
                "std_address_code": None,
                "building_key": None,
                "community": None,
            }
        ]
    )
    second = link_persons(
        pl.concat([changed, new], how="vertical_relaxed"), previous=res.person_link, model=res.model
    )
    before = res.person_link.select("source", "record_id", "person_id")
    after = second.person_link.select("source", "record_id", pl.col("person_id").alias("pid2"))
    j = before.join(after, on=["source", "record_id"])
    stable = (j["person_id"] == j["pid2"]).mean()
    assert stable >= 0.99, stable
    # the new record joined its person under the old id
    old = dict(zip(before["record_id"], before["person_id"], strict=True))
    new_ids = dict(zip(after["record_id"], after["pid2"], strict=True))
    if records["id_number"][30] is not None:
        assert new_ids["R999999"] == old[records["record_id"][30]]


def test_explain_pair_and_stored_pairs_agree(run) -> None:
    records, _, res = run
    model = LinkageModel.from_json(res.model.to_json())
    row = res.pairs.filter(pl.col("linked")).row(0, named=True)
    recs = {(r["source"], r["record_id"]): r for r in records.to_dicts()}
    exp = explain_pair(
        recs[(row["source_l"], row["record_id_l"])], recs[(row["source_r"], row["record_id_r"])], model
    )
    assert exp.match_weight == pytest.approx(row["match_weight"], abs=0.05)
    assert explain_stored(row, model).match_weight == pytest.approx(row["match_weight"], abs=1e-3)
    text = exp.waterfall()
    assert "id_number" in text and "prior" in text and "probability" in text


def test_reviewer_labels_force_and_forbid_links(run) -> None:
    _, _, res = run
    recs = common_name_twins()
    labels = pl.DataFrame(
        {
            "source_l": ["police_registry", "police_registry"],
            "record_id_l": ["1", "1"],
            "source_r": ["police_registry", "self_declaration"],
            "record_id_r": ["2", "3"],
            "is_match": [True, False],
        }
    )
    out = link_persons(recs, model=res.model, labels=labels)
    ids = dict(zip(out.person_link["record_id"], out.person_link["person_id"], strict=True))
    # "1 and 3 are not the same person" wins over their shared ID; "1 and 2 are" cannot pull 2's ID group in
    assert ids["1"] != ids["3"]


def test_explain_keys_names_records_and_rejects_bad_keys(run) -> None:
    from recon.matching.explain import explain_keys

    records, _, res = run
    a, b = records.row(0, named=True), records.row(1, named=True)
    exp = explain_keys(
        records, f"{a['source']}:{a['record_id']}", f"{b['source']}:{b['record_id']}", res.model
    )
    assert exp.record_l == f"{a['source']}:{a['record_id']}"
    with pytest.raises(ValueError, match="SOURCE:RECORD_ID"):
        explain_keys(records, "nocolon", f"{b['source']}:{b['record_id']}", res.model)
    with pytest.raises(KeyError, match="no record"):
        explain_keys(records, "grid_visit:nope", f"{b['source']}:{b['record_id']}", res.model)


def test_logistic_scorer_trained_on_reviewer_labels(run) -> None:
    records, truth, res = run
    t = dict(zip(zip(truth["source"], truth["record_id"], strict=True), truth["true_person"], strict=True))
    rows = res.pairs.select("source_l", "record_id_l", "source_r", "record_id_r").rows()
    labelled = [(*r, t[(r[0], r[1])] == t[(r[2], r[3])]) for r in rows]
    yes = [x for x in labelled if x[4]][:40]
    no = [x for x in labelled if not x[4]]
    keys = list(t)
    no += [(*keys[i], *keys[i + 7], False) for i in range(0, 600, 10) if t[keys[i]] != t[keys[i + 7]]]
    no = no[:40]
    labels = pl.DataFrame(
        yes + no, schema=["source_l", "record_id_l", "source_r", "record_id_r", "is_match"], orient="row"
    )
    default = link_persons(records, model=res.model, labels=labels)
    assert not any("logistic" in n for n in default.stats["notes"])  # opt-in only
    settings = replace(res.model.settings, scorer="logistic")
    out = link_persons(records, model=replace(res.model, settings=settings), labels=labels)
    assert any("logistic scorer trained on 80 labelled pairs" in n for n in out.stats["notes"])
    s = scores(out, truth)
    assert s["precision"] >= 0.99 and s["recall"] >= 0.85, s
    ids = dict(
        zip(
            zip(out.person_link["source"], out.person_link["record_id"], strict=True),
            out.person_link["person_id"],
            strict=True,
        )
    )
    for sl, rl, sr, rr, same in yes + no:
        assert (ids[(sl, rl)] == ids[(sr, rr)]) == same  # every decision is honoured


def test_input_problems_are_reported_whole() -> None:
    recs = common_name_twins()
    with pytest.raises(KeyError, match="lack columns"):
        link_persons(recs.drop("name"))
    with pytest.raises(ValueError, match="occur more than once"):
        link_persons(pl.concat([recs, recs.head(1)]))


def test_name_only_visit_with_a_roomless_address_joins_its_person(run) -> None:
    """A grid worker writes the name and "building 3, no room" (no ID, no phone): the record
    must join the person living in that building, and not a namesake living elsewhere."""
    records, truth, res = run
    # a person with a name nobody else has, living at a dwelling: their records and building
    named = records.join(truth, on=["source", "record_id"]).filter(pl.col("std_address_code").is_not_null())
    unique_names = (
        named.group_by("name").agg(pl.col("true_person").n_unique().alias("n")).filter(pl.col("n") == 1)
    )
    target = named.join(unique_names, on="name").sort("record_id").row(0, named=True)
    visit = {
        "source": "grid_visit",
        "record_id": "VISIT-1",
        "name": target["name"],
        "id_number": None,
        "id_type": None,
        "phone": None,
        "birth_date": None,
        "gender": None,
        "std_address_code": None,
        "building_key": target["building_key"],
        "community": target["community"],
    }
    elsewhere = dict(visit, record_id="VISIT-2", building_key="NOWHERE", community="C-NOWHERE")
    extra = pl.DataFrame([visit, elsewhere], schema=records.schema)
    out = link_persons(pl.concat([records, extra]), model=res.model)
    pid = dict(zip(out.person_link["record_id"], out.person_link["person_id"], strict=True))
    assert pid["VISIT-1"] == pid[target["record_id"]]
    assert pid["VISIT-2"] != pid[target["record_id"]]
