"""The input contract of CONTRACT.md section 1, declared as data.

Every feed is a `FeedSpec`: its folder name (the `source`), its load semantics, and its
columns with the Chinese header the agency export carries, the English name used in code,
the value kind and whether the value is required. Connectors, the synthetic generator,
expectations and the warehouse all read these declarations; none repeats them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["str", "date", "enum", "int"]
Mode = Literal["snapshot", "append", "quarterly"]


@dataclass(frozen=True)
class Column:
    """One contract column: Chinese header, English name, kind, required flag."""

    header: str
    name: str
    kind: Kind = "str"
    required: bool = False
    values: tuple[str, ...] = ()  # allowed values for kind == "enum"


@dataclass(frozen=True)
class FeedSpec:
    """One input feed (one folder of the drop folder)."""

    source: str
    title: str  # Chinese name shown to users
    mode: Mode
    columns: tuple[Column, ...]
    key: str  # English name of the key column ("" for community_roster: derived id)
    person_bearing: bool = True
    address_column: str | None = None  # English name of the residence address column
    description: str = ""
    _by_header: dict[str, Column] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_header", {c.header: c for c in self.columns})

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        """Column by English name."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"feed {self.source!r} has no column {name!r}; it has {list(self.names)}")

    def by_header(self, header: str) -> Column | None:
        return self._by_header.get(header)


def _c(
    header: str, name: str, kind: Kind = "str", required: bool = False, values: tuple[str, ...] = ()
) -> Column:
    return Column(header, name, kind, required, values)


STANDARD_ADDRESS = FeedSpec(
    source="standard_address",
    title="标准地址库",
    mode="snapshot",
    key="address_code",
    person_bearing=False,
    address_column="standard_address",
    columns=(
        _c("地址编码", "address_code", required=True),
        _c("区县", "county", required=True),
        _c("街道", "street", required=True),
        _c("社区", "community", required=True),
        _c("街路巷", "road"),
        _c("门牌号", "door_number"),
        _c("小区", "compound"),
        _c("楼栋", "building"),
        _c("单元", "unit"),
        _c("户室", "room"),
        _c("标准地址", "standard_address", required=True),
        _c("派出所", "police_station"),
        _c("房屋用途", "house_use"),
        _c("出租房屋", "is_rental", "enum", values=("是", "否")),
        _c("房东姓名", "landlord_name"),
        _c("房东证件号码", "landlord_id_number"),
        _c("房东电话", "landlord_phone"),
    ),
)

DWELLING_KINDS = ("租赁房屋", "单位内部", "工地现场", "自购房", "其他")

POLICE_REGISTRY = FeedSpec(
    source="police_registry",
    title="公安流动人口居住登记",
    mode="snapshot",
    key="registration_id",
    address_column="address",
    columns=(
        _c("登记编号", "registration_id", required=True),
        _c("姓名", "name", required=True),
        _c("性别", "gender"),
        _c("民族", "ethnicity"),
        _c("出生日期", "birth_date", "date"),
        _c("证件类型", "id_type"),
        _c("证件号码", "id_number", required=True),
        _c("户籍地址", "hukou_address"),
        _c("联系电话", "phone"),
        _c("居住地址", "address", required=True),
        _c("标准地址编码", "std_address_code"),
        _c("居住事由", "residence_reason"),
        _c("居住处所", "dwelling_kind", "enum", values=DWELLING_KINDS),
        _c("登记日期", "registered_on", "date", required=True),
        _c("注销日期", "deregistered_on", "date"),
        _c("居住证号", "permit_number"),
        _c("采集人", "collector"),
        _c("派出所", "police_station"),
        _c("社区", "community"),
    ),
)

_LEASE_COLUMNS = (
    _c("合同编号", "contract_id", required=True),
    _c("机构名称", "agency_name"),
    _c("房屋地址", "address", required=True),
    _c("房东姓名", "landlord_name"),
    _c("房东电话", "landlord_phone"),
    _c("承租人姓名", "name", required=True),
    _c("承租人证件号码", "id_number"),
    _c("承租人电话", "phone"),
    _c("租赁起始日期", "lease_start", "date", required=True),
    _c("租赁终止日期", "lease_end", "date"),
    _c("退租日期", "moved_out_on", "date"),
    _c("同住人数", "cohabitants", "int"),
    _c("申报日期", "declared_on", "date"),
)

INTERMEDIARY_LEASE = FeedSpec(
    source="intermediary_lease",
    title="中介租赁申报",
    mode="append",
    key="contract_id",
    address_column="address",
    columns=_LEASE_COLUMNS,
)
PROPERTY_LEASE = FeedSpec(
    source="property_lease",
    title="物业公司租赁申报",
    mode="append",
    key="contract_id",
    address_column="address",
    columns=_LEASE_COLUMNS,
)
PUBLIC_RENTAL_LEASE = FeedSpec(
    source="public_rental_lease",
    title="公租房租赁申报",
    mode="append",
    key="contract_id",
    address_column="address",
    columns=_LEASE_COLUMNS,
)

