"""The ten resource types and six platforms, described once.

Each type's own fields are declared here; the models, forms, detail pages and API serialisers are
all derived from these declarations, so adding a field is a one-line change (plus a migration).
"""
from dataclasses import dataclass
from dataclasses import field as dc_field

from ..core.i18n import N_, NC_, tr
from ..core.reference import DISCIPLINES
from . import taxonomy


def _locale() -> str:
    from flask_babel import get_locale
    return str(get_locale() or "zh")


@dataclass(frozen=True)
class Field:
    name: str
    zh: str
    kind: str = "str"  # str | text | int | money | date | choice | bool | multi
    choices: dict[str, str] | None = None
    required: bool = False
    max_len: int = 200
    min: int | None = None
    max: int | None = None
    help_zh: str = ""
    options: tuple[str, ...] | None = None  # names the form offers as a select (the API keeps text)

    def label(self, locale: str | None = None) -> str:
        """The field's name in the interface language (the catalog holds the English)."""
        return tr(self.zh)

    def choice_label(self, value, locale: str | None = None) -> str:
        """Chosen values' names: in the interface language, or the Chinese data with locale="zh"."""
        if not self.choices or value is None:
            return value
        names = [self.choices.get(v, v) for v in str(value).split(",") if v]
        if locale == "zh":
            return "、".join(names)
        names = [tr(n) for n in names]
        return ", ".join(names) if str(locale or _locale()) == "en" else "、".join(names)


@dataclass(frozen=True)
class ResourceType:
    key: str
    name_zh: str
    platforms: tuple[str, ...]
    fields: tuple[Field, ...] = dc_field(default_factory=tuple)

    def name(self, locale: str | None = None) -> str:
        """The type's name in the interface language (the catalog holds the English)."""
        return tr(self.name_zh)


def _c(**pairs):
    """Choices: key=Chinese name (marked for the catalog)."""
    return dict(pairs)


PLATFORMS = {
    "sharing": (N_("资源共享平台"), N_("仪器设施、科学数据、生物种质与检测服务的开放共享、预约和双向补贴")),
    "trading": (N_("技术交易平台"), N_("科技成果挂牌、技术需求发布、经纪撮合与技术合同登记")),
    "startup": (N_("创业服务平台"), N_("孵化器、众创空间、中试与开放实验室等创新载体")),
    "finance": (N_("科技金融平台"), N_("苏科贷、苏科投等科技金融产品与企业融资需求对接")),
    "talent": (N_("人才服务平台"), N_("专家人才、科技副总选派与技术咨询")),
    "data": (N_("数据决策平台"), N_("科技资源普查、利用率与惠及面统计、开放数据")),
}

SERVICE_MODES = _c(self_operated=N_("自主操作"),
                   sample_submission=N_("送样检测"),
                   staff_operated=N_("机时委托（专人操作）"))

PRICE_UNITS = _c(hour=N_("按机时（小时）"), sample=N_("按样品"))


def _rate_card(units: tuple[str, ...], required: bool) -> tuple[Field, ...]:
    """The booking engine's rate card, declared once for every bookable type: the unit and the internal
    (own organisation) and external prices in fen. A type books only when its rate card is filled in."""
    return (
        Field("price_unit", N_("计费单位"), "choice", {u: PRICE_UNITS[u] for u in units},
              required=required),
        Field("internal_price", N_("校内/单位内价格（元）"), "money", required=required),
        Field("external_price", N_("对外价格（元）"), "money", required=required),
    )


_instrument = (
    Field("model", N_("型号"), required=True, max_len=100),
    Field("manufacturer", N_("生产厂商"), required=True, max_len=120),
    Field("country", N_("产地国别"), max_len=40),
    Field("original_value", N_("原值（元）"), "money", required=True),
    Field("purchase_date", N_("购置日期"), "date"),
    # the national instrument classification (catalog.taxonomy): selects, one path, never free text
    # The national instrument classification (catalog.taxonomy): text columns whose `choices` (value ->
    # the level above, the select's group) make the form a select and the service refuse anything else.
    Field("category_l1", N_("一级分类"), "str", taxonomy.parents(1), required=True, max_len=40),
    Field("category_l2", N_("二级分类"), "str", taxonomy.parents(2), max_len=40),
    Field("category_l3", N_("三级分类"), "str", taxonomy.parents(3), max_len=40),
    Field("location", N_("安放地址"), max_len=200),
    Field("functions", N_("主要功能"), "text", max_len=5000),
    Field("specs", N_("技术指标"), "text", max_len=5000),
    Field("service_mode", N_("服务方式"), "choice", SERVICE_MODES, required=True),
    *_rate_card(("hour", "sample"), required=True),
    Field("sample_requirements", N_("样品要求"), "text", max_len=3000),
    Field("bookable", N_("开放预约"), "bool"),
)

