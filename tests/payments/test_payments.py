"""Paying bookings through a real localstripe: success, declines, gateway down, lost answers,
crashes, webhooks (forged, replayed) and refunds. Every outcome keeps the ledger balanced."""
import json
import time

import pytest
import requests
import sqlalchemy as sa

from marketplace import ledger
from marketplace.booking.models import Booking
from marketplace.core.db import writing
from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry
from marketplace.payments import services as ps
from marketplace.payments.gateway import Gateway, sign
from marketplace.payments.models import Payment, WebhookEvent
from tests.cards import card_id

CARD_OK = "4242424242424242"
CARD_CHARGE_DECLINED = "4000000000000341"


def completed(world, hours=2):
    b = world.book(hours=hours)
    world.approve(b)
    world.complete(b)
    assert b.status == "completed" and b.payable == 56_000
    return b


def reload(b):
    return db.session.execute(sa.select(Booking).where(Booking.id == b.id)
                              .execution_options(populate_existing=True)).scalar_one()


def card(client, b, number=CARD_OK, payment_method=None):
    """The checkout page posts what the gateway's script made of the card: its id, never the number."""
    return client.post(f"/payments/bookings/{b.id}/checkout",
                       data={"payment_method": payment_method or card_id(number)})


def payment_entries(b):
    return db.session.scalars(sa.select(JournalEntry).where(JournalEntry.booking_id == b.id,
                                                            JournalEntry.kind == "payment")).all()


def assert_paid_once(world, b):
    b = reload(b)
    assert b.status == "settled"
    assert len(payment_entries(b)) == 1
    assert ledger.unbalanced_entries() == []
    bal = ledger.balances(org_id=world.company.id)
    assert bal["gateway_clearing"] == 56_000 and bal.get("user_receivable", 0) == 0
    prog = world.programme
    db.session.refresh(prog)
    assert (prog.reserved, prog.committed) == (0, 24_000)
    tb = ledger.trial_balance()
    assert tb["total_debits"] == tb["total_credits"]


def test_pay_api_then_card_checkout(world, gateway_up, client, login, api_token):
    b = completed(world)
    resp = client.post(f"/api/v1/bookings/{b.id}/pay", headers=api_token(world.co_user))
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["payment_intent"].startswith("pi_") and body["client_secret"].startswith(body["payment_intent"])
    assert (body["fee"], body["user_subsidy"], body["payable"]) == (80_000, 24_000, 56_000)
    pi = Gateway(gateway_up, "sk_test").retrieve_payment_intent(body["payment_intent"])
    assert pi["amount"] == 56_000 and pi["currency"] == "cny"
    # a second call reuses the same payment (no second intent)
    again = client.post(f"/api/v1/bookings/{b.id}/pay", headers=api_token(world.co_user)).get_json()
    assert again["payment_intent"] == body["payment_intent"]
    login(client, world.co_user)
    page = client.get(f"/payments/bookings/{b.id}/checkout")
    assert page.status_code == 200 and "¥560.00" in page.get_data(as_text=True)
    resp = card(client, b)
    assert resp.status_code == 302
    assert_paid_once(world, b)
    assert reload(b).payment_ref == body["payment_intent"]
    assert client.post(f"/api/v1/bookings/{b.id}/pay", headers=api_token(world.co_user)).status_code == 409