EMPLOYER_ROSTER = FeedSpec(
    source="employer_roster",
    title="用工单位申报",
    mode="append",
    key="record_no",
    address_column="address",
    columns=(
        _c("记录编号", "record_no", required=True),
        _c("单位名称", "employer_name", required=True),
        _c("统一社会信用代码", "credit_code"),
        _c("姓名", "name", required=True),
        _c("证件号码", "id_number"),
        _c("手机号码", "phone"),
        _c("入职日期", "start_date", "date", required=True),
        _c("离职日期", "end_date", "date"),
        _c("住宿方式", "lodging", "enum", values=("单位宿舍", "自行租房", "其他")),
        _c("居住地址", "address"),
        _c("申报日期", "declared_on", "date"),
    ),
)

SITE_ROSTER = FeedSpec(
    source="site_roster",
    title="智慧工地人员名册",
    mode="append",
    key="record_no",
    address_column="address",
    columns=(
        _c("记录编号", "record_no", required=True),
        _c("项目名称", "project_name", required=True),
        _c("施工单位", "contractor"),
        _c("姓名", "name", required=True),
        _c("证件号码", "id_number"),
        _c("手机号码", "phone"),
        _c("进场日期", "start_date", "date", required=True),
        _c("退场日期", "end_date", "date"),
        _c("住宿方式", "lodging", "enum", values=("工地宿舍", "自行租房", "其他")),
        _c("居住地址", "address"),
    ),
)

VISIT_RESULTS = ("在住", "已搬离", "查无此人", "未遇")

GRID_VISIT = FeedSpec(
    source="grid_visit",
    title="网格员走访",
    mode="append",
    key="visit_id",
    address_column="address",
    columns=(
        _c("走访编号", "visit_id", required=True),
        _c("走访日期", "visit_date", "date", required=True),
        _c("网格编号", "grid_id"),
        _c("网格员", "grid_worker"),
        _c("走访地址", "address", required=True),
        _c("姓名", "name", required=True),
        _c("证件号码", "id_number"),
        _c("联系电话", "phone"),
        _c("人员类别", "person_category", "enum", values=("户籍", "流动", "境外")),
        _c("走访结果", "visit_result", "enum", required=True, values=VISIT_RESULTS),
    ),
)

DECLARATION_TYPES = ("新登记", "变更", "注销")

SELF_DECLARATION = FeedSpec(
    source="self_declaration",
    title="自主申报",
    mode="append",
    key="declaration_id",
    address_column="address",
    columns=(
        _c("申报编号", "declaration_id", required=True),
        _c("申报类型", "declaration_type", "enum", required=True, values=DECLARATION_TYPES),
        _c("姓名", "name", required=True),
        _c("证件号码", "id_number", required=True),
        _c("手机号码", "phone"),
        _c("居住地址", "address", required=True),
        _c("居住起始日期", "residence_start", "date"),
        _c("申报日期", "declared_on", "date", required=True),
    ),
)

COMMUNITY_ROSTER = FeedSpec(
    source="community_roster",
    title="村社人口底册",
    mode="quarterly",
    key="seq",  # record_id is "<社区>_<YYYY>Q<n>:<序号>", built from the file name
    address_column="address",
    columns=(
        _c("序号", "seq", required=True),
        _c("姓名", "name", required=True),
        _c("证件号码", "id_number"),
        _c("联系电话", "phone"),
        _c("居住地址", "address"),
        _c("人员类别", "person_category"),
        _c("备注", "remark"),
    ),
)

FEEDS: dict[str, FeedSpec] = {
    f.source: f
    for f in (
        STANDARD_ADDRESS,
        POLICE_REGISTRY,
        INTERMEDIARY_LEASE,
        PROPERTY_LEASE,
        PUBLIC_RENTAL_LEASE,
        EMPLOYER_ROSTER,
        SITE_ROSTER,
        GRID_VISIT,
        SELF_DECLARATION,
        COMMUNITY_ROSTER,
    )
}

LEASE_SOURCES = ("intermediary_lease", "property_lease", "public_rental_lease")
PERSON_SOURCES = tuple(s for s, f in FEEDS.items() if f.person_bearing)

# Cell texts that mean "empty" in agency exports (after trimming and full-width folding).
NULL_MARKERS = ("", "NULL", "null", "Null", "None", "NaN", "nan", "无", "-", "/", "—", "－", "N/A", "n/a")


def feed(source: str) -> FeedSpec:
    """The spec of one feed, with a helpful error for an unknown folder name."""
    try:
        return FEEDS[source]
    except KeyError:
        raise KeyError(f"unknown feed {source!r}; the contract's feeds are {sorted(FEEDS)}") from None
