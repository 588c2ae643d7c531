"""Shared fixtures: one app per test session on a database whose schema is built once, factories,
login helpers, a real localstripe process, a live server and one Chromium for the browser tests.

How a test gets a clean world quickly (DESIGN.md, "Tests"):
- The app is built once per session (per xdist worker). After each test its config, its extensions
  and its per-test directories (search index, uploads) are put back as they were.
- SQLite: the schema is created once into a template file; each test starts on a fresh copy of it.
- PostgreSQL: each xdist worker has its own database (`<name>_gw0`, …), whose schema is created once
  per session; each test starts by emptying every table in one statement. Tests commit for real
  there: the app opens sessions of its own (search feed, jobs), races use threads with their own
  connections, and the ledger's balance check is a deferred constraint that only a real commit runs.
- The clock is frozen at SUITE_NOW (ticking from there) for every test, so no test depends on the
  day it runs.
- `make_app(**overrides)` still builds an app of its own for the few tests that need their own config
  (on a fresh copy of the same schema).
"""
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from flask import g, has_app_context
from flask.testing import FlaskClient

from marketplace import create_app
from marketplace.extensions import db

# Monday 30 November 2026, 10:00 in Nanjing: a working day before the tests' fixed dates (1 December …).
SUITE_NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", … under pytest-xdist, else ""
WORKER_INDEX = int(WORKER[2:]) if WORKER.startswith("gw") else 0


def _per_worker_database_url(url: str | None) -> str | None:
    """Under xdist, this worker's own PostgreSQL database beside the one named (created on first use)."""
    if not url or not WORKER:
        return url
    base = sa.engine.make_url(url)
    return base.set(database=f"{base.database}_{WORKER}").render_as_string(hide_password=False)


# Set for the whole worker process, so that tests and the processes they start read this worker's
# database and Redis db (the job tests use db 1 + the worker's number).
if os.environ.get("TEST_DATABASE_URL"):
    os.environ["TEST_DATABASE_URL"] = _per_worker_database_url(os.environ["TEST_DATABASE_URL"])
os.environ.setdefault("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{1 + WORKER_INDEX}")

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


# -- what runs on which database -----------------------------------------------------------------

def pytest_collection_modifyitems(config, items):
    """Tests of behaviour the database does not change (browser journeys, the Redis job queue, the full
    demo data: marked `browser` or `once`) run in full on PostgreSQL, the production database; on
    SQLite only those also marked `smoke` run. The others are deselected there (and counted as such),
    never skipped."""
    if PG_URL:
        return
    keep, once = [], []
    for item in items:
        runs_once = item.get_closest_marker("browser") or item.get_closest_marker("once")
        (once if runs_once and not item.get_closest_marker("smoke") else keep).append(item)
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = keep


# -- the clock ------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _suite_clock(request):
    """Every test starts at SUITE_NOW and the clock ticks on from there (threads included). A test
    marked `real_clock` talks to another process that reads the real clock (localstripe signing its
    webhooks) and keeps the real one."""
    if request.node.get_closest_marker("real_clock"):
        yield
        return
    with time_machine.travel(SUITE_NOW, tick=True):
        yield


# -- databases ------------------------------------------------------------------------------------

def _create_pg_database(url: str):
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database})
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


