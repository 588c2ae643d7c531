"""The registration's reference lists (keys are stored; labels follow the interface language).

Contract types, subtypes, refusal grounds and party natures follow the 2026 技术合同认定登记管理办法
and its 认定登记规则 (DOMAIN.md); technical fields and IP kinds follow the categories of the
national technology-contract statistics (技术领域, 知识产权类型).
"""
from flask_babel import lazy_gettext as _l

CONTRACT_TYPES = {
    "development": _l("技术开发"),
    "transfer": _l("技术转让"),
    "licence": _l("技术许可"),
    "consulting": _l("技术咨询"),
    "service": _l("技术服务"),
}
# Subtypes per contract type; a type listed with subtypes requires one of them.
SUBTYPES = {
    "development": {"commissioned": _l("委托开发"), "cooperative": _l("合作开发")},
    "transfer": {"patent": _l("专利权转让"), "patent_application": _l("专利申请权转让"),
                 "know_how": _l("技术秘密转让"), "other": _l("其他技术转让")},
    "licence": {"patent": _l("专利实施许可"), "know_how": _l("技术秘密使用许可"), "other": _l("其他技术许可")},
    "consulting": {},
    "service": {},
}
# Registered contracts of these types qualify for the VAT exemption (技术开发、技术转让).
VAT_EXEMPT_TYPES = ("development", "transfer")

NATURES = {
    "enterprise": _l("企业"),
    "research_institute": _l("科研院所"),
    "university": _l("高等院校"),
    "other": _l("其他"),
}

TECH_FIELDS = {
    "electronic_information": _l("电子信息"),
    "aerospace": _l("航空航天"),
    "advanced_manufacturing": _l("先进制造"),
    "biomedicine": _l("生物、医药和医疗器械"),
    "new_materials": _l("新材料及其应用"),
    "new_energy": _l("新能源与高效节能"),
    "environment": _l("环境保护与资源综合利用"),
    "nuclear": _l("核应用技术"),
    "agriculture": _l("农业"),
    "modern_transport": _l("现代交通"),
    "urban_social": _l("城市建设与社会发展"),
}

IP_KINDS = {
    "invention_patent": _l("发明专利"),
    "utility_model": _l("实用新型专利"),
    "design": _l("外观设计专利"),
    "software_copyright": _l("计算机软件著作权"),
    "ic_layout": _l("集成电路布图设计"),
    "plant_variety": _l("植物新品种"),
    "know_how": _l("技术秘密"),
    "other": _l("其他知识产权"),
    "none": _l("未涉及知识产权"),
}

GROUNDS = {
    "not_technology_contract": _l("不属于技术合同"),
    "invalid_or_not_in_force": _l("合同无效或尚未生效"),
    "unclear_terms": _l("当事人、标的或价款不明确"),
    "approval_missing": _l("缺少依法应当取得的批准"),
    "title_mismatch": _l("合同名称与权利义务不符"),
    "monopoly_clauses": _l("含有非法垄断技术或限制性条款"),
    "documents_missing": _l("材料不齐全"),
    "seal_mismatch": _l("签章或名称不一致"),
    "infringement": _l("侵害他人技术成果"),
    "other": _l("其他"),
}

KINDS = {"new": _l("新登记"), "amend": _l("变更登记"), "cancel": _l("注销登记")}

# GB/T 2260 codes of Jiangsu's 13 prefecture-level cities (the province's statistics are kept by these).
JIANGSU_CITY_CODES = {
    "3201": "南京", "3202": "无锡", "3203": "徐州", "3204": "常州", "3205": "苏州", "3206": "南通",
    "3207": "连云港", "3208": "淮安", "3209": "盐城", "3210": "扬州", "3211": "镇江", "3212": "泰州",
    "3213": "宿迁",
}


def label(mapping: dict, key) -> str:
    """The label of `key` in the interface language, or the key itself when unknown."""
    value = mapping.get(key)
    return str(value) if value is not None else (key or "")

# What the contract statistics group by (stats page, API, CLI).
STAT_GROUPS = ("type", "field", "city", "nature", "month")
