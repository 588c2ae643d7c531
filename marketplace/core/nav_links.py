"""The header links of the core pages, each shown only to those who use it.

The predicates ask the same questions the pages' services ask (is the user a member of an
organisation, does it own instruments, does the user hold a role), plus "does this user have any
use for it": a company may list a resource through 我的资源, but is not offered 发布资源 or
预约审批 up front, since companies book rather than provide (DOMAIN.md, roles).
Answers that need the database are remembered for the request.
"""
import sqlalchemy as sa
from flask import g
from flask_babel import lazy_gettext as _l

from . import nav


def _cached(name: str, user, compute):
    key = f"_nav_{name}_{user.id}"
    if key not in g:
        setattr(g, key, compute())
    return getattr(g, key)


def _org_resource_types(user) -> set[str]:
    """Types of the listings the user's organisation owns (any status but archived)."""
    if user.organisation_id is None:
        return set()

    def compute():
        from ..catalog.models import Resource
        from ..extensions import db
        return set(db.session.scalars(
            sa.select(Resource.type).where(Resource.owner_org_id == user.organisation_id,
                                           Resource.status != "archived").distinct()))
    return _cached("types", user, compute)


def provides_resources(user) -> bool:
    """A provider: a member of a lab, university, institute or service organisation, or of any
    organisation that already lists resources."""
    if not nav.org_member(user):
        return False
    org = user.organisation
    return (org is not None and org.kind != "enterprise") or bool(_org_resource_types(user))


def approves_bookings(user) -> bool:
    """The booking queue is the provider's: the user's organisation owns an instrument."""
    return nav.org_member(user) and "instrument" in _org_resource_types(user)


def _is_broker(user) -> bool:
    try:
        from ..trading.services.brokers import is_broker
    except ImportError:  # trading not installed
        return False
    return _cached("broker", user, lambda: is_broker(user))


def _holds_token(user) -> bool:
    def compute():
        from ..accounts.models import ApiToken
        from ..extensions import db
        return db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == user.id).limit(1)) is not None
    return _cached("token", user, compute)


def uses_api(user) -> bool:
    """Personal API tokens serve brokers (deals through the API), providers (listings) and staff;
    a user who already made one keeps the link."""
    return bool(user.roles) or approves_bookings(user) or _is_broker(user) or _holds_token(user)


def register():
    nav.add_link(_l("我的资源"), "catalog.mine", nav.org_member, priority=20)
    nav.add_link(_l("发布资源"), "catalog.choose_type", provides_resources, priority=20)
    nav.add_link(_l("我的预约"), "booking.my_bookings", nav.org_member, priority=10)
    nav.add_link(_l("预约审批"), "booking.queue", approves_bookings, priority=10)
    nav.add_link(_l("资源审核"), "catalog.review", nav.has_role("reviewer"), priority=10)
    nav.add_link(_l("补贴与结算"), "subsidy.dashboard", nav.has_role("finance"), priority=10)
    nav.add_link(_l("向单位付款"), "subsidy.payouts", nav.has_role("finance"), priority=10)
    nav.add_link(_l("API 令牌"), "accounts.tokens", uses_api, priority=90)
