"""A provider's booking settings for one instrument: opening hours and limits, blackouts, qualified users."""
from datetime import time

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ...accounts.models import User
from ...core.audit import record
from ...core.db import find, is_id
from ...core.errors import Forbidden, Invalid, NotFound
from ...core.permissions import require_member
from ...core.schema import Id, LocalDay, Moment, note, text, validated, whole
from ...extensions import db
from .. import rules
from ..models import Blackout, BookingSettings, OpeningHours, Qualification
from .lookups import effective_rules, get_instrument, is_provider_member
from .training import default_valid_until, grant, local_today, qualification_list, trainees


def settings_page(instrument, *, actor) -> dict:
    """What the settings page shows: the rules in force, the stored values, blackouts, qualified users."""
    if not is_provider_member(instrument.owner_org_id, actor=actor):
        raise Forbidden(_("只有本单位成员可以设置"))
    return {
        "rules": effective_rules(instrument),
        "stored": db.session.get(BookingSettings, instrument.id),
        "blackouts": db.session.scalars(db.select(Blackout).where(Blackout.instrument_id == instrument.id)
                                        .order_by(Blackout.start.desc())).all(),
        "quals": qualification_list(instrument),
        "trainees": trainees(instrument),
    }


def get_or_create_settings(instrument) -> BookingSettings:
    s = db.session.get(BookingSettings, instrument.id)
    if s is None:
        s = BookingSettings(instrument_id=instrument.id, requires_approval=True)
        for wd, o, c in rules.parse_weekly_hours(current_app.config["BOOKING_OPENING_HOURS"]):
            s.opening_hours.append(OpeningHours(weekday=wd, opens=o, closes=c))
        db.session.add(s)
        db.session.flush()
    return s


# One range of the weekly editor: (weekday 0=Monday, opens, closes, the form field its errors go to).
WeeklyRange = tuple[whole(0, 6), time | None, time | None, str]


@validated
def update_settings(instrument, *, actor, opening_hours: text(500) | None = None,
                    weekly_ranges: list[WeeklyRange] | None = None,
                    lead_time_hours: whole(0, 8760) | None = None, horizon_days: whole(1, 3660) | None = None,
                    min_minutes: whole(1, 100000) | None = None, max_minutes: whole(1, 100000) | None = None,
                    requires_approval: bool = True, assisted_percent: whole(100, 1000) | None = None
                    ) -> BookingSettings:
    require_member(actor, instrument.owner_org_id)
    lead, horizon, mn, mx, assisted = lead_time_hours, horizon_days, min_minutes, max_minutes, assisted_percent
    if mn and mx and mn > mx:
        raise Invalid.field("max_minutes", _("最长时长不能小于最短时长"))
    weekly = None
    if weekly_ranges is not None:  # the weekly editor; `opening_hours` is the compact "0-4 08:30-17:30"
        weekly = _weekly_rows(weekly_ranges)
    elif opening_hours is not None:
        try:
            weekly = rules.parse_weekly_hours(opening_hours)
        except (ValueError, TypeError):
            raise Invalid.field("opening_hours", _("格式如 “0-4 08:30-17:30; 5 09:00-12:00”（0=周一）")) from None
    s = get_or_create_settings(instrument)
    s.lead_time_hours, s.horizon_days, s.min_minutes, s.max_minutes = lead, horizon, mn, mx
    s.requires_approval = bool(requires_approval)
    s.assisted_percent = assisted
    if weekly is not None:
        s.opening_hours.clear()
        db.session.flush()
        for wd, o, c in weekly:
            s.opening_hours.append(OpeningHours(weekday=wd, opens=o, closes=c))
    record("booking_settings", instrument.id, "update", actor=actor)
    db.session.flush()
    return s


def _weekly_rows(rows) -> list:
    """[(weekday, opens, closes)] from the weekly editor's WeeklyRanges: each range ends after it starts, the
    ranges of a day do not overlap, at least one range in the week. Errors name the range's field."""
    errors: dict[str, list[str]] = {}
    out = []
    for wd, opens, closes, field in rows:
        if opens is None or closes is None:
            errors[field] = [_("请同时填写开始和结束时间")]
        elif closes <= opens:
            errors[field] = [_("结束时间必须晚于开始时间")]
        else:
            out.append((wd, opens, closes, field))
    out.sort()
    for (d1, _o1, c1, _f1), (d2, o2, _c2, f2) in zip(out, out[1:], strict=False):
        if d1 == d2 and o2 < c1:
            errors[f2] = [_("同一天的时段不能重叠")]
    if not out and not errors:
        errors["opening_hours"] = [_("每周至少开放一个时段")]
    if list(errors) == ["opening_hours"]:  # not one range's: said as the message itself
        raise Invalid.field("opening_hours", errors["opening_hours"][0])
    if errors:
        raise Invalid(_("开放时间有误"), errors)
    return [(wd, o, c) for wd, o, c, _f in out]


@validated
def add_blackout(instrument, start: Moment, end: Moment, reason: note(200), *, actor) -> Blackout:
    require_member(actor, instrument.owner_org_id)
    if not reason:
        raise Invalid.field("reason", _("请填写原因"))
    if end <= start:
        raise Invalid.field("end", _("结束时间必须晚于开始时间"))
    b = Blackout(instrument_id=instrument.id, start=start, end=end, reason=reason,
                 created_by_id=actor.id)
    db.session.add(b)
    db.session.flush()
    return b


def remove_blackout(blackout_id, *, actor) -> None:
    b = find(Blackout, blackout_id)
    if b is None:
        raise NotFound(_("停机时段不存在"))
    inst = get_instrument(b.instrument_id, public=False)
    require_member(actor, inst.owner_org_id)
    db.session.delete(b)
    db.session.flush()


@validated
def qualify_user(instrument, email: note(320) = "", *, actor, user_id: Id | None = None,
                 valid_until: LocalDay | None = None) -> Qualification:
    """The lab qualifies a user directly (trained offline), picked by id or by e-mail, until
    `valid_until` (default BOOKING_QUALIFICATION_YEARS from today); again: a renewal."""
    require_member(actor, instrument.owner_org_id)
    user = None
    if user_id is not None:
        user = db.session.get(User, user_id)
        if user is None:
            raise Invalid.field("user_id", _("找不到该用户"))
    else:
        user = db.session.scalar(db.select(User).where(sa.func.lower(User.email) == email.lower())) if email else None
        if user is None:
            raise Invalid.field("email", _("找不到该邮箱的用户"))
    today = local_today()
    if valid_until is not None and not today < valid_until <= today.replace(year=today.year + 10):
        raise Invalid.field("valid_until", _("有效期应晚于今天且不超过十年"))
    grant(instrument.id, user.id, valid_until or default_valid_until(today), actor=actor)
    return db.session.get(Qualification, (instrument.id, user.id))


def revoke_qualification(instrument, user_id, *, actor) -> None:
    require_member(actor, instrument.owner_org_id)
    q = db.session.get(Qualification, (instrument.id, user_id)) if is_id(user_id) else None
    if q is not None:
        db.session.delete(q)
        record("qualification", instrument.id, "revoked", actor=actor, comment=f"user {user_id}")
        db.session.flush()