def test_pay_validation_and_permissions(world, gateway_up, client, api_token):
    b = world.book()
    world.approve(b)
    resp = client.post(f"/api/v1/bookings/{b.id}/pay", headers=api_token(world.co_user))
    assert resp.status_code == 409                                  # not completed yet
    world.complete(b)
    stranger = world.company_user()
    assert client.post(f"/api/v1/bookings/{b.id}/pay", headers=api_token(stranger)).status_code in (403, 404)
    assert client.post(f"/api/v1/bookings/{b.id}/pay").status_code == 401
    assert client.post("/api/v1/bookings/999999/pay", headers=api_token(world.co_user)).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_bad_card_input_is_refused_before_the_gateway(world, gateway_up, client, login):
    b = completed(world)
    login(client, world.co_user)
    for data in ({"payment_method": "42424242abcd4242"}, {"payment_method": ""}, {"payment_method": "pm_" + "x" * 200},
                 {"number": "4242424242424242", "cvc": "123"}):  # a raw card is not even read
        resp = client.post(f"/payments/bookings/{b.id}/checkout", data=data)
        assert resp.status_code == 422
        html = resp.get_data(as_text=True)
        assert "4242424242424242" not in html and "42424242abcd4242" not in html
        assert "请填写银行卡信息" in html or "银行卡信息无效" in html
    assert reload(b).status == "completed"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_nothing_payable_settles_without_the_gateway(app, world, client, api_token):
    with writing():
        from marketplace.subsidy.services import update_programme
        update_programme(world.programme, rate_sme_bp=10000, actor=world.admin)
        db.session.commit()
    b = world.book()
    world.approve(b)
    world.complete(b)
    assert b.payable == 0
    # STRIPE_API_BASE points at a closed port in tests: the gateway is never called
    resp = client.post(f"/api/v1/bookings/{b.id}/pay", headers=api_token(world.co_user))
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "settled" and body["payment_intent"] is None
    assert ledger.unbalanced_entries() == []


def test_gateway_down_booking_stays_payable(app, world, client, api_token, login, localstripe):
    b = completed(world)
    resp = client.post(f"/api/v1/bookings/{b.id}/pay", headers=api_token(world.co_user))
    assert resp.status_code == 503
    assert "支付网关暂时无法连接" in resp.get_json()["detail"]
    assert reload(b).status == "completed" and reload(b).payable == 56_000
    kept = db.session.scalars(sa.select(Payment)).all()
    assert len(kept) == 1 and kept[0].status == "created"           # stored before calling: nothing lost
    login(client, world.co_user)
    page = card(client, b, payment_method="card_madewhilethegatewaywasup")
    assert page.status_code == 503 and "支付网关暂时无法连接" in page.get_data(as_text=True)
    # the gateway comes back: the same payment row is used
    app.config["STRIPE_API_BASE"] = localstripe
    assert card(client, b).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1
    assert_paid_once(world, b)


def test_declined_card_no_settlement_then_good_card(world, gateway_up, client, login):
    b = completed(world)
    login(client, world.co_user)
    resp = card(client, b, CARD_CHARGE_DECLINED)
    assert resp.status_code == 422
    assert "银行卡被拒绝" in resp.get_data(as_text=True)
    assert reload(b).status == "completed"
    assert payment_entries(b) == []
    assert db.session.scalars(sa.select(Payment.status)).all() == ["failed"]
    db.session.refresh(world.programme)
    assert world.programme.reserved == 24_000 and world.programme.committed == 0
    assert card(client, b).status_code == 302
    assert_paid_once(world, b)


def test_answer_lost_after_confirm_reconcile_settles_once(world, lose_answers, client, login, app):
    b = completed(world)
    login(client, world.co_user)
    # the gateway charges the card but neither the confirm nor the follow-up question is answered
    lose_answers.lose = lambda m, u: "/confirm" in u or (m == "GET" and "/payment_intents/" in u)
    resp = card(client, b)
    assert resp.status_code == 409 and "支付结果尚未确认" in resp.get_data(as_text=True)
    assert lose_answers.lost >= 1
    assert reload(b).status == "completed"
    p = db.session.scalars(sa.select(Payment)).one()
    assert p.status == "confirming"
    # paying again is refused while the outcome is unknown: no double charge
    assert card(client, b).status_code == 409
    lose_answers.lose = lambda m, u: False
    out = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert "settled=1" in out.output, out.output
    assert_paid_once(world, b)
    out = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert "settled=0" in out.output
    assert_paid_once(world, b)


