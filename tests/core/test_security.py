"""Security headers, the secret key, bounded ids and hostile bodies (issue 9, items 8 and 9)."""
import pytest
import sqlalchemy as sa

from marketplace import create_app
from marketplace.core.security import DEFAULT_SECRET_KEY
from marketplace.extensions import db


def test_refuses_to_start_in_production_with_the_default_secret_key(tmp_path):
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "TESTING": False,
              "SECRET_KEY": DEFAULT_SECRET_KEY}
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)
    for weak in ("abc", "x" * 31):  # issue 25: a 3-character key let an admin's reset link be forged
        with pytest.raises(RuntimeError, match="too weak"):
            create_app(dict(config, SECRET_KEY=weak))
    app = create_app(dict(config, SECRET_KEY="a-real-secret-from-the-environment"))
    assert app.config["SECRET_KEY"] == "a-real-secret-from-the-environment"


def test_every_answer_carries_the_security_headers(client):
    for url in ("/", "/login", "/api/v1/resources", "/no-such-page"):
        resp = client.get(url)
        csp = resp.headers["Content-Security-Policy"]
        script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "frame-ancestors 'none'" in csp, url
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "microphone=()" in resp.headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in resp.headers  # plain http in development


def test_https_deployments_get_hsts_and_secure_cookies(make_app, make_user, login):
    app = make_app(PREFERRED_URL_SCHEME="https")
    with app.app_context():
        user = make_user()
        client = app.test_client()
        resp = login(client, user)
        assert resp.headers["Strict-Transport-Security"].startswith("max-age=")
        cookie = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session="))
        assert "Secure" in cookie and "HttpOnly" in cookie


@pytest.mark.parametrize("url", ["/resources/99999999999999999999999", "/api/v1/bookings/18446744073709551617",
                                 "/booking/instruments/340282366920938463463374607431768211456/calendar"])
def test_ids_beyond_64_bits_are_not_found_not_an_overflow(client, url):
    assert client.get(url).status_code == 404


def _count(table):
    return db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))


def test_json_nested_a_thousand_deep_is_a_clear_400(client, make_user, api_token):
    user = make_user()
    body = '{"instrument_id": ' + "[" * 1000 + "]" * 1000 + "}"
    before = _count("bookings")
    resp = client.post("/api/v1/bookings", data=body, content_type="application/json", headers=api_token(user))
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"
    assert "JSON" in resp.get_json()["detail"]
    assert _count("bookings") == before


@pytest.mark.parametrize("text", ['"\\ud800"', '"abc\\u0000def"'])
def test_lone_surrogate_or_nul_in_json_text_is_refused(client, make_user, api_token, text):
    user = make_user()
    body = '{"instrument_id": 1, "start": "2026-12-01T09:00:00+08:00", "end": "2026-12-01T10:00:00+08:00", ' \
           f'"purpose": {text}}}'
    resp = client.post("/api/v1/bookings", data=body, content_type="application/json", headers=api_token(user))
    assert resp.status_code == 422 and resp.get_json()["errors"]["purpose"]


def test_nul_in_a_form_field_is_refused_and_nothing_changes(client):
    before = _count("users")
    resp = client.post("/register", data={"email": "a@b.cn", "name": "张\x00三", "password": "x" * 12})
    assert resp.status_code == 400
    assert _count("users") == before


@pytest.mark.parametrize("method,url", [("delete", "/api/v1/bookings"), ("put", "/login"), ("post", "/healthz")])
def test_method_not_allowed_names_the_allowed_methods(client, method, url):
    resp = getattr(client, method)(url)
    assert resp.status_code == 405
    assert resp.headers.get("Allow"), resp.headers


def test_templates_hold_no_inline_script():
    """The CSP forbids inline script: no <script> without src, no on* handlers, no javascript: URLs."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", text) \
                or re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text:
            offenders.append(str(path.relative_to(root)))
    assert not offenders, offenders


@pytest.mark.parametrize("url, status", [
    ("/trading/deals/1%00", 404), ("/catalog/%00", 404), ("/api/v1/resources/%00", 404),
    ("/api/v1/resources?q=%00", 422), ("/api/v1/search?q=a%00b", 422), ("/?x%00=1", 422),
    ("/catalog/?city=%00", 422), ("/registration/verify?number=%00", 422),
])
def test_nul_in_paths_and_queries_answers_404_or_422_never_500(client, url, status):
    """Issue 25: GET paths and queries with a NUL byte 500ed on PostgreSQL."""
    assert client.get(url).status_code == status, url
