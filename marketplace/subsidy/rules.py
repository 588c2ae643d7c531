"""Eligibility and amounts of the two-sided subsidy, as pure functions (no app, no database).

All money is int fen, all rates and factors int basis points (10000 bp = 100 %); rounding is
half up and happens once per amount.
"""
from dataclasses import dataclass, field

BP = 10_000


def N_(text: str) -> str:  # noqa: N802  (marks a message for the catalog; translated where it is shown)
    return text


# Why a booking's user subsidy is what it is. Stored in Chinese with the reservation (a record);
# shown translated by its code (`reason_text`).
REASONS = {
    "no_programme": N_("本年度没有有效的补贴计划"),
    "not_enterprise": N_("预约单位不是企业"),
    "out_of_province": N_("预约单位未经核验为省内注册企业"),
    "internal": N_("本单位内部使用不予补贴"),
    "related_party": N_("关联单位使用不予补贴"),
    "below_min_value": N_("仪器原值低于补贴门槛"),
    "zero_fee": N_("费用为零"),
    "booking_cap": N_("已按单次预约补贴上限封顶"),
    "org_cap": N_("本单位年度补贴额度已用完"),
    "org_cap_partial": N_("本单位年度补贴额度不足，仅部分补贴"),
    "budget_exhausted": N_("补贴预算已用完，需支付全部费用"),
    "budget_partial": N_("补贴预算不足，仅部分补贴"),
}


@dataclass(frozen=True)
class Policy:
    """The rules of one programme (a snapshot of its row, or of the configuration defaults)."""

    rate_default_bp: int = 2000
    rate_sme_bp: int = 3000
    rate_sme_high_tech_bp: int = 4000
    booking_cap: int = 2_000_000
    org_year_cap: int = 20_000_000
    min_original_value: int = 30_000_000
    provider_rate_bp: int = 2000
    grade_factors_bp: dict = field(default_factory=lambda: {"A": 10000, "B": 8000, "C": 5000, "D": 0})
    ungraded: str = "D"
    provider_unit_cap: int = 500_000_000
    exclude_internal: bool = True
    exclude_related: bool = True

    @classmethod
    def of(cls, programme) -> "Policy":
        return cls(
            rate_default_bp=programme.rate_default_bp, rate_sme_bp=programme.rate_sme_bp,
            rate_sme_high_tech_bp=programme.rate_sme_high_tech_bp, booking_cap=programme.booking_cap,
            org_year_cap=programme.org_year_cap, min_original_value=programme.min_original_value,
            provider_rate_bp=programme.provider_rate_bp,
            grade_factors_bp={"A": programme.grade_a_bp, "B": programme.grade_b_bp,
                              "C": programme.grade_c_bp, "D": programme.grade_d_bp},
            ungraded=programme.ungraded, provider_unit_cap=programme.provider_unit_cap,
            exclude_internal=programme.exclude_internal, exclude_related=programme.exclude_related)


@dataclass(frozen=True)
class Party:
    """What the rules need to know about an organisation."""

    org_id: int
    group_id: int
    kind: str = "enterprise"
    in_province: bool = True
    sme: bool = False
    high_tech: bool = False
    # Organisations this one is a related party of (verification.related_reason: parent, USCC root,
    # legal representative, shared member), for the pair being judged.
    related_to: frozenset = frozenset()


@dataclass(frozen=True)
class UserSubsidy:
    amount: int               # granted (fen)
    rule_amount: int          # what the rules give before the budget and yearly caps
    rate_bp: int
    reason_code: str | None   # why nothing or less was granted (None when granted in full)

    @property
    def reason(self) -> str | None:
        return REASONS.get(self.reason_code) if self.reason_code else None


