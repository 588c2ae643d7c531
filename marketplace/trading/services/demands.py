"""Technology demands: post, moderate, list, expire; opt-in notification of new matches."""
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from ...accounts.rules import require_verified_email
from ...core.audit import history
from ...core.db import find
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.permissions import require_login, require_member, require_role
from ...core.reference import CITIES
from ...core.timeutil import LOCAL_TZ, utcnow
from ...extensions import db
from ..models import Demand
from ..rules import is_expired
from ..states import DEMAND

__all__ = [
    "archive_demand",
    "can_edit_demand",
    "can_view_demand",
    "create_demand",
    "demand_action",
    "demand_actions",
    "demand_history",
    "demand_queue",
    "get_demand",
    "list_demands",
    "newest_demands",
    "org_demands",
    "publish_demand",
    "reject_demand",
    "set_demand_watch",
    "submit_demand",
    "take_demand_offline",
    "today_local",
    "update_demand",
]

FIELDS = ("title", "summary", "description", "field", "city", "budget_min", "budget_max", "deadline")


def today_local(now: datetime | None = None) -> date:
    now = now or utcnow()
    return now.replace(tzinfo=UTC).astimezone(LOCAL_TZ).date()


def can_view_demand(demand: Demand, *, actor) -> bool:
    if demand.status == "published":
        return True
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return actor.is_member_of(demand.org_id) or actor.has_role("reviewer")


def can_edit_demand(demand: Demand, *, actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False)
                and (actor.is_member_of(demand.org_id) or actor.has_role("admin"))
                and demand.status in ("draft", "rejected", "offline"))  # never under review: what the
    # reviewer approves is what goes public


def get_demand(demand_id, *, actor=None) -> Demand:
    demand = find(Demand, demand_id)
    if demand is None or not can_view_demand(demand, actor=actor):
        raise NotFound(_("技术需求不存在"))
    return demand


def _clean(data: dict, *, partial: bool = False) -> dict:
    """Cross-field rules the schemas cannot see (the schema already checked types and limits)."""
    out = {k: v for k, v in data.items() if k in FIELDS}
    errors: dict[str, list[str]] = {}
    if "city" in out and out["city"] not in CITIES:
        errors["city"] = [_("请选择江苏省的城市")]
    if "title" in out and not (out["title"] or "").strip():
        errors["title"] = [_("请填写标题")]
    lo, hi = out.get("budget_min"), out.get("budget_max")
    if lo is not None and hi is not None and lo > hi:
        errors["budget_max"] = [_("预算上限不能低于下限")]
    if errors:
        raise Invalid(_("请检查填写的内容"), errors)
    return out


def create_demand(data: dict, *, actor, org_id: int | None = None, now: datetime | None = None) -> Demand:
    """An organisation member posts a demand as a draft (admins may name the organisation)."""
    require_login(actor)
    org_id = org_id if org_id is not None else actor.organisation_id
    if org_id is None:
        raise Forbidden(_("只有单位成员可以发布技术需求"))
    require_member(actor, org_id)
    values = _clean(data)
    if values["deadline"] < today_local(now):
        raise Invalid.field("deadline", _("截止日期不能早于今天"))
    demand = Demand(org_id=org_id, created_by_id=actor.id, status="draft", **values)
    db.session.add(demand)
    db.session.flush()
    from ...core.audit import record
    record("demand", demand.id, "create", actor=actor, to_state="draft")
    return demand


def update_demand(demand: Demand, data: dict, *, actor, now: datetime | None = None) -> Demand:
    if not can_edit_demand(demand, actor=actor):
        if demand.status == "pending_review" and actor is not None and getattr(actor, "is_authenticated", False) \
                and actor.is_member_of(demand.org_id):
            raise Conflict(_("审核中的技术需求不能修改，请等待审核结果"))
        raise Forbidden(_("不能修改此技术需求"))
    values = _clean({**{k: getattr(demand, k) for k in FIELDS}, **data})
    if values["deadline"] < today_local(now):
        raise Invalid.field("deadline", _("截止日期不能早于今天"))
    for k, v in values.items():
        setattr(demand, k, v)
    db.session.flush()
    return demand


def _may(demand: Demand, action: str, *, actor) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if action in ("publish", "reject"):
        return actor.has_role("reviewer")
    return actor.is_member_of(demand.org_id) or actor.has_role("admin")