def test_answer_lost_when_creating_the_intent(world, lose_answers, client, api_token, app):
    b = completed(world)
    lose_answers.lose = lambda m, u: m == "POST" and u.endswith("/v1/payment_intents")
    resp = client.post(f"/api/v1/bookings/{b.id}/pay", headers=api_token(world.co_user))
    assert resp.status_code == 503
    p = db.session.scalars(sa.select(Payment)).one()
    assert p.status == "created" and p.payment_intent_id is None
    lose_answers.lose = lambda m, u: False
    counts = ps.reconcile()
    p = db.session.get(Payment, p.id)
    db.session.refresh(p)
    assert p.payment_intent_id and p.status == "requires_payment_method"   # found by its metadata
    assert counts["settled"] == 0
    body = client.post(f"/api/v1/bookings/{b.id}/pay", headers=api_token(world.co_user)).get_json()
    assert body["payment_intent"] == p.payment_intent_id


def test_killed_between_payment_and_settlement(world, gateway_up, client, login, app, monkeypatch):
    b = completed(world)
    login(client, world.co_user)

    def crash(*a, **k):
        raise KeyboardInterrupt("process killed")  # not an Exception: nothing catches it

    from marketplace.payments.services import checkout
    monkeypatch.setattr(checkout, "apply_intent", crash)  # the card checkout asks for the outcome
    with pytest.raises(KeyboardInterrupt):
        card(client, b)
    db.session.rollback()
    monkeypatch.undo()
    assert reload(b).status == "completed"
    assert db.session.scalars(sa.select(Payment.status)).all() == ["confirming"]
    out = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert "settled=1" in out.output, out.output
    assert_paid_once(world, b)


def _event(pi: dict, event_id="evt_test_1", type_="payment_intent.succeeded") -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": type_, "created": int(time.time()),
                       "data": {"object": pi}}).encode()


def test_webhook_settles_and_forged_or_replayed_are_refused(world, gateway_up, client, app, api_token):
    b = completed(world)
    body = client.post(f"/api/v1/bookings/{b.id}/pay", headers=api_token(world.co_user)).get_json()
    gw = Gateway(gateway_up, "sk_test")
    gw.update_payment_intent(body["payment_intent"], payment_method=card_id(base=gateway_up))
    pi = gw.confirm_payment_intent(body["payment_intent"], "test-confirm")  # paid outside our checkout
    assert pi["status"] == "succeeded"
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    payload = _event(pi)
    url = "/api/v1/payments/webhook"

    forged = client.post(url, data=payload, headers={"Stripe-Signature": sign(payload, "whsec_wrong")})
    assert forged.status_code == 400
    assert client.post(url, data=payload).status_code == 400
    stale = client.post(url, data=payload, headers={"Stripe-Signature": sign(payload, secret, int(time.time()) - 600)})
    assert stale.status_code == 400
    tampered = payload.replace(b"56000", b"1")
    assert client.post(url, data=tampered, headers={"Stripe-Signature": sign(payload, secret)}).status_code == 400
    assert reload(b).status == "completed"

    ok = client.post(url, data=payload, headers={"Stripe-Signature": sign(payload, secret)})
    assert ok.status_code == 200 and ok.get_json()["outcome"] == "processed"
    assert_paid_once(world, b)
    replay = client.post(url, data=payload, headers={"Stripe-Signature": sign(payload, secret)})
    assert replay.status_code == 200 and replay.get_json()["outcome"] == "duplicate"
    other = _event(pi, event_id="evt_test_2")   # a different event about the same success
    assert client.post(url, data=other, headers={"Stripe-Signature": sign(other, secret)}).status_code == 200
    assert_paid_once(world, b)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEvent)) == 2


def test_refund_returns_money_and_subsidy(world, gateway_up, client, login, api_token):
    b = completed(world)
    login(client, world.co_user)
    assert card(client, b).status_code == 302
    p = db.session.scalars(sa.select(Payment)).one()
    client.post("/logout")
    url = f"/api/v1/payments/{p.id}/refund"
    assert client.post(url, headers=api_token(world.co_user)).status_code == 403   # only finance refunds
    assert client.post("/api/v1/payments/99999/refund", headers=api_token(world.finance)).status_code == 404
    resp = client.post(url, headers=api_token(world.finance))
    assert resp.status_code == 200 and resp.get_json()["status"] == "refunded"
    db.session.rollback()
    p = db.session.get(Payment, p.id)
    db.session.refresh(p)
    assert p.status == "refunded" and p.refund_id.startswith("re_") and p.refunded_amount == 56_000
    db.session.refresh(world.programme)
    assert (world.programme.reserved, world.programme.committed) == (0, 0)
    assert world.programme.remaining == world.programme.budget
    bal = ledger.balances()
    assert bal.get("gateway_clearing", 0) == 0 and bal.get("provider_payable", 0) == 0
    assert ledger.unbalanced_entries() == []
    with writing():  # refunding twice does nothing
        ps.refund_payment(db.session.get(Payment, p.id), actor=world.finance)
        db.session.commit()
    assert len(db.session.scalars(sa.select(JournalEntry).where(JournalEntry.kind == "refund")).all()) == 1


