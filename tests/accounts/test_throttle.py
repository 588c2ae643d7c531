"""Login throttling per account (from any address) and per address (any accounts), with Flask-Limiter;
unknown and known e-mails get the same answer after the same work."""
import re
import uuid

import pytest
import redis

from marketplace.accounts import services
from marketplace.accounts.services import sessions
from marketplace.extensions import db

LIMITS = {"RATELIMIT_ENABLED": True, "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
          "LOGIN_LIMIT_PER_ADDRESS": "8 per 15 minutes"}


@pytest.fixture
def limited(make_app):
    app = make_app(**LIMITS)
    with app.app_context():
        yield app
        db.session.rollback()


@pytest.fixture
def user(limited):
    from marketplace.accounts.models import User
    u = User(email="target@test.cn", name="目标", password_hash=services.hash_password("demo12345"))
    db.session.add(u)
    db.session.commit()
    return u


def _try(app, email, password, address, lang=None):
    return app.test_client().post("/login", data={"email": email, "password": password},
                                  query_string={"lang": lang} if lang else None,
                                  environ_base={"REMOTE_ADDR": address})


def test_one_account_guessed_from_many_addresses_is_refused(limited, user):
    for i in range(5):
        resp = _try(limited, user.email, f"guess-{i}", f"203.0.113.{i + 1}")
        assert resp.status_code == 200 and "邮箱或密码错误" in resp.get_data(as_text=True)
    resp = _try(limited, user.email, "demo12345", "198.51.100.77")  # a fresh address, the right password
    page = resp.get_data(as_text=True)
    assert resp.status_code == 429 and "登录失败次数过多" in page and "分钟后再试" in page
    assert int(resp.headers["Retry-After"]) > 0
    resp = _try(limited, "Target@Test.cn ", "demo12345", "198.51.100.78", lang="en")  # same account, spelt otherwise
    assert resp.status_code == 429 and "Too many failed logins" in resp.get_data(as_text=True)
    # another account from those addresses is not affected
    other = _try(limited, "someone-else@test.cn", "whatever-1", "203.0.113.1")
    assert other.status_code == 200


def test_one_address_trying_many_accounts_is_refused(limited, user):
    for i in range(8):
        assert _try(limited, f"victim{i}@test.cn", "password-123", "203.0.113.9").status_code == 200
    resp = _try(limited, user.email, "demo12345", "203.0.113.9")
    assert resp.status_code == 429 and "登录失败次数过多" in resp.get_data(as_text=True)
    assert _try(limited, user.email, "demo12345", "203.0.113.10").status_code == 302  # the owner elsewhere


def test_successful_logins_do_not_count(limited, user):
    for _ in range(12):
        assert _try(limited, user.email, "demo12345", "203.0.113.5").status_code == 302


def test_limits_are_off_in_the_rest_of_the_suite(client, make_user):
    u = make_user()
    for i in range(40):
        client.post("/login", data={"email": u.email, "password": f"nope-{i}"})
    assert client.post("/login", data={"email": u.email, "password": "demo12345"}).status_code == 302


def test_unknown_and_known_emails_get_the_same_answer_and_both_check_a_hash(limited, user, monkeypatch):
    checked = []
    real = sessions.check_password_hash

    def spy(pwhash, password):
        checked.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(sessions, "check_password_hash", spy)
    known = _try(limited, user.email, "wrong-password", "192.0.2.1")
    unknown = _try(limited, "nobody@test.cn", "wrong-password", "192.0.2.2")
    def strip(resp):
        page = resp.get_data(as_text=True).replace(user.email, "X").replace("nobody@test.cn", "X")
        return re.sub(r'(name="csrf-token" content|name="csrf_token"[^>]*value)="[^"]*"', "", page)

    assert known.status_code == unknown.status_code == 200
    assert strip(known) == strip(unknown)
    assert len(checked) == 2 and checked[0] == user.password_hash and checked[1] != user.password_hash
    assert checked[1].split("$")[0] == user.password_hash.split("$")[0]  # the same hashing work


