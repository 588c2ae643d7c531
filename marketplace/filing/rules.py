"""Pure rules of firm filing: checks of an application, filing numbers, report deadlines, scores."""
import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from ..core.identifiers import normalise_ric, normalise_uscc

MIN_MANAGERS = 3
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
NUMBER_FORMAT = "苏技经备〔{year}〕{seq:04d}号"


def format_number(year: int, seq: int) -> str:
    return NUMBER_FORMAT.format(year=year, seq=seq)


# 苏技经备〔2026〕0001号 as people type it: any brackets (〔〕 [] () （） 【】), with or without 苏技经备 and 号,
# or the short form 2026-0001 printed on the certificate.
_TYPED_NUMBER = re.compile(r"(?:苏技经备)?\s*[〔\[(（【]?\s*(\d{4})\s*[〕\])）】\-/\s]?\s*(\d{1,4})\s*号?")


def parse_number(text: str) -> str | None:
    """The canonical filing number of what someone typed, or None."""
    match = _TYPED_NUMBER.fullmatch((text or "").strip()) if len(text or "") <= 40 else None
    return format_number(int(match.group(1)), int(match.group(2))) if match else None


def short_number(number: str) -> str:
    """苏技经备〔2026〕0001号 → 2026-0001: typeable, and what the certificate's verify address carries."""
    match = _TYPED_NUMBER.fullmatch(number or "")
    return f"{match.group(1)}-{int(match.group(2)):04d}" if match else number


def clean_uscc(value: str) -> str:
    """The code as stored: canonical when valid (core.identifiers), else as typed (its error is shown)."""
    return normalise_uscc(value) or (value or "").strip().upper()


def uscc_error(value: str) -> str | None:
    """None when `value` is a valid unified social credit code (GB 32100-2015 check digit)."""
    return None if normalise_uscc(value) else _("统一社会信用代码无效（18 位，校验位不符）")


def clean_id_number(value: str) -> str:
    return normalise_ric(value) or (value or "").strip().upper()


def mask_id_number(value: str) -> str:
    """An ID number as a colleague sees it: the first 3 and last 4 characters (320***********0010)."""
    if not value:
        return ""
    return value[:3] + "*" * max(len(value) - 7, 0) + value[-4:] if len(value) > 7 else "*" * len(value)


def id_number_error(value: str) -> str | None:
    """None when `value` is a valid resident ID number (GB 11643: birth date, place, check digit)."""
    return None if normalise_ric(value) else _("身份证号码无效（18 位，校验位不符）")


REQUIRED_BASIC = ("name", "uscc", "legal_rep", "city", "address", "founded_on", "business_scope", "premises_m2")
REQUIRED_MANAGER = ("name", "email", "id_number", "certificate_no", "level", "degree")


def submission_errors(firm: dict, managers: list[dict], documents: int, today: date) -> dict[str, list[str]]:
    """Everything missing or wrong before a filing may be submitted: {field: [messages]}.

    Manager fields are named `managers.<i>.<field>`; errors about the list as a whole `managers`.
    """
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    for field in REQUIRED_BASIC:
        if firm.get(field) in (None, ""):
            add(field, _("必填"))
    if firm.get("uscc") and (msg := uscc_error(firm["uscc"])):
        add("uscc", msg)
    founded = firm.get("founded_on")
    if founded is not None and founded > today:
        add("founded_on", _("成立日期不能晚于今天"))
    if len(managers) < MIN_MANAGERS:
        add("managers", _("至少需要 %(n)s 名技术经理人", n=MIN_MANAGERS))
    seen_ids, seen_emails = set(), set()
    for i, m in enumerate(managers):
        for field in REQUIRED_MANAGER:
            if m.get(field) in (None, ""):
                add(f"managers.{i}.{field}", _("必填"))
        number = m.get("id_number")
        if number:
            if msg := id_number_error(number):
                add(f"managers.{i}.id_number", msg)
            elif clean_id_number(number) in seen_ids:
                add(f"managers.{i}.id_number", _("同一人不能重复列出"))
            seen_ids.add(clean_id_number(number))
        email = (m.get("email") or "").lower()
        if email and not _EMAIL.fullmatch(email):
            add(f"managers.{i}.email", _("邮箱格式不正确"))
        elif email:
            if email in seen_emails:
                add(f"managers.{i}.email", _("同一邮箱不能重复列出"))
            seen_emails.add(email)
    if documents < 1:
        add("documents", _("请上传营业执照和技术经理人证书等证明材料"))
    return errors


# -- annual reports --------------------------------------------------------------------------------

def report_due(year: int, due_month_day: str = "03-31") -> date:
    """The report on `year` is due on this day of the following year (default 31 March)."""
    month, day = (int(p) for p in due_month_day.split("-"))
    return date(year + 1, month, day)


def sweep_action(today: date, due: date, warn_days=(30, 7)) -> str | None:
    """What the sweep does for a missing report today: 'warn30', 'warn7', 'suspended' or None.

    A run that missed a day still catches up: within 30 days it warns 'warn30', within 7 'warn7',
    after the due date it suspends.
    """
    days = (due - today).days
    if days < 0:
        return "suspended"
    far, near = warn_days
    if days <= near:
        return "warn7"
    if days <= far:
        return "warn30"
    return None


# -- evaluation (100 points) -----------------------------------------------------------------------

PARTS = {"basic": 10, "performance": 30, "capability": 30, "compliance": 20, "reputation": 10}
COMPUTED_COMPLIANCE = 10  # of 规范管理: the annual report filed on time; the other 10 by reviewers


@dataclass
class Score:
    basic: int
    performance: int
    capability: int
    compliance: int
    reputation: int

    @property
    def total(self) -> int:
        return self.basic + self.performance + self.capability + self.compliance + self.reputation

    @property
    def grade(self) -> str:
        return grade_for(self.total)


def grade_for(total: int) -> str:
    """≥ 85 优秀, ≥ 60 合格, else 不合格."""
    if total >= 85:
        return "excellent"
    if total >= 60:
        return "qualified"
    return "unqualified"


def basic_score(managers: int, senior: int, premises_m2: int | None) -> int:
    """基础条件 (10): managers beyond the minimum 3 (up to 4), senior managers (up to 3), premises (3)."""
    points = min(max(managers - MIN_MANAGERS, 0) * 2, 4) + min(senior, 3)
    area = premises_m2 or 0
    points += 3 if area >= 100 else 2 if area >= 50 else 1 if area > 0 else 0
    return min(points, 10)


def performance_score(deals: int, tech_amount_fen: int, enterprises: int) -> int:
    """服务绩效 (30): deals brokered (12), 技术交易额 (12: ¥1M per point), enterprises served (6)."""
    return (min(deals, 12) + min(tech_amount_fen // 100_000_000, 12) + min(enterprises, 6))


def compliance_computed(report_on_time: bool) -> int:
    return COMPUTED_COMPLIANCE if report_on_time else 0


