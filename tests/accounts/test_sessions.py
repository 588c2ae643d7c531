"""Login sessions live on the server: logout and password changes end them wherever the cookies went."""
import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User, UserSession
from marketplace.extensions import db

PASSWORD = "demo12345"
NEW_PASSWORD = "Qinhuai-river-42"


def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def _copy_to_new_client(client, names=("session",)):
    """A second browser holding copies of `client`'s cookies (what a thief would replay)."""
    thief = client.application.test_client()
    for name in names:
        value = _cookie(client, name)
        assert value, f"no {name} cookie to copy"
        thief.set_cookie(name, value)
    return thief


def _signed_in(client) -> bool:
    return client.get("/account/tokens").status_code == 200


def test_a_copied_session_cookie_stops_working_after_logout(client, make_user, login):
    user = make_user()
    login(client, user)
    thief = _copy_to_new_client(client)
    assert _signed_in(thief)  # the copy works while the session lasts

    assert client.post("/logout").status_code == 302
    assert not _signed_in(client)
    assert not _signed_in(thief)  # ended on the server, not just forgotten by the browser
    assert db.session.scalar(sa.select(sa.func.count(UserSession.id))) == 0


def test_logout_ends_only_that_browser(client, make_user, login):
    user = make_user()
    login(client, user)
    other = client.application.test_client()
    login(other, user)
    client.post("/logout")
    assert _signed_in(other) and not _signed_in(client)


def test_the_cookie_never_carries_the_bare_user_id(client, make_user, login):
    user = make_user()
    login(client, user)
    forged = client.application.test_client()
    with forged.session_transaction() as sess:  # a session that names the user id, as Flask-Login's default
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True
    assert not _signed_in(forged)


def _remember_login(client, user, password=PASSWORD):
    resp = client.post("/login", data={"email": user.email, "password": password, "remember": "y"})
    assert resp.status_code == 302
    return _cookie(client, "remember_token")


def _only_remember(client, value):
    """A browser that was closed: no session cookie, only the remember-me cookie."""
    fresh = client.application.test_client()
    fresh.set_cookie("remember_token", value)
    return fresh


def test_remember_me_cookie_changes_on_each_login_and_dies_on_logout(client, make_user):
    user = make_user()
    first = _remember_login(client, user)
    assert first and _signed_in(_only_remember(client, first))  # the cookie alone signs in

    second_browser = client.application.test_client()
    second = _remember_login(second_browser, user)
    assert second and second != first

    client.post("/logout")
    assert not _signed_in(_only_remember(client, first))
    assert _signed_in(_only_remember(client, second))  # the other browser's login is its own


def test_password_change_ends_every_session_and_remember_cookie(client, make_user, login):
    user = make_user()
    remembered = _remember_login(client.application.test_client(), user)
    other = client.application.test_client()
    login(other, user)
    login(client, user)
    version = user.session_version

    page = client.get("/account/password").get_data(as_text=True)
    assert 'name="current_password"' in page and '<a href="/account/password"' in client.get('/organisation').get_data(as_text=True)
    resp = client.post("/account/password", data={"current_password": PASSWORD, "password": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD})
    assert resp.status_code == 302
    assert _signed_in(client)  # the person who changed it stays signed in, with a new session
    assert not _signed_in(other)
    assert not _signed_in(_only_remember(client, remembered))
    db.session.expire_all()
    assert db.session.get(User, user.id).session_version == version + 1

    fresh = client.application.test_client()
    assert fresh.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200
    assert fresh.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.parametrize("changes, field, message", [
    ({"current_password": "wrong-password"}, "current_password", "当前密码不正确"),
    ({"password": "short", "confirm": "short"}, "password", None),
    ({"password": "1234567890", "confirm": "1234567890"}, "password", "这个密码太常见"),
    ({"confirm": "something-else"}, "confirm", "两次输入的密码不一致"),
    ({"password": "p" * 10_000, "confirm": "p" * 10_000}, "password", None),
    ({"current_password": "x" * 10_000}, "current_password", None),
])
def test_change_password_with_bad_input_changes_nothing(changes, field, message, client, make_user, login):
    from tests.catalog.test_bad_input_forms import field_error
    user = make_user()
    login(client, user)
    before = user.password_hash
    data = {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, **changes}
    resp = client.post("/account/password", data=data)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and field_error(page, field)
    if message:
        assert message in page
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before and _signed_in(client)


def test_change_password_needs_a_login(client):
    resp = client.post("/account/password", data={"current_password": "x", "password": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


@pytest.mark.parametrize("value", ["x", "a" * 5000, "café-session-token-that-is-long"])
def test_garbage_session_ids_are_anonymous(value, client):
    with client.session_transaction() as sess:
        sess["_user_id"] = value
    assert client.get("/").status_code == 200 and not _signed_in(client)
