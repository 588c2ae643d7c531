"""Matching both ways over the search index, and opt-in notification of new matches (after commit)."""
import logging
from datetime import datetime

import sqlalchemy as sa
from flask import has_app_context, url_for
from flask_babel import gettext as _

from ...accounts.models import User
from ...core.i18n import Message as _l
from ...core.jobs import enqueue
from ...core.permissions import require_login
from ...core.timeutil import utcnow
from ...extensions import db
from ..models import AchievementWatch, Demand
from ..search import more_like_this

log = logging.getLogger("marketplace.trading")


def _docsets():
    from ...search.services import index
    return index().docsets()


def _demand_text(d) -> str:
    return "\n".join(x for x in (d.title, d.title, d.summary, d.field, d.description) if x)


def _achievement_text(r) -> str:
    return "\n".join(x for x in (r.title, r.title, r.summary, r.discipline, r.tags, r.description) if x)


def _answer(kind_name: str, pairs) -> list[dict]:
    from ...search.documents import KINDS
    kind = KINDS.get(kind_name)
    return [{"id": f["id"], "title": f.get("title", ""), "score": round(float(s), 4), "city": f.get("city"),
             "price": f.get("price_fen"), "url": kind.url(f["id"]) if kind else ""} for f, s in pairs]


def suggested_for_demand(demand, limit: int = 8) -> list[dict]:
    """Published achievements most like a demand (more-like-this), same field and city ranked up."""
    try:
        ds = _docsets()
        pairs = more_like_this(ds, _demand_text(demand), restrict=ds.term("type", "achievement"),
                               field_word=demand.field, city=demand.city, limit=limit)
    except Exception:  # the page and the API answer without suggestions rather than fail
        log.exception("suggestions for demand %s failed", demand.id)
        return []
    return _answer("resource", pairs)


def demands_for_achievement(resource, limit: int = 6) -> list[dict]:
    """Published demands most like an achievement."""
    try:
        ds = _docsets()
        pairs = more_like_this(ds, _achievement_text(resource), restrict=ds.term("kind", "demand"),
                               field_word=resource.discipline or "", city=resource.city, limit=limit)
    except Exception:
        log.exception("matching demands for achievement %s failed", resource.id)
        return []
    return _answer("demand", pairs)


# -- opt-in notification ---------------------------------------------------------------------------

def watching_achievement(resource_id: int, user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.get(AchievementWatch, (resource_id, user.id)) is not None


def set_achievement_watch(resource, on: bool, *, actor):
    """An owner member of an achievement opts in (or out) of news of matching demands."""
    from ...core.errors import Forbidden
    require_login(actor)
    if not (actor.is_member_of(resource.owner_org_id) or actor.has_role("admin")):
        raise Forbidden(_("只有成果所属单位的成员可以订阅"))
    row = db.session.get(AchievementWatch, (resource.id, actor.id))
    if on and row is None:
        db.session.add(AchievementWatch(resource_id=resource.id, user_id=actor.id))
    elif not on and row is not None:
        db.session.delete(row)
    db.session.flush()


def queue_match_notifications(demand):
    """After the publishing commit (and its indexing): tell watchers of matching achievements (a job)."""
    if not has_app_context():
        return
    enqueue(notify_new_demand, demand.id)


def notify_new_demand(demand_id: int) -> int:
    """The match-notification job: notify watchers of achievements that match a published demand."""
    with db.session.no_autoflush:
        demand = db.session.get(Demand, demand_id)
        if demand is None or demand.status != "published":
            return 0
        ids = [m["id"] for m in suggested_for_demand(demand, limit=20)]
        if not ids:
            return 0
        watchers = db.session.execute(sa.select(AchievementWatch.resource_id, User).join(
            User, User.id == AchievementWatch.user_id).where(AchievementWatch.resource_id.in_(ids))).all()
        from ...notifications.services import notify
        link = _link("trading.demand_detail", demand_id=demand.id)
        for resource_id, user in watchers:
            notify(user, _l("新的技术需求与您的成果匹配：%(title)s", title=demand.title),
                   _l("技术需求“%(title)s”与您关注的成果 #%(id)s 匹配。", title=demand.title, id=resource_id),
                   link)
    return len(watchers)


def _link(endpoint, **kw):
    try:
        return url_for(endpoint, **kw)
    except Exception:  # noqa: BLE001  (outside a request: no link)
        return None


def notify_demand_watchers(now: datetime | None = None) -> int:
    """For each watched demand: achievements published since the last check that match it (sweep)."""
    from ...catalog.models import Resource
    from ...notifications.services import notify
    now = now or utcnow()
    sent = 0
    demands = db.session.scalars(sa.select(Demand).where(Demand.notify_matches.is_(True),
                                                         Demand.status == "published")).all()
    for demand in demands:
        since = demand.matches_checked_at or demand.published_at or now
        matches = suggested_for_demand(demand, limit=20)
        ids = [m["id"] for m in matches]
        new_ids = set(db.session.scalars(sa.select(Resource.id).where(
            Resource.id.in_(ids), Resource.published_at > since))) if ids else set()
        fresh = [m for m in matches if m["id"] in new_ids]
        demand.matches_checked_at = now
        if not fresh:
            continue
        members = db.session.scalars(sa.select(User).where(User.organisation_id == demand.org_id,
                                                           User.active.is_(True))).all()
        titles = "、".join(m["title"] for m in fresh[:5])
        for user in members:
            notify(user, _l("新的科技成果与您的技术需求匹配：%(title)s", title=demand.title),
                   _l("新发布的成果：%(titles)s", titles=titles), _link("trading.demand_detail", demand_id=demand.id))
            sent += 1
    db.session.flush()
    return sent
