"""Persistent identifiers (CSTR form): written at the first publication, shown on the page, never
changed or reused, resolved to the page or, once withdrawn, to its tombstone."""
import pytest
import sqlalchemy as sa

from marketplace.catalog.models import Resource
from marketplace.extensions import db


def _fresh(resource_id):
    db.session.expire_all()
    return db.session.get(Resource, resource_id)


def test_publication_gives_the_identifier_and_it_resolves_to_the_page(client, make_org, make_user, login,
                                                                      make_resource):
    org = make_org(name="南京大学")
    owner = make_user(org=org)
    reviewer = make_user(roles=("reviewer",))
    r = make_resource("instrument", org, status="draft", title="场发射扫描电镜")
    login(client, owner)
    client.post(f"/resources/{r.id}/submit")
    assert _fresh(r.id).cstr is None  # a draft and a listing under review have none
    client.post("/logout")
    login(client, reviewer)
    assert client.post(f"/resources/{r.id}/publish").status_code == 302
    cstr = _fresh(r.id).cstr
    assert cstr == f"CSTR:32100.11.{r.id}"

    page = client.get(f"/resources/{r.id}").get_data(as_text=True)
    assert cstr in page
    resp = client.get(f"/cstr/{cstr}")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/resources/{r.id}")


def test_withdrawn_listing_keeps_its_identifier_and_a_tombstone(client, make_org, make_user, login,
                                                                make_resource, app):
    org = make_org(name="江南大学")
    owner = make_user(org=org)
    reviewer = make_user(roles=("reviewer",))
    r = make_resource("dataset", org, title="太湖水质监测数据集")
    cstr = _fresh(r.id).cstr
    assert cstr == f"CSTR:32100.15.{r.id}"
    login(client, owner)
    assert client.post(f"/resources/{r.id}/offline").status_code == 302
    client.post("/logout")

    resp = client.get(f"/cstr/{cstr}")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 410
    assert "太湖水质监测数据集" in page and cstr in page and "不再公开" in page
    assert client.get(f"/resources/{r.id}").status_code == 404  # the listing itself is not public

    # Published again, even after the agency code changed: the same identifier.
    app.config["CSTR_AGENCY"] = "99999"
    login(client, owner)
    client.post(f"/resources/{r.id}/submit")
    client.post("/logout")
    login(client, reviewer)
    client.post(f"/resources/{r.id}/publish")
    assert _fresh(r.id).status == "published" and _fresh(r.id).cstr == cstr
    assert client.get(f"/cstr/{cstr}").status_code == 303
    # A new listing gets the new agency's code, and its own local id.
    other = make_resource("dataset", org)
    assert _fresh(other.id).cstr == f"CSTR:99999.15.{other.id}"


@pytest.mark.parametrize("identifier", ["CSTR:32100.11.999999", "nonsense", "CSTR:32100.1.5", "CSTR:" + "9" * 80,
                                        "CSTR:32100.11.%00", "CSTR:３２１００.11.1"])
def test_unknown_or_malformed_identifiers_are_not_found(client, identifier):
    assert client.get(f"/cstr/{identifier}").status_code == 404


def test_an_identifier_is_never_given_twice(make_org, make_resource):
    org = make_org()
    a = make_resource("instrument", org)
    b = make_resource("instrument", org, status="draft")
    taken = _fresh(a.id).cstr
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Resource).where(Resource.id == b.id).values(cstr=taken))
    db.session.rollback()
