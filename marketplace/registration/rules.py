"""Pure rules of registration: working-day deadlines, amounts, numbers, identifiers, export cells.

No app, no database: unit-tested directly (tests/registration/test_rules.py).
"""
import hmac
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated

from pydantic import Field

from ..core import identifiers
from ..core.workdays import add_working_days, official_workday, working_day, working_days_left  # noqa: F401
from .reference import SUBTYPES, VAT_EXEMPT_TYPES

# -- working days on China's official calendar -------------------------------------------------------


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
Number = Annotated[str, Field(strict=True, pattern=r"^[0-9]{14}$")]  # as typed on the public verify page
# The check code printed on a certificate: 8 characters without look-alikes (0/O, 1/I/L), ~39 bits.
CHECK_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECK_CODE_LENGTH = 8


def new_check_code() -> str:
    return "".join(secrets.choice(CHECK_CODE_ALPHABET) for _ in range(CHECK_CODE_LENGTH))


def check_code_matches(stored: str | None, typed: str | None) -> bool:
    """Whether a typed check code is the certificate's: case, spaces, hyphens and full-width forms forgiven,
    compared in constant time."""
    given = unicodedata.normalize("NFKC", typed or "").upper().replace("-", "").replace(" ", "")
    return bool(stored) and hmac.compare_digest(given.encode("utf-8", "replace"), stored.encode())


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
