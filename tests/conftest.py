"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL with TEST_DATABASE_URL),
factories, login helpers, a real localstripe process and a live server for the browser."""
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g, has_app_context
from flask.testing import FlaskClient

from marketplace import create_app
from marketplace.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL")
DEMO_PASSWORD = "demo12345"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


class FreshGlobalsClient(FlaskClient):
    """A test client whose every request starts with an empty `g`, as in production.

    The `app` fixture keeps one app context pushed for the whole test (so tests can use db.session) and
    Flask reuses it for the client's requests; without this, what Flask-Login, Flask-Babel and Flask-WTF
    cache in `g` (the logged-in user, the locale, the CSRF token) leaks from one request, or one client,
    into the next: an "anonymous" client would act as whoever logged in before it.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


_pg_schema_ready = False


def _reset_postgres(app):
    """Create the schema once per session; afterwards empty every table between tests."""
    global _pg_schema_ready
    with app.app_context():
        if not _pg_schema_ready:
            with db.engine.begin() as conn:
                conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
            db.drop_all()
            db.create_all()
            _pg_schema_ready = True
        else:
            # DELETE is an order of magnitude faster than TRUNCATE on small tables; the replica role
            # skips foreign-key and append-only triggers for this cleanup only. Ids keep counting.
            with db.engine.begin() as conn:
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())


@pytest.fixture
def make_app(tmp_path):
    """Build an app on a fresh database; keyword overrides go to the config."""
    apps = []

    def _make(**overrides):
        config = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": PG_URL or f"sqlite:///{tmp_path / 'test.db'}",
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "WTF_CSRF_ENABLED": False,
            "AUTO_INDEX": False,
            "MAIL_BACKEND": "log",
            "RATELIMIT_ENABLED": False,  # login/mail limits: on in tests/accounts/test_throttle.py only
            "STRIPE_API_BASE": "http://127.0.0.1:9",  # nothing listens: tests that pay use `localstripe`
        }
        config.update(overrides)
        app = create_app(config)
        app.test_client_class = FreshGlobalsClient
        if PG_URL:
            _reset_postgres(app)
        else:
            with app.app_context():
                db.create_all()
        apps.append(app)
        return app

    yield _make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    return db.session


# -- factories ------------------------------------------------------------------------------------

@pytest.fixture
def make_org(app):
    from marketplace.accounts.models import Organisation

    counter = iter(range(1, 10**6))

    def _make(verified=True, **kw):
        """verified: the flags given (sme, high_tech, in_province) are verified qualifications with a
        checked USCC, as subsidy rates require; verified=False leaves them self-declared only."""
        n = next(counter)
        values = {"name": f"测试单位{n}", "kind": "university", "city": "南京"}
        values.update(kw)
        org = Organisation(**values)
        db.session.add(org)
        db.session.commit()
        if verified:
            from marketplace.verification.demo import grant
            grant(org, sme=bool(org.sme), high_tech=bool(org.high_tech), in_province=org.in_province is not False)
            db.session.commit()
        return org

    return _make


@pytest.fixture
def make_user(app):
    from marketplace.accounts.models import User, UserRole
    from marketplace.accounts.services import hash_password

    counter = iter(range(1, 10**6))
    password_hash = hash_password(DEMO_PASSWORD)

    def _make(org=None, roles=(), **kw):
        n = next(counter)
        values = {"email": f"user{n}@test.cn", "name": f"用户{n}", "password_hash": password_hash,
                  "organisation_id": getattr(org, "id", None)}
        values.update(kw)
        user = User(**values)
        user.role_rows = [UserRole(role=r) for r in roles]
        db.session.add(user)
        db.session.commit()
        return user

    return _make


INSTRUMENT_DEFAULTS = {
    "model": "SU8010", "manufacturer": "日立", "country": "日本", "original_value": 450_000_000,
    "category_l1": "分析仪器", "category_l2": "电子光学仪器", "category_l3": "电子显微镜",
    "service_mode": "staff_operated", "price_unit": "hour", "internal_price": 20_000, "external_price": 40_000,
    "bookable": True,
}
TYPE_DEFAULTS = {
    "instrument": INSTRUMENT_DEFAULTS,
    "facility": {"facility_kind": "open_lab"},
    "talent": {"person_name": "张三"},
    "institution": {"inst_kind": "key_lab", "level": "provincial"},
    "dataset": {"access_level": "open"},
    "achievement": {"ip_kind": "invention_patent", "trl": 5},
    "finance": {"product_kind": "loan"},
    "service": {"service_kind": "testing"},
    "incubator": {"incubator_kind": "maker_space"},
    "bioresource": {"bio_kind": "strain"},
}


@pytest.fixture
def make_resource(app):
    from marketplace.catalog.models import MODELS, ResourcePlatform
    from marketplace.catalog.types import RESOURCE_TYPES
    from marketplace.core.timeutil import utcnow

    def _make(type_key="instrument", org=None, status="published", **fields):
        values = {"title": f"测试{RESOURCE_TYPES[type_key].name_zh}", "city": getattr(org, "city", "南京")}
        values.update(TYPE_DEFAULTS[type_key])
        values.update(fields)
        platforms = values.pop("platforms", RESOURCE_TYPES[type_key].platforms)
        resource = MODELS[type_key](owner_org_id=org.id, status=status, **values)
        if status == "published":
            resource.published_at = utcnow()
        resource.platform_rows = [ResourcePlatform(platform=p) for p in platforms]
        db.session.add(resource)
        db.session.commit()
        return resource

    return _make


@pytest.fixture
def login():
    def _login(client, user, password=DEMO_PASSWORD):
        resp = client.post("/login", data={"email": user.email, "password": password})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return resp

    return _login


@pytest.fixture
def api_token(app):
    from marketplace.accounts.services import create_api_token

    def _token(user) -> dict:
        _t, secret = create_api_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return _token


# -- outside processes ----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def localstripe():
    """A real localstripe process on a free loopback port; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "marketplace.core.localstripe_server", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def live_server(app):
    """Serve `app` on a free loopback port in a thread; yields its base URL."""
    from werkzeug.serving import make_server

    app.config["WTF_CSRF_ENABLED"] = True  # the browser goes through CSRF like a person would
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(5)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser():
    """A headless Chromium driven by Playwright; skipped when absent unless REQUIRE_BROWSER=1."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (REQUIRE_BROWSER=1) but not installed")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()
