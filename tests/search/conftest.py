"""Search fixtures: the shared `app` is overridden so that every commit is indexed (AUTO_INDEX on)
into the test's temporary index directory; factories (make_org, make_resource…) use this app."""
import pytest

from marketplace.extensions import db


@pytest.fixture
def app(shared_app):
    app = shared_app(AUTO_INDEX=True)
    with app.app_context():
        yield app
        db.session.rollback()


@pytest.fixture
def index(app):
    return app.extensions["search"]


@pytest.fixture
def org(make_org):
    return make_org(name="南京大学现代分析中心", city="南京")


@pytest.fixture
def api_search(client):
    def _search(expect=200, **params):
        resp = client.get("/api/v1/search", query_string=params)
        assert resp.status_code == expect, resp.get_data(as_text=True)[:500]
        return resp.get_json()
    return _search


@pytest.fixture
def titles(api_search):
    def _titles(q, **params):
        return [item["title"] for item in api_search(q=q, per_page=50, **params)["items"]]
    return _titles
