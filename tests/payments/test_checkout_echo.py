"""Card data never reaches the platform: the checkout page has no card fields (the gateway's script takes
the card), a raw card posted anyway is neither used nor sent back, and a declined card's page keeps none."""
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.payments.models import Payment
from tests.cards import card_id
from tests.payments.test_payments import CARD_CHARGE_DECLINED, completed


def test_the_checkout_has_the_gateways_card_element_and_no_card_fields(world, gateway_up, client, login):
    b = completed(world)
    login(client, world.co_user)
    resp = client.get(f"/payments/bookings/{b.id}/checkout")
    html = resp.get_data(as_text=True)
    assert 'id="card-element"' in html and 'name="payment_method"' in html
    assert 'name="number"' not in html and 'name="cvc"' not in html
    assert "js.stripe.com" in html and gateway_up.split("//")[1] in resp.headers["Content-Security-Policy"]


def test_a_raw_card_posted_anyway_is_not_used_or_echoed(world, gateway_up, client, login):
    b = completed(world)
    login(client, world.co_user)
    resp = client.post(f"/payments/bookings/{b.id}/checkout",
                       data={"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "987"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "请填写银行卡信息" in html
    assert "4242424242424242" not in html and 'value="987"' not in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_a_declined_card_page_keeps_no_card_data(world, gateway_up, client, login):
    b = completed(world)
    login(client, world.co_user)
    card = card_id(CARD_CHARGE_DECLINED)
    resp = client.post(f"/payments/bookings/{b.id}/checkout", data={"payment_method": card})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "银行卡被拒绝" in html
    assert card not in html and CARD_CHARGE_DECLINED not in html and 'value=""' in html