RESOURCE_TYPES: dict[str, ResourceType] = {t.key: t for t in (
    ResourceType("instrument", N_("大型科学仪器"), ("sharing",), _instrument),
    ResourceType("facility", N_("科研设施与开放实验室"), ("sharing", "startup"), (
        Field("facility_kind", N_("设施类别"), "choice",
              _c(open_lab=N_("开放实验室"), pilot_line=N_("中试线"),
                 test_field=N_("试验场")), required=True),
        Field("area_m2", N_("面积（平方米）"), "int", min=0, max=10_000_000),
        Field("capacity", N_("容纳人数"), "int", min=0, max=1_000_000),
        Field("equipment_list", N_("主要设备"), "text", max_len=5000),
        Field("opening_terms", N_("开放条件"), "text", max_len=3000),
        # A facility is booked by the hour as a space (no sample counts); optional: not every facility books.
        *_rate_card(("hour",), required=False),
        Field("bookable", N_("开放预约"), "bool"),
    )),
    ResourceType("talent", N_("科技人才"), ("talent",), (
        Field("person_name", N_("姓名"), required=True, max_len=60),
        Field("pro_title", N_("职称"), max_len=60),
        Field("field", N_("研究领域"), max_len=100, options=DISCIPLINES),
        Field("institution", N_("所在单位"), max_len=120),
        Field("expertise", N_("专长"), "text", max_len=3000),
        Field("achievements", N_("代表性成果"), "text", max_len=5000),
        Field("consulting", N_("可提供咨询"), "bool"),
        Field("secondment", N_("可担任科技副总"), "bool"),
    )),
    ResourceType("institution", N_("科研机构"), ("sharing", "talent"), (
        Field("inst_kind", N_("机构类别"), "choice",
              _c(key_lab=N_("重点实验室"), engineering_centre=N_("工程技术研究中心"),
                 new_rd_institute=N_("新型研发机构")), required=True),
        Field("level", N_("级别"), "choice",
              _c(national=N_("国家级"), provincial=N_("省级")), required=True),
        Field("research_areas", N_("研究方向"), "text", max_len=3000),
        Field("staff_count", N_("人员规模"), "int", min=0, max=1_000_000),
    )),
    ResourceType("dataset", N_("科学数据"), ("sharing", "data"), (
        Field("data_format", N_("数据格式"), max_len=60),
        Field("data_size", N_("数据量"), max_len=40),
        Field("licence", N_("许可协议"), max_len=60),
        Field("access_level", N_("获取方式"), "choice",
              _c(open=N_("开放获取"), on_request=N_("申请获取")), required=True),
        Field("update_frequency", N_("更新频率"), max_len=40),
        Field("doi", "DOI", max_len=120),
    )),
    ResourceType("achievement", N_("科技成果"), ("trading",), (
        Field("ip_kind", N_("知识产权类型"), "choice",
              _c(invention_patent=N_("发明专利"), utility_model=N_("实用新型"),
                 software_copyright=N_("软件著作权"), know_how=N_("技术秘密")),
              required=True),
        Field("patent_numbers", N_("专利号"), max_len=300),
        Field("trl", N_("技术成熟度（TRL 1–9）"), "int", required=True, min=1, max=9),
        Field("transaction_modes", N_("交易方式"), "multi",
              _c(transfer=N_("转让"), licence=N_("许可"), equity=N_("作价入股"),
                 co_development=N_("合作开发"))),
        Field("asking_price", N_("挂牌价（元，空为面议）"), "money"),
        Field("listing_mode", N_("挂牌方式"), "choice",
              _c(negotiated=N_("协议转让"), fixed=N_("挂牌（按挂牌价成交）"), auction=N_("网络竞价"))),
        Field("state_owned", N_("国有资产"), "bool"),
    )),
    ResourceType("finance", N_("科技金融"), ("finance",), (
        Field("product_kind", N_("产品类别"), "choice",
              _c(loan=N_("科技贷款"), equity_fund=N_("股权投资基金"),
                 insurance=N_("科技保险"), guarantee=N_("融资担保")), required=True),
        Field("amount_min", N_("额度下限（元）"), "money"),
        Field("amount_max", N_("额度上限（元）"), "money"),
        Field("rate_terms", N_("利率与期限"), "text", max_len=2000),
        Field("eligibility", N_("申请条件"), "text", max_len=3000),
    )),
    ResourceType("service", N_("科技服务"), ("sharing", "trading"), (
        Field("service_kind", N_("服务类别"), "choice",
              _c(testing=N_("检验检测"), ip_agency=N_("知识产权代理"),
                 consulting=N_("科技咨询"), tech_transfer=N_("技术转移")),
              required=True),
        Field("accreditation", N_("资质认定"), "multi",
              _c(CMA="CMA", CNAS="CNAS")),
        Field("price_terms", N_("收费标准"), "text", max_len=2000),
    )),
    ResourceType("incubator", N_("创新载体"), ("startup",), (
        Field("incubator_kind", N_("载体类别"), "choice",
              _c(incubator=N_("科技企业孵化器"), maker_space=N_("众创空间"),
                 accelerator=N_("加速器"), science_park=N_("科技园")), required=True),
        Field("area_m2", N_("面积（平方米）"), "int", min=0, max=10_000_000),
        Field("seats", N_("工位数"), "int", min=0, max=1_000_000),
        Field("services_offered", N_("服务内容"), "text", max_len=3000),
        Field("rent_terms", N_("租金与入驻条件"), "text", max_len=2000),
        Field("grade", N_("级别"), "choice",
              _c(national=N_("国家级"), provincial=N_("省级"),
                 municipal=N_("市级"))),
    )),
    ResourceType("bioresource", N_("生物种质与实验材料"), ("sharing",), (
        Field("bio_kind", N_("资源类别"), "choice",
              _c(strain=N_("菌（毒）种"), cell_line=N_("细胞系"), germplasm=N_("种质资源"),
                 sample_bank=N_("样本库"), lab_animal=N_("实验动物")), required=True),
        Field("species", N_("物种"), max_len=120),
        Field("quantity", N_("数量"), "int", min=0, max=10**12),
        Field("storage", N_("保藏条件"), max_len=200),
        Field("biosafety_level", N_("生物安全等级（1–4）"), "int", min=1, max=4),
        Field("supply_terms", N_("供应条件"), "text", max_len=2000),
    )),
)}

