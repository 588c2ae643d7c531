"""A refund after the period was settled: the provider subsidy earned on the booking is reversed (the
budget gets it back), the user subsidy too, the booking shows `refunded`, and the books balance."""
import sqlalchemy as sa

from marketplace import ledger
from marketplace.booking.models import Booking
from marketplace.core.db import writing
from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry
from marketplace.payments import services as payments
from marketplace.payments.models import Payment
from marketplace.payments.services import refund_desk
from marketplace.subsidy import services as ss
from marketplace.subsidy.models import Programme
from marketplace.subsidy.services.settlement import settle_period
from tests.cards import card_id
from tests.payments.test_payments import CARD_OK
from tests.subsidy.test_settlement import AFTER_YEAR


def paid(world, hours):
    b = world.book(hours=hours)
    world.approve(b)
    world.complete(b)
    with writing():
        payment = payments.pay_with_payment_method(db.session.get(Booking, b.id), actor=world.co_user,
                                                   payment_method=card_id(CARD_OK))
        db.session.commit()
    assert payment.status == "succeeded"
    return b, payment


def test_a_refund_after_settlement_reverses_the_provider_subsidy(world, gateway_up, client, login):
    with writing():
        ss.set_grade(world.programme, world.lab.id, "A", actor=world.admin)
        db.session.commit()
    two, pay_two = paid(world, 2)     # ¥800 fee, the SME pays ¥560
    paid(world, 3)                    # ¥1,200 fee
    with writing():
        s, _created = settle_period(world.programme, "2026Q4", now=AFTER_YEAR, actor=world.finance)
        db.session.commit()
    assert s.awarded == 40_000        # 20 % × grade A (1.0) × ¥2,000 external income
    lab_payable = -ledger.balances(org_id=world.lab.id)["provider_subsidy_payable"]
    assert lab_payable == 40_000
    committed = db.session.get(Programme, world.programme.id).committed

    with writing():
        refund_desk.refund(pay_two.id, None, "仪器故障，数据无效", actor=world.finance)
        db.session.commit()
    db.session.expire_all()
    booking = db.session.get(Booking, two.id)
    assert booking.status == "refunded"
    assert db.session.get(Payment, pay_two.id).status == "refunded"
    # the lab keeps the subsidy of the booking that stands (¥1,200 → ¥240), not of the refunded one (¥160)
    assert -ledger.balances(org_id=world.lab.id)["provider_subsidy_payable"] == 24_000
    # the programme gets back both subsidies of the refunded booking: the user's ¥240 and the lab's ¥160
    assert db.session.get(Programme, world.programme.id).committed == committed - 24_000 - 16_000
    reversal = db.session.scalars(sa.select(JournalEntry).where(JournalEntry.kind == "reversal",
                                                                JournalEntry.booking_id == two.id)).one()
    assert reversal.settlement_id == s.id
    tb = ledger.trial_balance()
    assert tb["total_debits"] == tb["total_credits"]
    assert ledger.unbalanced_entries() == []
    # what the company sees
    login(client, world.co_user)
    page = client.get(f"/booking/{two.id}").get_data(as_text=True)
    first_badge = page[page.index('class="status status-'):][:60]
    assert "status-refunded" in first_badge  # the booking's own status; "已结算" stays only in its history
    receipt = client.get(f"/payments/bookings/{two.id}/receipt")
    assert receipt.status_code == 200 and "¥560.00" in receipt.get_data(as_text=True)


def test_a_reversal_after_the_payout_is_owed_back_and_offset_at_the_next_payout(world, gateway_up):
    from marketplace.subsidy.services.payouts import amounts_owed, pay_out
    with writing():
        ss.set_grade(world.programme, world.lab.id, "A", actor=world.admin)
        db.session.commit()
    two, pay_two = paid(world, 2)     # ¥800 fee
    paid(world, 3)                    # ¥1,200 fee
    with writing():
        settle_period(world.programme, "2026Q4", now=AFTER_YEAR, actor=world.finance)
        pay_out(world.lab.id, "PZ-2027-001", actor=world.finance)  # ¥2,000 income + ¥400 subsidy paid out
        db.session.commit()
    assert ledger.balances(org_id=world.lab.id).get("provider_subsidy_payable", 0) == 0
    with writing():
        refund_desk.refund(pay_two.id, None, "仪器故障，数据无效", actor=world.finance)
        db.session.commit()
    lab = ledger.balances(org_id=world.lab.id)
    # the ¥160 of provider subsidy already paid out is owed back, not a negative subsidy account
    assert lab.get("provider_subsidy_payable", 0) == 0 and lab["provider_receivable"] == 16_000
    paid(world, 3)                    # new income ¥1,200 (less the refunded ¥800 already paid): ¥160 kept back
    owed = next(r for r in amounts_owed() if r["org_id"] == world.lab.id)
    assert (owed["offset"], owed["owed_back"]) == (16_000, 16_000)
    with writing():
        payout = pay_out(world.lab.id, "PZ-2027-002", actor=world.finance)
        db.session.commit()
    assert (payout.service, payout.subsidy, payout.offset, payout.total) == (40_000, 0, 16_000, 24_000)
    assert ledger.balances(org_id=world.lab.id).get("provider_receivable", 0) == 0
    tb = ledger.trial_balance()
    assert tb["total_debits"] == tb["total_credits"] and ledger.unbalanced_entries() == []
