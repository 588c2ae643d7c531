"""A pending revision does not reach the search index; its approval does (the after-commit path)."""
import io

import pytest

from marketplace.catalog import services
from marketplace.extensions import db

from ..uploads.conftest import PNG


@pytest.fixture
def app(shared_app):
    app = shared_app(AUTO_INDEX=True)
    with app.app_context():
        yield app
        db.session.rollback()


def titles(client, q):
    return [i["title"] for i in client.get("/api/v1/search", query_string={"q": q}).get_json()["items"]]


def test_search_shows_the_published_title_until_approval(app, client, make_org, make_user, make_resource, login):
    lab = make_org(name="东南大学分析测试中心")
    owner = make_user(org=lab)
    reviewer = make_user(roles=("reviewer",))
    r = make_resource("instrument", lab, title="原子力显微镜")
    services.update_resource(r, {"title": "原子力显微镜 全新升级版"}, actor=owner)
    db.session.commit()
    assert titles(client, "原子力显微镜") == ["原子力显微镜"] and titles(client, "全新升级版") == []
    services.decide(services.pending_revision(r), "approve", actor=reviewer)
    db.session.commit()
    assert titles(client, "全新升级版") == ["原子力显微镜 全新升级版"]

    # the search results card shows the listing's first photo as a thumbnail
    login(client, owner)
    client.post(f"/resources/{r.id}/photos", data={"photos": [(io.BytesIO(PNG), "a.png")]},
                content_type="multipart/form-data")
    photo = services.thumbnail_id(r.id)
    html = client.get("/search?q=原子力显微镜").get_data(as_text=True)
    assert photo and f'class="card-thumb" src="/uploads/{photo}"' in html


def test_tags_and_discipline_are_not_searchable_until_approved(app, client, make_org, make_user, make_resource):
    """Issue 25: a published listing's new tags and discipline were searchable at once, unreviewed."""
    lab = make_org(name="江南大学测试中心")
    owner, reviewer = make_user(org=lab), make_user(roles=("reviewer",))
    r = make_resource("instrument", lab, title="液相色谱仪", tags="色谱")
    services.update_resource(r, {"tags": "色谱,澳门博彩", "discipline": "彩票代购"}, actor=owner)
    db.session.commit()
    assert titles(client, "澳门博彩") == [] and titles(client, "彩票代购") == []
    services.decide(services.pending_revision(r), "approve", actor=reviewer)
    db.session.commit()
    assert titles(client, "澳门博彩") == ["液相色谱仪"] and titles(client, "彩票代购") == ["液相色谱仪"]