STATUSES = {
    "draft": N_("草稿"),
    "pending_review": N_("待审核"),
    "published": N_("已发布"),
    "rejected": NC_("review status", "已退回"),
    "offline": N_("已下线"),
    "archived": N_("已归档"),
}

# Resources of these types are booked through the sharing platform's booking engine (availability,
# overlap, approval, fees); each declares the rate card and `bookable` above. A type without a
# `service_mode` (a facility) is used by the booker in person: billed like a self-operated instrument
# (the greater of booked and used time), admitted by the provider's approval, not a per-user training.
BOOKABLE_TYPES = ("instrument", "facility")
# The two-sided subsidy is the instrument-sharing programme's (大型科学仪器共享双向补贴, DOMAIN.md):
# bookings of other types pay the full fee and earn no provider-side subsidy.
SUBSIDISED_TYPES = ("instrument",)

# -- edits of a published listing ------------------------------------------------------------------
# A published listing's fields are material unless named here: a material change (what the public is
# told, charged or subsidised on: title, texts, city and platforms, prices and every money field such
# as an instrument's original value, the subsidy threshold; models, kinds, grades, terms) waits for a
# reviewer as a revision, while the published version stays public. Every public text is material too
# (tags, discipline and contacts are searchable and shown: changed at once they would publish unreviewed
# text, a contact redirecting the public elsewhere). The fields below are counts and switches that apply
# at once. A field added to a type is material until listed here.
NON_MATERIAL_FIELDS: dict[str, frozenset[str]] = {
    "*": frozenset(),
    "instrument": frozenset({"bookable"}),
    "facility": frozenset({"capacity", "bookable"}),
    "institution": frozenset({"staff_count"}),
    "incubator": frozenset({"seats"}),
    "bioresource": frozenset({"quantity"}),
}


def is_material(type_key: str, name: str) -> bool:
    """Whether a change of `name` on a published listing of this type waits for review."""
    return name not in NON_MATERIAL_FIELDS["*"] and name not in NON_MATERIAL_FIELDS.get(type_key, frozenset())
