"""Paying a signed deal's instalments through a REAL localstripe: the ledger balances and every fen of
a deal is traceable; twenty concurrent pays of one instalment make one charge."""
import json

import pytest
import requests
import sqlalchemy as sa

from marketplace import ledger
from marketplace.accounts.models import User
from marketplace.core.errors import Conflict, DomainError
from marketplace.extensions import db
from marketplace.filing.figures import figures_for
from marketplace.payments.gateway import Gateway, sign
from marketplace.payments.models import Payment
from marketplace.trading import services
from marketplace.trading.accounting import deal_entries, deal_money
from marketplace.trading.models import Deal, DealLedgerEntry
from marketplace.trading.services import payments as pay
from marketplace.trading.services import supervision
from tests.cards import card_id
from tests.races import committed, race

from .conftest import NOW, mandate, schedule, sign_both


def paid_by_card(deal, seq, user):
    """The buyer pays on the checkout page: the gateway's script makes the card, the platform gets its id."""
    return pay.pay_instalment_with_payment_method(deal, seq, actor=user, payment_method=card_id())


@pytest.fixture
def gateway_up(app, localstripe):
    app.config["STRIPE_API_BASE"] = localstripe
    return localstripe


@pytest.fixture
def signed(world):
    """A brokered deal for a private seller, agreed and signed with two instalments."""
    deal = services.create_deal(actor=world.broker, mode="transfer", amount=1_000_001, achievement_id=world.private.id,
                                buyer_org_id=world.buyer.id, seller_org_id=world.seller.id, now=NOW)
    mandate(deal, world.buyer_user, world.seller_user)
    services.make_offer(deal, actor=world.seller_user, amount=1_000_001, now=NOW)
    services.accept_offer(deal, actor=world.buyer_user, now=NOW)
    services.sign_deal(deal, actor=world.broker, contract_type="transfer", total_amount=1_000_001,
                       tech_amount=900_000, instalments=schedule(1_000_001), now=NOW)
    db.session.commit()
    return deal


def test_paying_both_instalments_posts_balanced_traceable_entries(app, world, signed, gateway_up):
    assert signed.commission_bp == 300  # the default rate; no row for this firm
    p1 = paid_by_card(signed, 1, world.buyer_user)
    db.session.commit()
    assert p1.status == "succeeded" and signed.status == "signed"
    # the broker firm's annual report: what buyers paid under its deals, in the year paid
    assert figures_for(world.firm, 2026)["amount_received"] == 500_000
    with pytest.raises(Conflict):
        paid_by_card(signed, 1, world.buyer_user)
    db.session.rollback()
    p2 = paid_by_card(signed, 2, world.buyer_user)
    db.session.commit()
    deal = db.session.get(Deal, signed.id)
    assert deal.status == "paid" and [i.status for i in deal.instalments] == ["held", "held"]
    assert deal_money(deal)["held"] == 1_000_001 and deal_money(deal)["seller"] == 0  # supervised until confirmed
    with pytest.raises(Conflict):
        services.complete_deal(deal, actor=world.seller_user)
    db.session.rollback()
    for seq in (1, 2):
        supervision.confirm_instalment(deal, seq, actor=world.buyer_user)
    db.session.commit()
    assert figures_for(world.firm, 2026)["amount_received"] == 1_000_001 == figures_for(world.firm)["amount_received"]
    assert figures_for(world.firm, 2025)["amount_received"] == 0
    money = deal_money(deal)
    assert money["paid"] == 1_000_001 == money["seller"] + money["commission"] and money["held"] == 0
    assert money["commission"] == (500_000 * 300 + 5000) // 10000 + (500_001 * 300 + 5000) // 10000
    assert ledger.unbalanced_entries() == []
    tb = ledger.trial_balance()
    assert tb["total_debits"] == tb["total_credits"]
    # Every entry of the deal names its payment, and every payment its gateway charge.
    links = db.session.scalars(sa.select(DealLedgerEntry).where(DealLedgerEntry.deal_id == deal.id)).all()
    assert sorted(link.payment_id for link in links if link.payment_id) == sorted([p1.id, p2.id])
    assert len(deal_entries(deal)) == 4  # two arrivals in the supervised account, two releases
    for p in (p1, p2):
        pi = requests.get(f"{gateway_up}/v1/payment_intents/{p.payment_intent_id}", auth=("sk_test_x", "")).json()
        assert pi["status"] == "succeeded" and pi["amount"] == p.amount
    services.complete_deal(deal, actor=world.seller_user)
    assert deal.status == "completed"


