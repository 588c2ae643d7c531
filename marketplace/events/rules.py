"""Pure rules of events: who may register when, and what an event must say. No app, no database."""
from datetime import datetime

from flask_babel import lazy_gettext as _l


def event_errors(*, starts_at: datetime, ends_at: datetime, registration_deadline: datetime,
                 capacity: int, now: datetime) -> dict:
    """Field errors of an event's times and capacity (naive UTC)."""
    errors = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _l("结束时间必须晚于开始时间")
    if registration_deadline > ends_at:
        errors["registration_deadline"] = _l("报名截止时间不能晚于活动结束")
    if registration_deadline <= now:
        errors["registration_deadline"] = _l("报名截止时间必须在将来")
    if not 1 <= capacity <= 100000:
        errors["capacity"] = _l("名额应在 1 到 100000 之间")
    return errors


def registration_closed(*, status: str, registration_deadline: datetime, now: datetime) -> str | None:
    """Why a registration is refused now, or None when it is open."""
    if status != "published":
        return _l("活动已取消")
    if now >= registration_deadline:
        return _l("报名已截止")
    return None


def can_check_in(*, starts_at: datetime, ends_at: datetime, now: datetime, early_hours: int = 2) -> bool:
    """Check-in is open on the day: from `early_hours` before the start until the end."""
    from datetime import timedelta
    return starts_at - timedelta(hours=early_hours) <= now <= ends_at
