"""Chinese labels for the codes of the published file (finding types, reasons, sources, statuses)."""

from __future__ import annotations

FLAG_TYPES = {  # queue order: address_inaccurate first
    "address_inaccurate": "地址不准确",
    "unregistered": "未登记",
    "not_deregistered": "未注销",
    "duplicate_registration": "重复登记",
    "invalid_identity": "证件号码无效",
    "late_declaration": "逾期申报",
}

REASONS = {
    "moved": "已搬离登记地址",
    "unresolvable": "登记地址无法解析",
    "code_mismatch": "标准地址编码不符",
    "no_active_registration": "无有效居住登记",
    "left_over_7_days": "离开超过 7 天未注销",
    "multiple_active": "同一人多条有效登记",
    "bad_area": "行政区划代码错误",
    "bad_birth_date": "出生日期错误",
    "bad_check": "校验码错误",
    "bad_format": "格式错误",
    "declared_late": "超过 3 个工作日申报",
    "undeclared": "至今未申报",
}

STATUSES = {"open": "待处理", "confirmed": "已确认", "dismissed": "已驳回", "closed": "已关闭"}

SOURCES = {
    "police_registry": "公安居住登记",
    "intermediary_lease": "中介租赁申报",
    "property_lease": "物业租赁申报",
    "public_rental_lease": "公租房租赁",
    "employer_roster": "用工单位申报",
    "site_roster": "智慧工地",
    "grid_visit": "网格员走访",
    "self_declaration": "自主申报",
    "community_roster": "社区底册",
}

ACTIONS = {
    "correct_address": "确认并更正地址",
    "confirm": "确认问题属实",
    "dismiss": "驳回（登记无误）",
    "not_same_person": "非同一人",
    "field_visit": "派发实地核查",
    "assign": "指派审核人",
    "note": "备注",
    "reopen": "重新打开",
}

ADDRESS_STATUS = {"exact": "精确匹配", "matched": "匹配", "partial": "仅到楼栋/门牌", "unmatched": "未匹配"}

EVIDENCE_KIND = {"presence": "在住", "departure": "离开"}

AGE_BUCKETS = {  # (label, min days, max days)
    "0-7": ("7 天内", 0, 7),
    "8-30": ("8–30 天", 8, 30),
    "31-90": ("31–90 天", 31, 90),
    "90+": ("90 天以上", 91, None),
}

LEVELS = ("街道", "社区", "派出所")

DISMISS_REASONS = (
    "登记地址正确，证据有误",
    "证据记录属于他人",
    "已现场核实在住",
    "数据延迟，已办理",
    "其他（见备注）",
)


def t(mapping: dict, key: str | None) -> str:
    return mapping.get(key or "", key or "—")


# What each level of the linkage model's comparisons means, for the case page (the model's own
# descriptions, in recon.matching, are for developers and are in English).
LEVEL_DESCRIPTIONS = {
    ("id_number", "null"): "任一方无证件号码，不计分",
    ("id_number", "exact"): "证件号码相同",
    ("id_number", "near"): "证件号码差一位或相邻两位颠倒",
    ("id_number", "masked_compatible"): "脱敏号码中可见的位与之相符",
    ("id_number", "valid_different"): "双方均为有效号码，但号码不同",
    ("id_number", "different"): "号码不同（并非双方均有效），或脱敏位不相符",
    ("name", "null"): "任一方无姓名，不计分",
    ("name", "exact"): "姓名写法完全相同",
    ("name", "simplified"): "清洗并繁体转简体后相同",
    ("name", "pinyin"): "拼音相同（同音字）",
    ("name", "lookalike"): "形近字归并后相同",
    ("name", "one_char"): "多、少或错一个字",
    ("name", "jw_0.90"): "拼音相似度 ≥ 0.90",
    ("name", "jw_0.80"): "拼音相似度 ≥ 0.80",
    ("name", "else"): "姓名不同",
    ("birth_date", "null"): "任一方无出生日期，不计分",
    ("birth_date", "exact"): "出生日期相同",
    ("birth_date", "typo"): "出生日期错一位或相邻两位颠倒",
    ("birth_date", "day_month_swap"): "出生日期月、日颠倒",
    ("birth_date", "else"): "出生日期不同",
    ("gender", "null"): "任一方无性别，不计分",
    ("gender", "same"): "性别相同",
    ("gender", "different"): "性别不同",
    ("phone", "null"): "任一方无电话，不计分",
    ("phone", "exact_mobile"): "手机号码相同",
    ("phone", "exact_other"): "电话号码相同",
    ("phone", "near"): "电话号码差一位或相邻两位颠倒",
    ("phone", "else"): "电话号码不同",
    ("dwelling", "null"): "双方地址均未解析到房屋、楼栋或社区，不计分",
    ("dwelling", "same_dwelling"): "标准地址为同一房屋",
    ("dwelling", "building_partial"): "同一楼栋，一方房号不详",
    ("dwelling", "community_partial"): "同一社区，一方楼栋不详",
    ("dwelling", "same_building"): "同一楼栋的不同房屋",
    ("dwelling", "same_community"): "同一社区的不同楼栋",
    ("dwelling", "else"): "居住地不同",
    ("hukou_area", "null"): "任一方户籍地不详，不计分",
    ("hukou_area", "same_county"): "户籍地为同一县区",
    ("hukou_area", "same_prefecture"): "户籍地为同一地市",
    ("hukou_area", "same_province"): "户籍地为同一省份",
    ("hukou_area", "else"): "户籍地省份不同",
}


def level_description(comparison: str, level: str | None) -> str:
    """The Chinese meaning of a comparison level ("" when the level is not one of the model's)."""
    return LEVEL_DESCRIPTIONS.get((comparison, level or "null"), "")


# comparison levels of the linkage model (recon.matching), for the match-weight tables
MATCH_LEVELS = {
    "exact": "完全一致",
    "near": "近似（差一位或相邻位颠倒）",
    "masked_compatible": "脱敏号码与之相符",
    "valid_different": "均为有效号码但不同",
    "different": "不同",
    "simplified": "繁简转换后一致",
    "pinyin": "拼音相同（同音字）",
    "lookalike": "形近字",
    "one_char": "差一个字",
    "jw_0.90": "高度相似",
    "jw_0.80": "相似",
    "else": "不同",
    "typo": "笔误（差一位）",
    "day_month_swap": "月日颠倒",
    "same": "相同",
    "exact_mobile": "手机号一致",
    "exact_other": "号码一致",
    "same_dwelling": "同一房屋",
    "building_partial": "同一楼栋（房号不详）",
    "community_partial": "同一社区（地址不全）",
    "same_building": "同一楼栋",
    "same_community": "同一社区",
    "same_county": "户籍同一县区",
    "same_prefecture": "户籍同一地市",
    "same_province": "户籍同一省份",
    "null": "缺失（不计分）",
}
