"""What trading adds to other domains' pages: the trading platform's section, the achievement panel."""
from flask import url_for

from ...core.i18n import tr
from ..states import (
    CANCEL_REASONS,
    CONTRACT_TYPES,
    DEAL_STATUSES,
    DEMAND_STATUSES,
    LISTING_MODES,
    MODES,
)
from .brokers import is_broker


def is_broker_user(user) -> bool:
    return is_broker(user)


def _name(table, key):
    return tr(table[key]) if key in table else key or ""


def status_name(key):
    return _name(DEAL_STATUSES, key) if key in DEAL_STATUSES else _name(DEMAND_STATUSES, key)


def mode_name(key):
    for table in (MODES, LISTING_MODES, CONTRACT_TYPES, CANCEL_REASONS):
        if key in table:
            return _name(table, key)
    return key or ""


def platform_panel() -> dict:
    """Newest demands and achievements, deals in notice, counts, and the events entry if there is one."""
    from flask import current_app

    from ...catalog.services import newest
    from .deal_lists import deal_counts, notices
    from .demands import newest_demands
    counts = deal_counts()
    events_url = url_for("events.index") if "events.index" in current_app.view_functions else None
    return {"demands": newest_demands(limit=6), "achievements": [r for r in newest(platform="trading", limit=12)
                                                                   if r.type == "achievement"][:6],
            "notices": notices(limit=6), "counts": counts, "open_deals": sum(
                n for s, n in counts.items() if s not in ("completed", "cancelled")),
            "completed": counts.get("completed", 0), "events_url": events_url}


def achievement_panel(resource, *, actor=None) -> dict:
    """The call to action and matching demands on an achievement's page, as `actor` (None: a visitor) sees it."""
    from .matching import demands_for_achievement, watching_achievement
    user = actor if actor is not None and actor.is_authenticated else None
    owner = bool(user and user.is_member_of(resource.owner_org_id))
    return {"matches": demands_for_achievement(resource) if resource.status == "published" else [],
            "owner": owner, "watching": watching_achievement(resource.id, user),
            "fixed": (resource.listing_mode or "negotiated") == "fixed" and resource.asking_price is not None,
            "can_offer": resource.status == "published" and (user is None or not owner or is_broker(user))}
