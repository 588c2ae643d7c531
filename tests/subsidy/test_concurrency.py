"""20 simultaneous approvals (real threads, real database) against a budget that covers 5:
exactly what fits is reserved and the budget is never overdrawn (SQLite and PostgreSQL)."""
import threading

import pytest
import sqlalchemy as sa

from marketplace import ledger
from marketplace.booking import services as bs
from marketplace.booking.models import Booking
from marketplace.core.db import writing
from marketplace.extensions import db
from marketplace.subsidy.models import Programme, Reservation

N, FITS, EACH = 20, 5, 24_000


@pytest.mark.slow
def test_concurrent_approvals_never_overdraw(app, world):
    prog = world.new_programme(budget=FITS * EACH)
    # different companies, so the yearly cap of one organisation is not what limits them
    users = [world.co_user] + [world.company_user(sme=True) for _ in range(N - 1)]
    ids = [world.book(user=u).id for u in users]
    staff_id = world.lab_staff.id
    barrier = threading.Barrier(N)
    errors = []

    def approve(booking_id):
        with app.app_context():
            try:
                barrier.wait(10)
                with writing():
                    booking = db.session.get(Booking, booking_id)
                    staff = db.session.get(type(world.lab_staff), staff_id)
                    from datetime import timedelta
                    bs.approve_booking(booking, now=booking.start - timedelta(days=1), actor=staff)
                    db.session.commit()
            except Exception as exc:  # pragma: no cover - reported below
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    db.session.rollback()  # end the test thread's read snapshot (SQLite WAL)
    prog = db.session.get(Programme, prog.id)
    granted = db.session.scalars(sa.select(Reservation.reserved).where(Reservation.reserved > 0)).all()
    assert sorted(granted) == [EACH] * FITS
    assert prog.reserved == FITS * EACH and prog.remaining == 0
    subsidies = db.session.scalars(sa.select(Booking.user_subsidy).where(Booking.id.in_(ids))).all()
    assert sum(subsidies) == FITS * EACH and subsidies.count(0) == N - FITS
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reservation)
                             .where(Reservation.reason_code == "budget_exhausted")) == N - FITS
    assert -ledger.balances(programme_id=prog.id)["subsidy_reserved"] == FITS * EACH
    assert ledger.unbalanced_entries() == []


@pytest.mark.slow
def test_concurrent_reversals_of_one_payout_post_one_mirror(app, world, two_providers):
    """Two finance officers reverse the same payout at the same moment: one reversal, owed once."""
    from marketplace.core.errors import Conflict
    from marketplace.ledger.models import JournalEntry
    from marketplace.subsidy.models import Payout
    from marketplace.subsidy.payouts import amounts_owed, pay_out, reverse_payout

    from .test_settlement import paid_booking
    paid_booking(world)
    db.session.commit()
    with writing():
        payout_id = pay_out(world.lab.id, "并发-1", actor=world.finance).id
        db.session.commit()
    finance_id = world.finance.id
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def reverse(reason):
        with app.app_context():
            try:
                barrier.wait(10)
                with writing():
                    actor = db.session.get(type(world.finance), finance_id)
                    reverse_payout(payout_id, reason, actor=actor)
                    db.session.commit()
                outcomes.append("reversed")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            except Exception as exc:  # pragma: no cover - reported below
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=reverse, args=(f"原因 {i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and sorted(outcomes) == ["conflict", "reversed"]
    db.session.rollback()
    assert db.session.get(Payout, payout_id).status == "reversed"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)
                             .where(JournalEntry.kind == "reversal")) == 1
    assert {r["org_id"]: r["total"] for r in amounts_owed()}[world.lab.id] == 80_000
    assert ledger.unbalanced_entries() == []
