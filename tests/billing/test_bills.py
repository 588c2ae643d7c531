"""Closing monthly bills: one bill per paying organisation with the exact total, idempotent, safe
under two concurrent closes, overdue by date, reminders once each, bookings on a bill not paid alone."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.billing import rules
from marketplace.billing.models import Bill, BillLine
from marketplace.billing.services import sweeps
from marketplace.booking import services as bs
from marketplace.booking.models import Booking
from marketplace.core.errors import Conflict, Invalid
from marketplace.extensions import db
from marketplace.ledger import trial_balance
from marketplace.notifications.models import Notification
from marketplace.payments import services as payments
from tests.races import race

from .conftest import JANUARY, at, close, completed, do


def test_a_month_of_bookings_makes_one_bill_with_the_exact_total(world):
    # ¥400 an hour; the company is an SME: 30 % user subsidy
    two, three, one = completed(world, 2, 3, 1)
    other = world.company_user(name="无锡某公司")
    theirs, = completed(world, 4, user=other)
    with at(JANUARY):
        report = close()
    assert len(report.bills) == 2
    bill = db.session.scalar(sa.select(Bill).where(Bill.org_id == world.company.id))
    assert bill.period == "2026-12" and bill.status == "open"
    lines = {x.booking_id: (x.fee, x.user_subsidy, x.net) for x in bill.lines}
    assert lines == {two.id: (80_000, 24_000, 56_000), three.id: (120_000, 36_000, 84_000),
                     one.id: (40_000, 12_000, 28_000)}
    assert (bill.fee, bill.user_subsidy, bill.total) == (240_000, 72_000, 168_000)
    assert bill.due_on == date(2027, 1, 30)  # 30 days after 31 December
    assert rules.valid_remittance_code(bill.remittance_code) and bill.remittance_code.startswith("JS")
    theirs_bill = db.session.scalar(sa.select(Bill).where(Bill.org_id == other.organisation_id))
    assert [x.booking_id for x in theirs_bill.lines] == [theirs.id]


def test_closing_again_changes_nothing_and_an_unfinished_month_is_refused(world, runner):
    completed(world, 2)
    with pytest.raises(Invalid) as err:
        close()  # 30 November: December is not over
    assert "month" in err.value.errors
    with at(JANUARY):
        first = runner.invoke(args=["billing", "close", "--month", "2026-12"])
        again = runner.invoke(args=["billing", "close", "--month", "2026-12"])
        bad = runner.invoke(args=["billing", "close", "--month", "2026-13"])
    assert first.exit_code == 0, first.output
    assert "1 bills closed" in first.output and "¥560.00" in first.output
    assert again.exit_code == 0 and "0 bills closed" in again.output
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Bill)) == 1


@pytest.mark.parametrize("n", [2])
def test_two_concurrent_closes_make_one_bill(app, world, n):
    completed(world, 2, 1)
    other = world.company_user()
    completed(world, 3, user=other)
    with at(JANUARY):
        results = race(app, n, lambda i: len(close().bills))
    assert not [r for r in results if isinstance(r, Exception)], [getattr(r, "tb", r) for r in results]
    assert sum(results) == 2  # two bills in all, whoever made them
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Bill)) == 2
    lines = db.session.scalars(sa.select(BillLine.booking_id)).all()
    assert len(lines) == len(set(lines)) == 3


def test_a_late_cancellation_fee_is_billed_and_a_free_cancellation_owes_nothing(world):
    b, = completed(world, 2)
    free = world.book(hours=1)
    world.cancel(free)  # two days ahead: free
    late = world.book(hours=2)
    world.approve(late)
    do(bs.cancel_booking, late, actor=world.co_user, now=late.start - timedelta(hours=1))
    late = db.session.get(Booking, late.id)
    assert late.cancel_fee > 0
    with at(JANUARY):
        close()
    bill = db.session.scalar(sa.select(Bill))
    assert {x.booking_id: (x.kind, x.net) for x in bill.lines} == {b.id: ("booking", 56_000),
                                                                   late.id: ("cancel_fee", late.cancel_fee)}
    assert bill.total == 56_000 + late.cancel_fee


def test_overdue_by_date_and_reminders_before_on_and_after(world):
    completed(world, 2)
    with at(JANUARY):
        close()
    bill = db.session.scalar(sa.select(Bill))
    member_notes = sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == world.co_user.id)
    before = db.session.scalar(member_notes)
    assert do(sweeps.send_reminders, today=date(2027, 1, 22)) == 0   # 8 days before: nothing yet
    assert do(sweeps.send_reminders, today=date(2027, 1, 23)) == 1   # 7 days before
    assert do(sweeps.send_reminders, today=date(2027, 1, 23)) == 0   # once
    assert do(sweeps.mark_overdue, today=date(2027, 1, 30)) == 0     # due today: not overdue yet
    assert do(sweeps.send_reminders, today=date(2027, 1, 30)) == 1   # on the due date
    assert do(sweeps.mark_overdue, today=date(2027, 1, 31)) == 1
    db.session.refresh(bill)
    assert bill.status == "overdue"
    assert do(sweeps.send_reminders, today=date(2027, 2, 6)) == 1    # 7 days after
    assert db.session.scalar(member_notes) == before + 3
    assert do(sweeps.mark_overdue, today=date(2027, 2, 6)) == 0


def test_a_booking_on_a_bill_is_paid_with_the_bill_not_alone(world, gateway_up):
    b, = completed(world, 2)
    assert payments.allowed_actions(b, actor=world.co_user) == ["pay"]
    with at(JANUARY):
        close()
    b = db.session.get(Booking, b.id)
    assert payments.allowed_actions(b, actor=world.co_user) == []
    with pytest.raises(Conflict) as err:
        do(payments.start_payment, b, actor=world.co_user)
    assert "2026-12" in err.value.detail


def test_the_scheduler_job_closes_last_month_once(world):
    completed(world, 2)
    with at(JANUARY):
        first = do(sweeps.daily)
        second = do(sweeps.daily)
    assert first["closed"] == 1 and second["closed"] == 0
    assert trial_balance()["total_debits"] == trial_balance()["total_credits"]
