"""Refunds from finance's page (the one refund service behind it; a real localstripe gateway):
amount and reason checked, history with who and why, others refused, nothing changed on a refusal."""
import pytest
import sqlalchemy as sa

from marketplace import ledger
from marketplace.extensions import db
from marketplace.payments.models import Payment
from tests.cards import card_id

CARD_OK = "4242424242424242"


@pytest.fixture
def gateway_up(app, localstripe):
    app.config["STRIPE_API_BASE"] = localstripe
    return localstripe


def _paid_by_card(world, client, login):
    world.new_programme()
    b = world.book(hours=2)
    world.approve(b)
    world.complete(b)
    login(client, world.co_user)
    resp = client.post(f"/payments/bookings/{b.id}/checkout",
                       data={"payment_method": card_id(CARD_OK)})
    assert resp.status_code == 302
    client.post("/logout")
    return b, db.session.scalars(sa.select(Payment).where(Payment.booking_id == b.id)).one()


def _status(payment_id):
    db.session.rollback()
    return db.session.get(Payment, payment_id).status


def test_refund_from_the_page(world, gateway_up, client, login):
    b, p = _paid_by_card(world, client, login)
    assert p.amount == 56_000  # ¥800 − 30 % subsidy
    login(client, world.finance)
    listing = client.get("/payments/refunds").get_data(as_text=True)
    assert f"/payments/refunds/{p.id}" in listing and "¥560.00" in listing
    form = client.get(f"/payments/refunds/{p.id}").get_data(as_text=True)
    assert 'value="560.00"' in form and f"确认向预约 #{b.id} 退款 ¥560.00" in form

    for data, field in (({"amount": "560.00", "reason": ""}, "reason"),
                        ({"amount": "100.00", "reason": "部分"}, "amount"),   # the service refunds in full only
                        ({"amount": "-1", "reason": "负数"}, "amount"),
                        ({"amount": "abc", "reason": "乱填"}, "amount")):
        resp = client.post(f"/payments/refunds/{p.id}", data=data)
        assert resp.status_code == 422, data
        assert f'id="{field}-err"' in resp.get_data(as_text=True)
        assert _status(p.id) == "succeeded"

    resp = client.post(f"/payments/refunds/{p.id}", data={"amount": "560.00", "reason": "仪器故障，未能出具报告"})
    assert resp.status_code == 302
    assert _status(p.id) == "refunded"
    db.session.refresh(world.programme)
    assert (world.programme.reserved, world.programme.committed) == (0, 0)   # the subsidy is back in the budget
    assert ledger.unbalanced_entries() == []
    history = client.get("/payments/refunds").get_data(as_text=True)
    done = history[history.index('id="refund-history"'):]
    assert f"#{b.id}" in done and "¥560.00" in done and "仪器故障，未能出具报告" in done and world.finance.name in done
    # refunding twice: a clear conflict, nothing moves
    resp = client.post(f"/payments/refunds/{p.id}", data={"amount": "560.00", "reason": "再退一次"})
    assert resp.status_code == 409
    assert client.post("/payments/refunds/99999999", data={"amount": "1", "reason": "x"}).status_code == 404


def test_only_finance_refunds(world, gateway_up, client, login):
    b, p = _paid_by_card(world, client, login)
    for user in (world.co_user, world.lab_staff):
        login(client, user)
        assert client.get("/payments/refunds").status_code == 403
        assert client.get(f"/payments/refunds/{p.id}").status_code == 403
        assert client.post(f"/payments/refunds/{p.id}", data={"amount": "560.00", "reason": "我要退"}).status_code == 403
        client.post("/logout")
    assert _status(p.id) == "succeeded"


def test_refund_list_filters_by_booking(world, client, login):
    world.new_programme()
    login(client, world.finance)
    assert client.get("/payments/refunds?booking_id=abc").status_code == 422
    assert client.get("/payments/refunds?booking_id=0").status_code == 422
    page = client.get("/payments/refunds?booking_id=12345").get_data(as_text=True)
    assert "没有可退款的付款" in page and "还没有退款" in page


def test_the_old_refund_addresses_lead_to_the_refund_desk(client):
    """The refund desk moved from /subsidy to /payments: bookmarks still arrive."""
    assert client.get("/subsidy/refunds").headers["Location"].endswith("/payments/refunds")
    resp = client.get("/subsidy/refunds/7")
    assert resp.status_code == 301 and resp.headers["Location"].endswith("/payments/refunds/7")
