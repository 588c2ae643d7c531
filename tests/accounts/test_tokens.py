"""Personal API tokens (shown once, stored hashed, revocable). Login throttling: test_throttle.py."""
import hashlib
import re

import sqlalchemy as sa

from marketplace.accounts.models import ApiToken
from marketplace.extensions import db
from tests.catalog.data import api_payload


def test_token_is_shown_once_stored_hashed_works_and_can_be_revoked(client, make_org, make_user, login):
    user = make_user(org=make_org())
    login(client, user)
    page = client.post("/account/tokens", data={"name": "实验室信息系统"}).get_data(as_text=True)
    secret = re.search(r'<code id="new-token">([^<]+)</code>', page).group(1)
    token = db.session.scalar(db.select(ApiToken))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    row = db.session.execute(sa.text("SELECT * FROM api_tokens")).mappings().one()
    assert not any(secret in str(v) for v in row.values())  # only the digest is kept

    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "实验室信息系统" in listing and token.prefix in listing and secret not in listing

    api = client.application.test_client()  # no cookie: the token alone authenticates
    headers = {"Authorization": f"Bearer {secret}"}
    resp = api.post("/api/v1/resources", json=api_payload("service"), headers=headers)
    assert resp.status_code == 201 and resp.get_json()["owner"]["id"] == user.organisation_id
    rid = resp.get_json()["id"]
    assert api.get(f"/api/v1/resources/{rid}", headers=headers).status_code == 200  # a draft: members only
    assert api.get(f"/api/v1/resources/{rid}").status_code == 404

    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert "已撤销" in client.get("/account/tokens").get_data(as_text=True)
    resp = api.get(f"/api/v1/resources/{rid}", headers=headers)
    assert resp.status_code == 401 and resp.mimetype == "application/problem+json"
    assert api.post("/api/v1/resources", json=api_payload("service"), headers=headers).status_code == 401


def test_bad_authorization_headers_are_401(client):
    for header in ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer jsst_made_up", "Bearer " + "x" * 500]:
        resp = client.get("/api/v1/resource-types", headers={"Authorization": header})
        assert resp.status_code == 401, header
        assert set(resp.get_json()) == {"status", "title", "detail", "errors"}


def test_a_user_cannot_revoke_someone_elses_token(client, make_user, login, api_token):
    victim, attacker = make_user(), make_user()
    headers = api_token(victim)
    token = db.session.scalar(db.select(ApiToken))
    login(client, attacker)
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None
    assert client.application.test_client().get("/api/v1/resources", headers=headers).status_code == 200
