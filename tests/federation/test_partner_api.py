"""/api/v1/partners: admins configure partner platforms and start harvests over the API."""
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.federation.models import Partner

GOOD = {"name": "安徽省科技资源共享平台", "region": "anhui", "base_url": "http://127.0.0.1:9/oai"}


def test_partners_over_the_api(client, make_user, api_token):
    admin = api_token(make_user(roles=("admin",)))
    other = api_token(make_user(roles=("reviewer",)))
    assert client.get("/api/v1/partners").status_code == 401
    assert client.post("/api/v1/partners", json=GOOD, headers=other).status_code == 403

    for bad, field in (({"base_url": "javascript:alert(1)"}, "base_url"), ({"region": "tokyo"}, "region"),
                       ({"name": 5}, "name"), ({"metadata_prefix": "a b"}, "metadata_prefix"),
                       ({"enabled": "maybe"}, "enabled"), ({"schedule": "minutely"}, "schedule")):
        resp = client.post("/api/v1/partners", json={**GOOD, **bad}, headers=admin)
        assert resp.status_code == 422 and field in resp.get_json()["errors"], resp.get_json()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Partner)) == 0

    created = client.post("/api/v1/partners", json=GOOD, headers=admin)
    assert created.status_code == 201
    body = created.get_json()
    assert (body["metadata_prefix"], body["schedule"], body["enabled"], body["records"]) == ("jsst_core", "daily",
                                                                                            True, 0)
    pid = body["id"]
    assert client.post("/api/v1/partners", json=GOOD, headers=admin).status_code == 422  # the same name

    patched = client.patch(f"/api/v1/partners/{pid}", json={"schedule": "hourly", "enabled": False}, headers=admin)
    assert patched.status_code == 200 and patched.get_json()["schedule"] == "hourly"
    assert patched.get_json()["enabled"] is False and patched.get_json()["name"] == GOOD["name"]
    assert client.patch(f"/api/v1/partners/{pid}", json={"base_url": "ftp://x"}, headers=admin).status_code == 422
    assert client.get("/api/v1/partners/424242", headers=admin).status_code == 404

    # Nothing listens on port 9: the harvest fails, and its report says why.
    assert client.post(f"/api/v1/partners/{pid}/harvest", headers=admin).status_code == 202
    reports = client.get(f"/api/v1/partners/{pid}/harvests", headers=admin).get_json()["items"]
    assert len(reports) == 1 and reports[0]["status"] == "failed"
    assert reports[0]["error"].startswith("no answer: ConnectionError")
    assert [p["name"] for p in client.get("/api/v1/partners", headers=admin).get_json()["items"]] == [GOOD["name"]]


def test_the_scheduler_harvests_enabled_partners_when_their_schedule_is_due(app):
    from datetime import timedelta

    from marketplace.core.jobs import SCHEDULE
    from marketplace.core.timeutil import utcnow
    from marketplace.federation import services

    assert any(p.func == "marketplace.federation.services:harvest_due" for p in SCHEDULE)
    hourly = services.add_partner(services.partner_input({**GOOD, "name": "每小时", "schedule": "hourly"}), actor=None)
    daily = services.add_partner(services.partner_input({**GOOD, "name": "每天", "schedule": "daily"}), actor=None)
    services.add_partner(services.partner_input({**GOOD, "name": "停用", "enabled": False}), actor=None)
    db.session.commit()
    assert services.harvest_due() == {"每小时": "failed", "每天": "failed"}  # nothing listens on port 9
    assert services.harvest_due() == {}  # just harvested: nothing is due
    later = utcnow() + timedelta(hours=2)
    assert [p.name for p in services.due_partners(later)] == [hourly.name]
    assert [p.name for p in services.due_partners(later + timedelta(days=1))] == [hourly.name, daily.name]


def test_partner_records_of_another_type_have_a_name_on_the_search_page(app):
    from marketplace.search.services import facet_labels
    assert facet_labels()["type"]["partner"] == "合作平台资源"
    assert facet_labels()["origin"]["local"] == "本平台" and facet_labels()["origin"]["national"] == "国家平台"
