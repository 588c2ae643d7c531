"""The ten resource types and six platforms, described once.

Each type's own fields are declared here; the models, forms, detail pages and API serialisers are
all derived from these declarations, so adding a field is a one-line change (plus a migration).
"""
from dataclasses import dataclass, field as dc_field


@dataclass(frozen=True)
class Field:
    name: str
    zh: str
    en: str
    kind: str = "str"  # str | text | int | money | date | choice | bool | multi
    choices: dict[str, tuple[str, str]] | None = None
    required: bool = False
    max_len: int = 200
    min: int | None = None
    max: int | None = None
    help_zh: str = ""

    def label(self, locale: str) -> str:
        return self.en if locale == "en" else self.zh

    def choice_label(self, value, locale: str) -> str:
        if not self.choices or value is None:
            return value
        names = [self.choices.get(v, (v, v))[1 if locale == "en" else 0] for v in str(value).split(",") if v]
        return "、".join(names) if locale != "en" else ", ".join(names)


@dataclass(frozen=True)
class ResourceType:
    key: str
    name_zh: str
    name_en: str
    platforms: tuple[str, ...]
    fields: tuple[Field, ...] = dc_field(default_factory=tuple)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_zh


def _c(**pairs):
    """Choices: key=(zh, en)."""
    return dict(pairs)


PLATFORMS = {
    "sharing": ("资源共享平台", "Resource Sharing", "仪器设施、科学数据、生物种质与检测服务的开放共享、预约和双向补贴",
                "Open sharing of instruments, facilities, data and testing services, with booking and subsidy"),
    "trading": ("技术交易平台", "Technology Trading", "科技成果挂牌、技术需求发布、经纪撮合与技术合同登记",
                "Achievement listings, technology demands, brokered deals and contract registration"),
    "startup": ("创业服务平台", "Startup Services", "孵化器、众创空间、中试与开放实验室等创新载体",
                "Incubators, maker spaces, pilot lines and open labs"),
    "finance": ("科技金融平台", "Sci-Tech Finance", "苏科贷、苏科投等科技金融产品与企业融资需求对接",
                "Sci-tech loans, funds and insurance matched with company financing needs"),
    "talent": ("人才服务平台", "Talent Services", "专家人才、科技副总选派与技术咨询",
               "Experts, technology vice-president secondments and consulting"),
    "data": ("数据决策平台", "Data & Decisions", "科技资源普查、利用率与惠及面统计、开放数据",
             "Resource census, utilisation and coverage statistics, open data"),
}

SERVICE_MODES = _c(self_operated=("自主操作", "Self-operated"),
                   sample_submission=("送样检测", "Sample submission"),
                   staff_operated=("机时委托（专人操作）", "Staff-operated"))

_instrument = (
    Field("model", "型号", "Model", required=True, max_len=100),
    Field("manufacturer", "生产厂商", "Manufacturer", required=True, max_len=120),
    Field("country", "产地国别", "Country of origin", max_len=40),
    Field("original_value", "原值（元）", "Original value (CNY)", "money", required=True),
    Field("purchase_date", "购置日期", "Purchase date", "date"),
    Field("category_l1", "一级分类", "Category (level 1)", required=True, max_len=40),
    Field("category_l2", "二级分类", "Category (level 2)", max_len=40),
    Field("category_l3", "三级分类", "Category (level 3)", max_len=40),
    Field("location", "安放地址", "Location", max_len=200),
    Field("functions", "主要功能", "Main functions", "text", max_len=5000),
    Field("specs", "技术指标", "Technical specifications", "text", max_len=5000),
    Field("service_mode", "服务方式", "Service mode", "choice", SERVICE_MODES, required=True),
    Field("price_unit", "计费单位", "Price unit", "choice",
          _c(hour=("按机时（小时）", "per hour"), sample=("按样品", "per sample")), required=True),
    Field("internal_price", "校内/单位内价格（元）", "Internal price (CNY)", "money", required=True),
    Field("external_price", "对外价格（元）", "External price (CNY)", "money", required=True),
    Field("sample_requirements", "样品要求", "Sample requirements", "text", max_len=3000),
    Field("bookable", "开放预约", "Open for booking", "bool"),
)

