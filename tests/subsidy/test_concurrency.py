"""20 simultaneous approvals (real threads, real database) against a budget that covers 5:
exactly what fits is reserved and the budget is never overdrawn (SQLite and PostgreSQL)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace import ledger
from marketplace.booking import services as bs
from marketplace.booking.models import Booking
from marketplace.core.db import writing
from marketplace.extensions import db
from marketplace.subsidy.models import Programme, Reservation
from tests.races import committed, failures, race

N, FITS, EACH = 20, 5, 24_000


@pytest.mark.slow
def test_concurrent_approvals_never_overdraw(app, world):
    prog = world.new_programme(budget=FITS * EACH)
    # different companies, so the yearly cap of one organisation is not what limits them
    users = [world.co_user] + [world.company_user(sme=True) for _ in range(N - 1)]
    ids = [world.book(user=u).id for u in users]
    staff_id = world.lab_staff.id

    @committed
    def approve(i):
        booking = db.session.get(Booking, ids[i])
        staff = db.session.get(type(world.lab_staff), staff_id)
        bs.approve_booking(booking, now=booking.start - timedelta(days=1), actor=staff)

    assert failures(race(app, N, approve)) == []
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
    from marketplace.subsidy.services.payouts import amounts_owed, pay_out, reverse_payout

    from .test_settlement import paid_booking
    paid_booking(world)
    db.session.commit()
    with writing():
        payout_id = pay_out(world.lab.id, "并发-1", actor=world.finance).id
        db.session.commit()
    finance_id = world.finance.id

    @committed
    def reverse(i):
        reverse_payout(payout_id, f"原因 {i}", actor=db.session.get(type(world.finance), finance_id))
        return "reversed"

    results = race(app, 2, reverse)
    assert failures(results, Conflict) == []
    assert sorted("conflict" if isinstance(r, Conflict) else r for r in results) == ["conflict", "reversed"]
    assert db.session.get(Payout, payout_id).status == "reversed"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)
                             .where(JournalEntry.kind == "reversal")) == 1
    assert {r["org_id"]: r["total"] for r in amounts_owed()}[world.lab.id] == 80_000
    assert ledger.unbalanced_entries() == []
