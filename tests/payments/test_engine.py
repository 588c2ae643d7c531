"""One payment engine for every purpose: the same checkout, webhook, reconcile and status moves pay a
booking and a deal instalment (a REAL localstripe). Each core test runs once per purpose."""
import json
import time
from datetime import datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace import ledger
from marketplace.booking.models import Booking
from marketplace.core.audit import history
from marketplace.core.errors import Conflict, Invalid
from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry
from marketplace.payments import services as ps
from marketplace.payments.gateway import Gateway, sign
from marketplace.payments.models import Payment
from marketplace.payments.services.lookups import move
from marketplace.trading import services as trading
from marketplace.trading.models import DealInstalment, DealLedgerEntry
from tests.cards import card_id
from tests.trading.conftest import make_firm, schedule

DEAL_NOW = datetime(2026, 12, 1, 2, 0)  # naive UTC


def _fresh(model, ident):
    return db.session.execute(sa.select(model).where(model.id == ident)
                              .execution_options(populate_existing=True)).scalar_one()


@pytest.fixture
def booking_subject(world):
    """A completed booking owing 56,000 fen, paid by its company's user."""
    b = world.book(hours=2)
    world.approve(b)
    world.complete(b)
    db.session.commit()

    def paid_once():
        booking = _fresh(Booking, b.id)
        entries = db.session.scalars(sa.select(JournalEntry).where(JournalEntry.booking_id == b.id,
                                                                   JournalEntry.kind == "payment")).all()
        return booking.status == "settled" and len(entries) == 1

    return SimpleNamespace(purpose="booking", target=lambda: _fresh(Booking, b.id), payer=world.co_user,
                           amount=56_000, paid_once=paid_once)


@pytest.fixture
def instalment_subject(app, make_org, make_user, make_resource):
    """The first instalment (500,000 fen) of a signed brokered deal, paid by the buyer."""
    seller = make_org(name="南京某研究院", kind="university")
    buyer = make_org(name="常州某制造公司", kind="enterprise", city="常州")
    seller_user, buyer_user = make_user(seller), make_user(buyer)
    firm_org = make_org(name="某技术转移事务所", kind="service_firm")
    broker = make_user(firm_org)
    make_firm(firm_org, broker)
    achievement = make_resource("achievement", seller, title="高温合金涂层工艺", state_owned=False)
    deal = trading.create_deal(actor=broker, mode="transfer", amount=1_000_000, achievement_id=achievement.id,
                                buyer_org_id=buyer.id, seller_org_id=seller.id, now=DEAL_NOW)
    for member in (buyer_user, seller_user):  # both parties confirm the broker's mandate
        trading.confirm_mandate(deal, actor=member, now=DEAL_NOW)
    trading.make_offer(deal, actor=seller_user, amount=1_000_000, now=DEAL_NOW)
    trading.accept_offer(deal, actor=buyer_user, now=DEAL_NOW)
    trading.sign_deal(deal, actor=broker, contract_type="transfer", total_amount=1_000_000, tech_amount=900_000,
                       instalments=schedule(1_000_000), now=DEAL_NOW)
    db.session.commit()
    inst_id = deal.instalments[0].id

    def paid_once():
        links = db.session.scalars(sa.select(DealLedgerEntry).where(DealLedgerEntry.instalment_id == inst_id)).all()
        return _fresh(DealInstalment, inst_id).status == "held" and len(links) == 1  # in the supervised account

    return SimpleNamespace(purpose="deal_instalment", target=lambda: _fresh(DealInstalment, inst_id),
                           payer=buyer_user, amount=500_000, paid_once=paid_once)


@pytest.fixture(params=["booking", "deal_instalment"])
def subject(request):
    """What is paid: a booking or a deal instalment (each core test runs for both)."""
    return request.getfixturevalue("booking_subject" if request.param == "booking" else "instalment_subject")


def _only_payment(subject) -> Payment:
    return db.session.scalars(sa.select(Payment).where(Payment.purpose == subject.purpose)
                              .execution_options(populate_existing=True)).one()


def test_card_checkout_pays_once_and_every_move_is_audited(subject, gateway_up):
    payment = ps.pay_with_payment_method(subject.target(), actor=subject.payer, payment_method=card_id())
    db.session.commit()
    assert payment.status == "succeeded" and payment.purpose == subject.purpose and payment.amount == subject.amount
    assert subject.paid_once()
    with pytest.raises(Conflict):
        ps.pay_with_payment_method(subject.target(), actor=subject.payer, payment_method=card_id())
    db.session.rollback()
    assert subject.paid_once()
    assert [(h.action, h.to_state) for h in history("payment", payment.id)] == [
        ("create", "created"), ("requires_payment_method", "requires_payment_method"),
        ("confirming", "confirming"), ("succeeded", "succeeded")]
    assert ledger.unbalanced_entries() == []


def test_a_declined_card_fails_the_attempt_and_a_good_card_pays(subject, gateway_up):
    with pytest.raises(Invalid):
        ps.pay_with_payment_method(subject.target(), actor=subject.payer, payment_method=card_id("4000000000000341"))
    db.session.rollback()
    assert db.session.scalars(sa.select(Payment.status)).all() == ["failed"]
    assert not subject.paid_once()
    assert ps.pay_with_payment_method(subject.target(), actor=subject.payer, payment_method=card_id()).status == "succeeded"
    db.session.commit()
    assert subject.paid_once()