def test_redis_storage_is_shared_between_workers(make_app):
    try:
        redis.Redis(host="127.0.0.1", port=6379, db=2, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"test-accounts-{uuid.uuid4().hex}"  # its own keys on the shared Redis; never flushed
    settings = {**LIMITS, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/2", "RATELIMIT_KEY_PREFIX": prefix}
    worker_a, worker_b = make_app(**settings), make_app(**settings)
    try:
        for i in range(3):
            with worker_a.app_context():
                assert _try(worker_a, "shared@test.cn", f"guess-{i}", f"203.0.113.{i}").status_code == 200
        for i in range(2):
            with worker_b.app_context():
                assert _try(worker_b, "shared@test.cn", f"guess-{i}", f"198.51.100.{i}").status_code == 200
        with worker_a.app_context():
            assert _try(worker_a, "shared@test.cn", "guess", "192.0.2.50").status_code == 429
        assert list(redis.Redis(host="127.0.0.1", port=6379, db=2).scan_iter(f"*{prefix}*"))  # kept in Redis
    finally:
        client = redis.Redis(host="127.0.0.1", port=6379, db=2)
        keys = list(client.scan_iter(f"*{prefix}*"))
        if keys:
            client.delete(*keys)


@pytest.mark.parametrize("email, answer, sixth", [
    ("é@例子.中国", 200, 429),          # odd but well-formed: checked, so counted
    (" Ünïcode@Test.CN ", 200, 429),
    ("x" * 10_000, 200, 200),         # refused by the form before any password check: nothing to count
    ("", 200, 200),
    ("a\x00b@test.cn", 400, 400),     # refused for every form (core.security)
])
def test_odd_emails_get_a_clear_answer(email, answer, sixth, limited):
    for i in range(5):
        assert _try(limited, email, "password-123", f"192.0.2.{i}").status_code == answer
    assert _try(limited, email, "password-123", "192.0.2.99").status_code == sixth


def test_password_reset_mails_are_limited_per_address_and_email(make_app):
    app = make_app(RATELIMIT_ENABLED=True, MAIL_LIMIT_PER_ACCOUNT="2 per hour", MAIL_LIMIT_PER_ADDRESS="3 per hour")
    with app.app_context():
        app.extensions["mail_outbox"] = outbox = []
        from marketplace.accounts.models import User
        db.session.add(User(email="me@test.cn", name="我", password_hash=services.hash_password("demo12345")))
        db.session.commit()

        def forgot(email, address, data=None):
            return app.test_client().post("/password/forgot", data=data or {"email": email},
                                          environ_base={"REMOTE_ADDR": address})

        assert forgot("", "192.0.2.1").status_code == 200  # sent back with an error: not counted
        assert [forgot("me@test.cn", f"192.0.2.{i}").status_code for i in (1, 2)] == [302, 302]
        resp = forgot("me@test.cn", "192.0.2.3")
        assert resp.status_code == 429 and "请求过于频繁" in resp.get_data(as_text=True)
        assert len(outbox) == 2
        assert [forgot(f"x{i}@test.cn", "198.51.100.1").status_code for i in range(4)] == [302, 302, 302, 429]
        db.session.rollback()


def test_strangers_guesses_never_lock_the_owner_out_of_a_browser_they_used(limited, user):
    """Issue 25: 20 wrong guesses locked the real owner out."""
    owner = limited.test_client()
    login = lambda c, password, address: c.post("/login", data={"email": user.email, "password": password},  # noqa: E731
                                                environ_base={"REMOTE_ADDR": address})
    assert login(owner, "demo12345", "198.51.100.1").status_code == 302  # the owner's browser, remembered
    remembered = owner.get_cookie("known_device").value
    owner = limited.test_client()  # the same browser after logging out: only the device cookie is left
    owner.set_cookie("known_device", remembered)
    for i in range(20):
        login(limited.test_client(), f"guess-{i}", f"203.0.113.{i + 1}")
    assert login(limited.test_client(), "demo12345", "203.0.113.99").status_code == 429  # a stranger's browser
    assert login(owner, "demo12345", "198.51.100.1").status_code == 302  # the owner's is not locked out
    forged = limited.test_client()
    forged.set_cookie("known_device", "not-a-signed-value")
    assert login(forged, "demo12345", "203.0.113.98").status_code == 429
