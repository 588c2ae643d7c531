"""Demands: lifecycle by role, API, search index (an expired demand leaves it), matching both ways."""
from datetime import date, timedelta

import pytest

from marketplace.extensions import db
from marketplace.trading.models import Demand

from .conftest import NOW

DEMAND = {"title": "寻求锂电池正极材料制备技术", "summary": "提高锂电池正极材料能量密度", "field": "新能源",
          "city": "苏州", "budget_min": 1_000_000, "budget_max": 50_000_000, "deadline": "2099-06-30",
          "description": "需要高镍正极材料的制备工艺"}


@pytest.fixture
def indexed(app):
    """The app, indexing every commit (the search tests' way)."""
    app.config["AUTO_INDEX"] = True
    return app


def post(client, path, headers, json=None, expect=200):
    resp = client.post(path, json=json if json is not None else {}, headers=headers)
    assert resp.status_code == expect, resp.get_data(as_text=True)[:800]
    return resp.get_json()


def test_demand_lifecycle_by_role_over_the_api(client, world, api_token):
    buyer, reviewer, other = api_token(world.buyer_user), api_token(world.reviewer), api_token(world.other_user)
    d = post(client, "/api/v1/demands", buyer, DEMAND, 201)
    assert (d["status"], d["org_id"], d["budget_max"]) == ("draft", world.buyer.id, 50_000_000)
    assert client.get(f"/api/v1/demands/{d['id']}").status_code == 404          # a draft is not public
    assert client.get(f"/api/v1/demands/{d['id']}", headers=other).status_code == 404
    post(client, f"/api/v1/demands/{d['id']}/submit", other, expect=404)
    assert post(client, f"/api/v1/demands/{d['id']}/submit", buyer)["status"] == "pending_review"
    post(client, f"/api/v1/demands/{d['id']}/publish", buyer, expect=403)      # not a reviewer
    rejected = post(client, f"/api/v1/demands/{d['id']}/reject", reviewer, {"reason": "预算不清楚"})
    assert (rejected["status"], rejected["reject_reason"]) == ("rejected", "预算不清楚")
    post(client, f"/api/v1/demands/{d['id']}/submit", buyer)
    assert post(client, f"/api/v1/demands/{d['id']}/publish", reviewer)["status"] == "published"
    public = client.get(f"/api/v1/demands/{d['id']}").get_json()
    assert public["status"] == "published" and "suggested" in public
    listed = client.get("/api/v1/demands", query_string={"city": "苏州", "field": "新能源", "q": "锂电池"}).get_json()
    assert [x["id"] for x in listed["items"]] == [d["id"]]
    assert client.get("/api/v1/demands", query_string={"city": "南京"}).get_json()["total"] == 0
    assert post(client, f"/api/v1/demands/{d['id']}/offline", buyer)["status"] == "offline"
    post(client, f"/api/v1/demands/{d['id']}/publish", reviewer, expect=409)   # offline → publish is not a move


@pytest.mark.parametrize("change,field", [
    ({"budget_min": -1}, "budget_min"), ({"budget_max": 1.5}, "budget_max"), ({"budget_max": 10**15 + 1}, "budget_max"),
    ({"budget_min": "100"}, "budget_min"), ({"city": "上海"}, "city"), ({"title": ""}, "title"),
    ({"deadline": "2026-13-01"}, "deadline"), ({"budget_min": 9, "budget_max": 8}, "budget_max"),
    ({"title": "a\x00b"}, "title"), ({"deadline": "2000-01-01"}, "deadline"),
])
def test_bad_demands_are_422_and_nothing_is_saved(client, world, api_token, change, field):
    resp = client.post("/api/v1/demands", json={**DEMAND, **change}, headers=api_token(world.buyer_user))
    assert resp.status_code == 422, resp.get_data(as_text=True)
    assert field in resp.get_json()["errors"]
    assert db.session.query(Demand).count() == 0


def test_a_person_without_an_organisation_cannot_post(client, world, api_token):
    resp = client.post("/api/v1/demands", json=DEMAND, headers=api_token(world.reviewer))
    assert resp.status_code == 403


