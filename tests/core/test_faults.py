"""Faults: a PostgreSQL of the test's own (initdb + pg_ctl on a free port) is stopped under the app and
started again. Meanwhile pages answer a 503 page and the API a 503 problem+json, both with Retry-After and
quickly; once it is back, requests succeed again without restarting the app (pool pre-ping). A shared
rate-limit store that cannot be reached does not break logins; a session cookie works on any host."""
import time

import pytest

from bench.throwaway import ThrowawayPostgres, postgres_installed
from marketplace.cli import create_schema
from marketplace.extensions import db

from ..conftest import DEMO_PASSWORD, free_port


@pytest.fixture(scope="module")
def throwaway_pg():
    if not postgres_installed():
        pytest.skip("PostgreSQL server binaries not installed")
    pg = ThrowawayPostgres()
    pg.start()
    try:
        yield pg
    finally:
        pg.remove()


def _timed(client, path, **kw):
    started = time.monotonic()
    resp = client.get(path, **kw)
    return resp, time.monotonic() - started


@pytest.mark.slow
@pytest.mark.once
def test_database_restart_gives_503_with_retry_after_then_recovers(make_app, throwaway_pg, make_user):
    app = make_app(SQLALCHEMY_DATABASE_URI=throwaway_pg.url, DATABASE_CONNECT_TIMEOUT=2)
    with app.app_context():
        create_schema()
        user = make_user(email="fault@test.cn")
        db.session.commit()
        client = app.test_client()
        assert client.post("/login", data={"email": user.email, "password": DEMO_PASSWORD}).status_code == 302
        assert client.get("/api/v1/resources").status_code == 200
        assert client.get("/").status_code == 200

        throwaway_pg.stop()
        try:
            api, took = _timed(client, "/api/v1/resources")
            assert api.status_code == 503 and took < 5
            assert api.mimetype == "application/problem+json"
            assert api.headers["Retry-After"].isdigit()
            assert "数据库暂时无法连接" in api.get_json()["detail"]
            page, took = _timed(client, "/")  # signed in: the page must not need the database to draw
            assert page.status_code == 503 and took < 5
            assert page.headers["Retry-After"].isdigit()
            assert "数据库暂时无法连接" in page.get_data(as_text=True)
            english = client.get("/api/v1/resources", headers={"Accept-Language": "en"})
            assert english.status_code == 503 and "database" in english.get_json()["detail"].lower()
        finally:
            throwaway_pg.start()

        # Back: the pool's dead connections are found by pre-ping and replaced, no restart needed.
        assert client.get("/api/v1/resources").status_code == 200
        assert client.get("/").status_code == 200
        assert client.get("/account/tokens").status_code == 200  # still signed in


def test_an_unreachable_rate_limit_store_does_not_break_logins(make_app, make_user):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0",
                   LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes", LOGIN_LIMIT_PER_ADDRESS="30 per 15 minutes")
    with app.app_context():
        user = make_user(email="limits@test.cn")
        db.session.commit()
        client = app.test_client()
        answers = [client.post("/login", data={"email": user.email, "password": "wrong-password"}).status_code
                   for _ in range(4)]
        assert 500 not in answers
        assert answers[:3] == [200, 200, 200] and answers[3] == 429  # counted in memory meanwhile


def test_a_session_from_one_host_is_honoured_by_another(make_app, make_user):
    host_a, host_b = make_app(), make_app()  # same SECRET_KEY and database, separate processes in production
    with host_a.app_context():
        user = make_user(email="roaming@test.cn")
        db.session.commit()
        a = host_a.test_client()
        assert a.post("/login", data={"email": user.email, "password": DEMO_PASSWORD}).status_code == 302
        cookie = a.get_cookie("session")
    with host_b.app_context():
        stranger = host_b.test_client()
        assert stranger.get("/account/tokens").status_code == 302  # to the login page
        b = host_b.test_client()
        b.set_cookie("session", cookie.value)
        page = b.get("/account/tokens")
        assert page.status_code == 200


@pytest.mark.slow
@pytest.mark.once
def test_a_connection_the_server_ends_after_the_last_query_still_gives_the_answer(make_app, throwaway_pg):
    """A restart between a request's last query and its end: the session's closing ROLLBACK fails on the
    dead connection. The answer stands (no 500 from the teardown) and the next request gets a fresh one."""
    import sqlalchemy as sa

    app = make_app(SQLALCHEMY_DATABASE_URI=throwaway_pg.url, DATABASE_CONNECT_TIMEOUT=2)
    with app.app_context():
        create_schema()
    killer = sa.create_engine(throwaway_pg.url)

    @app.get("/_test/pid-then-terminated")
    def pid_then_terminated():
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        with killer.connect() as conn:  # as a fast shutdown does: the backend is told to end at once
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            conn.commit()
        return {"pid": pid}

    client = app.test_client()
    first = client.get("/_test/pid-then-terminated")  # before the fix: the teardown's OperationalError
    assert first.status_code == 200 and first.get_json()["pid"]
    after = client.get("/api/v1/resources")
    assert after.status_code == 200
    killer.dispose()
