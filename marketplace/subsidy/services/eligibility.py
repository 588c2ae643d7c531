"""Who the subsidy rules see: an organisation's *verified* flags (verification.effective_flags, never
the self-declared ones) and its related parties (verification.related_reason), and the quote a user
sees before booking: the expected subsidy, its rate, and why that rate applies or not."""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from ...core.timeutil import to_local
from .. import rules


def party(org, on: date, other=None) -> rules.Party:
    """The rules' view of `org` on day `on`; `other` is the counterparty checked for a relation."""
    from ...verification.services import effective_flags, related_reason
    if org is None:
        return rules.Party(org_id=0, group_id=0, kind="none", in_province=False)
    flags = effective_flags(org, on)
    related = related_reason(org, other) if other is not None else None
    return rules.Party(org_id=org.id, group_id=org.group_id(), kind=org.kind, in_province=flags.in_province,
                       sme=flags.sme, high_tech=flags.high_tech,
                       related_to=frozenset({other.id}) if related and related != "same_organisation" else frozenset())


def parties(user_org, provider_org, on: date) -> tuple[rules.Party, rules.Party]:
    return party(user_org, on, provider_org), party(provider_org, on)


def parties_of(booking) -> tuple[rules.Party, rules.Party]:
    """The booking's two sides as of the booking's day in Jiangsu."""
    return parties(booking.org, booking.provider_org, to_local(booking.start).date())


@dataclass
class Quote:
    fee: int
    amount: int = 0                   # expected user-side subsidy (fen)
    rate_bp: int = 0
    reason: str | None = None         # why nothing or less (eligibility, caps, budget)
    rate_reason: str | None = None    # why this rate: which verified qualifications count
    relation: str | None = None       # why the parties are related, when they are
    flags: list = field(default_factory=list)   # verification.explain(...) of the user's organisation
    programme: bool = True

    @property
    def payable(self) -> int:
        return self.fee - self.amount


def rate_reason(policy: rules.Policy, user: rules.Party) -> str:
    rate = rules.user_rate_bp(policy, user)
    pct = f"{rate / 100:g}%"
    if user.sme and user.high_tech:
        return _("按 %(pct)s：已核验的科技型中小企业和高新技术企业", pct=pct)
    if user.sme:
        return _("按 %(pct)s：已核验的科技型中小企业（高新技术企业未核验或不在有效期内）", pct=pct)
    return _("按 %(pct)s 基础比例：科技型中小企业资质未核验或不在有效期内", pct=pct)


def quote(instrument, org, fee: int, start_local) -> Quote:
    """What the user can expect before booking (nothing is reserved): the same rules as the approval."""
    from ...verification.services import RELATION_MESSAGES, effective_flags, explain, related_reason
    from .budget import org_used, programme_for_year
    day = start_local.date() if hasattr(start_local, "date") else start_local
    provider = instrument.owner
    q = Quote(fee=fee)
    if org is not None:
        q.flags = explain(effective_flags(org, day))
        rel = related_reason(org, provider)
        if rel and rel != "same_organisation":
            q.relation = str(RELATION_MESSAGES[rel])
    from ...catalog.types import SUBSIDISED_TYPES
    if instrument.type not in SUBSIDISED_TYPES:
        q.reason = _(rules.REASONS["not_subsidised_type"])
        return q
    prog = programme_for_year(day.year)
    if prog is None:
        q.programme, q.reason = False, _(rules.REASONS["no_programme"])
        return q
    policy = rules.Policy.of(prog)
    user, prov = parties(org, provider, day)
    result = rules.user_subsidy(policy, user, prov, instrument.original_value, fee,
                                org_used=org_used(prog.id, user.org_id) if org is not None else 0,
                                budget_remaining=prog.remaining)
    q.amount, q.rate_bp = result.amount, result.rate_bp
    q.reason = _(rules.REASONS[result.reason_code]) if result.reason_code in rules.REASONS else None
    if rules.user_side_ineligibility(policy, user, prov, instrument.original_value) is None:
        q.rate_reason = rate_reason(policy, user)
    return q
