"""Issue 9 item 4: a usage record stays inside its booking. The start may precede the booking only by
the early check-in window; the end may pass it only by the overrun grace (30 min by default) and the
samples the booked count only by the margin; anything beyond is an extension the user confirms."""
from datetime import datetime, timedelta

import pytest

from marketplace.booking import rules, services
from marketplace.core.errors import Conflict, Forbidden, Invalid
from marketplace.extensions import db
from marketplace.notifications.models import Notification

from .test_services import slot

H = timedelta(hours=1)
M = timedelta(minutes=1)


def test_bound_usage_rule():
    s = datetime(2026, 12, 2, 2, 0)
    booked = (s, s + H)
    kw = dict(early=30 * M, grace=30 * M, margin=2)
    u = rules.bound_usage(booked, None, s, s + H + 30 * M, None, **kw)
    assert (u.end, u.has_extension) == (s + H + 30 * M, False)
    u = rules.bound_usage(booked, None, s - 30 * M, s + 7 * 24 * H, None, **kw)
    assert u.end == s + H + 30 * M and u.extension_end == s + 7 * 24 * H
    with pytest.raises(ValueError):
        rules.bound_usage(booked, None, s - 31 * M, s + H, None, **kw)
    u = rules.bound_usage(booked, 10, s, s + H, 50, **kw)
    assert (u.samples, u.extension_samples) == (12, 50)
    assert rules.bound_usage(booked, 10, s, s + H, 12, **kw).has_extension is False


def _in_use(instrument, company_user, lab_user, hours=1, day=2):
    s, e = slot(day, 9, 0, 60 * hours)
    b = services.request_booking(instrument, s, e, "表征", actor=company_user)
    services.approve_booking(b, actor=lab_user)
    services.check_in(b, now=s, actor=company_user)
    db.session.commit()
    return b, s, e


def test_seven_days_for_one_hour_is_not_billed_silently(app, instrument, company_user, lab_user):
    b, s, e = _in_use(instrument, company_user, lab_user)
    # the case of the issue: one booked hour, a week recorded, starting before the booking
    with pytest.raises(Invalid) as err:
        services.complete_booking(b, actual_start=s - 3 * 24 * H, actual_end=s + 7 * 24 * H,
                                  now=s + 7 * 24 * H, actor=lab_user)
    assert "actual_start" in err.value.errors
    db.session.rollback()
    services.complete_booking(b, actual_start=s, actual_end=s + 7 * 24 * H, now=s + 7 * 24 * H, actor=lab_user)
    db.session.commit()
    assert b.fee == 60_000  # ¥400/h external × (1 h + 30 min grace), not ¥67,600
    assert b.extension_status == "proposed" and b.extension_end == s + 7 * 24 * H
    assert any("请确认延时" in n.subject for n in db.session.scalars(
        db.select(Notification).where(Notification.user_id == company_user.id)))
    # only the booking's user decides; the provider cannot
    with pytest.raises(Forbidden):
        services.decide_extension(b, True, actor=lab_user)
    services.decide_extension(b, False, actor=company_user)
    db.session.commit()
    assert b.extension_status == "declined" and b.fee == 60_000
    with pytest.raises(Conflict):
        services.decide_extension(b, True, actor=company_user)


def test_confirmed_extension_is_billed(app, instrument, company_user, lab_user, client, api_token):
    b, s, e = _in_use(instrument, company_user, lab_user)
    services.complete_booking(b, actual_start=s, actual_end=e + 2 * H, now=e + 2 * H, actor=lab_user)
    db.session.commit()
    assert b.fee == 60_000
    assert client.post(f"/api/v1/bookings/{b.id}/extension/confirm", headers=api_token(lab_user)).status_code == 403
    resp = client.post(f"/api/v1/bookings/{b.id}/extension/confirm", headers=api_token(company_user))
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["extension_status"] == "confirmed" and body["fee"] == 120_000  # 3 h at ¥400
    assert client.post(f"/api/v1/bookings/{b.id}/extension/decline", headers=api_token(company_user)).status_code == 409


def test_within_grace_is_billed_without_asking(app, instrument, company_user, lab_user):
    b, s, e = _in_use(instrument, company_user, lab_user)
    services.complete_booking(b, actual_start=s - 30 * M, actual_end=e + 30 * M, now=e + 30 * M, actor=lab_user)
    assert b.extension_status is None and b.fee == 80_000  # 2 h at ¥400


def test_samples_beyond_booked_need_confirmation(app, make_resource, lab, company_user, lab_user):
    inst = make_resource("instrument", lab, price_unit="sample", external_price=10_000, service_mode="sample_submission")
    s, e = slot(3, 9, 0, 60)
    b = services.request_booking(inst, s, e, "送样", actor=company_user, samples=5)
    services.approve_booking(b, actor=lab_user)
    services.check_in(b, now=s, actor=company_user)
    services.complete_booking(b, actual_samples=40, actual_end=e, now=e, actor=lab_user)
    assert (b.actual_samples, b.extension_samples, b.fee) == (5, 40, 50_000)
    services.decide_extension(b, True, actor=company_user)
    assert b.fee == 400_000


@pytest.mark.slow
def test_confirm_and_decline_at_once_decide_the_extension_once(app, instrument, company_user, lab_user):
    from marketplace.booking.models import Booking
    from marketplace.core.models import AuditLog
    from tests.races import committed, failures, race
    b, s, e = _in_use(instrument, company_user, lab_user)
    services.complete_booking(b, actual_start=s, actual_end=e + 2 * H, now=e + 2 * H, actor=lab_user)
    booking_id, user_id = b.id, company_user.id

    @committed
    def answer(i):
        from marketplace.accounts.models import User
        booking = db.session.get(Booking, booking_id)
        return services.decide_extension(booking, i % 2 == 0, actor=db.session.get(User, user_id)).extension_status

    results = race(app, 4, answer)
    assert failures(results, Conflict) == []
    decided = [r for r in results if isinstance(r, str)]
    assert len(decided) == 1                                         # one answer stands, three are refused
    booking = db.session.get(Booking, booking_id)
    assert booking.extension_status == decided[0]
    assert booking.fee == (120_000 if decided[0] == "confirmed" else 60_000)   # billed by that one answer
    entries = db.session.scalars(db.select(AuditLog.action).where(
        AuditLog.entity == "booking", AuditLog.entity_id == booking_id, AuditLog.action.like("extension_%"))).all()
    assert entries == ["extension_" + decided[0]]
