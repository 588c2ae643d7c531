"""The lab's corrections within 3 working days: a no-show into completed, a usage record; fee, subsidy,
ledger and census follow, audited, the user told; bad records refused with the form kept; races."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from marketplace.booking import rules
from marketplace.booking import services as bs
from marketplace.booking.models import Booking
from marketplace.core.audit import history
from marketplace.core.db import writing
from marketplace.core.errors import Conflict, DomainError, Forbidden, Invalid
from marketplace.core.timeutil import to_local
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.ledger.models import JournalEntry
from marketplace.notifications.models import Notification
from marketplace.subsidy.models import Programme
from marketplace.subsidy.services import reservation_of
from tests.booking.conftest import iso
from tests.races import race
from tests.subsidy.conftest import World

H = timedelta(hours=1)


@pytest.fixture
def world(app, make_org, make_user, make_resource):
    w = World(make_org, make_user, make_resource)
    w.new_programme()
    return w


def no_show(world):
    """A 2-hour booking at ¥400/h (fee ¥800, SME subsidy 30 % = ¥240) nobody checked in to."""
    b = world.book()
    world.approve(b)
    world.no_show(b)
    db.session.refresh(b)
    assert (b.status, b.fee, b.user_subsidy, b.amount_due) == ("no_show", 80_000, 0, 40_000)
    return b


def correct(world, b, **kw):
    kw.setdefault("reason", "用户实际到场，签到系统故障")
    kw.setdefault("now", b.end + H)
    return world._do(bs.correct_booking, b, actor=world.lab_staff, **kw)


def booking_entries(b):
    return [(e.kind, sum(line.debit for line in e.lines)) for e in db.session.scalars(
        sa.select(JournalEntry).where(JournalEntry.booking_id == b.id).order_by(JournalEntry.id))]


def test_no_show_corrected_to_completed_moves_fee_subsidy_ledger_census(world, client):
    b = no_show(world)
    census = {"year": 2026, "group_by": "instrument"}
    before = client.get("/api/v1/census", query_string=census).get_json()["rows"]
    correct(world, b, status="completed", actual_start=b.start, actual_end=b.start + 1.5 * H)
    db.session.refresh(b)
    # staff-operated: billed on the 1.5 h used; the SME's 30 % subsidy is held again on that fee
    assert (b.status, b.fee, b.user_subsidy, b.cancel_fee, b.amount_due) == ("completed", 60_000, 18_000, None, 42_000)
    res = reservation_of(b)
    assert (res.status, res.reserved) == ("reserved", 18_000)
    assert db.session.get(Programme, world.programme.id).reserved == 18_000
    # reversing entries, never edits: reserved at approval, released at the no-show, reserved again
    assert booking_entries(b) == [("reservation", 24_000), ("release", 24_000), ("reservation", 18_000)]
    tb = ledger.trial_balance()
    assert tb["total_debits"] == tb["total_credits"]
    log = history("booking", b.id)[-1]
    assert (log.action, log.from_state, log.to_state) == ("correct", "no_show", "completed")
    assert "签到系统故障" in log.comment and log.actor_id == world.lab_staff.id
    told = db.session.scalars(sa.select(Notification).where(Notification.user_id == b.user_id)).all()
    assert any("已更正" in n.subject and "¥400.00" in n.body and "¥420.00" in n.body for n in told)
    after = client.get("/api/v1/census", query_string=census).get_json()["rows"]
    key = str(world.instrument.id)
    assert {r["key"]: r["used_hours"] for r in after}[key] == pytest.approx(1.5)
    assert {r["key"]: r["used_hours"] for r in before}.get(key, 0) == 0


def test_usage_correction_lowers_the_fee_and_releases_the_excess(world):
    b = world.book()
    world.approve(b)
    world.complete(b)  # 2 h used: ¥800, subsidy ¥240
    db.session.refresh(b)
    assert (b.fee, b.user_subsidy) == (80_000, 24_000)
    correct(world, b, actual_start=b.start, actual_end=b.start + H, reason="仪器日志显示只用了 1 小时")
    db.session.refresh(b)
    assert (b.status, b.fee, b.user_subsidy, b.payable) == ("completed", 40_000, 12_000, 28_000)
    assert booking_entries(b)[-1] == ("release", 12_000)
    assert history("booking", b.id)[-1].action == "correct"


def test_corrections_are_refused_when_they_should_be(world, make_user):
    b = no_show(world)
    with pytest.raises(Invalid) as err:
        correct(world, b, status="completed", reason=" ")
    assert "reason" in err.value.errors
    with pytest.raises(Invalid) as err:  # a no-show is corrected into completed, with its record
        correct(world, b)
    assert "status" in err.value.errors
    with pytest.raises(Invalid) as err:
        correct(world, b, status="completed", actual_start=b.start + H, actual_end=b.start + H)
    assert "actual_end" in err.value.errors
    with pytest.raises(Invalid) as err:  # ends after "now"
        correct(world, b, status="completed", actual_start=b.start, actual_end=b.end + 3 * H, now=b.end + H)
    assert "actual_end" in err.value.errors
    with pytest.raises(Invalid) as err:  # ended before the slot began
        correct(world, b, status="completed", actual_start=b.start - timedelta(minutes=25),
                actual_end=b.start - timedelta(minutes=5))
    assert "actual_end" in err.value.errors
    with pytest.raises(Forbidden):
        world._do(bs.correct_booking, b, status="completed", reason="x", actor=world.co_user, now=b.end + H)
    late = rules.correction_deadline(b.end, 3)
    with pytest.raises(Conflict):
        correct(world, b, status="completed", now=late)
    db.session.refresh(b)
    assert (b.status, b.amount_due) == ("no_show", 40_000)  # nothing changed
    ok = correct(world, b, status="completed", now=late - timedelta(minutes=1))
    assert ok.status == "completed"
    world.settle_free(b)
    with pytest.raises(Conflict):  # settled: a refund, not a correction
        correct(world, b, actual_start=b.start, actual_end=b.start + H, now=late - timedelta(minutes=1))


def test_three_working_days_follow_the_official_calendar():
    # 2025: National Day and Mid-Autumn off 1–8 October, Saturday 11 October a make-up working day
    ended = datetime(2025, 9, 30, 8, 0)  # 16:00 Beijing time
    assert to_local(rules.correction_deadline(ended, 3)) == to_local(datetime(2025, 10, 11, 16, 0))
    assert rules.correction_deadline(datetime(2026, 12, 1, 1, 0), 3) == datetime(2026, 12, 4, 16, 0)  # Tue → Fri


def test_lab_corrects_through_the_page_and_a_wrong_record_keeps_the_form(world, client, login):
    b = no_show(world)
    login(client, world.lab_staff)
    page = client.get(f"/booking/{b.id}").get_data(as_text=True)
    assert 'id="correct-form"' in page and "更正爽约为已完成" in page
    local = lambda dt: to_local(dt).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    wrong = client.post(f"/booking/{b.id}/correct", data={
        "actual_start": local(b.start + H), "actual_end": local(b.start), "reason": "到场了"})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "实际结束时间必须晚于开始时间" in html
    assert local(b.start + H) in html and "到场了" in html  # the form is kept
    db.session.refresh(b)
    assert b.status == "no_show"


def test_api_correct(world, client, api_token):
    b = no_show(world)
    lab = api_token(world.lab_staff)
    assert client.post(f"/api/v1/bookings/{b.id}/correct", headers=lab, json={"status": "settled", "reason": "x"}
                       ).status_code == 422
    assert client.post(f"/api/v1/bookings/{b.id}/correct", headers=api_token(world.co_user),
                       json={"status": "completed", "reason": "x"}).status_code in (403, 404)
    # the suite clock is before this booking's end: the record cannot end in the future yet
    r = client.post(f"/api/v1/bookings/{b.id}/correct", headers=lab, json={
        "status": "completed", "actual_start": iso(b.start), "actual_end": iso(b.start + H), "reason": "到场"})
    assert r.status_code == 422 and "actual_end" in r.get_json()["errors"]


def test_two_corrections_of_one_no_show_at_once_apply_once(world, app):
    b = no_show(world)
    bid, staff = b.id, [world.lab_staff.id, world.make_user(org=world.lab).id]

    def fix(i):
        from marketplace.accounts.models import User
        with writing():
            booking = db.session.get(Booking, bid)
            bs.correct_booking(booking, status="completed", actual_start=booking.start,
                               actual_end=booking.start + H * (1 + i), reason=f"更正 {i}",
                               actor=db.session.get(User, staff[i]), now=booking.end + H)
            db.session.commit()
            return i

    results = race(app, 2, fix)
    wins = [r for r in results if isinstance(r, int)]
    assert len(wins) == 1 and all(isinstance(r, DomainError) for r in results if not isinstance(r, int))
    b = db.session.get(Booking, bid)
    assert b.fee == 40_000 * (1 + wins[0]) and b.user_subsidy == b.fee * 30 // 100
    assert [k for k, _ in booking_entries(b)] == ["reservation", "release", "reservation"]
    assert db.session.get(Programme, world.programme.id).reserved == b.user_subsidy
    assert [h.action for h in history("booking", bid)].count("correct") == 1


def test_two_usage_corrections_at_once_leave_subsidy_and_budget_agreeing(world, app):
    b = world.book()
    world.approve(b)
    world.complete(b)  # ¥800, subsidy ¥240 reserved
    bid, staff = b.id, [world.lab_staff.id, world.make_user(org=world.lab).id]

    def fix(i):
        from marketplace.accounts.models import User
        with writing():
            booking = db.session.get(Booking, bid)
            bs.correct_booking(booking, actual_start=booking.start, actual_end=booking.start + H * (0.5 + i),
                               reason=f"日志 {i}", actor=db.session.get(User, staff[i]), now=booking.end + H)
            db.session.commit()
            return i

    results = race(app, 2, fix)
    assert results == [0, 1]  # one after the other, each on what the other left
    b = db.session.get(Booking, bid)
    res = reservation_of(b)
    # the subsidy follows the last fee but never rises above what is still reserved (a 0.5 h record first
    # releases ¥180 of the ¥240; a 1.5 h record after it cannot take that back from the budget)
    assert b.fee in (20_000, 60_000)
    assert b.user_subsidy == res.reserved <= b.fee * 30 // 100
    assert db.session.get(Programme, world.programme.id).reserved == res.reserved
    released = sum(amount for kind, amount in booking_entries(b) if kind == "release")
    assert 24_000 - released == res.reserved