def round_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, integers only (non-negative operands)."""
    return (2 * numerator + denominator) // (2 * denominator)


def relation(user: Party, provider: Party) -> str:
    """'internal' (same organisation), 'related_party' (same group, or related as verification finds)
    or 'external'."""
    if user.org_id == provider.org_id:
        return "internal"
    if (user.group_id == provider.group_id or provider.org_id in user.related_to
            or user.org_id in provider.related_to):
        return "related_party"
    return "external"


def excluded_use(policy: Policy, user: Party, provider: Party) -> str | None:
    """The exclusion that applies to this use, if any (both sides)."""
    rel = relation(user, provider)
    if rel == "internal" and policy.exclude_internal:
        return "internal"
    if rel == "related_party" and policy.exclude_related:
        return "related_party"
    if rel == "internal":  # never subsidise a unit for using its own instrument
        return "internal"
    return None


def user_side_ineligibility(policy: Policy, user: Party, provider: Party, original_value: int | None) -> str | None:
    """Why the user side does not apply (a REASONS key), or None when it does."""
    if user.kind != "enterprise":
        return "not_enterprise"
    if not user.in_province:
        return "out_of_province"
    excluded = excluded_use(policy, user, provider)
    if excluded:
        return excluded
    if (original_value or 0) < policy.min_original_value:
        return "below_min_value"
    return None


def user_rate_bp(policy: Policy, user: Party) -> int:
    if user.sme and user.high_tech:
        return policy.rate_sme_high_tech_bp
    if user.sme:
        return policy.rate_sme_bp
    return policy.rate_default_bp


def user_subsidy(policy: Policy, user: Party, provider: Party, original_value: int | None, fee: int,
                 org_used: int, budget_remaining: int) -> UserSubsidy:
    """The user-side subsidy for one booking.

    org_used: the organisation's subsidy already reserved or committed this programme year;
    budget_remaining: budget − reserved − committed of the programme.
    """
    why = user_side_ineligibility(policy, user, provider, original_value)
    if why:
        return UserSubsidy(0, 0, 0, why)
    rate = user_rate_bp(policy, user)
    if fee <= 0:
        return UserSubsidy(0, 0, rate, "zero_fee")
    raw = round_div(fee * rate, BP)
    rule_amount = min(raw, policy.booking_cap)
    reason = "booking_cap" if raw > policy.booking_cap else None
    amount = rule_amount
    org_room = max(0, policy.org_year_cap - org_used)
    if amount > org_room:
        amount, reason = org_room, ("org_cap" if org_room == 0 else "org_cap_partial")
    budget_room = max(0, budget_remaining)
    if amount > budget_room:
        amount, reason = budget_room, ("budget_exhausted" if budget_room == 0 else "budget_partial")
    return UserSubsidy(amount, rule_amount, rate, reason)


def recompute_user_subsidy(policy: Policy, user: Party, provider: Party, original_value: int | None,
                           actual_fee: int, reserved: int) -> UserSubsidy:
    """At completion: the rules applied to the actual fee, never above what was reserved (the
    reservation already holds this booking's room under the budget and the yearly cap)."""
    full = user_subsidy(policy, user, provider, original_value, actual_fee, org_used=0,
                        budget_remaining=reserved)
    if full.amount < full.rule_amount and full.reason_code in ("budget_exhausted", "budget_partial"):
        # Limited by the reservation: keep the reason that limited the reservation.
        return UserSubsidy(full.amount, full.rule_amount, full.rate_bp, None)
    return full


def provider_side_eligible(policy: Policy, user: Party, provider: Party) -> bool:
    """External service income: not internal and (when excluded) not related-party use."""
    return excluded_use(policy, user, provider) is None


def provider_subsidy(policy: Policy, income: int, grade: str | None, awarded_this_year: int) -> int:
    """rate × grade factor of the period's external income, within the yearly per-unit cap."""
    factor = policy.grade_factors_bp[grade or policy.ungraded]
    amount = round_div(income * policy.provider_rate_bp * factor, BP * BP)
    return max(0, min(amount, policy.provider_unit_cap - awarded_this_year))


def prorate(amounts: dict[int, int], available: int) -> dict[int, int]:
    """Scale amounts down to `available` when it is short: floors, then the leftover fen go one
    each to the largest remainders (ties to the smaller key). Sum == min(total, available)."""
    total = sum(amounts.values())
    available = max(0, available)
    if total <= available:
        return dict(amounts)
    shares = {k: divmod(v * available, total) for k, v in amounts.items()}
    result = {k: q for k, (q, _r) in shares.items()}
    leftover = available - sum(result.values())
    for k in sorted(shares, key=lambda k: (-shares[k][1], k))[:leftover]:
        result[k] += 1
    return result


def parse_period(period: str, kind: str = "quarter") -> tuple[int, int, int]:
    """'2026Q4' → (2026, first month, months). Also '2026H1' and '2026'. Raises ValueError."""
    text = (period or "").strip().upper()
    if not text.isascii() or not text[:4].isdigit():  # Unicode digits (²⁰²⁶, ２０２６) are not a year
        raise ValueError(period)
    if kind == "quarter" and len(text) == 6 and text[4] == "Q" and text[5] in "1234":
        return int(text[:4]), 3 * (int(text[5]) - 1) + 1, 3
    if kind == "half" and len(text) == 6 and text[4] == "H" and text[5] in "12":
        return int(text[:4]), 6 * (int(text[5]) - 1) + 1, 6
    if kind == "year" and len(text) == 4 and text.isdigit():
        return int(text), 1, 12
    raise ValueError(period)


VOUCHER_MAX = 40
VOUCHER_CHARS = set("-_/#.:（）()")


def clean_voucher(raw: str | None) -> str:
    """A payout's voucher number as stored: trimmed, inner spaces collapsed; raises ValueError with
    a reason code ("empty", "too_long", "characters") for what no bank voucher looks like."""
    text = " ".join((raw or "").split())
    if not text:
        raise ValueError("empty")
    if len(text) > VOUCHER_MAX:
        raise ValueError("too_long")
    if not any(c.isalnum() for c in text) or any(
            not (c.isalnum() or c == " " or c in VOUCHER_CHARS) or not c.isprintable() for c in text):
        raise ValueError("characters")
    return text
