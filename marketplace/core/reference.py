"""Reference lists of the domain: cities, organisation kinds, roles."""

# The 13 prefecture-level cities of Jiangsu, in the province's customary order.
CITIES = {
    "南京": "Nanjing", "无锡": "Wuxi", "徐州": "Xuzhou", "常州": "Changzhou", "苏州": "Suzhou",
    "南通": "Nantong", "连云港": "Lianyungang", "淮安": "Huai'an", "盐城": "Yancheng",
    "扬州": "Yangzhou", "镇江": "Zhenjiang", "泰州": "Taizhou", "宿迁": "Suqian",
}

ORG_KINDS = {
    "university": ("高校", "University"),
    "research_institute": ("科研院所", "Research institute"),
    "enterprise": ("企业", "Enterprise"),
    "service_firm": ("服务机构", "Service firm"),
    "finance_institution": ("金融机构", "Finance institution"),
    "incubator": ("孵化载体", "Incubator"),
    "government": ("政府部门", "Government"),
}

PLATFORM_ROLES = {
    "reviewer": ("审核员", "Reviewer"),
    "finance": ("财务", "Finance officer"),
    "admin": ("平台管理员", "Platform admin"),
}


def sql_in(values) -> str:
    """Render values as an SQL IN list for CHECK constraints (constants only, never user input)."""
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"
