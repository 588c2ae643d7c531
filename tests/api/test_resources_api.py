"""The JSON API over resource types, platforms and resources with their lifecycle."""
import pytest

from marketplace.catalog.models import Resource
from marketplace.core.models import AuditLog
from marketplace.extensions import db
from tests.catalog.data import api_payload

PROBLEM_KEYS = {"status", "title", "detail", "errors"}


def assert_problem(resp, status):
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:300])
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert set(body) == PROBLEM_KEYS and body["status"] == status
    assert isinstance(body["title"], str) and body["detail"] and isinstance(body["errors"], dict)
    return body


def test_resource_types_lists_the_ten_with_their_fields(client):
    items = client.get("/api/v1/resource-types").get_json()["items"]
    assert [i["key"] for i in items] == ["instrument", "facility", "talent", "institution", "dataset",
                                         "achievement", "finance", "service", "incubator", "bioresource"]
    by_key = {i["key"]: i for i in items}
    assert by_key["instrument"]["name_zh"] == "大型科学仪器" and by_key["instrument"]["platforms"] == ["sharing"]
    assert by_key["instrument"]["name_en"]
    fields = {f["name"]: f for f in by_key["instrument"]["fields"]}
    assert fields["external_price"]["kind"] == "money" and fields["external_price"]["required"] is True
    assert fields["service_mode"]["choices"] == ["self_operated", "sample_submission", "staff_operated"]
    trl = {f["name"]: f for f in by_key["achievement"]["fields"]}["trl"]
    assert (trl["min"], trl["max"]) == (1, 9)


def test_platforms_lists_the_six(client):
    items = client.get("/api/v1/platforms").get_json()["items"]
    assert [(i["key"], i["name_zh"], i["name_en"]) for i in items] == [
        ("sharing", "资源共享平台", "Resource Sharing"), ("trading", "技术交易平台", "Technology Trading"),
        ("startup", "创业服务平台", "Startup Services"), ("finance", "科技金融平台", "Sci-Tech Finance"),
        ("talent", "人才服务平台", "Talent Services"), ("data", "数据决策平台", "Data & Decisions")]
    sharing = items[0]
    assert "instrument" in sharing["resource_types"] and "achievement" not in sharing["resource_types"]


def test_create_patch_and_lifecycle(client, make_org, make_user, api_token):
    org = make_org(name="南通大学", city="南通")
    owner, reviewer = make_user(org=org), make_user(roles=("reviewer",))
    h_owner, h_rev = api_token(owner), api_token(reviewer)

    resp = client.post("/api/v1/resources", json=api_payload("instrument", platforms=["sharing", "data"]),
                       headers=h_owner)
    assert resp.status_code == 201
    body = resp.get_json()
    rid = body["id"]
    assert body["status"] == "draft" and body["platforms"] == ["sharing", "data"] and body["city"] == "无锡"
    assert body["fields"]["external_price"] == 35050  # fen in, fen out
    assert body["created_at"].endswith("+08:00")

    resp = client.patch(f"/api/v1/resources/{rid}", json={"title": "改名", "fields": {"external_price": 36000}},
                        headers=h_owner)
    assert resp.status_code == 200
    assert (resp.get_json()["title"], resp.get_json()["fields"]["external_price"]) == ("改名", 36000)
    db.session.expire_all()
    assert db.session.get(Resource, rid).external_price == 36000

    assert client.post(f"/api/v1/resources/{rid}/submit", headers=h_owner).get_json()["status"] == "pending_review"
    resp = client.post(f"/api/v1/resources/{rid}/reject", json={"reason": "价格依据不足"}, headers=h_rev)
    assert resp.get_json()["status"] == "rejected" and resp.get_json()["reject_reason"] == "价格依据不足"
    client.post(f"/api/v1/resources/{rid}/submit", headers=h_owner)
    published = client.post(f"/api/v1/resources/{rid}/publish", headers=h_rev).get_json()
    assert published["status"] == "published" and published["published_at"].endswith("+08:00")

    listing = client.get("/api/v1/resources").get_json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == rid and "fields" not in listing["items"][0]
    assert client.get(f"/api/v1/resources/{rid}").get_json()["title"] == "改名"  # anonymous

    assert client.post(f"/api/v1/resources/{rid}/offline", headers=h_owner).get_json()["status"] == "offline"
    assert client.get("/api/v1/resources").get_json()["total"] == 0
    assert client.post(f"/api/v1/resources/{rid}/archive", headers=h_owner).get_json()["status"] == "archived"

    actions = db.session.scalars(db.select(AuditLog.action).where(AuditLog.entity_id == rid,
                                                                  AuditLog.entity == "resource")
                                 .order_by(AuditLog.id)).all()
    assert actions == ["created", "edited", "submit", "reject", "submit", "publish", "offline", "archive"]


def test_conflicting_transition_is_409(client, make_org, make_user, make_resource, api_token):
    org = make_org()
    r = make_resource("dataset", org, status="published")
    body = assert_problem(client.post(f"/api/v1/resources/{r.id}/submit", headers=api_token(make_user(org=org))), 409)
    assert "published" in body["detail"]


def test_reject_without_reason_is_422(client, make_org, make_resource, make_user, api_token):
    r = make_resource("dataset", make_org(), status="pending_review")
    body = assert_problem(client.post(f"/api/v1/resources/{r.id}/reject", json={},
                                      headers=api_token(make_user(roles=("reviewer",)))), 422)
    assert "reason" in body["errors"]


@pytest.mark.parametrize("method, url", [("get", "/api/v1/nothing-here"), ("delete", "/api/v1/resources"),
                                         ("post", "/api/v1/resources/1/teleport"), ("get", "/api/v1/resources/abc"),
                                         ("get", "/api/v1/resources/999999")])
def test_errors_are_problem_json(method, url, client, make_user, api_token):
    resp = getattr(client, method)(url, headers=api_token(make_user()))
    assert resp.status_code in (404, 405, 422)
    assert_problem(resp, resp.status_code)


def test_anonymous_writes_are_401(client, make_org, make_resource):
    r = make_resource("dataset", make_org())
    assert_problem(client.post("/api/v1/resources", json=api_payload("dataset")), 401)
    assert_problem(client.patch(f"/api/v1/resources/{r.id}", json={"title": "x"}), 401)
    assert_problem(client.post(f"/api/v1/resources/{r.id}/offline"), 401)


def test_null_city_or_platforms_is_refused_and_saves_nothing(client, api_token, make_org, make_user):
    from marketplace.catalog.models import Resource
    from marketplace.extensions import db
    org = make_org(name="空城单位", kind="university", city="南京")
    user = make_user(org=org)
    headers = api_token(user)
    for field in ("city", "platforms"):
        resp = client.post("/api/v1/resources", json={"type": "service", "title": "检测服务", "service_kind": "testing", field: None}, headers=headers)
        assert resp.status_code == 422, resp.get_json()
        assert field in resp.get_json()["errors"]
    assert db.session.scalar(db.select(db.func.count(Resource.id))) == 0
    resp = client.post("/api/v1/resources", json={"type": "service", "title": "检测服务", "service_kind": "testing"}, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["city"] == "南京"
