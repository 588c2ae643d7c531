"""A deposit paid by card on the one payment engine (localstripe): received exactly as a transfer is
(the same ledger entry, the bidder confirmed), refused above the gateway's ceiling with the remittance
code named, and a loser's card deposit returned through the gateway's refund after the close."""
from datetime import timedelta

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.auctions import accounting, services
from marketplace.auctions.models import AuctionRegistration
from marketplace.auctions.schemas import AuctionTermsIn
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.ledger import balances, trial_balance
from marketplace.payments.models import Payment
from tests.cards import card_id
from tests.races import committed, failures, race

from .conftest import DEPOSIT, START_PRICE, STEP, aware, bid, do, pay_deposit


def reg(reg_id):
    return db.session.get(AuctionRegistration, reg_id)


def lines(auction_id):
    return [(e.kind, sorted((x.account, x.debit, x.credit) for x in e.lines)) for e in accounting.entries_of(auction_id)]


def test_a_deposit_paid_by_card_confirms_the_bidder_with_the_transfer_s_ledger_entry(world, gateway_up, client,
                                                                                     api_token, login):
    h = api_token(world.users[0])
    made = client.post(f"/api/v1/auctions/{world.auction.id}/registrations", headers=h)
    assert made.status_code == 201, made.get_json()
    rid = made.get_json()["id"]
    base = f"/api/v1/auctions/{world.auction.id}/registrations/{rid}/pay"
    declined = client.post(base, headers=h, json={"payment_method": card_id("4000000000000341")})
    assert declined.status_code == 422 and declined.get_json()["errors"]
    assert reg(rid).status == "pending" and lines(world.auction.id) == []
    stranger = client.post(base, headers=api_token(world.users[1]), json={"payment_method": card_id()})
    assert stranger.status_code == 404
    paid = client.post(base, headers=h, json={"payment_method": card_id()})
    assert paid.status_code == 200, paid.get_json()
    assert (paid.get_json()["status"], paid.get_json()["deposit"]) == ("confirmed", DEPOSIT)
    payment = db.session.scalar(sa.select(Payment).where(Payment.status == "succeeded"))
    assert (payment.purpose, payment.auction_registration_id, payment.amount) == ("auction_deposit", rid, DEPOSIT)
    assert lines(world.auction.id) == [
        ("deposit_received", [("auction_deposit_held", 0, DEPOSIT), ("gateway_clearing", DEPOSIT, 0)])]
    assert client.post(base, headers=h, json={"payment_method": card_id()}).status_code == 409

    # The web page: the gateway's script on the card page, only the card's id posted.
    other = do(services.register, world.auction, actor=world.users[1])
    login(client, world.users[1])
    assert 'id="deposit-card"' in client.get(f"/auctions/{world.auction.id}").text
    page = client.get(f"/auctions/{world.auction.id}/registrations/{other.id}/card")
    assert page.status_code == 200 and "card-element" in page.text and "js.stripe.com" in page.text
    assert "4242424242424242" not in page.text
    posted = client.post(f"/auctions/{world.auction.id}/registrations/{other.id}/card",
                         data={"payment_method": card_id()})
    assert posted.status_code == 302
    assert reg(other.id).status == "confirmed" and reg(other.id).deposit_via == "card"
    tb = trial_balance()
    assert tb["total_debits"] == tb["total_credits"] and balances()["gateway_clearing"] == 2 * DEPOSIT


def test_above_the_card_ceiling_the_deposit_is_paid_by_transfer(world, gateway_up, client, api_token, make_resource):
    big = make_resource("achievement", world.seller, title="大额成果", state_owned=False,
                        transaction_modes="transfer", listing_mode="negotiated")
    terms = AuctionTermsIn(starting_price=2_000_000_000, increment=1_000_000, deposit=100_000_000,
                           registration_deadline=aware(world.reg_deadline), starts_at=aware(world.starts_at),
                           ends_at=aware(world.ends_at))
    auction = do(services.create_auction, big.id, terms, actor=world.seller_user)
    do(services.review_auction, auction, actor=world.reviewer, approve=True)
    r = do(services.register, auction, actor=world.users[0])
    resp = client.post(f"/api/v1/auctions/{auction.id}/registrations/{r.id}/pay", headers=api_token(world.users[0]),
                       json={"payment_method": card_id()})
    assert resp.status_code == 422
    detail = resp.get_json()["detail"]
    assert "对公转账" in detail and r.remittance_code in detail and "¥999,999.99" in detail
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0
    assert reg(r.id).status == "pending"


