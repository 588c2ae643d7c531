"""The public subsidy policy (双向补贴政策): the active programme's rules as people and integrators read
them — rates by verified qualification, caps, who qualifies, exclusions, the provider side — and the
estimate a requested booking shows before approval reserves anything. No internals: the budget's
figures stay with finance; the public learns only whether money is left."""
from dataclasses import dataclass

from flask_babel import gettext as _

from ...core.errors import NotFound
from ...core.timeutil import to_local, utcnow
from .. import rules
from .budget import programme_for_year
from .eligibility import Quote, quote

EXAMPLE_FEE = 100_000  # the worked example: a ¥1,000 booking


@dataclass(frozen=True)
class RateRow:
    key: str          # default | sme | sme_high_tech
    rate_bp: int
    example_subsidy: int
    example_payable: int


@dataclass(frozen=True)
class PublicPolicy:
    programme_id: int
    name: str
    year: int
    rates: tuple[RateRow, ...]
    booking_cap: int
    org_year_cap: int
    min_original_value: int
    provider_rate_bp: int
    grade_factors_bp: dict
    ungraded: str
    provider_unit_cap: int
    exclude_internal: bool
    exclude_related: bool
    settlement_period: str
    budget_available: bool
    example_fee: int = EXAMPLE_FEE


def example(rate_bp: int, booking_cap: int, fee: int = EXAMPLE_FEE) -> int:
    """The subsidy of a `fee` booking at `rate_bp`, within the per-booking cap (the rules' rounding)."""
    return min(rules.round_div(fee * rate_bp, rules.BP), booking_cap)


def current_policy(year: int | None = None) -> PublicPolicy | None:
    """The policy of the active programme of `year` (this year in Jiangsu by default), or None."""
    prog = programme_for_year(year or to_local(utcnow()).year)
    if prog is None:
        return None
    p = rules.Policy.of(prog)
    rates = tuple(RateRow(key, bp, example(bp, p.booking_cap), EXAMPLE_FEE - example(bp, p.booking_cap))
                  for key, bp in (("default", p.rate_default_bp), ("sme", p.rate_sme_bp),
                                  ("sme_high_tech", p.rate_sme_high_tech_bp)))
    return PublicPolicy(
        programme_id=prog.id, name=prog.name, year=prog.year, rates=rates, booking_cap=p.booking_cap,
        org_year_cap=p.org_year_cap, min_original_value=p.min_original_value, provider_rate_bp=p.provider_rate_bp,
        grade_factors_bp=dict(p.grade_factors_bp), ungraded=p.ungraded, provider_unit_cap=p.provider_unit_cap,
        exclude_internal=p.exclude_internal, exclude_related=p.exclude_related,
        settlement_period=prog.settlement_period, budget_available=prog.remaining > 0)


def get_policy() -> PublicPolicy:
    policy = current_policy()
    if policy is None:
        raise NotFound(_(rules.REASONS["no_programme"]))
    return policy


def estimate(booking) -> Quote:
    """What a requested booking can expect: the same rules as its approval, for the booking's own
    organisation (not the viewer's), as of the booking's day. Nothing is reserved."""
    return quote(booking.instrument, booking.org, booking.fee, to_local(booking.start))
