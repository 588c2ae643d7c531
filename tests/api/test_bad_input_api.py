"""Bad input to the resource API gets a clear problem+json error and changes nothing."""
import pytest
import sqlalchemy as sa

from marketplace.catalog import services
from marketplace.catalog.models import Resource
from marketplace.extensions import db
from tests.api.test_resources_api import assert_problem
from tests.catalog.data import api_payload


def _rows():
    return {t: db.session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("resources", "res_instrument", "resource_platforms", "audit_log")}


@pytest.fixture
def owner_headers(make_org, make_user, api_token):
    return api_token(make_user(org=make_org(name="江南大学", city="无锡")))


def _with(type_key="instrument", drop=(), **changes):
    body = api_payload(type_key)
    fields = dict(body.pop("fields"))
    for key in drop:
        body.pop(key, None)
        fields.pop(key, None)
    for key, value in changes.items():
        (body if key in ("type", "title", "summary", "description", "city", "platforms", "tags",
                         "contact_email", "owner_org_id", "fields") else fields)[key] = value
    if "fields" not in changes:
        body["fields"] = fields
    return body


CREATE_CASES = {  # name: (body, field named in errors or None)
    "missing type": (_with(drop=("type",)), "type"),
    "missing title": (_with(drop=("title",)), "title"),
    "missing required own field": (_with(drop=("model", "external_price")), "model"),
    "unknown type": (_with(type="spaceship"), "type"),
    "type as list": (_with(type=["instrument"]), "type"),
    "type as number": (_with(type=7), "type"),
    "title as list": (_with(title=["仪器"]), "title"),
    "title as number": (_with(title=123), "title"),
    "empty title": (_with(title="   "), "title"),
    "title 10,000 chars": (_with(title="仪" * 10_000), "title"),
    "summary too long": (_with(summary="x" * 501), "summary"),
    "money as string": (_with(original_value="4500000"), "original_value"),
    "money as float": (_with(external_price=350.5), "external_price"),
    "money as bool": (_with(internal_price=True), "internal_price"),
    "negative money": (_with(external_price=-100), "external_price"),
    "absurd money": (_with(original_value=10**18), "original_value"),
    "required money null": (_with(external_price=None), "external_price"),
    "unknown service_mode": (_with(service_mode="flying"), "service_mode"),
    "service_mode as list": (_with(service_mode=["staff_operated"]), "service_mode"),
    "service_mode as object": (_with(service_mode={"a": 1}), "service_mode"),
    "city outside Jiangsu": (_with(city="上海"), "city"),
    "city as list": (_with(city=["南京"]), "city"),
    "platforms as string": (_with(platforms="sharing"), "platforms"),
    "platforms empty": (_with(platforms=[]), "platforms"),
    "unknown platform": (_with(platforms=["moon"]), "platforms"),
    "platforms nested list": (_with(platforms=[["sharing"]]), "platforms"),
    "impossible date": (_with(purchase_date="2019-13-01"), "purchase_date"),
    "date in the future": (_with(purchase_date="2999-01-01"), "purchase_date"),
    "ancient date": (_with(purchase_date="0001-01-01"), "purchase_date"),
    "date as number": (_with(purchase_date=20190601), "purchase_date"),
    "bool as string": (_with(bookable="yes"), "bookable"),
    "text as list": (_with(functions=["a", "b"]), "functions"),
    "unknown field": (_with(colour="red"), "colour"),
    "owner of another organisation": (_with(owner_org_id=1), "owner_org_id"),
    "fields not an object": (_with(fields=["model"]), "fields"),
    "TRL 0": (_with("achievement", trl=0), "trl"),
    "TRL 10": (_with("achievement", trl=10), "trl"),
    "TRL as string": (_with("achievement", trl="5"), "trl"),
    "TRL as float": (_with("achievement", trl=5.5), "trl"),
    "TRL as bool": (_with("achievement", trl=True), "trl"),
    "unknown transaction mode": (_with("achievement", transaction_modes=["steal"]), "transaction_modes"),
    "unknown ip_kind": (_with("achievement", ip_kind="trademark"), "ip_kind"),
    "biosafety level 5": (_with("bioresource", biosafety_level=5), "biosafety_level"),
    "negative area": (_with("facility", area_m2=-1), "area_m2"),
    "finance min above max": (_with("finance", amount_min=500, amount_max=100), "amount_max"),
}


@pytest.mark.parametrize("body, field", CREATE_CASES.values(), ids=CREATE_CASES.keys())
def test_create_with_bad_input_is_422_and_creates_nothing(body, field, client, owner_headers):
    before = _rows()
    problem = assert_problem(client.post("/api/v1/resources", json=body, headers=owner_headers), 422)
    assert field in problem["errors"], problem
    assert all(isinstance(m, str) and m for msgs in problem["errors"].values() for m in msgs)
    assert _rows() == before


