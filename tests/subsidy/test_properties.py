"""Property tests: random sequences of approve, reject, cancel, no-show, complete, pay, refund and
settle keep the books exact — every entry balances, reserved + committed + remaining = budget,
the budget and the caps are never exceeded, and each booking's subsidy is counted once."""
import os
from datetime import datetime

import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from marketplace import ledger
from marketplace.core.db import writing
from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry
from marketplace.payments import services as ps
from marketplace.payments.models import Payment
from marketplace.payments.services import outcomes as payment_outcomes
from marketplace.subsidy.models import Programme, Reservation
from marketplace.subsidy.services.settlement import settle_period
from tests.subsidy.conftest import World

BUDGET, ORG_CAP, BOOKING_CAP = 100_000, 45_000, 30_000


def _pg():
    return bool(os.environ.get("TEST_DATABASE_URL"))


class FakeGateway:
    """Refunds only (payments in these properties are applied as the gateway would report them)."""

    def create_refund(self, pi_id, amount, idempotency_key):
        return {"id": f"re_{pi_id}", "amount": amount, "status": "succeeded"}


OPS = st.lists(st.tuples(
    st.sampled_from(["book", "book", "advance", "advance", "advance", "advance", "advance", "reject", "cancel",
                     "no_show", "refund", "settle"]),
    st.integers(0, 3), st.integers(1, 4)), min_size=3, max_size=30)
NEXT = {"requested": "approve", "approved": "complete", "completed": "pay"}


def check_invariants(prog_id, org_ids):
    db.session.rollback()
    prog = db.session.get(Programme, prog_id)
    db.session.refresh(prog)
    assert prog.reserved >= 0 and prog.committed >= 0 and prog.remaining >= 0
    assert prog.reserved + prog.committed + prog.remaining == prog.budget == BUDGET
    assert ledger.unbalanced_entries() == []
    bal = ledger.balances(programme_id=prog_id)
    assert -bal.get("budget", 0) == prog.remaining
    assert -bal.get("subsidy_reserved", 0) == prog.reserved
    assert -(bal.get("user_subsidy_payable", 0) + bal.get("provider_subsidy_payable", 0)) == prog.committed
    tb = ledger.trial_balance()
    assert tb["total_debits"] == tb["total_credits"] and sum(tb["accounts"].values()) == 0
    rows = db.session.execute(sa.select(Reservation.user_org_id, sa.func.sum(Reservation.reserved + Reservation.committed),
                                        sa.func.max(Reservation.reserved + Reservation.committed))
                              .group_by(Reservation.user_org_id)).all()
    for _org, used, biggest in rows:
        assert used <= ORG_CAP and biggest <= BOOKING_CAP
    sums = db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(Reservation.reserved), 0),
                                        sa.func.coalesce(sa.func.sum(Reservation.committed), 0))).one()
    # committed = user side (reservations) + provider side (settlements)
    assert sums[0] == prog.reserved and sums[1] <= prog.committed
    # counted once: one reservation entry and at most one net payment per booking
    per_booking = db.session.execute(
        sa.select(JournalEntry.booking_id, JournalEntry.kind, sa.func.count())
        .where(JournalEntry.booking_id.is_not(None)).group_by(JournalEntry.booking_id, JournalEntry.kind)).all()
    for _b, kind, n in per_booking:
        if kind in ("reservation", "subsidy_commitment", "provider_income", "payment", "refund"):
            assert n == 1, (kind, n)


# The books must balance whatever the database: the full run is PostgreSQL's, SQLite runs a smoke of it.
@settings(max_examples=25 if _pg() else 5, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=OPS)
def test_random_sequences_keep_the_books_exact(app, empty_database, make_org, make_user, make_resource, ops):
    empty_database()  # every example starts from an empty database
    app.config["PAYMENT_GATEWAY_FACTORY"] = FakeGateway
    w = World(make_org, make_user, make_resource)
    prog = w.new_programme(budget=BUDGET, org_year_cap=ORG_CAP, booking_cap=BOOKING_CAP)
    with writing():
        from marketplace.subsidy.services import set_grade
        set_grade(prog, w.lab.id, "B", actor=w.admin)
        db.session.commit()
    users = [w.co_user, w.company_user(sme=True, high_tech=True), w.company_user(),
             w.make_user(org=w.make_org(kind="enterprise", parent_id=w.lab.id))]
    org_ids = [u.organisation_id for u in users]
    bookings = []
    for op, i, n in ops:
        if op == "book" or not bookings:
            bookings.append(w.book(user=users[i % len(users)], hours=n))
            continue
        b = bookings[i % len(bookings)]
        db.session.refresh(b)
        before = b.status
        if op == "advance":
            op = NEXT.get(b.status, "refund")
        try:
            if op == "approve" and b.status == "requested":
                w.approve(b)
            elif op == "reject" and b.status == "requested":
                w.reject(b)
            elif op == "cancel" and b.status in ("requested", "approved"):
                w.cancel(b)
            elif op == "no_show" and b.status == "approved":
                w.no_show(b)
            elif op == "complete" and b.status == "approved":
                w.complete(b, used_hours=n)
            elif op == "pay" and b.status == "completed":
                _pay(w, b)
            elif op == "refund" and b.status == "settled":
                p = db.session.scalar(sa.select(Payment).where(Payment.booking_id == b.id,
                                                               Payment.status == "succeeded"))
                if p is not None:
                    with writing():
                        ps.refund_payment(p, actor=w.finance)
                        db.session.commit()
                    event("did refund")
            elif op == "settle":
                with writing():
                    settle_period(prog, "2026Q4", now=datetime(2027, 1, 5), actor=w.finance)
                    db.session.commit()
        finally:
            db.session.rollback()
        db.session.refresh(b)
        if b.status != before or op == "settle":
            event(f"did {op}")
        check_invariants(prog.id, org_ids)
    db.session.remove()


def _pay(w, b):
    """Pay as the gateway would report a success (or settle at once when nothing is payable)."""
    from marketplace.booking import services as bs
    with writing():
        if b.payable == 0:
            bs.settle_booking(b, f"subsidy-{b.id}", actor=w.co_user)
        else:
            p = Payment(booking_id=b.id, amount=b.payable, idempotency_key=f"k{b.id}",
                        payment_intent_id=f"pi_prop_{b.id}", status="confirming")
            db.session.add(p)
            db.session.flush()
            assert payment_outcomes._succeed(p, actor=b.user)
            assert not payment_outcomes._succeed(p, actor=b.user)  # a second report of the same success changes nothing
        db.session.commit()

