"""Booking services on a real database: lifecycle, fees, signals, notifications, commands."""
import re
from datetime import timedelta

import pytest

from marketplace.booking import services
from marketplace.booking.models import Booking, BookingSettings, Rating
from marketplace.core.audit import history
from marketplace.core.errors import Conflict, Forbidden, Invalid
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from tests.booking.conftest import now_slot, slot


def notes_for(user):
    return db.session.scalars(db.select(Notification).where(Notification.user_id == user.id)).all()


def test_request_approve_checkin_complete_settle(app, instrument, company_user, lab_user):
    s, e = slot(0, 9, 0, 120)
    b = services.request_booking(instrument, s, e, "形貌表征", actor=company_user)
    db.session.commit()
    assert (b.status, b.fee, b.payable, b.internal) == ("requested", 80_000, 80_000, False)
    assert any("新的预约申请" in n.subject for n in notes_for(lab_user))
    services.approve_booking(b, actor=lab_user)
    db.session.commit()
    assert b.status == "approved" and b.decided_by_id == lab_user.id
    assert any("已批准" in n.subject for n in notes_for(company_user))
    services.check_in(b, now=s - timedelta(minutes=5), actor=company_user)
    assert b.status == "in_use" and b.actual_start == s
    # staff-operated per hour: bill the used time recorded by the lab, up to the end + 30 min grace;
    # the hour past it waits for the user's confirmation (issue 9 item 4)
    services.complete_booking(b, actual_end=s + timedelta(hours=3), now=s + timedelta(hours=3), actor=lab_user)
    assert b.status == "completed" and b.fee == 100_000 and b.extension_status == "proposed"
    services.settle_booking(b, "pi_123", actor=None)
    db.session.commit()
    assert b.status == "settled" and b.payment_ref == "pi_123"
    steps = [(h.from_state, h.to_state) for h in history("booking", b.id)]
    assert steps == [(None, "requested"), ("requested", "approved"), ("approved", "in_use"),
                     ("in_use", "completed"), ("completed", "settled")]


def test_self_operated_bills_greater_of_booked_and_used(app, make_resource, lab, lab_user, company_user):
    inst = make_resource("instrument", lab, service_mode="self_operated", external_price=60_000)
    services.qualify_user(inst, company_user.email, actor=lab_user)
    s, e = slot(1, 9, 0, 120)
    b = services.request_booking(inst, s, e, "自主上机", actor=company_user)
    services.approve_booking(b, actor=lab_user)
    services.check_in(b, now=s, actor=company_user)
    services.complete_booking(b, actual_start=s, actual_end=s + timedelta(hours=1), now=s + timedelta(hours=1), actor=lab_user)
    assert b.fee == 120_000  # booked 2 h beats used 1 h


def test_internal_price_for_own_organisation(app, instrument, lab_user):
    s, e = slot(0, 9, 0, 60)
    b = services.request_booking(instrument, s, e, "本单位", actor=lab_user)
    assert b.internal and b.fee == 20_000


def test_sample_pricing(app, make_resource, lab, company_user):
    inst = make_resource("instrument", lab, service_mode="sample_submission", price_unit="sample",
                         external_price=15_000)
    s, e = slot(2, 9, 0, 60)
    assert services.quote_booking(inst, s, e, samples=4, actor=company_user) == 60_000
    with pytest.raises(Invalid) as err:
        services.request_booking(inst, s, e, "送样", samples=None, actor=company_user)
    assert "samples" in err.value.errors


def test_reject_tells_reason(app, instrument, company_user, lab_user):
    b = services.request_booking(instrument, *slot(0, 10), "x", actor=company_user)
    with pytest.raises(Invalid):
        services.reject_booking(b, "  ", actor=lab_user)
    services.reject_booking(b, "仪器校准中", actor=lab_user)
    db.session.commit()
    assert b.reject_reason == "仪器校准中"
    assert any("仪器校准中" in n.body for n in notes_for(company_user))
    # the slot is free again
    services.request_booking(instrument, *slot(0, 10), "再次", actor=company_user)


