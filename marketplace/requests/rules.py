"""Eligibility of each request kind: pure functions of plain facts, no app and no database.

Each returns {field: message} — empty when eligible — so a form shows every problem next to its field.
Amounts are fen; thresholds come in as arguments (the app passes its configuration).
"""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from stdnum.cn import ric

from ..core.money import format_fen

YUAN = 100
# 苏科贷 defaults (DOMAIN.md): revenue < ¥50M → first loan ≤ ¥3M, later ≤ ¥5M; ¥50M–400M → ≤ ¥20M.
# Each band: (revenue from, revenue below, cap of a first loan, cap of a later loan), fen.
DEFAULT_LOAN_BANDS = (
    (0, 50_000_000 * YUAN, 3_000_000 * YUAN, 5_000_000 * YUAN),
    (50_000_000 * YUAN, 400_000_000 * YUAN, 20_000_000 * YUAN, 20_000_000 * YUAN),
)


def _money(fen: int) -> str:
    return format_fen(fen)


# -- loans (e.g. 苏科贷) ------------------------------------------------------------------------------

def loan_cap(revenue: int | None, prior_loans: int, bands=DEFAULT_LOAN_BANDS) -> int | None:
    """The largest loan for a company of this revenue (fen) with `prior_loans` granted before; None when
    the revenue is unknown or outside every band."""
    if revenue is None:
        return None
    for low, high, first, later in bands:
        if low <= revenue < high:
            return first if prior_loans == 0 else later
    return None


@dataclass(frozen=True)
class LoanFacts:
    org_kind: str | None
    in_province: bool
    revenue: int | None          # fen, last year's (verified if there is a verified figure)
    prior_loans: int             # loans granted to the company before
    amount: int                  # fen
    term_months: int
    product_min: int | None = None
    product_max: int | None = None
    bands: tuple = DEFAULT_LOAN_BANDS
    max_term_months: int = 36


def loan(f: LoanFacts) -> dict:
    errors = {}
    if f.org_kind != "enterprise":
        errors["org"] = _l("只有企业可以申请科技贷款")
    elif not f.in_province:
        errors["org"] = _l("只有江苏省内注册的企业可以申请")
    if f.revenue is None:
        errors["revenue"] = _l("请填写上年度营业收入")
    cap = loan_cap(f.revenue, f.prior_loans, f.bands)
    if f.revenue is not None and cap is None:
        errors["revenue"] = _l("营业收入超出该产品支持的范围（%(max)s 以下）", max=_money(f.bands[-1][1]))
    if f.amount <= 0:
        errors["amount"] = _l("申请金额必须大于 0")
    elif cap is not None and f.amount > cap:
        errors["amount"] = _l("按贵企业营业收入档次，本次最多可申请 %(cap)s", cap=_money(cap))
    elif f.product_max and f.amount > f.product_max:
        errors["amount"] = _l("超过该产品的额度上限 %(cap)s", cap=_money(f.product_max))
    elif f.product_min and f.amount < f.product_min:
        errors["amount"] = _l("低于该产品的额度下限 %(min)s", min=_money(f.product_min))
    if not 1 <= f.term_months <= f.max_term_months:
        errors["term_months"] = _l("贷款期限应为 1 到 %(n)s 个月", n=f.max_term_months)
    return errors


# -- equity financing --------------------------------------------------------------------------------

@dataclass(frozen=True)
class EquityFacts:
    org_kind: str | None
    amount: int
    product_min: int | None = None
    product_max: int | None = None


def equity(f: EquityFacts) -> dict:
    errors = {}
    if f.org_kind != "enterprise":
        errors["org"] = _l("只有企业可以提出股权融资需求")
    if f.amount <= 0:
        errors["amount"] = _l("融资金额必须大于 0")
    elif f.product_max and f.amount > f.product_max:
        errors["amount"] = _l("超过该基金的单笔投资上限 %(cap)s", cap=_money(f.product_max))
    elif f.product_min and f.amount < f.product_min:
        errors["amount"] = _l("低于该基金的单笔投资下限 %(min)s", min=_money(f.product_min))
    return errors


# -- sci-tech insurance and financing guarantees ----------------------------------------------------

@dataclass(frozen=True)
class FinanceServiceFacts:
    org_kind: str | None
    amount: int | None
    product_max: int | None = None


def finance_service(f: FinanceServiceFacts) -> dict:
    errors = {}
    if f.org_kind != "enterprise":
        errors["org"] = _l("只有企业可以申请科技保险或融资担保")
    if f.amount is not None and f.product_max and f.amount > f.product_max:
        errors["amount"] = _l("超过该产品的额度上限 %(cap)s", cap=_money(f.product_max))
    return errors


# -- incubation -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IncubationFacts:
    seats_wanted: int
    seats_offered: int | None
    team_size: int


