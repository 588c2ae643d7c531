"""Two hubs over HTTP: instance B (its own database and search index) harvests instance A's OAI-PMH
endpoint; what A publishes is found in B's search with its origin and a link to A's page; what A
withdraws leaves B's search at the next harvest; harvesting again changes nothing."""
from datetime import datetime

import pytest
import sqlalchemy as sa

from marketplace import create_app
from marketplace.catalog.models import Resource
from marketplace.extensions import db


@pytest.fixture
def instance_b(tmp_path):
    b = create_app({"TESTING": True, "SECRET_KEY": "instance-b", "SERVER_NAME": "b.example.cn",
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'b.db'}",
                    "SEARCH_INDEX_DIR": str(tmp_path / "b-index"), "UPLOAD_DIR": str(tmp_path / "b-uploads"),
                    "AUTO_INDEX": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                    "OAI_PAGE_SIZE": 2, "SEARCH_WARM_UP": False})
    with b.app_context():
        db.create_all()
    yield b
    with b.app_context():
        db.session.remove()
        db.engine.dispose()


def _cli(b, *args):
    with b.app_context():  # the command runs in the current app context: B's, not the test's A
        result = b.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _harvest(b):
    return _cli(b, "federation", "harvest")


def _search(b, q):
    with b.app_context():
        resp = b.test_client().get("/api/v1/search", query_string={"q": q})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp.get_json()


def test_b_harvests_a_incrementally_with_deletions(app, live_server, instance_b, make_org, make_resource):
    app.config["OAI_PAGE_SIZE"] = 2  # A answers in pages: B follows the resumption tokens
    org = make_org(name="上海交通大学分析测试中心", city="南京")
    afm = make_resource("instrument", org, title="原子力显微镜", summary="纳米尺度表面形貌测量")
    battery = make_resource("achievement", org, title="新型固态电池电解质技术", summary="高离子电导率")
    for i in range(3):
        make_resource("service", org, title=f"检测服务{i}")
    # Listed yesterday: the next harvest (from the first one's responseDate) holds only today's changes.
    db.session.execute(sa.update(Resource).values(updated_at=datetime(2026, 11, 29, 2, 0)))
    db.session.commit()

    _cli(instance_b, "federation", "add-partner", "--name", "上海研发公共服务平台", "--region", "shanghai",
         "--base-url", f"{live_server}/oai", "--format", "jsst_core")
    out = _harvest(instance_b)
    assert "上海研发公共服务平台: ok, pages 3, added 5, updated 0, deleted 0, skipped 0" in out

    found = _search(instance_b, "原子力显微镜")
    assert found["total"] == 1
    hit = found["items"][0]
    assert hit["origin"] == "shanghai" and hit["type"] == "instrument"
    assert hit["url"] == f"{live_server}/resources/{afm.id}"
    assert found["facets"]["origin"] == {"shanghai": 1}
    achievement = _search(instance_b, "固态电池")["items"]
    assert [i["title"] for i in achievement] == ["新型固态电池电解质技术"] and achievement[0]["type"] == "achievement"
    with instance_b.app_context():
        page = instance_b.test_client().get("/search", query_string={"q": "原子力显微镜"}).get_data(as_text=True)
    assert "来自上海" in page and f'href="{live_server}/resources/{afm.id}"' in page

    # A withdraws the microscope and edits the achievement; B's next harvest is incremental.
    db.session.execute(sa.update(Resource).where(Resource.id == afm.id).values(status="offline"))
    db.session.execute(sa.update(Resource).where(Resource.id == battery.id).values(title="固态电池电解质技术（升级版）"))
    db.session.commit()
    out = _harvest(instance_b)
    assert "ok, pages 1, added 0, updated 1, deleted 1, skipped 0" in out
    assert _search(instance_b, "原子力显微镜")["total"] == 0
    assert [i["title"] for i in _search(instance_b, "固态电池")["items"]] == ["固态电池电解质技术（升级版）"]

    # Nothing new: nothing changes (the harvest is idempotent).
    assert "added 0, updated 0, deleted 0, skipped 0" in _harvest(instance_b)
    assert _search(instance_b, "检测服务")["total"] == 3
