"""Forgotten passwords: the same answer for any address, a signed link that expires, works once and dies
with a password change; the new password follows the rules."""
import re

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from marketplace.accounts import services
from marketplace.accounts.models import User
from marketplace.core.models import AuditLog
from marketplace.extensions import db

NEW_PASSWORD = "Purple-Mountain-7"


@pytest.fixture
def outbox(app):
    app.extensions["mail_outbox"] = []
    return app.extensions["mail_outbox"]


def _reset_path(mail) -> str:
    return re.search(r"http://localhost(/password/reset/\S+)", mail["body"]).group(1)


def test_login_page_links_to_forgot_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page
    assert 'name="email"' in client.get("/password/forgot").get_data(as_text=True)


def test_same_answer_for_known_and_unknown_addresses(client, make_user, outbox):
    user = make_user()
    known = client.post("/password/forgot", data={"email": user.email})
    unknown = client.application.test_client().post("/password/forgot", data={"email": "nobody@test.cn"})
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    assert "如果该邮箱已注册" in client.get(known.headers["Location"]).get_data(as_text=True)
    [mail] = outbox  # only the real account gets a mail
    assert mail["to"] == user.email and "/password/reset/" in mail["body"]


def test_reset_sets_a_new_password_once_and_ends_sessions(client, make_user, login, outbox):
    user = make_user()
    other = client.application.test_client()
    login(other, user)
    client.post("/password/forgot", data={"email": user.email})
    path = _reset_path(outbox[0])
    assert 'name="password"' in client.get(path).get_data(as_text=True)

    resp = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
    db.session.expire_all()
    assert check_password_hash(db.session.get(User, user.id).password_hash, NEW_PASSWORD)
    assert other.get("/account/tokens").status_code == 302  # logged out everywhere

    # used once: the link is dead, nothing changes again
    again = client.post(path, data={"password": "Another-pass-99", "confirm": "Another-pass-99"})
    assert again.status_code == 422 and "链接已失效" in again.get_data(as_text=True)
    assert client.get(path).status_code == 422
    db.session.expire_all()
    assert check_password_hash(db.session.get(User, user.id).password_hash, NEW_PASSWORD)
    assert client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def test_a_password_change_kills_an_earlier_reset_link(client, make_user, login, outbox):
    user = make_user()
    client.post("/password/forgot", data={"email": user.email})
    path = _reset_path(outbox[0])
    login(client, user)
    client.post("/account/password", data={"current_password": "demo12345", "password": NEW_PASSWORD,
                                           "confirm": NEW_PASSWORD})
    assert client.get(path).status_code == 422


def test_expired_and_forged_links_change_nothing(app, client, make_user, monkeypatch):
    user = make_user()
    before = user.password_hash
    token = services.reset_token(user)
    forged = URLSafeTimedSerializer("not-the-key", salt="accounts.reset-password").dumps(
        {"u": user.id, "v": user.session_version})
    app.config["PASSWORD_RESET_MAX_AGE"] = -1  # every link is already too old
    resp = client.post(f"/password/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert resp.status_code == 422 and "链接已过期" in resp.get_data(as_text=True)
    app.config["PASSWORD_RESET_MAX_AGE"] = 3600
    for bad in (forged, token[:-3] + "abc", "x" * 5000, "...", "eyJ1IjoxfQ"):
        resp = client.post(f"/password/reset/{bad}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert 400 <= resp.status_code < 500, bad
    verify = services.verification_token(user)  # a link of another kind is not a reset link
    assert client.get(f"/password/reset/{verify}").status_code == 422
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before


@pytest.mark.parametrize("password, message", [
    ("short", None), ("demo12345", None), ("1234567890", "这个密码太常见"), ("QWERTYUIOP", "这个密码太常见"),
    ("p" * 10_000, None), ("aaaaaaaaaaaa", "这个密码太常见")])
def test_reset_with_a_weak_password_changes_nothing(password, message, client, make_user):
    user = make_user()
    token = services.reset_token(user)
    resp = client.post(f"/password/reset/{token}", data={"password": password, "confirm": password})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "has-error" in page
    if message:
        assert message in page
    db.session.expire_all()
    assert db.session.get(User, user.id).session_version == user.session_version
    assert client.get(f"/password/reset/{token}").status_code == 200  # still usable


@pytest.mark.parametrize("email", ["", "x" * 10_000, "not-an-email", "a\x00@b.cn"])
def test_forgot_password_with_bad_input(email, client, outbox):
    resp = client.post("/password/forgot", data={"email": email})
    assert 400 <= resp.status_code < 500 or (resp.status_code == 200 and "has-error" in resp.get_data(as_text=True))
    assert outbox == []
    assert db.session.scalar(sa.select(sa.func.count(AuditLog.id))) == 0
