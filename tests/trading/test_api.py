"""The deals API: the flow a broker drives with a personal token, and bad input answered 4xx with nothing saved."""
import pytest

from marketplace.extensions import db
from marketplace.trading.models import Deal, DealInstalment, DealOffer

SIGN = {"contract_type": "transfer", "total_amount": 30_000_000, "tech_amount": 25_000_000,
        "instalments": [{"due_on": "2027-01-31", "amount": 10_000_000}, {"due_on": "2027-03-31", "amount": 20_000_000}]}


def call(client, path, headers, body=None, expect=200):
    resp = client.post(path, json=body if body is not None else {}, headers=headers)
    assert resp.status_code == expect, resp.get_data(as_text=True)[:800]
    return resp.get_json()


@pytest.fixture
def tokens(world, api_token):
    return {name: api_token(getattr(world, name)) for name in
            ("broker", "buyer_user", "seller_user", "other_user", "reviewer")}


def test_a_broker_drives_a_state_owned_deal_through_notice_and_objection(app, client, world, tokens):
    deal = call(client, "/api/v1/deals", tokens["broker"], {
        "achievement_id": world.state_owned.id, "buyer_org_id": world.buyer.id, "seller_org_id": world.seller.id,
        "mode": "transfer", "amount": 28_000_000, "message": "代买方报价"}, 201)
    assert (deal["status"], deal["broker_user_id"], deal["waiting_for"]) == ("negotiating", world.broker.id, "seller")
    call(client, f"/api/v1/deals/{deal['id']}/accept", tokens["buyer_user"], expect=403)
    deal = call(client, f"/api/v1/deals/{deal['id']}/offer", tokens["seller_user"], {"amount": 30_000_000,
                                                                                    "message": "还价"})
    call(client, f"/api/v1/deals/{deal['id']}/accept", tokens["broker"], expect=403)  # no mandate from the buyer
    deal = call(client, f"/api/v1/deals/{deal['id']}/confirm-mandate", tokens["buyer_user"])
    assert deal["mandated_sides"] == ["buyer"]
    call(client, f"/api/v1/deals/{deal['id']}/confirm-mandate", tokens["other_user"], expect=404)
    deal = call(client, f"/api/v1/deals/{deal['id']}/accept", tokens["broker"])
    assert deal["status"] == "public_notice" and deal["notice_ends_at"]
    notices = client.get("/api/v1/deals/notices").get_json()["items"]
    assert [(n["id"], n["amount"], n["seller"]) for n in notices] == [(deal["id"], 30_000_000, world.seller.name)]
    public = client.get(f"/api/v1/deals/{deal['id']}").get_json()  # the notice is public, the negotiation not
    assert (public["amount"], public["offers"], public["status"]) == (30_000_000, [], "public_notice")
    assert len(client.get(f"/api/v1/deals/{deal['id']}", headers=tokens["buyer_user"]).get_json()["offers"]) == 2
    call(client, f"/api/v1/deals/{deal['id']}/sign", tokens["buyer_user"], SIGN, 409)  # notice not over
    deal = call(client, f"/api/v1/deals/{deal['id']}/object", tokens["other_user"], {"reason": "价格偏低"})
    assert deal["status"] == "objected"
    call(client, f"/api/v1/deals/{deal['id']}/resolve-objection", tokens["broker"], {"upheld": True}, 403)
    deal = call(client, f"/api/v1/deals/{deal['id']}/resolve-objection", tokens["reviewer"],
                {"upheld": True, "comment": "未经资产评估"})
    assert (deal["status"], deal["cancel_reason_code"]) == ("cancelled", "objection_upheld")
    listed = client.get("/api/v1/deals", headers=tokens["broker"]).get_json()["items"]
    assert [d["id"] for d in listed] == [deal["id"]]


def agreed_deal(client, world, tokens):
    deal = call(client, "/api/v1/deals", tokens["buyer_user"], {
        "achievement_id": world.private.id, "mode": "transfer", "amount": 30_000_000}, 201)
    return call(client, f"/api/v1/deals/{deal['id']}/accept", tokens["seller_user"])


@pytest.mark.parametrize("amount", [-1, 1.5, 10**15 + 1, "100", True, None])
def test_bad_offer_amounts_are_422_and_nothing_is_saved(client, world, tokens, amount):
    resp = client.post("/api/v1/deals", json={"achievement_id": world.private.id, "mode": "transfer",
                                              "amount": amount}, headers=tokens["buyer_user"])
    assert resp.status_code == 422 and "amount" in resp.get_json()["errors"], resp.get_data(as_text=True)
    assert db.session.query(Deal).count() == 0 and db.session.query(DealOffer).count() == 0
    deal = call(client, "/api/v1/deals", tokens["buyer_user"], {"achievement_id": world.private.id,
                                                                "mode": "transfer", "amount": 100}, 201)
    resp = client.post(f"/api/v1/deals/{deal['id']}/offer", json={"amount": amount}, headers=tokens["seller_user"])
    assert resp.status_code == 422
    assert db.session.query(DealOffer).count() == 1 and db.session.get(Deal, deal["id"]).amount == 100


