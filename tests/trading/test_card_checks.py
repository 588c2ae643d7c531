"""Deal instalments are paid by card the way bookings and bills are (payments.services.checkout): the
checkout page hands the card to the gateway's script and posts its id only; a decline is told in the
platform's words and recorded."""
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.payments.models import Payment
from marketplace.trading.models import Deal
from tests.cards import card_id

from .test_payments import gateway_up, signed  # noqa: F401  (fixtures)


def test_the_instalment_checkout_takes_the_card_through_the_gateway(app, world, signed, gateway_up,  # noqa: F811
                                                                    client, login):
    login(client, world.buyer_user)
    url = f"/trading/deals/{signed.id}/instalments/1/checkout"
    page = client.get(url).get_data(as_text=True)
    assert 'id="card-element"' in page and 'name="number"' not in page and 'name="cvc"' not in page
    raw = client.post(url, data={"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"})
    assert raw.status_code == 422 and "4242424242424242" not in raw.get_data(as_text=True)
    declined = client.post(url, data={"payment_method": card_id("4000000000000341")})
    assert declined.status_code == 422 and "银行卡被拒绝，请换一张卡或联系发卡行" in declined.get_data(as_text=True)
    assert db.session.scalars(sa.select(Payment.failure_message)).all() == ["银行卡被拒绝，请换一张卡或联系发卡行"]
    paid = client.post(url, data={"payment_method": card_id()})
    assert paid.status_code == 302
    db.session.expire_all()
    assert db.session.get(Deal, signed.id).instalments[0].status == "held"
