"""Realistic own-field values for each of the ten resource types, shared by the catalog and API tests.

FORM holds what a person types into the web form (money in yuan); `api_fields()` turns it into the
JSON the API takes (money in fen); SHOWS lists what the detail page must then display.
"""
from decimal import Decimal

from marketplace.catalog.types import RESOURCE_TYPES

COMMON_FORM = {"summary": "面向全省开放共享", "description": "详细介绍：开放时间与服务流程。", "city": "苏州",
               "discipline": "材料科学", "tags": "开放,共享", "contact_name": "王老师",
               "contact_phone": "025-83590000", "contact_email": "open@lab.edu.cn"}

FORM = {
    "instrument": {"model": "SU8010", "manufacturer": "日立高新", "country": "日本", "original_value": "4500000",
                   "purchase_date": "2019-06-01", "category_l1": "分析仪器", "category_l2": "电子光学仪器",
                   "category_l3": "电子显微镜", "location": "仙林校区分析楼 101", "functions": "高分辨形貌观察",
                   "specs": "分辨率 1.0 nm", "service_mode": "sample_submission", "price_unit": "sample",
                   "internal_price": "200", "external_price": "350.50", "sample_requirements": "干燥固体样品",
                   "bookable": "y"},
    "facility": {"facility_kind": "pilot_line", "area_m2": "1200", "capacity": "30",
                 "equipment_list": "百升级反应釜", "opening_terms": "工作日开放，提前一周预约"},
    "talent": {"person_name": "李明远", "pro_title": "教授", "field": "新能源材料", "institution": "东南大学",
               "expertise": "固态电池电解质", "achievements": "发表论文 80 余篇", "consulting": "y",
               "secondment": "y"},
    "institution": {"inst_kind": "engineering_centre", "level": "national", "research_areas": "智能制造装备",
                    "staff_count": "150"},
    "dataset": {"data_format": "CSV", "data_size": "12 GB", "licence": "CC BY 4.0", "access_level": "on_request",
                "update_frequency": "每月", "doi": "10.12345/jsst.2026.001"},
    "achievement": {"ip_kind": "utility_model", "patent_numbers": "ZL202010000000.1", "trl": "7",
                    "transaction_modes": ["transfer", "licence"], "asking_price": "880000", "state_owned": "y"},
    "finance": {"product_kind": "equity_fund", "amount_min": "1000000", "amount_max": "50000000",
                "rate_terms": "年化 3.65%，期限三年", "eligibility": "省内科技型中小企业"},
    "service": {"service_kind": "ip_agency", "accreditation": ["CMA", "CNAS"], "price_terms": "按件收费"},
    "incubator": {"incubator_kind": "accelerator", "area_m2": "5000", "seats": "200",
                  "services_offered": "工商注册、投融资对接", "rent_terms": "首年免租", "grade": "provincial"},
    "bioresource": {"bio_kind": "cell_line", "species": "小鼠", "quantity": "500", "storage": "液氮保存",
                    "biosafety_level": "2", "supply_terms": "签署材料转移协议后提供"},
}

# What the detail page shows for FORM's values: labels of the own fields and formatted values.
SHOWS = {
    "instrument": ["型号", "SU8010", "日立高新", "¥4,500,000.00", "2019-06-01", "电子显微镜", "送样检测", "按样品",
                   "¥200.00", "¥350.50", "干燥固体样品", "开放预约"],
    "facility": ["设施类别", "中试线", "1200", "容纳人数", "百升级反应釜"],
    "talent": ["李明远", "职称", "教授", "新能源材料", "东南大学", "固态电池电解质", "可担任科技副总"],
    "institution": ["机构类别", "工程技术研究中心", "国家级", "智能制造装备", "150"],
    "dataset": ["数据格式", "CSV", "12 GB", "CC BY 4.0", "申请获取", "10.12345/jsst.2026.001"],
    "achievement": ["知识产权类型", "实用新型", "ZL202010000000.1", "技术成熟度", "7", "转让、许可",
                    "¥880,000.00", "国有资产"],
    "finance": ["产品类别", "股权投资基金", "¥1,000,000.00", "¥50,000,000.00", "年化 3.65%，期限三年"],
    "service": ["服务类别", "知识产权代理", "CMA、CNAS", "按件收费"],
    "incubator": ["载体类别", "加速器", "5000", "工位数", "200", "首年免租", "省级"],
    "bioresource": ["资源类别", "细胞系", "小鼠", "500", "液氮保存", "生物安全等级"],
}


def form_data(type_key: str, **overrides) -> dict:
    """A complete, valid web-form submission for `type_key`."""
    data = {"title": f"测试{RESOURCE_TYPES[type_key].name_zh}", **COMMON_FORM,
            "platforms": list(RESOURCE_TYPES[type_key].platforms), **FORM[type_key]}
    data.update(overrides)
    return data


def api_fields(type_key: str) -> dict:
    """FORM's own fields as the API takes them: money in fen, numbers as ints, flags as booleans."""
    out = {}
    for f in RESOURCE_TYPES[type_key].fields:
        if f.name not in FORM[type_key]:
            continue
        value = FORM[type_key][f.name]
        if f.kind == "money":
            value = int(Decimal(value) * 100)
        elif f.kind == "int":
            value = int(value)
        elif f.kind == "bool":
            value = value == "y"
        out[f.name] = value
    return out


def api_payload(type_key: str, **overrides) -> dict:
    """A complete, valid POST /api/v1/resources body for `type_key`."""
    body = {"type": type_key, "title": f"接口{RESOURCE_TYPES[type_key].name_zh}", "summary": "通过 API 发布",
            "city": "无锡", "fields": api_fields(type_key)}
    body.update(overrides)
    return body
