"""Late-cancellation and no-show fees are collected through the gateway, without subsidy."""
from datetime import timedelta

import sqlalchemy as sa

from marketplace.booking import services as bs
from marketplace.extensions import db
from marketplace.payments.models import Payment
from marketplace import ledger

from .test_payments import card, reload


def late_cancelled(world):
    b = world.book(hours=2)                       # 2 h × ¥400 external = ¥800
    world.approve(b)
    world._do(bs.cancel_booking, b, actor=b.user, now=b.start - timedelta(hours=3))
    b = reload(b)
    assert b.status == "cancelled" and b.cancel_fee == 40_000 and b.user_subsidy == 0
    return b


def test_late_cancellation_fee_is_paid_once_by_card(world, gateway_up, client, login, api_token):
    b = late_cancelled(world)
    login(client, world.co_user)
    page = client.get(f"/booking/{b.id}").get_data(as_text=True)
    assert "¥400.00" in page and f"/payments/bookings/{b.id}/checkout" in page
    checkout = client.get(f"/payments/bookings/{b.id}/checkout").get_data(as_text=True)
    assert "逾期取消/爽约费用" in checkout and "¥400.00" in checkout

    assert card(client, b).status_code == 302
    b = reload(b)
    assert b.status == "cancelled" and b.cancel_fee_paid_at is not None and b.payment_ref.startswith("pi_")
    payment = db.session.scalars(sa.select(Payment).where(Payment.booking_id == b.id)).one()
    assert payment.amount == 40_000 and payment.status == "succeeded"
    # the provider earns the fee; the user's side is paid through the gateway; no subsidy involved
    assert -ledger.balances(org_id=world.lab.id)["provider_payable"] == 40_000
    company = ledger.balances(org_id=world.company.id)
    assert company["gateway_clearing"] == 40_000 and company.get("user_receivable", 0) == 0
    assert ledger.unbalanced_entries() == []
    db.session.refresh(world.programme)
    assert (world.programme.reserved, world.programme.committed) == (0, 0)

    resp = client.post(f"/api/v1/bookings/{b.id}/pay", headers=api_token(world.co_user))
    assert resp.status_code == 409                # nothing left to pay
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1


def test_free_cancellation_owes_nothing(world, gateway_up, client, api_token):
    b = world.book(hours=2)
    world.approve(b)
    world.cancel(b)                               # two days ahead: free
    b = reload(b)
    assert b.cancel_fee == 0 and b.amount_due == 0
    resp = client.post(f"/api/v1/bookings/{b.id}/pay", headers=api_token(world.co_user))
    assert resp.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_no_show_fee_refund_gives_the_income_back(world, gateway_up, client, login, api_token):
    b = world.book(hours=2)
    world.approve(b)
    world.no_show(b)
    b = reload(b)
    assert b.status == "no_show" and b.amount_due == 40_000
    login(client, world.co_user)
    assert card(client, b).status_code == 302
    payment = db.session.scalars(sa.select(Payment).where(Payment.booking_id == b.id)).one()
    resp = client.post(f"/api/v1/payments/{payment.id}/refund", headers=api_token(world.finance))
    assert resp.status_code == 200 and resp.get_json()["status"] == "refunded"
    balances = ledger.balances()
    assert balances.get("provider_payable", 0) == 0 and balances.get("gateway_clearing", 0) == 0
    assert ledger.unbalanced_entries() == []
