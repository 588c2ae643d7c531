"""After a decline or a typing error the checkout page never sends the card's number or security
code back to the browser (the person types them again)."""
from tests.payments.test_payments import CARD_DECLINED, completed


def test_a_declined_card_is_not_echoed(world, gateway_up, client, login):
    b = completed(world)
    login(client, world.co_user)
    resp = client.post(f"/payments/bookings/{b.id}/checkout",
                       data={"number": CARD_DECLINED, "exp_month": "12", "exp_year": "2030", "cvc": "987"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert CARD_DECLINED not in html and 'value="987"' not in html
    assert 'value="12"' in html  # the expiry is kept: it is no secret


def test_a_mistyped_card_is_not_echoed(world, gateway_up, client, login):
    b = completed(world)
    login(client, world.co_user)
    resp = client.post(f"/payments/bookings/{b.id}/checkout",
                       data={"number": "4242424242424242", "exp_month": "13", "exp_year": "2030", "cvc": "987"})
    assert resp.status_code == 422
    assert "4242424242424242" not in resp.get_data(as_text=True)