@pytest.mark.slow
@pytest.mark.real_clock  # localstripe signs the webhook with its own (real) clock; the app checks its age
def test_localstripe_delivers_a_signed_webhook(world, gateway_up, live_server, app, api_token, client):
    """End to end: localstripe itself signs and posts payment_intent.succeeded to our endpoint."""
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    requests.post(f"{gateway_up}/_config/webhooks/subsidy-test-{time.time_ns()}",
                  data={"url": f"{live_server}/api/v1/payments/webhook", "secret": secret}, timeout=5).raise_for_status()
    b = completed(world)
    body = client.post(f"/api/v1/bookings/{b.id}/pay", headers=api_token(world.co_user)).get_json()
    gw = Gateway(gateway_up, "sk_test")
    gw.update_payment_intent(body["payment_intent"], payment_method=card_id(base=gateway_up))
    gw.confirm_payment_intent(body["payment_intent"], "ls-confirm")
    deadline = time.time() + 30  # localstripe waits 1 s, then posts; slower under load
    while time.time() < deadline and reload(b).status != "settled":
        db.session.rollback()
        time.sleep(0.3)
    assert_paid_once(world, b)


def test_paid_booking_without_a_programme_still_books_the_income(world, gateway_up, client, login):
    with writing():
        from marketplace.subsidy.services import update_programme
        update_programme(world.programme, active=False, actor=world.admin)
        db.session.commit()
    b = world.book()
    world.approve(b)
    world.complete(b)
    assert b.user_subsidy == 0 and b.payable == 80_000
    login(client, world.co_user)
    assert card(client, b).status_code == 302
    assert reload(b).status == "settled"
    bal = ledger.balances(org_id=world.company.id)
    assert bal["gateway_clearing"] == 80_000 and bal.get("user_receivable", 0) == 0
    assert -ledger.balances(org_id=world.lab.id)["provider_payable"] == 80_000
    assert ledger.unbalanced_entries() == []


def test_pay_button_follows_who_may_pay_and_every_move_is_audited(world, gateway_up, client, login):
    from marketplace.core.audit import history
    b = completed(world)
    assert ps.allowed_actions(b, actor=world.co_user) == ["pay"]
    assert ps.allowed_actions(b, actor=world.lab_staff) == []     # the provider sees the booking, may not pay it
    login(client, world.lab_staff)
    assert f"/payments/bookings/{b.id}/checkout" not in client.get(f"/booking/{b.id}").get_data(as_text=True)
    assert "银行卡支付" not in client.get(f"/payments/bookings/{b.id}/checkout").get_data(as_text=True)
    client.post("/logout")
    login(client, world.co_user)
    assert f"/payments/bookings/{b.id}/checkout" in client.get(f"/booking/{b.id}").get_data(as_text=True)
    assert card(client, b).status_code == 302
    payment = db.session.scalars(sa.select(Payment).where(Payment.booking_id == b.id)).one()
    moves = [(h.action, h.to_state) for h in history("payment", payment.id)]
    assert moves == [("create", "created"), ("requires_payment_method", "requires_payment_method"),
                     ("confirming", "confirming"), ("succeeded", "succeeded")]
    assert ps.allowed_actions(reload(b), actor=world.co_user) == []   # paid: nothing more to pay
    from marketplace.subsidy.services import reservation_of
    res = reservation_of(b)
    assert [(h.action, h.to_state) for h in history("subsidy_reservation", res.id)] == [
        ("reserve", "reserved"), ("commit", "committed")]
