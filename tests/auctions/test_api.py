"""The auctions API and pages: terms and review, registration, bids (409 with next_valid), bad input
answered 4xx with nothing changed, the live state polled with an ETag."""
from datetime import timedelta

import sqlalchemy as sa
import time_machine

from marketplace.auctions.models import Auction, Bid
from marketplace.core.timeutil import isoformat
from marketplace.extensions import db

from .conftest import DEPOSIT, START_PRICE, STEP, pay_deposit


def test_terms_review_registration_and_bids_through_the_api(world, client, api_token, make_resource):
    seller, reviewer, bidder = api_token(world.seller_user), api_token(world.reviewer), api_token(world.users[0])
    other = make_resource("achievement", world.seller, title="另一项成果", transaction_modes="licence")
    terms = {"starting_price": 500_000, "increment": 10_000, "registration_deadline": isoformat(world.reg_deadline) + "",
             "starts_at": isoformat(world.starts_at), "ends_at": isoformat(world.ends_at)}
    assert client.post(f"/api/v1/achievements/{other.id}/auction", json=terms, headers=bidder).status_code == 403
    bad = {**terms, "ends_at": isoformat(world.starts_at - timedelta(hours=1))}
    r = client.post(f"/api/v1/achievements/{other.id}/auction", json=bad, headers=seller)
    assert r.status_code == 422 and "ends_at" in r.get_json()["errors"]
    r = client.post(f"/api/v1/achievements/{other.id}/auction", json=terms, headers=seller)
    assert r.status_code == 201 and r.get_json()["status"] == "pending_review"
    new_id = r.get_json()["id"]
    assert client.get(f"/api/v1/auctions/{new_id}").status_code == 404        # not public before review
    r = client.post(f"/api/v1/auctions/{new_id}/review", json={"approve": True}, headers=reviewer)
    assert r.status_code == 200 and r.get_json()["status"] == "registration"
    body = client.get(f"/api/v1/auctions/{new_id}").get_json()
    assert (body["deposit"], body["next_valid"], body["highest"], body["bids"]) == (50_000, 500_000, None, [])

    r = client.post(f"/api/v1/auctions/{world.auction.id}/registrations", headers=bidder)
    assert r.status_code == 201
    reg = r.get_json()
    assert (reg["status"], reg["deposit"], reg["alias"]) == ("pending", DEPOSIT, "竞买人 1")
    assert reg["remittance_code"].startswith("JS")
    from marketplace.auctions.models import AuctionRegistration
    pay_deposit(db.session.get(AuctionRegistration, reg["id"]))
    with time_machine.travel(world.starts_at + timedelta(minutes=1), tick=True):
        url = f"/api/v1/auctions/{world.auction.id}/bids"
        r = client.post(url, json={"amount": START_PRICE}, headers=bidder)
        assert r.status_code == 201
        assert (r.get_json()["highest"], r.get_json()["next_valid"]) == (START_PRICE, START_PRICE + STEP)
        assert r.get_json()["bids"][0]["alias"] == "竞买人 1"
        assert r.get_json()["mine"]["status"] == "confirmed"
        r = client.post(url, json={"amount": START_PRICE + STEP + 7}, headers=bidder)
        assert r.status_code == 409
        assert (r.get_json()["highest"], r.get_json()["next_valid"]) == (START_PRICE, START_PRICE + STEP)
        for body in ({"amount": "1050000"}, {"amount": -5}, {"amount": 10**16}, {}, {"amount": 1.5},
                     {"amount": True}):
            assert client.post(url, json=body, headers=bidder).status_code == 422, body
        assert client.post(url, data="amount=1", headers=bidder).status_code == 422
        assert client.post(f"/api/v1/auctions/{2**40}/bids", json={"amount": START_PRICE}, headers=bidder).status_code == 404
        assert client.post(url, json={"amount": START_PRICE + STEP}).status_code == 401
        assert client.post(url, json={"amount": START_PRICE + STEP}, headers=api_token(world.users[1])).status_code == 403
        assert client.post(f"/api/v1/auctions/{world.auction.id}/registrations/{reg['id']}/confirm",
                           headers=api_token(world.users[1])).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Bid)) == 1
    assert db.session.get(Auction, world.auction.id).highest == START_PRICE


def test_the_page_shows_the_auction_and_the_live_state_answers_304_until_a_bid(bidding, client, login):
    w = bidding
    login(client, w.users[0])
    page = client.get(f"/auctions/{w.auction.id}").get_data(as_text=True)
    assert "一种高精度激光测距方法" in page and w.regs[0].remittance_code in page and 'id="auction-bids"' in page
    url = f"/auctions/{w.auction.id}/state.json"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.get_json()["status"] == "registration"
    with time_machine.travel(w.starts_at + timedelta(minutes=1), tick=True):
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 200   # the phase moved on
        etag = client.get(url).headers["ETag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        from .conftest import bid
        bid(w, w.users[1], START_PRICE)
        fresh = client.get(url, headers={"If-None-Match": etag})
        assert fresh.status_code == 200
        assert fresh.get_json()["bids"] == [{"alias": "竞买人 2", "amount": START_PRICE, "amount_text": "¥10,000.00",
                                             "at": fresh.get_json()["bids"][0]["at"]}]
        r = client.post(f"/auctions/{w.auction.id}/bid", data={"amount": "10,000.00"})
        assert r.status_code == 422 and "10,500.00" in r.get_data(as_text=True)       # below: said next to the field
        r = client.post(f"/auctions/{w.auction.id}/bid", data={"amount": "10500"})
        assert r.status_code == 302
    assert db.session.get(Auction, w.auction.id).highest == START_PRICE + STEP


def test_the_achievement_s_answer_carries_its_auction_id_status_and_terms(world, client, make_resource):
    body = client.get(f"/api/v1/resources/{world.achievement.id}").get_json()
    auction = body["auction"]
    assert (auction["id"], auction["status"], auction["starting_price"], auction["increment"]) == (
        world.auction.id, "registration", START_PRICE, STEP)
    assert (auction["deposit"], auction["extension_minutes"], auction["fallback_mode"]) == (DEPOSIT, 5, "fixed")
    assert auction["ends_at"] == isoformat(world.ends_at)
    assert client.get(f"/api/v1/auctions/{auction['id']}").status_code == 200
    plain = make_resource("achievement", world.seller, title="协议转让的成果")
    assert client.get(f"/api/v1/resources/{plain.id}").get_json()["auction"] is None
