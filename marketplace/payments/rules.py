"""Pure payment rules: the card ceiling, a card id's shape, and what a gateway's decline code means to a person.

The card itself is typed into the gateway's script in the browser (payments.card_page): its number, expiry
and security code are checked by the gateway, never by the platform, which sees only the card's id.

No app, no database. Decline messages are Chinese source text, stored as a payment's
`failure_message` (a record) and shown translated where they are read (`decline_text`).
"""
import re
from dataclasses import dataclass


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

# gateway code (Stripe's `code` / `decline_code`) -> (the field it is shown next to: the card, message)
DECLINES: dict[str, tuple[str, str]] = {
    "card_declined": ("payment_method", GENERIC_DECLINE),
    "generic_decline": ("payment_method", GENERIC_DECLINE),
    "do_not_honor": ("payment_method", GENERIC_DECLINE),
    "insufficient_funds": ("payment_method", N_("银行卡被拒绝：余额不足")),
    "expired_card": ("payment_method", N_("银行卡被拒绝：卡已过期")),
    "invalid_expiry_month": ("payment_method", N_("有效期月份无效")),
    "invalid_expiry_year": ("payment_method", N_("有效期年份无效")),
    "incorrect_cvc": ("payment_method", N_("银行卡被拒绝：安全码不正确")),
    "invalid_cvc": ("payment_method", N_("银行卡被拒绝：安全码不正确")),
    "incorrect_number": ("payment_method", N_("银行卡被拒绝：卡号不正确")),
    "invalid_number": ("payment_method", N_("银行卡被拒绝：卡号不正确")),
    "lost_card": ("payment_method", N_("银行卡被拒绝：该卡已挂失")),
    "stolen_card": ("payment_method", N_("银行卡被拒绝：该卡已挂失")),
    "card_velocity_exceeded": ("payment_method", N_("银行卡被拒绝：超出交易次数或限额")),
    "processing_error": ("payment_method", N_("发卡行处理出错，请稍后重试")),
    "could_not_process": ("payment_method", N_("发卡行处理出错，请稍后重试")),
    "payment_intent_authentication_failure": ("payment_method", N_("银行卡验证未通过，请重试或换一张卡")),
}


@dataclass(frozen=True)
class Decline:
    field: str
    message: str   # Chinese source text (translate where shown)


def decline(code: str | None) -> Decline:
    """What a decline code means: the field to show it next to and the message (generic when unknown)."""
    field, message = DECLINES.get(code or "", ("payment_method", GENERIC_DECLINE))
    return Decline(field, message)

