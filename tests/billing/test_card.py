"""Paying a bill by card through the one payment engine: the browser's card goes to the gateway, the
platform confirms with the card's id only; above the gateway's ceiling card is refused for transfer."""
import pytest
import requests
import sqlalchemy as sa

from marketplace.billing.models import Bill
from marketplace.booking.models import Booking
from marketplace.extensions import db
from marketplace.ledger import balances, trial_balance
from marketplace.payments.models import Payment

from .conftest import JANUARY, at, close, completed


def browser_card(base, number="4242424242424242"):
    """What the gateway's script does in the browser: the card goes to the gateway with the
    publishable key; the page gets back only the card's id."""
    resp = requests.post(f"{base}/v1/tokens", data={"key": "pk_test_localstripe", "card[number]": number,
                                                    "card[exp_month]": "12", "card[exp_year]": "2030",
                                                    "card[cvc]": "123"}, timeout=5)
    resp.raise_for_status()
    return resp.json()["card"]["id"]


@pytest.fixture
def bill(world):
    completed(world, 2, 3)
    with at(JANUARY):
        close()
    return db.session.scalar(sa.select(Bill))


def test_a_bill_paid_by_card_settles_its_bookings(world, bill, gateway_up, client, api_token):
    h = api_token(world.co_user)
    started = client.post(f"/api/v1/bills/{bill.id}/pay", headers=h, json={})
    assert started.status_code == 200, started.get_json()
    body = started.get_json()
    assert body["status"] == "open" and body["payment_intent"].startswith("pi_") and body["client_secret"]
    card = browser_card(gateway_up)
    paid = client.post(f"/api/v1/bills/{bill.id}/pay", headers=h, json={"payment_method": card})
    assert paid.status_code == 200, paid.get_json()
    assert paid.get_json()["status"] == "paid" and paid.get_json()["paid_amount"] == 140_000
    payment = db.session.scalar(sa.select(Payment).where(Payment.bill_id == bill.id, Payment.status == "succeeded"))
    assert payment.amount == 140_000 and payment.purpose == "bill"
    assert {b.status for b in db.session.scalars(sa.select(Booking))} == {"settled"}
    assert balances()["gateway_clearing"] == 140_000
    tb = trial_balance()
    assert tb["total_debits"] == tb["total_credits"]
    again = client.post(f"/api/v1/bills/{bill.id}/pay", headers=h, json={"payment_method": card})
    assert again.status_code == 409


def test_a_declined_card_leaves_the_bill_open(world, bill, gateway_up, client, api_token):
    h = api_token(world.co_user)
    card = browser_card(gateway_up, "4000000000000341")  # declined when charged
    resp = client.post(f"/api/v1/bills/{bill.id}/pay", headers=h, json={"payment_method": card})
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["errors"]
    db.session.refresh(bill)
    assert bill.status == "open" and bill.paid_amount == 0


def test_above_the_card_ceiling_the_bill_is_paid_by_transfer(world, gateway_up, client, api_token):
    big = world.make_resource("instrument", world.lab, external_price=30_000_000, original_value=900_000_000)
    b = world.book(hours=4, instrument=big)
    world.approve(b)
    world.complete(b)
    with at(JANUARY):
        close()
    bill = db.session.scalar(sa.select(Bill))
    assert bill.total == 120_000_000 - 2_000_000  # ¥1,200,000 fee, the ¥20,000 per-booking subsidy cap
    h = api_token(world.co_user)
    resp = client.post(f"/api/v1/bills/{bill.id}/pay", headers=h, json={})
    assert resp.status_code == 422
    detail = resp.get_json()["detail"]
    assert "对公转账" in detail and bill.remittance_code in detail and "¥999,999.99" in detail
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_others_cannot_see_or_pay_a_bill_and_bad_ids_are_clear(world, bill, gateway_up, client, api_token):
    stranger = world.company_user()
    h = api_token(stranger)
    assert client.get(f"/api/v1/bills/{bill.id}", headers=h).status_code == 403
    assert client.post(f"/api/v1/bills/{bill.id}/pay", headers=h, json={}).status_code == 403
    assert client.get("/api/v1/bills", headers=h).get_json()["items"] == []
    mine = api_token(world.co_user)
    assert client.get("/api/v1/bills/999999", headers=mine).status_code == 404
    assert client.get("/api/v1/bills/99999999999", headers=mine).status_code == 404
    assert client.get("/api/v1/bills?status=late", headers=mine).status_code == 422
    for bad in ({"payment_method": 5}, {"payment_method": "4242424242424242"}, {"payment_method": "x" * 81}):
        assert client.post(f"/api/v1/bills/{bill.id}/pay", headers=mine, json=bad).status_code == 422
    listed = client.get("/api/v1/bills", headers=mine).get_json()
    assert [x["id"] for x in listed["items"]] == [bill.id]
    assert listed["items"][0]["lines"][0].keys() >= {"booking_id", "fee", "user_subsidy", "net"}
    db.session.refresh(bill)
    assert bill.status == "open"
