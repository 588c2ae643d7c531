"""Lists of deals: a broker's, an organisation's, the public notices, the objections queue, counts."""
import sqlalchemy as sa

from ...core.permissions import require_login, require_role
from ...extensions import db
from ..models import Deal

__all__ = ["broker_deals", "deal_counts", "notices", "objection_queue", "org_deals"]


def broker_deals(*, actor, status: str | None = None):
    require_login(actor)
    stmt = sa.select(Deal).where(Deal.broker_user_id == actor.id)
    if status:
        stmt = stmt.where(Deal.status == status)
    return list(db.session.scalars(stmt.order_by(Deal.updated_at.desc(), Deal.id.desc()).limit(500)))


def org_deals(*, actor):
    require_login(actor)
    if actor.organisation_id is None:
        return []
    org = actor.organisation_id
    stmt = sa.select(Deal).where(sa.or_(Deal.buyer_org_id == org, Deal.seller_org_id == org))
    return list(db.session.scalars(stmt.order_by(Deal.updated_at.desc(), Deal.id.desc()).limit(500)))


def notices(limit: int = 100) -> list[Deal]:
    """Deals in public notice (or paused by an objection), newest first: the public notice list."""
    stmt = sa.select(Deal).where(Deal.status.in_(("public_notice", "objected")))
    return list(db.session.scalars(stmt.order_by(Deal.notice_starts_at.desc(), Deal.id.desc()).limit(limit)))


def objection_queue(*, actor) -> list[Deal]:
    require_role(actor, "reviewer")
    return list(db.session.scalars(sa.select(Deal).where(Deal.status == "objected").order_by(Deal.objected_at)))


def deal_counts() -> dict[str, int]:
    rows = db.session.execute(sa.select(Deal.status, sa.func.count()).group_by(Deal.status)).all()
    return {status: int(n) for status, n in rows}