def incubation(f: IncubationFacts) -> dict:
    errors = {}
    if f.team_size < 1:
        errors["team_size"] = _l("团队至少 1 人")
    if f.seats_wanted < 1:
        errors["seats"] = _l("至少需要 1 个工位")
    elif f.seats_offered is not None and f.seats_wanted > f.seats_offered:
        errors["seats"] = _l("该载体共有 %(n)s 个工位", n=f.seats_offered)
    return errors


# -- consulting -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConsultingFacts:
    expert_consults: bool


def consulting(f: ConsultingFacts) -> dict:
    return {} if f.expert_consults else {"resource_id": _l("该专家暂不提供咨询")}


# -- 科技副总 secondment ------------------------------------------------------------------------------

def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def birth_date(id_number: str) -> date | None:
    """The birth date in an 18-digit GB 11643 ID number with a valid check digit, else None.

    Not `ric.validate`: it also wants the region code to have existed in the birth year, which refuses
    real numbers issued later under today's codes (a Nanjing district code and a 1960 birth)."""
    try:
        number = ric.compact(id_number)
        if len(number) != 18 or not number[:-1].isdigit() or number[-1] != ric.calc_check_digit(number):
            return None
        return ric.get_birth_date(number)
    except Exception:  # noqa: BLE001 - stdnum raises several ValidationError subclasses
        return None


@dataclass(frozen=True)
class SecondmentFacts:
    expert_seconds: bool                 # the listing says the expert is available for 科技副总
    birth: date | None                   # from the ID number (rules.birth_date); None when invalid
    degree: str                          # phd | master | bachelor
    senior_title: bool                   # 正高级职称: the exception to "normally PhD"
    sending_kind: str | None             # the sending unit's organisation kind
    company_kind: str | None
    company_in_province: bool
    related: frozenset = field(default_factory=frozenset)  # {"researcher", "sending_unit"} that founded/invested
    term_months: int = 0
    total_pay: int = 0                   # fen
    today: date = date(2000, 1, 1)
    max_age: int = 50
    min_term_months: int = 24
    min_pay: int = 120_000 * YUAN


def secondment(f: SecondmentFacts) -> dict:
    errors = {}
    if not f.expert_seconds:
        errors["resource_id"] = _l("该专家暂不接受科技副总选派")
    born = f.birth
    if born is None:
        errors["id_number"] = _l("身份证号码无效（校验位不符）")
    elif age_on(born, f.today) > f.max_age:
        errors["id_number"] = _l("年龄 %(age)s 岁，超过 %(max)s 岁的上限", age=age_on(born, f.today), max=f.max_age)
    if f.degree != "phd" and not f.senior_title:
        errors["degree"] = _l("科技副总一般应具有博士学位（或正高级职称）")
    if f.sending_kind not in ("university", "research_institute"):
        errors["resource_id"] = _l("派出单位必须是高校或科研院所")
    if f.company_kind != "enterprise":
        errors["org"] = _l("只有企业可以申请科技副总")
    elif not f.company_in_province:
        errors["org"] = _l("用人企业必须在江苏省内注册")
    if "researcher" in f.related:
        errors["related"] = _l("该科研人员创办或投资了贵企业，不能选派")
    elif "sending_unit" in f.related:
        errors["related"] = _l("派出单位创办或投资了贵企业，不能选派")
    if f.term_months < f.min_term_months:
        errors["term_months"] = _l("选派期限不少于 %(n)s 个月", n=f.min_term_months)
    if f.total_pay < f.min_pay:
        errors["total_pay"] = _l("总薪酬不少于 %(min)s", min=_money(f.min_pay))
    return errors


# -- data and materials -----------------------------------------------------------------------------

@dataclass(frozen=True)
class DataAccessFacts:
    access_level: str
    agrees_licence: bool


def data_access(f: DataAccessFacts) -> dict:
    errors = {}
    if f.access_level == "open":
        errors["resource_id"] = _l("该数据开放获取，可直接下载，无需申请")
    if not f.agrees_licence:
        errors["agree_licence"] = _l("请确认遵守数据许可协议")
    return errors


@dataclass(frozen=True)
class MaterialFacts:
    quantity: int
    available: int | None
    biosafety_level: int | None
    requester_org_kind: str | None


def material(f: MaterialFacts) -> dict:
    errors = {}
    if f.quantity < 1:
        errors["quantity"] = _l("数量至少为 1")
    elif f.available is not None and f.quantity > f.available:
        errors["quantity"] = _l("库存仅 %(n)s", n=f.available)
    if (f.biosafety_level or 1) >= 3 and f.requester_org_kind not in ("university", "research_institute"):
        errors["org"] = _l("生物安全三级及以上的材料只向高校和科研院所提供")
    return errors


def deadline_passed(deadline, now) -> bool:
    return deadline is not None and now >= deadline
