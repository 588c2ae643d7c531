"""Reference lists of the domain: cities, organisation kinds, roles (Chinese names shown through core.i18n)."""
from .i18n import N_

# The 13 prefecture-level cities of Jiangsu, in the province's customary order.
CITIES = {
    N_("南京"): "Nanjing", N_("无锡"): "Wuxi", N_("徐州"): "Xuzhou", N_("常州"): "Changzhou", N_("苏州"): "Suzhou",
    N_("南通"): "Nantong", N_("连云港"): "Lianyungang", N_("淮安"): "Huai'an", N_("盐城"): "Yancheng",
    N_("扬州"): "Yangzhou", N_("镇江"): "Zhenjiang", N_("泰州"): "Taizhou", N_("宿迁"): "Suqian",
}

ORG_KINDS = {
    "university": (N_("高校"), "University"),
    "research_institute": (N_("科研院所"), "Research institute"),
    "enterprise": (N_("企业"), "Enterprise"),
    "service_firm": (N_("服务机构"), "Service firm"),
    "finance_institution": (N_("金融机构"), "Finance institution"),
    "incubator": (N_("孵化载体"), "Incubator"),
    "government": (N_("政府部门"), "Government"),
}

PLATFORM_ROLES = {
    "reviewer": (N_("审核员"), "Reviewer"),
    "finance": (N_("财务"), "Finance officer"),
    "admin": (N_("平台管理员"), "Platform admin"),
}


def sql_in(values) -> str:
    """Render values as an SQL IN list for CHECK constraints (constants only, never user input)."""
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"
