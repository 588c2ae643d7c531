"""Each of the ten resource types is created through its own web form and through the API, and its
detail page shows its own fields."""
import pytest

from marketplace.catalog.models import MODELS, Resource
from marketplace.catalog.types import BOOKABLE_TYPES, RESOURCE_TYPES
from marketplace.extensions import db
from tests.catalog.data import SHOWS, api_fields, api_payload, form_data

TYPES = list(RESOURCE_TYPES)


def test_there_are_exactly_the_ten_types_of_the_plan():
    assert TYPES == ["instrument", "facility", "talent", "institution", "dataset", "achievement", "finance",
                     "service", "incubator", "bioresource"]


@pytest.mark.parametrize("type_key", TYPES)
def test_type_created_through_its_web_form_shows_its_own_fields(type_key, client, make_org, make_user, login):
    org = make_org(name="东南大学", city="南京")
    login(client, make_user(org=org))

    form_page = client.get(f"/resources/new/{type_key}").get_data(as_text=True)
    for f in RESOURCE_TYPES[type_key].fields:  # the form asks for this type's own fields
        assert f'name="{f.name}"' in form_page, f.name

    resp = client.post(f"/resources/new/{type_key}", data=form_data(type_key))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    resource = db.session.scalar(db.select(Resource))
    assert isinstance(resource, MODELS[type_key])
    assert (resource.type, resource.status, resource.owner_org_id, resource.city) == (type_key, "draft", org.id, "苏州")
    for name, value in api_fields(type_key).items():
        stored = getattr(resource, name)
        if RESOURCE_TYPES[type_key].fields[[f.name for f in RESOURCE_TYPES[type_key].fields].index(name)].kind == "multi":
            stored = stored.split(",")
        assert str(stored) == str(value), name  # money stored as fen

    assert resp.headers["Location"].endswith(f"/resources/{resource.id}")
    page = client.get(f"/resources/{resource.id}").get_data(as_text=True)
    assert "草稿" in page and "测试" + RESOURCE_TYPES[type_key].name_zh in page
    for text in SHOWS[type_key]:
        assert text in page, text


@pytest.mark.parametrize("type_key", TYPES)
def test_type_created_through_the_api_shows_its_own_fields(type_key, client, make_org, make_user, api_token):
    org = make_org(name="无锡物联网研究院", city="无锡")
    owner = make_user(org=org)
    reviewer = make_user(roles=("reviewer",))

    resp = client.post("/api/v1/resources", json=api_payload(type_key), headers=api_token(owner))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["type"] == type_key and body["status"] == "draft" and body["owner"]["id"] == org.id
    assert body["platforms"] == list(RESOURCE_TYPES[type_key].platforms)
    assert body["fields"] == {**{f.name: None for f in RESOURCE_TYPES[type_key].fields
                                 if f.kind not in ("bool", "multi")},
                              **{f.name: [] for f in RESOURCE_TYPES[type_key].fields if f.kind == "multi"},
                              **{f.name: False for f in RESOURCE_TYPES[type_key].fields if f.kind == "bool"
                                 and f.name != "bookable"},
                              **({"bookable": True} if type_key in BOOKABLE_TYPES else {}),
                              **api_fields(type_key)}

    rid = body["id"]
    assert client.post(f"/api/v1/resources/{rid}/submit", headers=api_token(owner)).status_code == 200
    assert client.post(f"/api/v1/resources/{rid}/publish", headers=api_token(reviewer)).status_code == 200

    anonymous = client.application.test_client()
    page = anonymous.get(f"/resources/{rid}").get_data(as_text=True)
    for text in SHOWS[type_key]:
        assert text in page, text
    assert anonymous.get(f"/api/v1/resources/{rid}").get_json()["fields"] == body["fields"]


def test_edit_form_is_filled_with_the_stored_values_and_saves_changes(client, make_org, make_user, login):
    org = make_org()
    login(client, make_user(org=org))
    client.post("/resources/new/instrument", data=form_data("instrument"))
    resource = db.session.scalar(db.select(Resource))
    page = client.get(f"/resources/{resource.id}/edit").get_data(as_text=True)
    assert 'value="SU8010"' in page and 'value="350.50"' in page  # money back in yuan

    resp = client.post(f"/resources/{resource.id}/edit",
                       data=form_data("instrument", title="改名后的扫描电镜", external_price="400"))
    assert resp.status_code == 302
    db.session.expire_all()
    resource = db.session.get(Resource, resource.id)
    assert (resource.title, resource.external_price) == ("改名后的扫描电镜", 40000)


def test_unknown_type_has_no_form(client, make_org, make_user, login):
    login(client, make_user(org=make_org()))
    assert client.get("/resources/new/spaceship").status_code == 404
    page = client.get("/resources/new").get_data(as_text=True)
    for key in TYPES:
        assert f"/resources/new/{key}" in page
