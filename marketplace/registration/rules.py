"""Pure rules of registration: working-day deadlines, amounts, numbers, identifiers, export cells.

No app, no database: unit-tested directly (tests/registration/test_rules.py).
"""
import re
from collections.abc import Callable, Iterable
from datetime import date, timedelta

import chinese_calendar

from ..core import identifiers
from .reference import SUBTYPES, VAT_EXEMPT_TYPES

# -- working days on China's official calendar -------------------------------------------------------


def official_workday(day: date) -> bool | None:
    """True/False from the State Council's holiday notices (via `chinese-calendar`, which carries the
    holidays and the 调休 make-up working days); None for a year the package has no data for yet."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def working_day(day: date, calendar: Callable[[date], bool | None] = official_workday) -> tuple[bool, bool]:
    """(is it a working day, is that only an estimate). Beyond the published notices Monday–Friday is
    assumed and the answer is flagged as provisional, never silently trusted."""
    known = calendar(day)
    if known is None:
        return day.weekday() < 5, True
    return known, False


def add_working_days(start: date, count: int,
                     calendar: Callable[[date], bool | None] = official_workday) -> tuple[date, bool]:
    """The `count`-th working day after `start` (the start day itself is not counted), and whether any
    day counted lies beyond the published calendar (a provisional date)."""
    if count < 1:
        raise ValueError("count must be positive")
    day, seen, provisional = start, 0, False
    while seen < count:
        day += timedelta(days=1)
        works, estimated = working_day(day, calendar)
        provisional = provisional or estimated
        seen += works
    return day, provisional


def review_days(tech_amount: int, *, normal: int = 15, expert: int = 30,
                expert_threshold: int = 500_000_000) -> int:
    """15 working days, or 30 when 技术交易额 ≥ the expert-review threshold (default ¥5,000,000)."""
    return expert if tech_amount >= expert_threshold else normal


def due_date(submitted_on: date, tech_amount: int, *, normal: int = 15, expert: int = 30,
             expert_threshold: int = 500_000_000,
             calendar: Callable[[date], bool | None] = official_workday) -> tuple[date, bool]:
    """The registrar's deadline: the 15th (30th) working day after the day of submission."""
    days = review_days(tech_amount, normal=normal, expert=expert, expert_threshold=expert_threshold)
    return add_working_days(submitted_on, days, calendar)


def working_days_left(today: date, due_on: date,
                      calendar: Callable[[date], bool | None] = official_workday) -> int:
    """Working days from today to the deadline: 0 on the due day, negative once overdue."""
    if due_on == today:
        return 0
    lo, hi, sign = (today, due_on, 1) if due_on > today else (due_on, today, -1)
    count, day = 0, lo
    while day < hi:
        day += timedelta(days=1)
        count += working_day(day, calendar)[0]
    return sign * count


# -- amounts ---------------------------------------------------------------------------------------

def tech_amount(total_amount: int, non_tech_amounts: Iterable[int]) -> int:
    """技术交易额 = 合同成交额 − non-technical items (may come out negative: the caller refuses that)."""
    return total_amount - sum(non_tech_amounts)


def vat_exempt(contract_type: str) -> bool:
    """Registered 技术开发 and 技术转让 contracts qualify for the VAT exemption."""
    return contract_type in VAT_EXEMPT_TYPES


def subtype_error(contract_type: str, subtype: str | None) -> str | None:
    """'required' / 'unknown' / None: types with subtypes need one of theirs; the others take none."""
    allowed = SUBTYPES.get(contract_type, {})
    if not allowed:
        return "unknown" if subtype else None
    if not subtype:
        return "required"
    return None if subtype in allowed else "unknown"


# -- identifiers -----------------------------------------------------------------------------------

normalise_uscc = identifiers.normalise_uscc
city_code_name = identifiers.city_code_name


NUMBER_RE = re.compile(r"\d{14}")


def registration_number(year: int, city_code: str, point: str, serial: int) -> str:
    """YY + 4-digit city code + 2-digit registration point + 6-digit serial: 14 digits."""
    if not (re.fullmatch(r"\d{4}", city_code) and re.fullmatch(r"\d{2}", point) and 0 < serial < 10**6):
        raise ValueError("bad registration number parts")
    return f"{year % 100:02d}{city_code}{point}{serial:06d}"


def number_city(seller_code: str, buyer_code: str, default: str) -> str:
    """The city in the number: the seller's when it is in Jiangsu (the seller side registers), else the
    domestic buyer's (technology imports), else the registration point's default city."""
    for code in (seller_code, buyer_code):
        if code and code.startswith("32"):
            return code
    return default
