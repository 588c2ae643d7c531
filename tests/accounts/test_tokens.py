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


def _statements_during(fn) -> list[str]:
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)
    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    return seen


def test_a_token_is_looked_up_once_per_ttl_and_a_revocation_elsewhere_holds_once_the_ttl_has_passed(
        app, client, make_org, make_user, api_token):
    """This process keeps a token's user for API_TOKEN_CACHE_SECONDS: a second call reads no token row.
    A revocation written by another process (straight to the database) holds here once that has passed."""
    import time
    app.config["API_TOKEN_CACHE_SECONDS"] = 0.5
    user = make_user(org=make_org())
    headers = api_token(user)
    assert client.get("/api/v1/resources", headers=headers).status_code == 200
    again = _statements_during(lambda: client.get("/api/v1/resources", headers=headers))
    assert not any("api_tokens" in s for s in again)
    db.session.rollback()
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.begin() as conn:  # the other process's commit
        conn.execute(sa.text("UPDATE api_tokens SET revoked_at = created_at"))
    engine.dispose()
    time.sleep(0.6)
    db.session.rollback()  # the test's own reads end here (a fresh snapshot for the next request)
    assert client.get("/api/v1/resources", headers=headers).status_code == 401


def test_a_change_to_the_user_in_this_process_holds_at_the_next_call(client, make_org, make_user, api_token):
    """Deactivating the user (or taking a role) through the app clears this process's cache at the commit."""
    user = make_user(org=make_org())
    headers = api_token(user)
    assert client.get("/api/v1/resources", headers=headers).status_code == 200
    db.session.get(type(user), user.id).active = False
    db.session.commit()
    assert client.get("/api/v1/resources", headers=headers).status_code == 401