class Schema:
    """The schema, built once per session: a template SQLite file, or this worker's PostgreSQL database."""

    def __init__(self, directory: Path):
        self.template = directory / "template.db"
        self._pg_reset_sql = None

    def build(self, app):
        with app.app_context():
            if PG_URL:
                _create_pg_database(PG_URL)
                with db.engine.begin() as conn:
                    # whatever an earlier checkout left (tables since renamed or dropped) goes too
                    conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                    conn.execute(sa.text("CREATE SCHEMA public"))
                    conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
                db.create_all()
                # One statement that empties every table: DELETE is an order of magnitude faster than
                # TRUNCATE on small tables, and the replica role skips foreign-key and append-only
                # triggers for this cleanup only. Ids keep counting.
                deletes = " ".join(f'DELETE FROM "{t.name}";' for t in reversed(db.metadata.sorted_tables))
                self._pg_reset_sql = f"DO $$ BEGIN SET LOCAL session_replication_role = replica; {deletes} END $$"
            else:
                db.create_all()
                with db.engine.begin() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            db.session.remove()
            db.engine.dispose()
        if not PG_URL:
            shutil.copyfile(_sqlite_path(app), self.template)

    def reset(self, app):
        """Give `app` an empty database of the schema (its pooled connections stay on PostgreSQL)."""
        with app.app_context():
            db.session.remove()
            if PG_URL:
                with db.engine.begin() as conn:
                    conn.exec_driver_sql(self._pg_reset_sql)
                return
            db.engine.dispose()
        path = _sqlite_path(app)
        # Unlinked, not overwritten: a connection some thread or child process of the last test still
        # holds keeps the old file and never sees this one change under it.
        for old in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            old.unlink(missing_ok=True)
        shutil.copyfile(self.template, path)


def _sqlite_path(app) -> Path:
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    assert url.get_backend_name() == "sqlite" and url.database, url
    return Path(url.database)


def test_config(directory: Path, **overrides) -> dict:
    """The config every test app starts from; keyword overrides win."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": PG_URL or f"sqlite:///{directory / 'test.db'}",
        "SEARCH_INDEX_DIR": str(directory / "index"),
        "UPLOAD_DIR": str(directory / "uploads"),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "WTF_CSRF_ENABLED": False,
        "AUTO_INDEX": False,
        "MAIL_BACKEND": "log",
        "RATELIMIT_ENABLED": False,  # login/mail limits: on in tests/accounts/test_throttle.py only
        "STRIPE_API_BASE": "http://127.0.0.1:9",  # nothing listens: tests that pay use `localstripe`
    }
    config.update(overrides)
    return config


def _new_app(config: dict):
    app = create_app(config)
    app.test_client_class = FreshGlobalsClient
    return app


class SuiteApps:
    """Apps built once per session (one per distinct set of overrides), handed to one test at a time:
    before each test the database is emptied and the per-test directories set; after it the config
    and the extensions are put back as they were."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.schema = Schema(directory)
        self._apps: dict[str, tuple] = {}
        self.current_test = None  # set by the autouse fixture below
        self._emptied_for = None

    def get(self, tmp_path: Path, **overrides):
        key = repr(sorted(overrides.items()))
        if key not in self._apps:
            home = self.directory / f"app{len(self._apps)}"
            home.mkdir()
            app = _new_app(test_config(home, **overrides))
            if not self._apps:
                self.schema.build(app)
            self._apps[key] = (app, dict(app.config), dict(app.extensions), _hooks(app))
        app, *_ = self._apps[key]
        app._got_first_request = False  # a test may add a hook before its first request, as on a new app
        app.config.update(SEARCH_INDEX_DIR=str(tmp_path / "index"), UPLOAD_DIR=str(tmp_path / "uploads"))
        self._fresh_search(app)
        if PG_URL:
            self.empty_pg_once(app)
        else:
            self.schema.reset(app)
        return app

    def empty_pg_once(self, app):
        """Empty this worker's PostgreSQL database once per test, whichever app asks first."""
        if self._emptied_for != self.current_test:
            self.schema.reset(app)
            self._emptied_for = self.current_test

    def put_back(self, app):
        _, config, extensions, hooks = next(v for v in self._apps.values() if v[0] is app)
        with app.app_context():
            db.session.remove()
        search = app.extensions.get("search")
        if search is not None:
            search.reset()
        app.config.clear()
        app.config.update(config)
        app.extensions.clear()
        app.extensions.update(extensions)
        for name, value in _hooks(app, hooks).items():
            setattr(app, name, value)

    @staticmethod
    def _fresh_search(app):
        """A search index object of this test's own (its directory, no open handles or threads)."""
        from marketplace.search.index import SearchIndex
        app.extensions["search"] = SearchIndex(app)


