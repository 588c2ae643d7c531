"""Reference lists of the domain: cities, organisation kinds, roles (Chinese names shown through core.i18n)."""
from .i18n import N_

# The 13 prefecture-level cities of Jiangsu, in the province's customary order.
CITIES = (
    N_("南京"), N_("无锡"), N_("徐州"), N_("常州"), N_("苏州"), N_("南通"), N_("连云港"), N_("淮安"), N_("盐城"),
    N_("扬州"), N_("镇江"), N_("泰州"), N_("宿迁"),
)

# First-level categories of the national classification of large scientific instruments (大型科学仪器设备
#分类), the census's "type" grouping: marked so that an English page names them in English.
INSTRUMENT_CATEGORIES = (
    N_("分析仪器"), N_("物理性能测试仪器"), N_("计量仪器"), N_("电子测量仪器"), N_("海洋仪器"), N_("地球探测仪器"),
    N_("大气探测仪器"), N_("特种检测仪器"), N_("激光器"), N_("工艺试验仪器"), N_("计算机及其配套设备"),
    N_("天文仪器"), N_("医学科研仪器"), N_("核仪器"), N_("其他仪器"),
)

ORG_KINDS = {
    "university": N_("高校"),
    "research_institute": N_("科研院所"),
    "enterprise": N_("企业"),
    "service_firm": N_("服务机构"),
    "finance_institution": N_("金融机构"),
    "incubator": N_("孵化载体"),
    "government": N_("政府部门"),
}

PLATFORM_ROLES = {
    "reviewer": N_("审核员"),
    "finance": N_("财务"),
    "admin": N_("平台管理员"),
}


def sql_in(values) -> str:
    """Render values as an SQL IN list for CHECK constraints (constants only, never user input)."""
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"

# Disciplines (学科领域, after the first-level subjects of GB/T 13745 as the sharing platforms group them):
# what the forms offer for a listing's discipline, a researcher's field and a demand's technical field.
# Stored as the Chinese name (data, like a city); records harvested from partners or sent through the
# API may carry another name, which is kept and shown as it is.
DISCIPLINES = (
    N_("数学"), N_("物理学"), N_("化学"), N_("天文学"), N_("地球科学"), N_("海洋科学"), N_("生命科学"),
    N_("农学"), N_("医学"), N_("药学"), N_("材料科学"), N_("化学工程"), N_("机械工程"), N_("仪器科学"),
    N_("电子信息"), N_("计算机科学"), N_("能源动力"), N_("土木工程"), N_("交通运输工程"), N_("航空航天"),
    N_("环境科学与工程"), N_("食品科学与工程"), N_("管理科学"),
)