def demand_actions(demand: Demand, *, actor) -> list[str]:
    return DEMAND.available(demand, lambda a: _may(demand, a, actor=actor))


def _apply(demand: Demand, action: str, *, actor, comment: str | None = None) -> Demand:
    require_login(actor)
    if not _may(demand, action, actor=actor):
        if action in ("publish", "reject"):
            require_role(actor, "reviewer")
        raise Forbidden(_("只有本单位成员可以操作"))
    DEMAND.apply(demand, DEMAND.actions[action], actor=actor, comment=comment, action=action)
    db.session.flush()
    return demand


def submit_demand(demand: Demand, *, actor, now: datetime | None = None) -> Demand:
    require_verified_email(actor=actor)
    if is_expired(demand.deadline, today_local(now)):
        raise Invalid.field("deadline", _("截止日期已过，请先修改截止日期"))
    demand.reject_reason = None
    return _apply(demand, "submit", actor=actor)


def publish_demand(demand: Demand, *, actor, comment: str | None = None, now: datetime | None = None) -> Demand:
    _apply(demand, "publish", actor=actor, comment=comment)
    demand.published_at = now or utcnow()
    from .matching import queue_match_notifications
    queue_match_notifications(demand)
    return demand


def reject_demand(demand: Demand, *, actor, reason: str) -> Demand:
    if not (reason or "").strip():
        raise Invalid.field("reason", _("请填写退回原因"))
    _apply(demand, "reject", actor=actor, comment=reason)
    demand.reject_reason = reason.strip()[:500]
    return demand


def take_demand_offline(demand: Demand, *, actor, comment: str | None = None) -> Demand:
    return _apply(demand, "offline", actor=actor, comment=comment)


def archive_demand(demand: Demand, *, actor) -> Demand:
    return _apply(demand, "archive", actor=actor)


def demand_action(demand: Demand, action: str, *, actor, reason: str | None = None,
                  now: datetime | None = None) -> Demand:
    """One named lifecycle step (the pages' buttons and the API's POST /demands/ID/ACTION)."""
    if action == "submit":
        return submit_demand(demand, actor=actor, now=now)
    if action == "publish":
        return publish_demand(demand, actor=actor, comment=reason, now=now)
    if action == "reject":
        return reject_demand(demand, actor=actor, reason=reason or "")
    if action == "offline":
        return take_demand_offline(demand, actor=actor, comment=reason)
    if action == "archive":
        return archive_demand(demand, actor=actor)
    raise NotFound(_("未知的操作"))


def set_demand_watch(demand: Demand, on: bool, *, actor) -> Demand:
    """The demand's organisation opts in (or out) of notification of new matching achievements."""
    require_member(actor, demand.org_id)
    demand.notify_matches = bool(on)
    if on and demand.matches_checked_at is None:
        demand.matches_checked_at = utcnow()
    db.session.flush()
    return demand


def _public(today: date):
    return sa.select(Demand).where(Demand.status == "published", Demand.deadline >= today)


def list_demands(*, q: str = "", field: str = "", city: str = "", page: int = 1, per_page: int = 20,
                 now: datetime | None = None):
    """Published, unexpired demands; `q` matches title and summary, `field` and `city` filter."""
    stmt = _public(today_local(now))
    if q:
        like = f"%{q.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(sa.or_(Demand.title.ilike(like), Demand.summary.ilike(like)))
    if field:
        stmt = stmt.where(Demand.field == field)
    if city:
        stmt = stmt.where(Demand.city == city)
    stmt = stmt.order_by(Demand.published_at.desc(), Demand.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def newest_demands(limit: int = 6, now: datetime | None = None) -> list[Demand]:
    return list(db.session.scalars(_public(today_local(now)).order_by(Demand.published_at.desc(), Demand.id.desc())
                                   .limit(limit)))


def demand_queue(*, actor, page: int = 1, per_page: int = 20):
    require_role(actor, "reviewer")
    stmt = sa.select(Demand).where(Demand.status == "pending_review").order_by(Demand.updated_at, Demand.id)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def org_demands(*, actor, page: int = 1, per_page: int = 20):
    require_login(actor)
    if actor.organisation_id is None:
        return db.paginate(sa.select(Demand).where(sa.false()), page=page, per_page=per_page, error_out=False)
    stmt = sa.select(Demand).where(Demand.org_id == actor.organisation_id).order_by(Demand.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def demand_history(demand: Demand):
    return history("demand", demand.id)
