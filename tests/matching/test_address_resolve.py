"""Resolving addresses to dwellings: a rule table on the hand-built library, the batch API,
and Hypothesis properties (canonical texts resolve exactly, variant renderings resolve)."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.matching.address_index import AddressIndex
from recon.matching.address_resolve import explain_address, resolve_addresses, resolve_text
from tests.matching.test_address_library import index, library

# (text, status, code or "|"-joined candidate codes or "", reason fragment or "")
# fmt: off
RESOLVE_CASES: list[tuple[str, str, str, str]] = [
    ("浙江省杭州市钱塘区白杨街道东方社区学林街88号幸福家园3幢2单元1502室", "exact", "XF321502", ""),
    ("白杨街道东方社区学林街88号幸福家园3-2-1502", "exact", "XF321502", ""),
    ("幸福家园3幢2单元1502室", "matched", "XF321502", ""),
    ("幸福家园三栋二单元一五零二", "matched", "XF321502", ""),
    ("幸福家园3号楼2单元幺五零二室", "matched", "XF321502", ""),
    ("幸福家园3#2单元1502", "matched", "XF321502", ""),
    ("幸福家园 3-2-1502", "matched", "XF321502", ""),
    ("幸福家园3幢2-1502", "matched", "XF321502", ""),
    ("幸福家园3幢2单元15楼1502室", "matched", "XF321502", ""),
    ("学林街88号3-2-1502", "matched", "XF321502", ""),
    ("学林街八十八号三幢二单元一五零二室", "matched", "XF321502", ""),
    ("东方社区幸福家园3号楼2单元1502", "matched", "XF321502", ""),
    ("钱塘区白杨街道幸福家园３幢２单元１５０２室", "matched", "XF321502", ""),
    ("杭州钱塘白杨街道幸福家园3幢2单元1502", "matched", "XF321502", ""),
    ("幸福家园（学林街88号）3幢2单元1502室", "matched", "XF321502", ""),
    ("浙江省杭州市錢塘區白楊街道東方社區幸福家園3幢2單元1502室", "matched", "XF321502", ""),
    ("幸福家园3幢2单元1502室（东门进）", "matched", "XF321502", ""),
    ("幸福家园1幢1单元101", "matched", "XF110101", ""),
    ("幸福家园一幢一单元幺零一", "matched", "XF110101", ""),
    ("幸福佳园3幢2单元1502室", "matched", "XF321502", "小区近似匹配"),
    ("幸福家园小区3幢2单元1502室", "matched", "XF321502", ""),
    ("雪林街88号3幢2单元1502", "matched", "XF321502", "街路巷近似匹配"),
    ("东芳社区幸福家园3幢2单元1502", "matched", "XF321502", "社区近似匹配"),
    ("学林街90号幸福家园3幢2单元1502室", "matched", "XF321502", "门牌号与标准地址不一致"),
    ("幸福家园3幢1502", "partial", "XF311502|XF321502", "缺少单元"),
    ("幸福家园3幢2单元", "partial", "", "缺少户室"),
    ("幸福家园1502室", "partial", "", "缺少楼栋"),
    ("幸福家园3幢2单元9901室", "partial", "", "户室不存在"),
    ("幸福家园9幢2单元1502室", "unmatched", "", "楼栋不存在"),
    ("幸福家园", "unmatched", "", "缺少门牌楼栋"),
    ("金色家园1幢1单元101", "matched", "JY11101", ""),
    ("金色家苑1幢1单元101", "matched", "JS11101", ""),
    # 嘉园 sounds like both; 家园 is one character away, 家苑 two.
    ("金色嘉园1幢1单元101", "matched", "JY11101", "小区近似匹配"),
    ("金色家1幢1单元101", "partial", "JS11101|JY11101", "多个标准地址同样可能"),
    ("云水社区金色嘉园1幢1单元101", "matched", "JS11101", ""),
    ("云水路18号金色嘉园1幢1单元101", "matched", "JS11101", ""),
    ("学林街100号金色嘉园1幢1单元101", "matched", "JY11101", ""),
    ("金沙湖花园10幢1单元1102", "partial", "JSH21102|JSH31102", ""),
    ("金沙湖花园二期10幢1单元1102室", "matched", "JSH21102", ""),
    ("金沙湖花园2期10-1-1102", "matched", "JSH21102", ""),
    ("金沙大道200号10幢1单元1102", "matched", "JSH21102", ""),
    ("金沙湖花园3幢1单元901", "matched", "JSH30901", ""),
    ("新沙新村3栋201", "matched", "XS3201", ""),
    ("新沙社区新沙新村3-201", "matched", "XS3201", ""),
    ("新沙新村三栋二零一", "matched", "XS3201", ""),
    ("新沙新村3栋2单元201", "matched", "XS3201", "标准地址无单元"),
    ("新沙新村3栋", "partial", "", "缺少户室"),
    ("新沙新村3栋999", "partial", "", "户室不存在"),
    ("下沙街道新沙社区东一巷12号301室", "exact", "DY12301", ""),
    ("东1巷12号301", "matched", "DY12301", ""),
    ("新沙社区东一巷十二号三零一", "matched", "DY12301", ""),
    ("东一巷12-301", "matched", "DY12301", ""),
    ("新沙社区东一巷12号3楼301", "matched", "DY12301", ""),
    ("东一巷12号", "partial", "", "缺少户室"),
    ("东一巷14号", "matched", "DY14", ""),
    ("新沙社区东一巷14号201室", "matched", "DY14", "标准地址未细分户室"),
    ("东一巷16号", "unmatched", "", "门牌号不存在"),
    ("河庄街道江东村五组28号", "exact", "JD528", ""),
    ("江东村五组28号", "matched", "JD528", ""),
    ("江东村第五村民小组28号", "matched", "JD528", ""),
    ("江东村5组二十八号", "matched", "JD528", ""),
    ("江东村村委会5组28号", "matched", "JD528", ""),
    ("江东社区5组28号", "matched", "JD528", "社区简称匹配"),
    ("江东村5组28号301室", "matched", "JD528", ""),
    ("江东村三组28号", "matched", "JD328", ""),
    ("江东村28号", "partial", "JD328|JD528", "缺少村民小组"),
    ("江东村30号", "matched", "JD530", ""),
    ("江东村三组32号", "matched", "JD332", ""),
    ("江东村5组99号", "unmatched", "", "门牌号不存在"),
    ("江东村7组28号", "unmatched", "", "村民小组不存在"),
    ("围垦村新围家园1幢1单元101", "matched", "XW101", "社区曾用名匹配"),
    ("新围路6号1幢1单元101室", "matched", "XW101", ""),
    ("新围路6号新围家园一幢一单元一零二", "matched", "XW102", ""),
    ("银泰大厦1502室", "matched", "YT1502", ""),
    ("学源街5号1502", "matched", "YT1502", ""),
    ("银泰大厦15楼1502", "matched", "YT1502", ""),
    ("银泰大厦", "partial", "YT1501|YT1502|YT1503", "缺少户室"),
    ("岗头社区沙岗村一巷3号102房", "matched", "SG13102", ""),
    ("沙岗村一巷三号一零二", "matched", "SG13102", ""),
    ("沙岗村1巷3号102", "matched", "SG13102", ""),
    ("下沙街道沙岗村二巷1号101室", "matched", "SG21101", ""),
    ("沙岗村3号102", "partial", "SG13102|SG23102", "多个标准地址同样可能"),
    ("下沙街岗头社沙岗村二巷1号101", "matched", "SG21101", ""),  # 街道, 社区 written short
    ("白杨街东方社幸福家园3幢2单元1502", "matched", "XF321502", ""),
    ("东芳社幸福家园3-2-1502", "matched", "XF321502", ""),
    ("银泰大夏1502室", "matched", "YT1502", "小区近似匹配"),  # 厦 typed as its homophone 夏
    ("东方社区幸福家元3幢2单元1502室", "matched", "XF321502", "小区近似匹配"),
    ("", "unmatched", "", "地址为空"),
    ("杭州市钱塘区", "unmatched", "", ""),
    ("白杨街道", "unmatched", "", ""),
    ("东方社区", "unmatched", "", ""),
    ("不存在小区3幢2单元1502室", "unmatched", "", "不在标准地址库"),
    ("浙江省宁波市镇海区招宝山街道车站路5号3幢2单元501", "unmatched", "", ""),
]
# fmt: on


def test_resolve_rule_table() -> None:
    ix = index()
    failures = []
    for text, status, codes, reason in RESOLVE_CASES:
        r = resolve_text(text, ix)
        want_code = codes if status in ("exact", "matched") else None
        want_cands = set(codes.split("|")) if status == "partial" and codes else None
        ok = r.status == status and r.code == want_code and reason in r.reason
        ok = ok and (want_cands is None or set(r.candidates) == want_cands)
        ok = ok and (r.code is None) == (status in ("partial", "unmatched"))
        if not ok:
            failures.append(
                (
                    text,
                    f"want {status} {codes} {reason}",
                    f"got {r.status} {r.code} {r.reason} {r.candidates}",
                )
            )
    assert not failures, f"{len(failures)} of {len(RESOLVE_CASES)} fail:\n" + "\n".join(
        " | ".join(f) for f in failures
    )


def test_canonical_text_of_every_library_dwelling_resolves_exactly() -> None:
    ix = index()
    bad = []
    for code, text in library().select("address_code", "standard_address").iter_rows():
        r = resolve_text(text, ix)
        if (r.status, r.code) != ("exact", code):
            bad.append((text, code, r.status, r.code, r.reason))
    assert not bad, "\n".join(map(str, bad[:20]))


def test_resolve_addresses_keeps_order_and_shape() -> None:
    texts = pl.Series(
        ["幸福家园3幢2单元1502室", None, "江东村28号", "幸福家园3幢2单元1502室", "", "东方社区"]
    )
    out = resolve_addresses(texts, index(), workers=1)
    assert out.columns == ["address_raw", "address_norm", "std_address_code", "status", "confidence",
                           "reason", "candidates"]  # fmt: skip
    assert out.height == 6
    assert out.get_column("address_raw").to_list() == texts.to_list()
    assert out.get_column("std_address_code").to_list() == ["XF321502", None, None, "XF321502", None, None]
    assert out.get_column("status").to_list() == ["matched", "unmatched", "partial", "matched", "unmatched",
                                                  "unmatched"]  # fmt: skip
    assert out.get_column("candidates").to_list()[2] == ["JD328", "JD528"]
    assert out.schema["candidates"] == pl.List(pl.Utf8)
    assert all(0.0 <= c <= 1.0 for c in out.get_column("confidence").to_list())


def test_resolve_addresses_exact_hits_come_from_the_join() -> None:
    text = library().get_column("standard_address")[0]
    out = resolve_addresses(pl.Series([text, text]), index(), workers=1)
    assert out.get_column("status").to_list() == ["exact", "exact"]
    assert out.get_column("reason").to_list()[0] == "与标准地址一致"


def test_parallel_and_serial_agree(monkeypatch) -> None:  # noqa: ANN001
    import recon.matching.address_resolve as mod

    monkeypatch.setattr(mod, "PARALLEL_MIN", 1)
    texts = pl.Series([t for t, *_ in RESOLVE_CASES])
    serial = resolve_addresses(texts, index(), workers=1)
    parallel = resolve_addresses(texts, index(), workers=2)
    assert serial.equals(parallel)


def test_chunking_never_changes_answers(monkeypatch) -> None:  # noqa: ANN001
    """Small chunks over forked workers give what one in-process chunk gives (repeats, blanks
    and untrimmed copies included)."""
    import recon.matching.address_resolve as mod

    texts = pl.Series([t for t, *_ in RESOLVE_CASES] + [None, "  " + RESOLVE_CASES[0][0]])
    whole = resolve_addresses(texts, index(), workers=1)
    monkeypatch.setattr(mod, "PARALLEL_MIN", 3)
    monkeypatch.setattr(mod, "CHUNK", 2)
    assert resolve_addresses(texts, index(), workers=1).equals(whole)
    assert resolve_addresses(texts, index(), workers=2).equals(whole)
    assert mod._WORKER_INDEX is None  # released once the workers are gone


def test_explain_shows_parse_resolution_and_candidates() -> None:
    text = explain_address("幸福家园3幢1502", index())
    assert "小区（compound）：幸福家园" in text
    assert "partial" in text and "缺少单元" in text
    assert "XF311502" in text and "XF321502" in text and "幸福家园3幢2单元1502室" in text


# ---------------------------------------------------------------- variant renderings

_CN = "零一二三四五六七八九"


def _cn_digits(n: str, yao: bool = False) -> str:
    s = "".join(_CN[int(c)] for c in n)
    return s.replace("一", "幺") if yao else s


def _cn_value(n: str) -> str:
    v = int(n)
    if v < 10:
        return _CN[v]
    if v < 100:
        return ("" if v // 10 == 1 else _CN[v // 10]) + "十" + (_CN[v % 10] if v % 10 else "")
    return _cn_digits(n)


def _num(draw, n: str, positional: bool = True) -> str:  # noqa: ANN001
    if not n.isdigit():
        return n
    kind = draw(st.sampled_from(["arabic", "full", "cn"] + (["value"] if positional else ["yao"])))
    if kind == "full":
        return n.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if kind == "cn":
        return _cn_digits(n)
    if kind == "yao":
        return _cn_digits(n, yao=True)
    return _cn_value(n)


def ix_places_at(road: str, door: str) -> frozenset[int]:
    ix = index()
    return ix.with_number("door", door) & ix.places_of("road", (road,))


@st.composite
def rendering(draw, row: dict, place) -> str:  # noqa: ANN001
    """A way a person might write the dwelling `row` (whose index place is `place`)."""
    pieces = [draw(st.sampled_from(["浙江省杭州市钱塘区", "杭州市钱塘区", "钱塘区", "杭州钱塘", ""]))]
    if draw(st.booleans()):
        pieces.append(row["street"])
    village = bool(place.group)
    if village or draw(st.booleans()):
        pieces.append(row["community"])
    if place.group:
        g = draw(st.sampled_from(["{}组", "第{}组", "{}村民小组"]))
        pieces.append(g.format(_num(draw, place.group)))
    has_compound = bool(place.compound)
    # Without a building number the compound alone does not say which door: keep road and door.
    with_road = bool(place.road) and (not has_compound or not place.building or draw(st.booleans()))
    if with_road:
        pieces.append(place.road.replace("1", "一") if draw(st.booleans()) else place.road)
        pieces.append(_num(draw, place.door) + "号")
    elif place.door and not has_compound:
        pieces.append(_num(draw, place.door) + "号")
    road_door_unique = len(ix_places_at(place.road, place.door)) == 1
    if has_compound and (not with_road or not road_door_unique or draw(st.booleans())):
        pieces.append(row["compound"])
    unit, room = row["unit"].removesuffix("单元"), row["room"].removesuffix("室").removesuffix("房")
    b = place.building
    if b and unit and room and draw(st.booleans()):
        pieces.append(f"{b}-{unit}-{room}")
    else:
        if b:
            word = draw(st.sampled_from(["幢", "栋", "号楼", "#", "座"]))
            pieces.append(_num(draw, b) + word)
        if unit:
            pieces.append(_num(draw, unit) + "单元")
        if room:
            pieces.append(_num(draw, room, positional=False) + draw(st.sampled_from(["室", "", "号", "户"])))
    sep = draw(st.sampled_from(["", "", " "]))
    return sep.join(p for p in pieces if p)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_variant_renderings_resolve_to_the_dwelling(data: st.DataObject) -> None:
    ix = index()
    rows = library().to_dicts()
    row = data.draw(st.sampled_from(rows))
    place = ix.places[ix.code_place[row["address_code"]][0]]
    text = data.draw(rendering(row, place))
    r = resolve_text(text, ix)
    assert (r.status in ("exact", "matched"), r.code) == (True, row["address_code"]), (text, r)


# ---------------------------------------------------------------- random libraries

_CHARS = "金银阳光幸福和平安康华盛世锦绣翠碧云水湖山江河桂香兰梅竹松柏春秋明月星辰龙凤"


@st.composite
def random_library(draw) -> pl.DataFrame:  # noqa: ANN001
    name = st.text(alphabet=_CHARS, min_size=2, max_size=3)
    rows: list[dict] = []
    seen: set[str] = set()
    for s_i in range(draw(st.integers(1, 2))):
        street = draw(name) + draw(st.sampled_from(["街道", "镇"]))
        for _ in range(draw(st.integers(1, 3))):
            community = draw(name) + draw(st.sampled_from(["社区", "村"]))
            for kind in draw(
                st.lists(st.sampled_from(["compound", "village", "lane"]), min_size=1, max_size=3)
            ):
                base = {"street": street, "community": community, "road": "", "door_number": "", "compound": "",
                        "building": "", "unit": "", "room": ""}  # fmt: skip
                dwellings = []
                if kind == "compound":
                    base["compound"] = draw(name) + draw(
                        st.sampled_from(["花园", "家园", "小区", "苑", "公寓"])
                    )
                    if draw(st.booleans()):
                        base["road"] = draw(name) + draw(st.sampled_from(["路", "街", "大道"]))
                        base["door_number"] = f"{draw(st.integers(1, 300))}号"
                    for b in draw(st.sets(st.integers(1, 30), min_size=1, max_size=3)):
                        units = draw(st.sampled_from([[""], ["1单元"], ["1单元", "2单元"]]))
                        for u in units:
                            for r in draw(st.sets(st.integers(101, 1804), min_size=1, max_size=3)):
                                dwellings.append({"building": f"{b}幢", "unit": u, "room": f"{r}室"})
                elif kind == "village":
                    for g, d in draw(
                        st.sets(st.tuples(st.integers(1, 9), st.integers(1, 99)), min_size=1, max_size=3)
                    ):
                        dwellings.append({"door_number": f"{g}组{d}号"})
                else:
                    base["road"] = draw(name) + "巷"
                    for d in draw(st.sets(st.integers(1, 60), min_size=1, max_size=2)):
                        rooms = draw(st.sampled_from([[""], ["101室", "201室"]]))
                        dwellings.extend({"door_number": f"{d}号", "room": r} for r in rooms)
                for dw in dwellings:
                    row = {**base, **dw}
                    text = "浙江省杭州市钱塘区" + "".join(
                        row[k]
                        for k in (
                            "street",
                            "community",
                            "road",
                            "door_number",
                            "compound",
                            "building",
                            "unit",
                            "room",
                        )
                    )
                    if text in seen:
                        continue
                    seen.add(text)
                    rows.append({"address_code": f"C{len(rows):05d}", "county": "钱塘区", **row,
                                 "standard_address": text})  # fmt: skip
        _ = s_i
    return pl.DataFrame(rows)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(random_library())
def test_canonical_texts_of_random_libraries_resolve_exactly(lib: pl.DataFrame) -> None:
    ix = AddressIndex.build(lib)
    out = resolve_addresses(lib.get_column("standard_address"), ix, workers=1)
    bad = out.filter(pl.col("std_address_code") != lib.get_column("address_code")).select(
        "address_raw", "status"
    )
    assert out.get_column("status").unique().to_list() == ["exact"]
    assert bad.height == 0, bad


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(random_library())
def test_texts_without_prefix_of_random_libraries_resolve(lib: pl.DataFrame) -> None:
    """Dropping province, city and district still resolves every dwelling (matched, right code)."""
    ix = AddressIndex.build(lib)
    texts = lib.get_column("standard_address").str.replace("^浙江省杭州市钱塘区", "")
    out = resolve_addresses(texts, ix, workers=1)
    wrong = out.with_columns(want=lib.get_column("address_code")).filter(
        pl.col("std_address_code").is_null() | (pl.col("std_address_code") != pl.col("want"))
    )
    assert wrong.height == 0, wrong.select("address_raw", "status", "reason", "want").to_dicts()[:5]


def test_address_match_checks_the_registry_held_code() -> None:
    from recon.matching.address_match import address_match

    records = pl.DataFrame(
        {
            "source": ["police_registry"] * 4 + ["grid_visit"],
            "record_id": ["R1", "R2", "R3", "R4", "V1"],
            "address_raw": ["幸福家园3幢2单元1502室", "幸福家园3幢2单元1502室", "幸福家园3幢2单元1502室",
                            "幸福家园3幢", "江东村5组28号"],
            "held_code": ["XF321502", "XF321501", "", "XF321502", None],
        }
    )  # fmt: skip
    out = address_match(records, index(), workers=1)
    assert out.get_column("record_id").to_list() == ["R1", "R2", "R3", "R4", "V1"]
    assert out.get_column("held_code_check").to_list() == [
        "agrees",
        "differs",
        "blank",
        "unresolved",
        "blank",
    ]
    assert out.get_column("std_address_code").to_list() == ["XF321502"] * 3 + [None, "JD528"]
    assert {
        "source",
        "record_id",
        "address_raw",
        "std_address_code",
        "status",
        "confidence",
        "reason",
    } <= set(out.columns)


def test_another_real_district_needs_a_matching_street() -> None:
    ix = index()
    assert resolve_text("西湖区幸福家园3幢2单元1502室", ix).status == "unmatched"
    r = resolve_text("萧山区白杨街道幸福家园3幢2单元1502室", ix)  # old district name, street confirms
    assert (r.status, r.code) == ("matched", "XF321502") and "区县" in r.reason
    aliased = AddressIndex.build(
        library(), pl.DataFrame({"alias": ["西湖区"], "name": ["钱塘区"], "kind": ["county"]})
    )
    assert resolve_text("西湖区幸福家园3幢2单元1502室", aliased).code == "XF321502"
    assert resolve_text("经济技术开发区幸福家园3幢2单元1502室", ix).code == "XF321502"


def test_partitioned_room_resolves_to_the_flat() -> None:
    r = resolve_text("幸福家园3幢2单元1502-1", index())
    assert (r.status, r.code) == ("matched", "XF321502") and "分间" in r.reason


def test_a_second_different_building_number_is_not_guessed() -> None:
    ix = index()
    r = resolve_text("幸福家园1幢3幢2单元1502室", ix)
    assert r.status == "partial" and r.code is None and "多余" in r.reason
    for text in (
        "幸福家园3幢2单元1502室（2人）",
        "幸福家园3幢2单元1502室13812345678",
        "幸福家园3幢2单元1502室 3幢2单元1502室",
    ):
        assert resolve_text(text, ix).code == "XF321502", text


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(random_library())
def test_canonical_texts_written_full_width_resolve_exactly_by_components(lib: pl.DataFrame) -> None:
    """Not the same string as the library's, so no join hit: the parse must give back the dwelling."""
    ix = AddressIndex.build(lib)
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    texts = lib.get_column("standard_address").map_elements(lambda t: t.translate(wide), return_dtype=pl.Utf8)
    out = resolve_addresses(texts, ix, workers=1).with_columns(want=lib.get_column("address_code"))
    wrong = out.filter((pl.col("status") != "exact") | (pl.col("std_address_code") != pl.col("want")))
    assert wrong.height == 0, wrong.select("address_raw", "status", "reason", "want").to_dicts()[:5]


def test_remembered_names_replay_what_finding_them_left(monkeypatch) -> None:  # noqa: ANN001
    """A text whose name tokens were seen before resolves exactly as if computed afresh:
    code, status, confidence, reason, candidates and trace."""
    import recon.matching.address_locate as loc
    from recon.matching.address_parse import parse_address
    from tests.matching.test_address_library import ALIASES

    texts = [t for t, *_ in RESOLVE_CASES]
    monkeypatch.setattr(loc, "ANCHOR_MEMO_MAX", 0)
    fresh_ix = AddressIndex.build(library(), ALIASES)  # index() is shared, with a warm memo
    afresh = [loc.locate(parse_address(t), fresh_ix) for t in texts]
    assert not fresh_ix.cache.get("anchors")
    monkeypatch.setattr(loc, "ANCHOR_MEMO_MAX", 200_000)
    ix = AddressIndex.build(library(), ALIASES)
    first = [loc.locate(parse_address(t), ix) for t in texts]
    replayed = [loc.locate(parse_address(t), ix) for t in texts]
    assert ix.cache["anchors"]  # the second pass found its names in the memo
    assert first == afresh and replayed == afresh
