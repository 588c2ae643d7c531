"""Personal API tokens (shown once, stored hashed, revocable) and slowed-down password guessing."""
import hashlib
import re
from datetime import timedelta

import sqlalchemy as sa

from marketplace.accounts.models import ApiToken, LoginAttempt
from marketplace.core.timeutil import utcnow
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


def _try(client, email, password, address="203.0.113.7"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_sixth_login_within_a_minute_is_refused_even_with_the_right_password(client, make_user):
    user = make_user()
    for _ in range(5):
        resp = _try(client, user.email, "guess-123")
        assert resp.status_code == 200 and "邮箱或密码错误" in resp.get_data(as_text=True)
    resp = _try(client, user.email, "demo12345")
    assert resp.status_code == 429 and "登录失败次数过多" in resp.get_data(as_text=True)
    assert "退出" not in client.get("/").get_data(as_text=True)  # not logged in

    # the owner, from another address, still gets in
    other = client.application.test_client()
    assert _try(other, user.email, "demo12345", address="198.51.100.20").status_code == 302

    # a minute later the same address may try again
    for attempt in db.session.scalars(db.select(LoginAttempt)):
        attempt.created_at = utcnow() - timedelta(seconds=61)
    db.session.commit()
    assert _try(client, user.email, "demo12345").status_code == 302


def test_throttle_counts_per_account(client, make_user):
    target, bystander = make_user(), make_user()
    for _ in range(5):
        _try(client, target.email, "guess-123")
    assert _try(client, target.email, "demo12345").status_code == 429
    assert _try(client, bystander.email, "demo12345").status_code == 302
