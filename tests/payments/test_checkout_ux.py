"""Checkout as a person meets it: the card is typed into the gateway's script (its number, expiry and
security code are the gateway's to check), declines are told in the person's language next to the card,
and a paid booking has a printable receipt."""
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.payments import rules
from marketplace.payments.gateway import Gateway
from marketplace.payments.models import Payment
from tests.cards import card_id
from tests.payments.test_payments import CARD_CHARGE_DECLINED, CARD_OK, completed, reload


def pay(client, b, number=CARD_OK):
    return client.post(f"/payments/bookings/{b.id}/checkout", data={"payment_method": card_id(number)})


def card_error(html) -> str:
    import re
    m = re.search(r'<p class="error" id="card-errors" role="alert">([^<]*)</p>', html)
    return m.group(1) if m else ""


def test_decline_codes_map_to_words_next_to_the_card():
    assert rules.decline("insufficient_funds") == rules.Decline("payment_method", "银行卡被拒绝：余额不足")
    assert rules.decline("expired_card").message == "银行卡被拒绝：卡已过期"
    assert rules.decline("incorrect_cvc").message == "银行卡被拒绝：安全码不正确"
    assert rules.decline("processing_error").message == "发卡行处理出错，请稍后重试"
    assert rules.decline("something_new") == rules.decline(None) == rules.Decline("payment_method",
                                                                                 rules.GENERIC_DECLINE)


def test_declined_card_says_why_in_chinese_not_the_gateways_english(world, gateway_up, client, login):
    b = completed(world)
    login(client, world.co_user)
    resp = pay(client, b, number=CARD_CHARGE_DECLINED)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert card_error(html) == "银行卡被拒绝，请换一张卡或联系发卡行"
    assert "Your card was declined" not in html
    # the attempt is listed in the person's language too
    client.get("/lang/en")
    html = client.get(f"/payments/bookings/{b.id}/checkout").get_data(as_text=True)
    assert "Card declined: try another card or contact your bank" in html


def test_successful_payment_leads_to_a_printable_receipt(world, gateway_up, client, login):
    b = completed(world)  # fee ¥800, subsidy ¥240, payable ¥560
    login(client, world.co_user)
    resp = pay(client, b)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/payments/bookings/{b.id}/receipt")
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    pi = reload(b).payment_ref
    assert pi.startswith("pi_") and f"<code>{pi}</code>" in html
    assert 'id="receipt-fee">¥800.00' in html and 'id="receipt-subsidy">−¥240.00' in html
    assert 'id="receipt-amount"><strong>¥560.00' in html
    assert 'media="print"' in html and "data-print" in html
    paid = db.session.scalar(sa.select(Payment).where(Payment.booking_id == b.id, Payment.status == "succeeded"))
    assert Gateway(gateway_up, "sk_test").retrieve_payment_intent(pi)["amount"] == paid.amount == 56_000
    # the booking page links to it
    assert f'href="/payments/bookings/{b.id}/receipt"' in client.get(f"/booking/{b.id}").get_data(as_text=True)
    # the provider may read it; a stranger may not
    client.post("/logout")
    login(client, world.lab_staff)
    assert client.get(f"/payments/bookings/{b.id}/receipt").status_code == 200
    client.post("/logout")
    login(client, world.company_user())
    assert client.get(f"/payments/bookings/{b.id}/receipt").status_code == 404


def test_no_receipt_before_payment(world, gateway_up, client, login):
    b = completed(world)
    login(client, world.co_user)
    resp = client.get(f"/payments/bookings/{b.id}/receipt")
    assert resp.status_code == 404
    assert client.get("/payments/bookings/99999999999/receipt").status_code == 404
