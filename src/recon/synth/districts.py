"""The built-in districts a synthetic population can live in, with their address habits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DistrictSpec:
    """One county-level district: real names and codes, invented everything below the street."""

    code: str  # GB/T 2260 county code; a resident ID with this area code is local hukou
    province: str
    city: str
    county: str
    streets: tuple[str, ...]  # real sub-districts (街道)
    style: str  # "hangzhou" (compounds with 幢/单元/室, villages X村X组N号) or "shenzhen" (栋/房, 城中村)
    building_marker: str  # marker in the canonical address: 幢 or 栋
    room_suffix: str  # 室 or 房
    landline_prefix: str
    public_rental_agency: str
    # Share of communities that are villages (村) per street index; the rest are 社区.
    village_share: tuple[float, ...]
    # Sending provinces (2-digit code prefix) and their weights; the home province means its other cities.
    origins: tuple[tuple[str, float], ...]
    mobile_prefixes: tuple[str, ...] = (
        "130",
        "131",
        "132",
        "133",
        "135",
        "136",
        "137",
        "138",
        "139",
        "150",
        "151",
        "152",
        "155",
        "156",
        "157",
        "158",
        "159",
        "166",
        "176",
        "177",
        "178",
        "180",
        "181",
        "182",
        "183",
        "185",
        "186",
        "187",
        "188",
        "189",
        "191",
        "198",
        "199",
    )

    @property
    def prefix(self) -> str:
        """Province + city + county, the leading part of every canonical address."""
        return f"{self.province}{self.city}{self.county}"

    @property
    def province_code(self) -> str:
        return self.code[:2]


QIANTANG = DistrictSpec(
    code="330114",
    province="浙江省",
    city="杭州市",
    county="钱塘区",
    streets=("下沙街道", "白杨街道", "河庄街道", "义蓬街道", "新湾街道", "临江街道", "前进街道"),
    style="hangzhou",
    building_marker="幢",
    room_suffix="室",
    landline_prefix="0571",
    public_rental_agency="杭州钱塘公共租赁住房运营管理有限公司",
    village_share=(0.08, 0.1, 0.45, 0.5, 0.45, 0.35, 0.5),
    origins=(
        ("34", 0.20),
        ("41", 0.12),
        ("36", 0.10),
        ("51", 0.08),
        ("52", 0.08),
        ("43", 0.06),
        ("42", 0.05),
        ("32", 0.04),
        ("33", 0.08),
        ("53", 0.05),
        ("45", 0.04),
        ("50", 0.04),
        ("37", 0.03),
        ("35", 0.02),
        ("61", 0.01),
        ("62", 0.01),
    ),
)

BAOAN = DistrictSpec(
    code="440306",
    province="广东省",
    city="深圳市",
    county="宝安区",
    streets=(
        "新安街道",
        "西乡街道",
        "航城街道",
        "福永街道",
        "福海街道",
        "沙井街道",
        "新桥街道",
        "松岗街道",
        "燕罗街道",
        "石岩街道",
    ),
    style="shenzhen",
    building_marker="栋",
    room_suffix="房",
    landline_prefix="0755",
    public_rental_agency="深圳市宝安区安居住房运营有限公司",
    village_share=(0.0,) * 10,
    origins=(
        ("44", 0.22),
        ("43", 0.14),
        ("45", 0.12),
        ("36", 0.09),
        ("51", 0.07),
        ("42", 0.08),
        ("41", 0.08),
        ("50", 0.04),
        ("52", 0.04),
        ("35", 0.03),
        ("34", 0.03),
        ("46", 0.02),
        ("53", 0.02),
        ("61", 0.01),
        ("37", 0.01),
    ),
)

DISTRICTS: dict[str, DistrictSpec] = {d.code: d for d in (QIANTANG, BAOAN)}


def get_district(code: str) -> DistrictSpec:
    """The built-in district with this county code; a clear error names the supported ones."""
    try:
        return DISTRICTS[str(code).strip()]
    except KeyError:
        supported = ", ".join(f"{d.code} ({d.city}{d.county})" for d in DISTRICTS.values())
        raise ValueError(
            f"unknown district {code!r}: the synthetic generator has built-in districts {supported}; "
            f"pass one of those codes with --district"
        ) from None
