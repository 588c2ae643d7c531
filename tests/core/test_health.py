"""/healthz, /readyz (database, search index, payment gateway) and the X-Request-ID every response carries."""
import re


def test_readyz_is_200_with_each_check_when_all_is_well(app, client, localstripe):
    app.config["STRIPE_API_BASE"] = localstripe
    resp = client.get("/readyz")
    body = resp.get_json()
    assert resp.status_code == 200, body
    assert body["status"] == "ok" and "failed" not in body
    assert set(body["checks"]) == {"database", "search", "gateway"}
    assert all(c["status"].startswith("ok") for c in body["checks"].values())
    assert "documents" in body["checks"]["search"]["status"]  # the searcher was opened


def test_readyz_is_503_naming_the_gateway_when_it_is_down(app, client):
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens
    resp = client.get("/readyz")
    body = resp.get_json()
    assert resp.status_code == 503
    assert body["status"] == "unavailable" and body["failed"] == ["gateway"]
    assert body["checks"]["gateway"]["status"].startswith("failed: ConnectionError")
    assert body["checks"]["database"]["status"] == "ok"


def test_readyz_is_503_naming_the_database_when_it_cannot_be_reached(tmp_path):
    from marketplace import create_app
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}",
                      "SEARCH_INDEX_DIR": str(tmp_path / "index"), "STRIPE_API_BASE": "http://127.0.0.1:9"})
    resp = app.test_client().get("/readyz")
    body = resp.get_json()
    assert resp.status_code == 503 and "database" in body["failed"]
    assert body["checks"]["database"]["status"].startswith("failed: OperationalError")


def test_healthz_stays_cheap(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok"}


def test_a_request_id_is_echoed_or_made(client):
    sent = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})
    assert sent.headers["X-Request-ID"] == "lb-7f3a.42"
    made = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-ID"])
    assert client.get("/healthz").headers["X-Request-ID"] != made.headers["X-Request-ID"]
    # a header that could forge log lines is replaced, not echoed
    bad = client.get("/healthz", headers={"X-Request-ID": "x" * 200})
    assert bad.headers["X-Request-ID"] != "x" * 200
    assert client.get("/no-such-page").headers.get("X-Request-ID")  # error pages carry one too