@pytest.mark.parametrize("change,field", [
    ({"tech_amount": 30_000_001}, "tech_amount"),
    ({"total_amount": -5}, "total_amount"),
    ({"total_amount": 3.0e7}, "total_amount"),
    ({"total_amount": 10**15 + 1}, "total_amount"),
    ({"instalments": [{"due_on": "2027-01-31", "amount": 10_000_000}]}, "instalments"),
    ({"instalments": [{"due_on": "2027-01-31", "amount": -10_000_000},
                      {"due_on": "2027-02-28", "amount": 40_000_000}]}, "instalments.0.amount"),
    ({"instalments": [{"due_on": "2027-01-31", "amount": 29_999_999.5},
                      {"due_on": "2027-02-28", "amount": 0.5}]}, "instalments.0.amount"),
    ({"instalments": []}, "instalments"),
    ({"contract_type": "gift"}, "contract_type"),
    ({"instalments": [{"due_on": "31/01/2027", "amount": 30_000_000}]}, "instalments.0.due_on"),
])
def test_bad_contracts_are_422_and_nothing_is_saved(client, world, tokens, change, field):
    deal = agreed_deal(client, world, tokens)
    resp = client.post(f"/api/v1/deals/{deal['id']}/sign", json={**SIGN, **change}, headers=tokens["buyer_user"])
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert field in resp.get_json()["errors"], resp.get_json()
    db.session.expire_all()
    assert db.session.get(Deal, deal["id"]).status == "agreed"
    assert db.session.query(DealInstalment).count() == 0


def test_signing_then_paying_through_the_api_answers_a_payment_intent(app, client, world, tokens, localstripe):
    app.config["STRIPE_API_BASE"] = localstripe
    deal = agreed_deal(client, world, tokens)
    half = call(client, f"/api/v1/deals/{deal['id']}/sign", tokens["seller_user"], SIGN)
    assert (half["status"], half["signed_sides"], half["instalments"]) == ("agreed", ["seller"], [])
    call(client, f"/api/v1/deals/{deal['id']}/pay", tokens["buyer_user"], {"instalment": 1}, 404)
    signed = call(client, f"/api/v1/deals/{deal['id']}/sign", tokens["buyer_user"], SIGN)
    assert signed["status"] == "signed" and [i["amount"] for i in signed["instalments"]] == [10_000_000, 20_000_000]
    call(client, f"/api/v1/deals/{deal['id']}/pay", tokens["seller_user"], {"instalment": 1}, 403)
    call(client, f"/api/v1/deals/{deal['id']}/pay", tokens["buyer_user"], {"instalment": 9}, 404)
    call(client, f"/api/v1/deals/{deal['id']}/pay", tokens["buyer_user"], {"instalment": "1"}, 422)
    paid = call(client, f"/api/v1/deals/{deal['id']}/pay", tokens["buyer_user"], {"instalment": 1})
    assert paid["payment_intent"].startswith("pi_") and paid["client_secret"]
    again = call(client, f"/api/v1/deals/{deal['id']}/pay", tokens["buyer_user"], {"instalment": 1})
    assert again["payment_intent"] == paid["payment_intent"]  # one intent per instalment
    call(client, f"/api/v1/deals/{deal['id']}/cancel", tokens["buyer_user"], {"reason_code": "bogus"}, 422)


def test_others_deals_are_not_found_and_strangers_cannot_act(client, world, tokens):
    deal = agreed_deal(client, world, tokens)
    assert client.get(f"/api/v1/deals/{deal['id']}", headers=tokens["other_user"]).status_code == 404
    assert client.get(f"/api/v1/deals/{deal['id']}").status_code == 404
    call(client, f"/api/v1/deals/{deal['id']}/cancel", tokens["other_user"], {"reason_code": "price"}, 404)
    assert client.get("/api/v1/deals/99999999", headers=tokens["buyer_user"]).status_code == 404
    call(client, "/api/v1/deals", tokens["buyer_user"], {"achievement_id": 2**31, "mode": "transfer",
                                                         "amount": 1}, 422)
    call(client, "/api/v1/deals", tokens["buyer_user"], {"achievement_id": world.private.id,
                                                         "demand_id": 1, "mode": "transfer", "amount": 1}, 422)
    call(client, "/api/v1/deals", {}, {"achievement_id": world.private.id, "mode": "transfer", "amount": 1}, 401)