def test_cancel_free_early_and_late_fee(app, instrument, company_user, lab_user, make_booking):
    b = services.request_booking(instrument, *slot(0, 9), "x", actor=company_user)
    services.approve_booking(b, actor=lab_user)
    services.cancel_booking(b, actor=company_user)
    assert b.status == "cancelled" and b.cancel_fee == 0
    start, end = now_slot(12 * 60)  # starts in 12 h: inside the free-cancel window
    late = make_booking(instrument, company_user, start, end, status="approved")
    services.cancel_booking(late, actor=company_user)
    assert late.cancel_fee == late.fee // 2
    # a provider cancelling charges the user nothing
    other = make_booking(instrument, company_user, start + timedelta(hours=2), end + timedelta(hours=2))
    services.cancel_booking(other, actor=lab_user)
    assert other.cancel_fee == 0
    db.session.commit()
    assert any("已被管理单位取消" in n.body for n in notes_for(company_user))


def test_requires_approval_off_approves_at_once(app, instrument, company_user, lab_user):
    services.update_settings(instrument, opening_hours="0-4 08:30-17:30", requires_approval=False, actor=lab_user)
    b = services.request_booking(instrument, *slot(0, 9), "x", actor=company_user)
    assert b.status == "approved" and b.decided_by_id is None


def test_approval_reserves_the_subsidy_in_its_own_transaction_and_a_refusal_undoes_it(
        app, instrument, company_user, lab_user, monkeypatch):
    """The transition calls the subsidy service itself, after the move is visible in the transaction;
    when the reservation refuses (the budget, say), the approval is undone with it."""
    from marketplace.subsidy import services as subsidy
    seen = []
    reserve = subsidy.reserve_user_subsidy

    def watching(booking, *, actor=None):
        # the state change is visible to a query inside the same transaction
        seen.append((booking.id, db.session.scalar(db.select(Booking.status).where(Booking.id == booking.id)), actor))
        return reserve(booking, actor=actor)

    def refusing(booking, *, actor=None):
        raise Conflict("预算不足 / budget exhausted")

    b = services.request_booking(instrument, *slot(0, 9), "x", actor=company_user)
    db.session.commit()
    monkeypatch.setattr(subsidy, "reserve_user_subsidy", watching)
    services.approve_booking(b, actor=lab_user)
    assert seen == [(b.id, "approved", lab_user)]
    db.session.rollback()
    monkeypatch.setattr(subsidy, "reserve_user_subsidy", refusing)
    with pytest.raises(Conflict):
        services.approve_booking(b, actor=lab_user)
    db.session.rollback()
    assert db.session.get(Booking, b.id).status == "requested"


def test_no_show_command_and_read_time_view(app, instrument, company_user, lab_user, make_booking, runner, login,
                                            client):
    start, end = now_slot(-40)
    b1 = make_booking(instrument, company_user, start, end)
    b2 = make_booking(instrument, company_user, *now_slot(-35 + 24 * 60))  # tomorrow: not overdue
    pending = make_booking(instrument, company_user, *now_slot(-120, 30), status="requested")
    result = runner.invoke(args=["booking", "mark-no-shows"])
    assert "marked 2" in result.output, result.output
    db.session.expire_all()
    assert db.session.get(Booking, b1.id).status == "no_show"
    assert db.session.get(Booking, b1.id).cancel_fee == b1.fee // 2
    assert db.session.get(Booking, b2.id).status == "approved"
    assert db.session.get(Booking, pending.id).status == "rejected"
    # Overdue before the sweep ran: the pages show it as a no-show at once, and a GET writes nothing.
    b3 = make_booking(instrument, company_user, *now_slot(-31 - 60 * 3))
    login(client, company_user)
    page = client.get("/booking/my").get_data(as_text=True)
    row = re.search(rf'<tr data-booking="{b3.id}">.*?</tr>', page, re.S).group(0)
    assert "status-no_show" in row and "爽约" in row
    assert "status-no_show" in client.get("/booking/my?status=no_show").get_data(as_text=True)
    assert f'data-booking="{b3.id}"' not in client.get("/booking/my?status=approved").get_data(as_text=True)
    detail = client.get(f"/booking/{b3.id}").get_data(as_text=True)
    assert "status-no_show" in detail and "签到开始使用" not in detail and "取消预约" not in detail
    login(client, lab_user)
    queue = client.get("/booking/queue?status=no_show").get_data(as_text=True)
    assert f'data-booking="{b3.id}"' in queue
    db.session.expire_all()
    assert db.session.get(Booking, b3.id).status == "approved"  # only the sweep writes
    assert "marked 1" in runner.invoke(args=["booking", "mark-no-shows"]).output
    db.session.expire_all()
    assert db.session.get(Booking, b3.id).status == "no_show"


