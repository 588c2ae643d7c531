"""Every form is CSRF-protected, cookie-authenticated API writes need X-CSRFToken, and the session
cookie is HttpOnly and SameSite."""
import re

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from tests.catalog.data import api_payload, form_data


@pytest.fixture
def app(shared_app):  # this module runs with CSRF on, as in production
    app = shared_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app
        db.session.rollback()


def _token(client, url="/login"):
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def _login(client, user):
    resp = client.post("/login", data={"email": user.email, "password": "demo12345",
                                       "csrf_token": _token(client)})
    assert resp.status_code == 302
    return resp


def _counts():
    return {t: db.session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("users", "organisations", "resources", "invitations", "api_tokens", "audit_log")}


@pytest.fixture
def world(make_org, make_user, make_resource):
    org = make_org(name="苏州大学", city="苏州")
    admin = make_user(org=org, org_admin=True)
    member = make_user(org=org)
    reviewer = make_user(roles=("reviewer",))
    draft = make_resource("instrument", org, status="draft")
    pending = make_resource("instrument", org, status="pending_review")
    from marketplace.accounts.services import create_api_token
    token, _ = create_api_token(admin)
    db.session.commit()
    return dict(org=org, admin=admin, member=member, reviewer=reviewer, draft=draft, pending=pending, token=token)


FORMS = [  # (who is logged in, url, form data)
    (None, "/register", lambda w: {"name": "某人", "email": "a@b.cn", "password": "password1", "confirm": "password1",
                                   "org_name": "新单位", "org_kind": "university", "org_city": "南京"}),
    (None, "/login", lambda w: {"email": w["admin"].email, "password": "demo12345"}),
    ("admin", "/logout", lambda w: {}),
    ("admin", "/organisation", lambda w: {"email": "invitee@b.cn"}),
    ("admin", "/organisation/members/{member}/make-admin", lambda w: {}),
    ("admin", "/organisation/members/{member}/remove", lambda w: {}),
    ("admin", "/account/tokens", lambda w: {"name": "t"}),
    ("admin", "/account/tokens/{token}/revoke", lambda w: {}),
    ("admin", "/resources/new/instrument", lambda w: form_data("instrument")),
    ("admin", "/resources/{draft}/edit", lambda w: form_data("instrument", title="改")),
    ("admin", "/resources/{draft}/submit", lambda w: {}),
    ("reviewer", "/resources/{pending}/publish", lambda w: {}),
    ("reviewer", "/resources/{pending}/reject", lambda w: {"reason": "不清楚"}),
]


@pytest.mark.parametrize("who, url, data", FORMS, ids=[f[1] for f in FORMS])
def test_post_without_csrf_token_is_400_and_changes_nothing(who, url, data, client, world):
    if who:
        _login(client, world[who])
    url = url.format(member=world["member"].id, token=world["token"].id, draft=world["draft"].id,
                     pending=world["pending"].id)
    before = _counts()
    statuses = {r: s for r, s in db.session.execute(sa.text("SELECT id, status FROM resources"))}
    resp = client.post(url, data=data(world))
    assert resp.status_code == 400
    assert _counts() == before
    assert {r: s for r, s in db.session.execute(sa.text("SELECT id, status FROM resources"))} == statuses
    if who:  # still logged in (logout refused too)
        assert world[who].name in client.get("/").get_data(as_text=True)


def test_the_same_form_with_its_token_works(client, world):
    _login(client, world["admin"])
    resp = client.post("/resources/new/instrument",
                       data={**form_data("instrument"), "csrf_token": _token(client, "/resources/new/instrument")})
    assert resp.status_code == 302


def test_cookie_authenticated_api_write_needs_the_csrf_header(client, world):
    _login(client, world["admin"])
    before = _counts()
    resp = client.post("/api/v1/resources", json=api_payload("dataset"))
    assert resp.status_code == 401 and "X-CSRFToken" in resp.get_json()["detail"]
    resp = client.post("/api/v1/resources", json=api_payload("dataset"), headers={"X-CSRFToken": "forged"})
    assert resp.status_code == 401
    assert _counts() == before

    resp = client.post("/api/v1/resources", json=api_payload("dataset"), headers={"X-CSRFToken": _token(client, "/")})
    assert resp.status_code == 201
    # reading needs no header
    assert client.get(f"/api/v1/resources/{resp.get_json()['id']}").status_code == 200


def test_bearer_api_write_needs_no_csrf_header(client, world):
    from marketplace.accounts.services import create_api_token
    _t, secret = create_api_token(world["member"])
    db.session.commit()
    resp = client.post("/api/v1/resources", json=api_payload("dataset"), headers={"Authorization": f"Bearer {secret}"})
    assert resp.status_code == 201


def test_session_cookie_is_httponly_and_samesite(client, world):
    client.get("/login")
    resp = client.post("/login", data={"email": world["admin"].email, "password": "demo12345", "remember": "y",
                                       "csrf_token": _token(client)})
    cookies = {c.split("=", 1)[0]: c for c in resp.headers.getlist("Set-Cookie")}
    assert "session" in cookies and "remember_token" in cookies
    for name in ("session", "remember_token"):
        flags = [part.strip().lower() for part in cookies[name].split(";")]
        assert "httponly" in flags, cookies[name]
        assert "samesite=lax" in flags, cookies[name]