BODY_CASES = {
    "malformed JSON": dict(data='{"type": "instrument", "title": ', content_type="application/json"),
    "JSON array": dict(json=[api_payload("instrument")]),
    "JSON string": dict(json="instrument"),
    "JSON null": dict(data="null", content_type="application/json"),
    "empty body": dict(data="", content_type="application/json"),
    "form-encoded body": dict(data={"type": "instrument", "title": "x"}),
    "oversize body": dict(data='{"title": "' + "x" * 300_000 + '"}', content_type="application/json"),
}


@pytest.mark.parametrize("kwargs", BODY_CASES.values(), ids=BODY_CASES.keys())
def test_body_that_is_not_a_json_object_is_refused(kwargs, client, draft):
    rid, headers = draft
    before, resource_before = _rows(), client.get(f"/api/v1/resources/{rid}", headers=headers).get_json()
    for method, url in ((client.post, "/api/v1/resources"), (client.patch, f"/api/v1/resources/{rid}"),
                        (client.post, f"/api/v1/resources/{rid}/reject")):
        resp = method(url, headers=headers, **kwargs)
        assert resp.status_code in (400, 413, 422) and resp.mimetype == "application/problem+json", url
        assert resp.get_json()["detail"]
    assert _rows() == before
    assert client.get(f"/api/v1/resources/{rid}", headers=headers).get_json() == resource_before


@pytest.fixture
def draft(client, make_org, make_user, api_token):
    org = make_org(name="扬州大学", city="扬州")
    headers = api_token(make_user(org=org))
    rid = client.post("/api/v1/resources", json=api_payload("achievement"), headers=headers).get_json()["id"]
    return rid, headers


PATCH_CASES = {
    "change type": ({"type": "dataset"}, "type"),
    "empty title": ({"title": ""}, "title"),
    "null title": ({"title": None}, "title"),
    "title 10,000 chars": ({"title": "x" * 10_000}, "title"),
    "TRL 0": ({"fields": {"trl": 0}}, "trl"),
    "TRL 10": ({"fields": {"trl": 10}}, "trl"),
    "null required TRL": ({"trl": None}, "trl"),
    "negative money": ({"asking_price": -1}, "asking_price"),
    "money as bool": ({"asking_price": False}, "asking_price"),
    "unknown ip_kind": ({"ip_kind": "trademark"}, "ip_kind"),
    "own field of another type": ({"model": "SU8010"}, "model"),
    "unknown city": ({"city": "杭州"}, "city"),
}


@pytest.mark.parametrize("body, field", PATCH_CASES.values(), ids=PATCH_CASES.keys())
def test_patch_with_bad_input_is_422_and_changes_nothing(body, field, client, draft):
    rid, headers = draft
    before = client.get(f"/api/v1/resources/{rid}", headers=headers).get_json()
    audit_before = _rows()["audit_log"]
    problem = assert_problem(client.patch(f"/api/v1/resources/{rid}", json=body, headers=headers), 422)
    assert field in problem["errors"]
    assert client.get(f"/api/v1/resources/{rid}", headers=headers).get_json() == before
    assert _rows()["audit_log"] == audit_before


@pytest.mark.parametrize("rid", ["abc", "0", "-1", "1.5", "99999999999", "9" * 30])
def test_malformed_or_absurd_ids(rid, client, owner_headers):
    for resp in (client.get(f"/api/v1/resources/{rid}"),
                 client.patch(f"/api/v1/resources/{rid}", json={"title": "x"}, headers=owner_headers),
                 client.post(f"/api/v1/resources/{rid}/submit", headers=owner_headers)):
        assert resp.status_code in (404, 422), resp.status_code
        assert resp.mimetype == "application/problem+json"


@pytest.mark.parametrize("reason", [None, "", ["x"], {"a": 1}, 42, "理" * 501])
def test_reject_with_a_bad_reason_is_422(reason, client, make_org, make_user, make_resource, api_token):
    r = make_resource("dataset", make_org(), status="pending_review")
    body = {} if reason is None else {"reason": reason}
    assert_problem(client.post(f"/api/v1/resources/{r.id}/reject", json=body,
                               headers=api_token(make_user(roles=("reviewer",)))), 422)
    db.session.expire_all()
    assert db.session.get(Resource, r.id).status == "pending_review"


@pytest.mark.parametrize("status, expected", [("published", 403), ("draft", 404), ("pending_review", 404)])
def test_another_organisations_resource_cannot_be_changed(status, expected, client, owner_headers, make_org,
                                                          make_resource):
    r = make_resource("instrument", make_org(name="别人的大学"), status=status, title="别人的仪器")
    before = services.to_dict(r)
    assert_problem(client.patch(f"/api/v1/resources/{r.id}", json={"title": "抢过来"}, headers=owner_headers),
                   expected)
    for action in ("submit", "offline", "archive"):
        resp = client.post(f"/api/v1/resources/{r.id}/{action}", headers=owner_headers)
        assert resp.status_code == expected, (action, resp.status_code)
    db.session.expire_all()
    assert services.to_dict(db.session.get(Resource, r.id)) == before