RESOURCE_TYPES: dict[str, ResourceType] = {t.key: t for t in (
    ResourceType("instrument", "大型科学仪器", "Large scientific instruments", ("sharing",), _instrument),
    ResourceType("facility", "科研设施与开放实验室", "Research facilities and open labs", ("sharing", "startup"), (
        Field("facility_kind", "设施类别", "Facility kind", "choice",
              _c(open_lab=("开放实验室", "Open lab"), pilot_line=("中试线", "Pilot line"),
                 test_field=("试验场", "Test field")), required=True),
        Field("area_m2", "面积（平方米）", "Area (m²)", "int", min=0, max=10_000_000),
        Field("capacity", "容纳人数", "Capacity (people)", "int", min=0, max=1_000_000),
        Field("equipment_list", "主要设备", "Equipment", "text", max_len=5000),
        Field("opening_terms", "开放条件", "Opening terms", "text", max_len=3000),
    )),
    ResourceType("talent", "科技人才", "Science and technology talent", ("talent",), (
        Field("person_name", "姓名", "Name", required=True, max_len=60),
        Field("pro_title", "职称", "Professional title", max_len=60),
        Field("field", "研究领域", "Field", max_len=100),
        Field("institution", "所在单位", "Institution", max_len=120),
        Field("expertise", "专长", "Expertise", "text", max_len=3000),
        Field("achievements", "代表性成果", "Achievements", "text", max_len=5000),
        Field("consulting", "可提供咨询", "Available for consulting", "bool"),
        Field("secondment", "可担任科技副总", "Available for 科技副总 secondment", "bool"),
    )),
    ResourceType("institution", "科研机构", "Research institutions", ("sharing", "talent"), (
        Field("inst_kind", "机构类别", "Kind", "choice",
              _c(key_lab=("重点实验室", "Key laboratory"), engineering_centre=("工程技术研究中心", "Engineering centre"),
                 new_rd_institute=("新型研发机构", "New-type R&D institute")), required=True),
        Field("level", "级别", "Level", "choice",
              _c(national=("国家级", "National"), provincial=("省级", "Provincial")), required=True),
        Field("research_areas", "研究方向", "Research areas", "text", max_len=3000),
        Field("staff_count", "人员规模", "Staff", "int", min=0, max=1_000_000),
    )),
    ResourceType("dataset", "科学数据", "Scientific data", ("sharing", "data"), (
        Field("data_format", "数据格式", "Format", max_len=60),
        Field("data_size", "数据量", "Size", max_len=40),
        Field("licence", "许可协议", "Licence", max_len=60),
        Field("access_level", "获取方式", "Access", "choice",
              _c(open=("开放获取", "Open"), on_request=("申请获取", "On request")), required=True),
        Field("update_frequency", "更新频率", "Update frequency", max_len=40),
        Field("doi", "DOI", "DOI", max_len=120),
    )),
    ResourceType("achievement", "科技成果", "Technology achievements", ("trading",), (
        Field("ip_kind", "知识产权类型", "IP kind", "choice",
              _c(invention_patent=("发明专利", "Invention patent"), utility_model=("实用新型", "Utility model"),
                 software_copyright=("软件著作权", "Software copyright"), know_how=("技术秘密", "Know-how")),
              required=True),
        Field("patent_numbers", "专利号", "Patent numbers", max_len=300),
        Field("trl", "技术成熟度（TRL 1–9）", "Maturity (TRL 1–9)", "int", required=True, min=1, max=9),
        Field("transaction_modes", "交易方式", "Transaction modes", "multi",
              _c(transfer=("转让", "Transfer"), licence=("许可", "Licence"), equity=("作价入股", "Equity"),
                 co_development=("合作开发", "Co-development"))),
        Field("asking_price", "挂牌价（元，空为面议）", "Asking price (CNY, empty = negotiable)", "money"),
        Field("listing_mode", "挂牌方式", "Listing mode", "choice",
              _c(negotiated=("协议转让", "Negotiated"), fixed=("挂牌（按挂牌价成交）", "Fixed price"))),
        Field("state_owned", "国有资产", "State-owned", "bool"),
    )),
    ResourceType("finance", "科技金融", "Sci-tech finance", ("finance",), (
        Field("product_kind", "产品类别", "Product kind", "choice",
              _c(loan=("科技贷款", "Loan"), equity_fund=("股权投资基金", "Equity fund"),
                 insurance=("科技保险", "Insurance"), guarantee=("融资担保", "Guarantee")), required=True),
        Field("amount_min", "额度下限（元）", "Minimum amount (CNY)", "money"),
        Field("amount_max", "额度上限（元）", "Maximum amount (CNY)", "money"),
        Field("rate_terms", "利率与期限", "Rate and terms", "text", max_len=2000),
        Field("eligibility", "申请条件", "Eligibility", "text", max_len=3000),
    )),
    ResourceType("service", "科技服务", "Science and technology services", ("sharing", "trading"), (
        Field("service_kind", "服务类别", "Service kind", "choice",
              _c(testing=("检验检测", "Testing & inspection"), ip_agency=("知识产权代理", "IP agency"),
                 consulting=("科技咨询", "Consulting"), tech_transfer=("技术转移", "Technology transfer")),
              required=True),
        Field("accreditation", "资质认定", "Accreditation", "multi",
              _c(CMA=("CMA", "CMA"), CNAS=("CNAS", "CNAS"))),
        Field("price_terms", "收费标准", "Price terms", "text", max_len=2000),
    )),
    ResourceType("incubator", "创新载体", "Incubators and maker spaces", ("startup",), (
        Field("incubator_kind", "载体类别", "Kind", "choice",
              _c(incubator=("科技企业孵化器", "Incubator"), maker_space=("众创空间", "Maker space"),
                 accelerator=("加速器", "Accelerator"), science_park=("科技园", "Science park")), required=True),
        Field("area_m2", "面积（平方米）", "Area (m²)", "int", min=0, max=10_000_000),
        Field("seats", "工位数", "Seats", "int", min=0, max=1_000_000),
        Field("services_offered", "服务内容", "Services", "text", max_len=3000),
        Field("rent_terms", "租金与入驻条件", "Rent and terms", "text", max_len=2000),
        Field("grade", "级别", "Grade", "choice",
              _c(national=("国家级", "National"), provincial=("省级", "Provincial"),
                 municipal=("市级", "Municipal"))),
    )),
    ResourceType("bioresource", "生物种质与实验材料", "Biological resources and lab materials", ("sharing",), (
        Field("bio_kind", "资源类别", "Kind", "choice",
              _c(strain=("菌（毒）种", "Strain"), cell_line=("细胞系", "Cell line"), germplasm=("种质资源", "Germplasm"),
                 sample_bank=("样本库", "Sample bank"), lab_animal=("实验动物", "Lab animal")), required=True),
        Field("species", "物种", "Species", max_len=120),
        Field("quantity", "数量", "Quantity", "int", min=0, max=10**12),
        Field("storage", "保藏条件", "Storage", max_len=200),
        Field("biosafety_level", "生物安全等级（1–4）", "Biosafety level (1–4)", "int", min=1, max=4),
        Field("supply_terms", "供应条件", "Supply terms", "text", max_len=2000),
    )),
)}

STATUSES = {
    "draft": ("草稿", "Draft"),
    "pending_review": ("待审核", "Pending review"),
    "published": ("已发布", "Published"),
    "rejected": ("已退回", "Rejected"),
    "offline": ("已下线", "Offline"),
    "archived": ("已归档", "Archived"),
}

# Resources of these types are booked through the sharing platform's booking flow.
BOOKABLE_TYPES = ("instrument",)
