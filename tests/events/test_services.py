"""Events: publishing by staff, registration with a waitlist, promotion on cancellation, check-in."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.core.errors import Forbidden, Invalid, NotFound
from marketplace.core.timeutil import utcnow
from marketplace.events import exports, rules, services
from marketplace.events.models import Event
from marketplace.extensions import db
from marketplace.notifications.models import Notification


def test_only_staff_publish_and_bad_times_are_refused(app, make_event, make_user, staff):
    with pytest.raises(Forbidden):
        services.create_event(actor=make_user(), title="x", kind="fair", city="南京", venue="v", capacity=5,
                              starts_at=utcnow() + timedelta(days=2), ends_at=utcnow() + timedelta(days=3),
                              registration_deadline=utcnow() + timedelta(days=1))
    start = utcnow() + timedelta(days=2)
    with pytest.raises(Invalid) as err:
        services.create_event(actor=staff, title="x", kind="fair", city="南京", venue="v", capacity=5,
                              starts_at=start, ends_at=start - timedelta(hours=1),
                              registration_deadline=utcnow() - timedelta(hours=1))
    assert {"ends_at", "registration_deadline"} <= set(err.value.errors)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0


def test_waitlist_and_promotion_with_notification(make_event, people):
    event = make_event(capacity=2)
    a, b, c, d = people(4)
    assert [services.register(event, actor=u).status for u in (a, b, c, d)] == \
        ["registered", "registered", "waitlisted", "waitlisted"]
    db.session.commit()
    assert services.counts(event) == {"registered": 2, "waitlisted": 2} and event.registered_count == 2
    assert services.register(event, actor=a).status == "registered"  # twice is harmless
    services.unregister(event, actor=a)
    db.session.commit()
    assert services.registration_of(event, c).status == "registered"   # the first waiting
    assert services.registration_of(event, d).status == "waitlisted"
    assert event.registered_count == 2
    assert db.session.scalar(sa.select(Notification.subject).where(Notification.user_id == c.id)
                             .order_by(Notification.id.desc()).limit(1)).startswith("候补转正")
    # A waitlisted person leaving frees no seat.
    services.unregister(event, actor=d)
    assert event.registered_count == 2
    with pytest.raises(NotFound):
        services.unregister(event, actor=d)
    # Coming back after cancelling joins the end of the queue.
    assert services.register(event, actor=a).status == "waitlisted"


def test_registration_deadline_passed(make_event, people):
    event = make_event()
    (a,) = people(1)
    with pytest.raises(Invalid) as err:
        services.register(event, actor=a, now=event.registration_deadline)
    assert "registration_deadline" in err.value.errors


def test_check_in_on_the_day_with_the_code(make_event, people, staff):
    event = make_event(capacity=1)
    a, b = people(2)
    reg = services.register(event, actor=a)
    waiting = services.register(event, actor=b)
    db.session.commit()
    with pytest.raises(Forbidden):
        services.check_in(event, reg.code, actor=a, now=event.starts_at)
    with pytest.raises(Invalid):
        services.check_in(event, reg.code, actor=staff, now=event.starts_at - timedelta(days=1))
    with pytest.raises(Invalid):
        services.check_in(event, waiting.code, actor=staff, now=event.starts_at)
    with pytest.raises(Invalid):
        services.check_in(event, "NOPE1234", actor=staff, now=event.starts_at)
    done = services.check_in(event, reg.code.lower(), actor=staff, now=event.starts_at)
    assert done.checked_in_at == event.starts_at
    rows = exports.attendance_rows(services.attendance(event, actor=staff))
    assert len(rows) == 3 and rows[1][5] == reg.code and rows[1][7]
    assert b"BEGIN:VEVENT" in exports.registration_ics(reg) and reg.code.encode() in exports.registration_ics(reg)
    assert exports.qr_svg("https://example.cn/x").startswith("<")


def test_rules_are_pure():
    now = utcnow()
    assert rules.registration_closed(status="published", registration_deadline=now, now=now)
    assert rules.registration_closed(status="published", registration_deadline=now + timedelta(seconds=1), now=now) is None
    assert rules.registration_closed(status="cancelled", registration_deadline=now + timedelta(days=1), now=now)
    assert rules.can_check_in(starts_at=now, ends_at=now + timedelta(hours=1), now=now - timedelta(hours=2))
    assert not rules.can_check_in(starts_at=now, ends_at=now + timedelta(hours=1), now=now + timedelta(hours=2))