def test_the_webhook_settles_an_intent_paid_elsewhere_once(subject, gateway_up, client, app):
    _target, payment = ps.start_payment(subject.target(), actor=subject.payer)
    db.session.commit()
    gw = Gateway.from_config()  # paid on the gateway's side, as a client-side checkout would
    gw.update_payment_intent(payment.payment_intent_id, payment_method=card_id())
    pi = gw.confirm_payment_intent(payment.payment_intent_id, f"confirm-{payment.id}")
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    for event_id, outcome in (("evt_1", "processed"), ("evt_1", "duplicate"), ("evt_2", "processed")):
        body = json.dumps({"id": event_id, "object": "event", "type": "payment_intent.succeeded",
                           "created": int(time.time()), "data": {"object": pi}}).encode()
        resp = client.post("/api/v1/payments/webhook", data=body, headers={"Stripe-Signature": sign(body, secret)})
        assert resp.status_code == 200 and resp.get_json()["outcome"] == outcome
    db.session.rollback()
    assert _only_payment(subject).status == "succeeded"
    assert subject.paid_once()
    assert ledger.unbalanced_entries() == []


def test_a_lost_confirm_answer_is_settled_once_by_reconcile(subject, lose_answers, app):
    lose_answers.lose = lambda m, u: "/confirm" in u or (m == "GET" and "/payment_intents/" in u)
    with pytest.raises(Conflict):
        ps.pay_with_payment_method(subject.target(), actor=subject.payer, payment_method=card_id())
    db.session.rollback()
    assert _only_payment(subject).status == "confirming" and not subject.paid_once()
    with pytest.raises(Conflict):  # no second charge while the outcome is unknown
        ps.pay_with_payment_method(subject.target(), actor=subject.payer, payment_method=card_id())
    db.session.rollback()
    lose_answers.lose = lambda m, u: False
    out = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert "settled=1" in out.output, out.output
    assert subject.paid_once()
    assert "settled=0" in app.test_cli_runner().invoke(args=["payments", "reconcile"]).output
    assert subject.paid_once()


def test_one_reconcile_settles_a_lost_booking_and_a_lost_instalment(booking_subject, instalment_subject,
                                                                    lose_answers, app):
    lose_answers.lose = lambda m, u: "/confirm" in u or (m == "GET" and "/payment_intents/" in u)
    for subject in (booking_subject, instalment_subject):
        with pytest.raises(Conflict):
            ps.pay_with_payment_method(subject.target(), actor=subject.payer, payment_method=card_id())
        db.session.rollback()
    assert sorted(db.session.scalars(sa.select(Payment.purpose).where(Payment.status == "confirming"))) == [
        "booking", "deal_instalment"]
    lose_answers.lose = lambda m, u: False
    out = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert "checked=2 settled=2" in out.output, out.output
    assert booking_subject.paid_once() and instalment_subject.paid_once()
    assert ledger.unbalanced_entries() == []


def test_an_illegal_move_is_refused_and_changes_nothing(booking_subject):
    b = booking_subject.target()
    payment = Payment(purpose="booking", booking_id=b.id, amount=56_000, idempotency_key="illegal-move-test",
                      payment_intent_id="pi_illegal_move_test", status="refunded", refunded_amount=56_000)
    db.session.add(payment)
    db.session.commit()
    audited = len(history("payment", payment.id))
    assert move(payment.id, "succeeded") is False            # refunded -> succeeded: not in the table
    assert move(payment.id, "confirming", only_from=("refunded",)) is False
    db.session.commit()
    assert _fresh(Payment, payment.id).status == "refunded"
    assert _fresh(Payment, payment.id).succeeded_at is None
    assert len(history("payment", payment.id)) == audited


def test_a_deal_instalment_payment_is_not_refunded_online(instalment_subject, gateway_up, world):
    payment = ps.pay_with_payment_method(instalment_subject.target(), actor=instalment_subject.payer,
                                         payment_method=card_id())
    db.session.commit()
    with pytest.raises(Conflict):
        ps.refund_payment(payment, actor=world.finance)
    db.session.rollback()
    assert _fresh(Payment, payment.id).status == "succeeded" and instalment_subject.paid_once()


def test_the_database_keeps_a_payment_on_the_column_of_its_purpose(booking_subject, instalment_subject):
    b, inst = booking_subject.target(), instalment_subject.target()
    for n, wrong in enumerate(({"purpose": "deal_instalment", "booking_id": b.id},
                               {"purpose": "booking", "instalment_id": inst.id},
                               {"purpose": "booking", "booking_id": b.id, "instalment_id": inst.id},
                               {"purpose": "bill", "booking_id": b.id})):
        db.session.add(Payment(amount=100, idempotency_key=f"wrong-{n}", status="created", **wrong))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
    for n in range(2):  # one open attempt per instalment
        db.session.add(Payment(purpose="deal_instalment", instalment_id=inst.id, amount=100,
                               idempotency_key=f"open-{n}", status="created"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
