"""Checkout as a person meets it: an expired card is refused next to its field before the gateway is
called, declines are told in the person's language, and a paid booking has a printable receipt."""
from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.payments import rules
from marketplace.payments.gateway import Gateway
from marketplace.payments.models import Payment
from tests.payments.test_payments import CARD_DECLINED, CARD_OK, completed, reload

TODAY = date(2026, 11, 29)


def pay(client, b, number=CARD_OK, month="12", year="2030", cvc="123"):
    return client.post(f"/payments/bookings/{b.id}/checkout",
                       data={"number": number, "exp_month": month, "exp_year": year, "cvc": cvc})


def field_error(html, field) -> str:
    import re
    m = re.search(rf'<p class="error" id="{field}-err">([^<]*)</p>', html)
    return m.group(1) if m else ""


@pytest.mark.parametrize("month, year, field", [(1, 2020, "exp_year"), (10, 2026, "exp_year"), (13, 2030, "exp_month"),
                                                (0, 2030, "exp_month"), (12, 1999, "exp_year"), (12, 2090, "exp_year"),
                                                (1, 20, "exp_year")])
def test_expiry_rule_refuses(month, year, field):
    assert rules.expiry_error(month, year, TODAY)[0] == field


@pytest.mark.parametrize("month, year", [(11, 2026), (12, 2026), (1, 2027), (12, 30)])
def test_expiry_rule_accepts(month, year):
    assert rules.expiry_error(month, year, TODAY) is None  # valid through the end of its month


def test_expiry_rule_bad_types():
    assert rules.expiry_error("1", 2030, TODAY)[0] == "exp_month"
    assert rules.expiry_error(True, 2030, TODAY)[0] == "exp_month"
    assert rules.expiry_error(1, None, TODAY)[0] == "exp_year"


def test_decline_codes_map_to_fields_and_words():
    assert rules.decline("insufficient_funds") == rules.Decline("number", "银行卡被拒绝：余额不足")
    assert rules.decline("expired_card").field == "exp_year"
    assert rules.decline("incorrect_cvc").field == "cvc"
    assert rules.decline("processing_error").message == "发卡行处理出错，请稍后重试"
    assert rules.decline("something_new") == rules.decline(None) == rules.Decline("number", rules.GENERIC_DECLINE)


def test_expired_card_refused_next_to_the_field_before_the_gateway(world, gateway_up, client, login):
    b = completed(world)
    login(client, world.co_user)
    resp = pay(client, b, month="01", year="2020")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert field_error(html, "exp_year") == "银行卡已过期（有效期 01/2020）"
    assert 'aria-invalid="true"' in html
    assert reload(b).status == "completed"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0  # the gateway never heard of it


def test_expired_card_in_english(world, gateway_up, client, login):
    b = completed(world)
    login(client, world.co_user)
    client.get("/lang/en")
    html = pay(client, b, month="1", year="2020").get_data(as_text=True)
    assert field_error(html, "exp_year") == "This card has expired (valid thru 01/2020)"


def test_expired_card_refused_by_the_service_too(world, gateway_up, api_token, app):
    from marketplace.core.errors import Invalid
    from marketplace.payments import services as ps
    b = completed(world)
    with pytest.raises(Invalid) as err:
        ps.pay_with_card(b, actor=world.co_user, number=CARD_OK, exp_month=1, exp_year=2020, cvc="123")
    assert err.value.errors == {"exp_year": ["银行卡已过期（有效期 01/2020）"]}


def test_declined_card_says_why_in_chinese_not_the_gateways_english(world, gateway_up, client, login):
    b = completed(world)
    login(client, world.co_user)
    resp = pay(client, b, number=CARD_DECLINED)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert field_error(html, "number") == "银行卡被拒绝，请换一张卡或联系发卡行"
    assert "Your card was declined" not in html
    # the attempt is listed in the person's language too
    client.get("/lang/en")
    html = client.get(f"/payments/bookings/{b.id}/checkout").get_data(as_text=True)
    assert "Card declined: try another card or contact your bank" in html


def test_successful_payment_leads_to_a_printable_receipt(world, gateway_up, client, login):
    b = completed(world)  # fee ¥800, subsidy ¥240, payable ¥560
    login(client, world.co_user)
    resp = pay(client, b, year="30")  # a two-digit year as printed on the card
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
