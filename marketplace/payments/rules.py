"""Pure payment rules: is a card's expiry usable, and what a gateway's decline code means to a person.

No app, no database. Decline messages are Chinese source text, stored as a payment's
`failure_message` (a record) and shown translated where they are read (`decline_text`).
"""
import re
from dataclasses import dataclass
from datetime import date


def N_(text: str) -> str:  # noqa: N802  (marks a message for the catalog; translated where it is shown)
    return text


# The most one PaymentIntent may carry: Stripe caps the amount at 8 digits of the minor unit (¥999,999.99).
# Above it a card is never offered: the payer transfers (对公转账) instead.
CARD_CEILING = 99_999_999


def within_card_ceiling(amount: int) -> bool:
    return 0 < amount <= CARD_CEILING


_PAYMENT_METHOD_ID = re.compile(r"(pm|card)_[A-Za-z0-9]{6,64}")


def valid_payment_method_id(value: str) -> bool:
    """A gateway payment method id as its script hands it over (pm_… or, from a token, card_…)."""
    return bool(_PAYMENT_METHOD_ID.fullmatch(value))


GENERIC_DECLINE = N_("银行卡被拒绝，请换一张卡或联系发卡行")

# gateway code (Stripe's `code` / `decline_code`) -> (the card field it concerns, message)
DECLINES: dict[str, tuple[str, str]] = {
    "card_declined": ("number", GENERIC_DECLINE),
    "generic_decline": ("number", GENERIC_DECLINE),
    "do_not_honor": ("number", GENERIC_DECLINE),
    "insufficient_funds": ("number", N_("银行卡被拒绝：余额不足")),
    "expired_card": ("exp_year", N_("银行卡被拒绝：卡已过期")),
    "invalid_expiry_month": ("exp_month", N_("有效期月份无效")),
    "invalid_expiry_year": ("exp_year", N_("有效期年份无效")),
    "incorrect_cvc": ("cvc", N_("银行卡被拒绝：安全码不正确")),
    "invalid_cvc": ("cvc", N_("银行卡被拒绝：安全码不正确")),
    "incorrect_number": ("number", N_("银行卡被拒绝：卡号不正确")),
    "invalid_number": ("number", N_("银行卡被拒绝：卡号不正确")),
    "lost_card": ("number", N_("银行卡被拒绝：该卡已挂失")),
    "stolen_card": ("number", N_("银行卡被拒绝：该卡已挂失")),
    "card_velocity_exceeded": ("number", N_("银行卡被拒绝：超出交易次数或限额")),
    "processing_error": ("number", N_("发卡行处理出错，请稍后重试")),
    "could_not_process": ("number", N_("发卡行处理出错，请稍后重试")),
    "payment_intent_authentication_failure": ("number", N_("银行卡验证未通过，请重试或换一张卡")),
}


@dataclass(frozen=True)
class Decline:
    field: str
    message: str   # Chinese source text (translate where shown)


def decline(code: str | None) -> Decline:
    """What a decline code means: the field to show it next to and the message (generic when unknown)."""
    field, message = DECLINES.get(code or "", ("number", GENERIC_DECLINE))
    return Decline(field, message)


def full_year(year: int) -> int:
    """A two-digit year (30) is 2030, as printed on cards."""
    return year + 2000 if 0 <= year < 100 else year


def expiry_error(exp_month, exp_year, today: date) -> tuple[str, str] | None:
    """(field, message) when the expiry cannot be used, else None. A card is valid through the last
    day of its expiry month; month 1–12; the year as printed (2 or 4 digits)."""
    if isinstance(exp_month, bool) or not isinstance(exp_month, int) or not 1 <= exp_month <= 12:
        return "exp_month", N_("月份应为 1–12")
    if isinstance(exp_year, bool) or not isinstance(exp_year, int):
        return "exp_year", N_("年份无效")
    year = full_year(exp_year)
    if not 2000 <= year <= today.year + 20:
        return "exp_year", N_("年份无效")
    if (year, exp_month) < (today.year, today.month):
        return "exp_year", N_("银行卡已过期（有效期 %(m)02d/%(y)s）")
    return None
