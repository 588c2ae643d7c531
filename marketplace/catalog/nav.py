"""Who the catalog's header links are for: providers list resources, owners of instruments approve
bookings. Companies book rather than provide, so they are not offered 发布资源 or 预约审批 up front
(a company may still list a resource through 我的资源). Answers that need the database are
remembered for the request (`nav.remember`)."""
import sqlalchemy as sa

from ..core import nav
from ..extensions import db


def org_resource_types(user) -> set[str]:
    """Types of the listings the user's organisation owns (any status but archived)."""
    if user.organisation_id is None:
        return set()

    def compute():
        from .models import Resource
        return set(db.session.scalars(
            sa.select(Resource.type).where(Resource.owner_org_id == user.organisation_id,
                                           Resource.status != "archived").distinct()))
    return nav.remember("types", user, compute)


def provides_resources(user) -> bool:
    """A provider: a member of a lab, university, institute or service organisation, or of any
    organisation that already lists resources."""
    if not nav.org_member(user):
        return False
    org = user.organisation
    return (org is not None and org.kind != "enterprise") or bool(org_resource_types(user))


def approves_bookings(user) -> bool:
    """The booking queue is the provider's: the user's organisation owns an instrument."""
    return nav.org_member(user) and "instrument" in org_resource_types(user)