def test_check_in_window(app, instrument, company_user, lab_user, make_booking, make_user):
    b = make_booking(instrument, company_user, *now_slot(120))
    with pytest.raises(Conflict):
        services.check_in(b, actor=company_user)  # too early
    with pytest.raises(Forbidden):
        services.check_in(b, actor=make_user(email="stranger@test.cn"))
    late = make_booking(instrument, company_user, *now_slot(-45, 30))
    with pytest.raises(Conflict):
        services.check_in(late, actor=company_user)  # past the no-show grace
    ok = make_booking(instrument, company_user, *now_slot(-10, 30))
    services.check_in(ok, actor=company_user)
    assert ok.status == "in_use"


def test_reminders_are_idempotent(app, instrument, company_user, make_booking, runner):
    from datetime import time

    from marketplace.booking.rules import _to_utc, local_date
    tomorrow = local_date(utcnow()) + timedelta(days=1)
    start = _to_utc(tomorrow, time(10))
    make_booking(instrument, company_user, start, start + timedelta(hours=1))
    assert "sent 1" in runner.invoke(args=["booking", "send-reminders"]).output
    assert "sent 0" in runner.invoke(args=["booking", "send-reminders"]).output
    assert sum("提醒" in n.subject for n in notes_for(company_user)) == 1


def test_rating_once_and_averages(app, instrument, company_user, lab_user, make_booking):
    b = make_booking(instrument, company_user, *now_slot(-300), status="completed")
    open_b = make_booking(instrument, company_user, *now_slot(600))
    with pytest.raises(Conflict):
        services.rate_booking(open_b, 5, actor=company_user)
    with pytest.raises(Forbidden):
        services.rate_booking(b, 5, actor=lab_user)
    for score, comment in ((6, ""), (0, ""), (True, ""), ("5", ""), (4.0, ""), (10**30, ""), (4, "好" * 1001),
                           (4, "a\x00b"), (4, 5)):
        with pytest.raises(Invalid) as err:
            services.rate_booking(b, score, comment, actor=company_user)
        assert set(err.value.errors) == ({"score"} if comment == "" else {"comment"}), (score, comment)
    services.rate_booking(b, 4, "  服务很好 ", actor=company_user)
    db.session.commit()
    with pytest.raises(Conflict):
        services.rate_booking(b, 5, actor=company_user)
    db.session.rollback()
    assert services.rating_summary(instrument_id=instrument.id) == (4.0, 1)
    assert b.rating.comment == "服务很好"
    assert services.rating_summary(provider_org_id=instrument.owner_org_id) == (4.0, 1)
    assert db.session.scalar(db.select(db.func.count(Rating.id))) == 1


def test_settings_and_blackouts(app, instrument, lab_user, company_user):
    with pytest.raises(Forbidden):
        services.update_settings(instrument, opening_hours="0-6 00:00-23:30", actor=company_user)
    with pytest.raises(Invalid):
        services.update_settings(instrument, opening_hours="every day", actor=lab_user)
    with pytest.raises(Invalid):
        services.update_settings(instrument, opening_hours="0-4 09:00-17:00", min_minutes=120, max_minutes=60, actor=lab_user)
    services.update_settings(instrument, opening_hours="0-4 09:00-12:00", lead_time_hours=48, actor=lab_user)
    db.session.commit()
    r = services.effective_rules(instrument)
    assert r.lead_time_hours == 48 and len(r.weekly) == 5 and db.session.get(BookingSettings, instrument.id)
    s, e = slot(0, 8, 0, 30)
    lo = s - timedelta(hours=1)
    free = services.availability(instrument, lo, lo + timedelta(days=1))
    assert free[0][0] == s + timedelta(hours=1)  # opens 09:00 now
    services.add_blackout(instrument, s, s + timedelta(days=1), "年度保养", actor=lab_user)
    db.session.commit()
    assert services.availability(instrument, lo, lo + timedelta(days=1)) == []