def test_a_firms_own_rate_is_used(app, world, gateway_up):
    from marketplace.trading.services.commissions import set_firm_commission
    finance = world.reviewer
    finance.role_rows.append(__import__("marketplace.accounts.models", fromlist=["UserRole"]).UserRole(role="finance"))
    set_firm_commission(world.firm, 1000, actor=finance)
    db.session.commit()
    deal = services.create_deal(actor=world.broker, mode="transfer", amount=10_000, achievement_id=world.private.id,
                                buyer_org_id=world.buyer.id, seller_org_id=world.seller.id, now=NOW)
    mandate(deal, world.buyer_user)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    sign_both(deal, world.buyer_user, world.seller_user, contract_type="licence", total_amount=10_000,
              tech_amount=10_000, instalments=schedule(10_000, 1))
    db.session.commit()
    paid_by_card(deal, 1, world.buyer_user)
    supervision.confirm_instalment(deal, 1, actor=world.buyer_user)
    db.session.commit()
    assert deal_money(db.session.get(Deal, deal.id)) == {"paid": 10_000, "held": 0, "seller": 9_000,
                                                         "commission": 1_000, "refunded": 0}


def test_only_the_buyer_pays(world, signed):
    from marketplace.core.errors import Forbidden
    for who in (world.seller_user, world.broker, world.other_user):
        with pytest.raises(Forbidden):
            pay.start_instalment_payment(signed, 1, actor=who)


def test_gateway_down_keeps_the_instalment_payable(app, world, signed):
    from marketplace.core.errors import Unavailable
    with pytest.raises(Unavailable):
        pay.start_instalment_payment(signed, 1, actor=world.buyer_user)
    db.session.rollback()
    rows = db.session.scalars(sa.select(Payment)).all()
    assert [r.status for r in rows] == ["created"]  # recorded before the gateway call, for reconcile
    assert signed.instalments[0].status == "due"


def test_the_webhook_settles_an_intent_paid_elsewhere(app, client, world, signed, gateway_up):
    payment = pay.start_instalment_payment(signed, 1, actor=world.buyer_user)
    db.session.commit()
    gw = Gateway.from_config()  # the buyer pays on the gateway's side (as a client-side checkout would)
    gw.update_payment_intent(payment.payment_intent_id, payment_method=card_id())
    gw.confirm_payment_intent(payment.payment_intent_id, "confirm-webhook-test")
    event = {"id": "evt_deal_1", "type": "payment_intent.succeeded",
             "data": {"object": {"id": payment.payment_intent_id, "object": "payment_intent"}}}
    body = json.dumps(event).encode()
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    resp = client.post("/api/v1/payments/webhook", data=body, headers={"Stripe-Signature": sign(body, secret),
                                                                      "Content-Type": "application/json"})
    assert resp.json["outcome"] == "processed"
    again = client.post("/api/v1/payments/webhook", data=body, headers={"Stripe-Signature": sign(body, secret),
                                                                       "Content-Type": "application/json"})
    assert again.json["outcome"] == "duplicate"
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == "succeeded"
    assert db.session.get(Deal, signed.id).instalments[0].status == "held"


N = 20


def test_twenty_concurrent_pays_of_one_instalment_make_one_charge(app, world, signed, gateway_up):
    deal_id, user_id = signed.id, world.buyer_user.id
    db.session.commit()

    @committed
    def pay_once(i):
        deal = db.session.get(Deal, deal_id)
        return paid_by_card(deal, 1, db.session.get(User, user_id)).status

    results = race(app, N, pay_once)
    assert results.count("succeeded") == 1, results
    assert all(r == "succeeded" or isinstance(r, DomainError) and r.status in (409, 422) for r in results), results
    db.session.expire_all()
    succeeded = db.session.scalars(sa.select(Payment).where(Payment.status == "succeeded")).all()
    assert len(succeeded) == 1
    intents = {p.payment_intent_id for p in db.session.scalars(sa.select(Payment))}
    charged = [pi for pi in intents
               if requests.get(f"{gateway_up}/v1/payment_intents/{pi}", auth=("sk_test_x", "")).json()["status"]
               == "succeeded"]
    assert len(charged) == 1
    assert len(db.session.scalars(sa.select(DealLedgerEntry)).all()) == 1
    assert db.session.get(Deal, deal_id).instalments[0].status == "held"