def test_a_loser_s_card_deposit_goes_back_through_the_gateway_refund_at_the_close(world, gateway_up, client,
                                                                                  api_token):
    w = world
    regs = [do(services.register, w.auction, actor=u) for u in w.users]
    for r, user in zip(regs[:2], w.users[:2], strict=True):  # two by card, the third by transfer
        do(services.pay_deposit_with_payment_method, reg(r.id), actor=user, payment_method=card_id())
    assert pay_deposit(regs[2]) == "matched"
    bid(w, w.users[0], START_PRICE, at=w.starts_at + timedelta(minutes=5))
    bid(w, w.users[1], START_PRICE + STEP, at=w.starts_at + timedelta(minutes=6))
    assert do(services.close_ended, w.ends_at + timedelta(minutes=1))["awarded"] == 1
    # The loser by card: refunded by the gateway (the job after the close); by transfer: finance's to record.
    assert [reg(r.id).status for r in regs] == ["refunded", "won", "refunding"]
    refunded = db.session.scalar(sa.select(Payment).where(Payment.auction_registration_id == regs[0].id))
    assert refunded.status == "refunded" and refunded.refund_id.startswith("re_")
    assert reg(regs[0].id).refund_reference == refunded.refund_id
    assert lines(w.auction.id)[-1] == (
        "deposit_refund", [("auction_deposit_held", DEPOSIT, 0), ("gateway_clearing", 0, DEPOSIT)])
    # The winner's card deposit stays held: the refund desk refuses it before calling the gateway.
    kept = db.session.scalar(sa.select(Payment).where(Payment.auction_registration_id == regs[1].id))
    finance = api_token(w.finance)
    resp = client.post(f"/api/v1/payments/{kept.id}/refund", headers=finance, json={"reason": "试图退款"})
    assert resp.status_code == 409, resp.get_json()
    assert db.session.get(Payment, kept.id).status == "succeeded"
    tb = trial_balance()
    assert tb["total_debits"] == tb["total_credits"]
    assert balances()["gateway_clearing"] == DEPOSIT and tb["accounts"]["auction_deposit_held"] == -2 * DEPOSIT


def test_when_the_gateway_is_down_at_the_close_finance_retries_the_card_refund(world, gateway_up, app, client,
                                                                               api_token):
    w = world
    regs = [do(services.register, w.auction, actor=u) for u in w.users[:2]]
    for r, user in zip(regs, w.users[:2], strict=True):
        do(services.pay_deposit_with_payment_method, reg(r.id), actor=user, payment_method=card_id())
    bid(w, w.users[1], START_PRICE, at=w.starts_at + timedelta(minutes=5))
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:1"  # nothing listens: the refund job cannot reach it
    try:
        do(services.close_ended, w.ends_at + timedelta(minutes=1))
    finally:
        app.config["STRIPE_API_BASE"] = gateway_up
    assert [reg(r.id).status for r in regs] == ["refunding", "won"]
    assert db.session.scalar(sa.select(Payment).where(Payment.auction_registration_id == regs[0].id)).status == "succeeded"
    url = f"/api/v1/auctions/{w.auction.id}/registrations/{regs[0].id}/refund"
    assert client.post(url, headers=api_token(w.users[0]), json={}).status_code == 403  # finance only
    resp = client.post(url, headers=api_token(w.finance), json={})
    assert resp.status_code == 200 and resp.get_json()["status"] == "refunded"
    assert db.session.scalar(sa.select(Payment).where(Payment.auction_registration_id == regs[0].id)).status == "refunded"
    assert client.post(url, headers=api_token(w.finance), json={}).status_code == 409
    tb = trial_balance()
    assert tb["total_debits"] == tb["total_credits"] and balances()["gateway_clearing"] == DEPOSIT


def test_concurrent_card_payments_of_one_deposit_make_one_charge(app, world, gateway_up):
    r = do(services.register, world.auction, actor=world.users[0])
    reg_id, user_id = r.id, world.users[0].id
    cards = [card_id() for _ in range(8)]
    db.session.commit()

    @committed
    def pay_once(i):
        payment = services.pay_deposit_with_payment_method(db.session.get(AuctionRegistration, reg_id),
                                                           actor=db.session.get(User, user_id), payment_method=cards[i])
        return payment.status

    results = race(app, len(cards), pay_once)
    assert results.count("succeeded") == 1, results
    assert failures(results, DomainError) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment).where(Payment.status == "succeeded")) == 1
    assert [k for k, _lines in lines(world.auction.id)] == ["deposit_received"]
    assert reg(reg_id).status == "confirmed"