HOOKS = ("before_request_funcs", "after_request_funcs", "teardown_request_funcs", "teardown_appcontext_funcs",
         "url_value_preprocessors", "url_default_functions", "template_context_processors")


def _hooks(app, snapshot: dict | None = None) -> dict:
    """A copy of the app's request hooks (from `snapshot` when given), to put back what a test added."""
    source = snapshot or {name: getattr(app, name) for name in HOOKS}
    return {name: ({k: list(v) for k, v in hooks.items()} if isinstance(hooks, dict) else list(hooks))
            for name, hooks in source.items()}


@pytest.fixture(scope="session")
def suite_apps(tmp_path_factory):
    apps = SuiteApps(tmp_path_factory.mktemp("suite"))
    yield apps
    for app, *_ in apps._apps.values():
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def shared_app(suite_apps, tmp_path):
    """shared_app(**overrides): the session's app for these overrides, on an empty database, with this
    test's index and upload directories; everything it changes is put back after the test."""
    used = []

    def _get(**overrides):
        app = suite_apps.get(tmp_path, **overrides)
        used.append(app)
        return app

    yield _get
    for app in used:
        suite_apps.put_back(app)


@pytest.fixture(autouse=True)
def _current_test(suite_apps):
    suite_apps.current_test = object()  # one per run of a test (parametrised sub-tests share a node id)
    yield
    suite_apps.current_test = None


@pytest.fixture
def make_app(suite_apps, tmp_path):
    """Build an app of its own (for a test that needs its own config or a second app on the same
    database, like a second web worker); keyword overrides go to the config. Every app it builds in one
    test shares the test's database (on SQLite a fresh copy of the schema at tmp_path/test.db)."""
    apps = []

    def _make(**overrides):
        if not suite_apps._apps:
            suite_apps.put_back(suite_apps.get(tmp_path))  # the schema, built once
        config = test_config(tmp_path, **overrides)
        url = sa.engine.make_url(config["SQLALCHEMY_DATABASE_URI"])
        if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
            shutil.copyfile(suite_apps.schema.template, url.database)
        app = _new_app(config)
        if PG_URL and url == sa.engine.make_url(PG_URL):
            suite_apps.empty_pg_once(app)
        apps.append(app)
        return app

    yield _make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(shared_app):
    app = shared_app()
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


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server (`moto[server]`) as a real process on a free loopback port: the object store
    `UPLOAD_BACKEND=s3` talks to. Yields s3_settings(bucket) -> config overrides with a new bucket."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port)

        def s3_settings(bucket: str | None = None, **more) -> dict:
            import uuid

            from marketplace.core.storage import storage_from
            settings = {"UPLOAD_BACKEND": "s3", "S3_ENDPOINT_URL": endpoint, "S3_REGION": "us-east-1",
                        "S3_ACCESS_KEY_ID": "test", "S3_SECRET_ACCESS_KEY": "test",
                        "S3_BUCKET": bucket or f"jsst-{uuid.uuid4().hex[:12]}", **more}
            storage_from(settings).client.create_bucket(Bucket=settings["S3_BUCKET"])
            return settings

        yield s3_settings
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
    # a short poll: shutdown() waits for the loop's next turn (0.5 s by default, at every test's end)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def _chromium():
    """One headless Chromium per session (per xdist worker), driven by Playwright."""
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
def browser(_chromium):
    """The session's Chromium; every context a test opens on it is closed after the test."""
    yield _chromium
    for context in list(_chromium.contexts):
        context.close()


@pytest.fixture
def page(browser):
    """A page in a new browser context (its own cookies and storage), in Chinese and Beijing time."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    return pg



@pytest.fixture
def empty_database(app, suite_apps):
    """empty_database(): start over on an empty database inside one test (a property test's examples)."""
    def _empty():
        db.session.remove()
        suite_apps.schema.reset(app)
    return _empty