def test_demands_are_indexed_matched_both_ways_and_an_expired_demand_leaves_search(indexed, make_org, make_user,
                                                                                   make_resource):
    from marketplace.trading import services
    from marketplace.trading.services import matching
    from marketplace.trading.services.sweep import sweep
    seller = make_org(name="南京某大学", kind="university")
    buyer = make_org(name="苏州某公司", kind="enterprise", city="苏州")
    user = make_user(buyer)
    reviewer = make_user(None, roles=("reviewer",))
    battery = make_resource("achievement", seller, title="高镍锂电池正极材料制备技术", summary="锂电池 正极材料",
                            discipline="新能源")
    make_resource("achievement", seller, title="工业机器视觉检测算法", summary="缺陷检测")
    demand = services.create_demand({k: v for k, v in DEMAND.items() if k != "deadline"} | {
        "deadline": date(2027, 1, 31)}, actor=user, now=NOW)
    services.submit_demand(demand, actor=user, now=NOW)
    services.publish_demand(demand, actor=reviewer, now=NOW)
    db.session.commit()
    suggested = matching.suggested_for_demand(demand)
    assert suggested and suggested[0]["id"] == battery.id
    assert [m["id"] for m in matching.demands_for_achievement(battery)] == [demand.id]
    found = indexed.test_client().get("/api/v1/search", query_string={"q": "正极材料"}).get_json()
    assert any(i["title"] == demand.title for i in found["items"])
    sweep(NOW + timedelta(days=70))  # past the deadline
    db.session.commit()
    assert demand.status == "expired"
    found = indexed.test_client().get("/api/v1/search", query_string={"q": "正极材料"}).get_json()
    assert not any(i["title"] == demand.title for i in found["items"])
    assert matching.demands_for_achievement(battery) == []


def test_owners_opt_in_to_news_of_matching_demands(indexed, make_org, make_user, make_resource):
    from marketplace.notifications.models import Notification
    from marketplace.trading import services
    from marketplace.trading.services import matching
    seller = make_org(name="南京某大学", kind="university")
    buyer = make_org(name="苏州某公司", kind="enterprise", city="苏州")
    owner, quiet = make_user(seller), make_user(seller)
    user, reviewer = make_user(buyer), make_user(None, roles=("reviewer",))
    battery = make_resource("achievement", seller, title="高镍锂电池正极材料制备技术", summary="锂电池 正极材料")
    matching.set_achievement_watch(battery, True, actor=owner)
    demand = services.create_demand({**DEMAND, "deadline": date(2027, 1, 31)}, actor=user, now=NOW)
    services.submit_demand(demand, actor=user, now=NOW)
    db.session.commit()
    services.publish_demand(demand, actor=reviewer, now=NOW)
    assert db.session.query(Notification).count() == 0  # not in the request: after the commit
    db.session.commit()
    notes = db.session.query(Notification).all()
    assert [n.user_id for n in notes] == [owner.id] and quiet.id != owner.id  # only who opted in


def test_a_demand_under_review_cannot_be_rewritten_and_goes_public_as_reviewed(client, world, api_token):
    """Issue 25: a demand rewritten while under review went public as rewritten."""
    from marketplace.core.errors import Conflict
    from marketplace.trading import services
    buyer, reviewer = api_token(world.buyer_user), api_token(world.reviewer)
    d = post(client, "/api/v1/demands", buyer, DEMAND, 201)
    post(client, f"/api/v1/demands/{d['id']}/submit", buyer)
    demand = db.session.get(Demand, d["id"])
    with pytest.raises(Conflict):
        services.update_demand(demand, {"title": "换成别的内容"}, actor=world.buyer_user)
    db.session.rollback()
    assert not services.can_edit_demand(db.session.get(Demand, d["id"]), actor=world.buyer_user)
    public = post(client, f"/api/v1/demands/{d['id']}/publish", reviewer)
    assert public["title"] == DEMAND["title"]
