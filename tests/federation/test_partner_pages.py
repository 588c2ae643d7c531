"""Staff configure partner platforms on /federation/partners: clear errors that change nothing,
only admins, and "harvest now" leaves a report on the partner's page."""
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.federation.models import HarvestReport, Partner

GOOD = {"name": "浙江省科技资源共享平台", "region": "zhejiang", "base_url": "https://zj.example.cn/oai",
        "metadata_prefix": "jsst_core", "schedule": "daily", "enabled": "y"}


def _partners():
    db.session.expire_all()
    return db.session.scalars(sa.select(Partner)).all()


def test_only_admins_see_and_change_partners(client, make_user, login):
    assert client.get("/federation/partners").status_code == 302  # to the login page
    login(client, make_user(roles=("reviewer",)))
    assert client.get("/federation/partners").status_code == 403
    assert client.post("/federation/partners", data=GOOD).status_code == 403
    assert _partners() == []


def test_admin_adds_a_partner_and_bad_input_changes_nothing(client, make_user, login):
    login(client, make_user(roles=("admin",)))
    empty = client.get("/federation/partners").get_data(as_text=True)
    assert "还没有合作平台" in empty

    for bad, field_error in (({"base_url": "ftp://zj.example.cn/oai"}, "http://"),
                             ({"base_url": "https://zj.example.cn/oai?verb=Identify"}, "http://"),
                             ({"region": "beijing"}, ""), ({"name": ""}, ""),
                             ({"metadata_prefix": "marc21"}, ""), ({"name": "名" * 300}, "")):
        resp = client.post("/federation/partners", data={**GOOD, **bad})
        assert resp.status_code == 422 and field_error in resp.get_data(as_text=True)
        assert _partners() == []

    resp = client.post("/federation/partners", data=GOOD)
    assert resp.status_code == 302
    [partner] = _partners()
    assert (partner.name, partner.region, partner.enabled) == (GOOD["name"], "zhejiang", True)
    again = client.post("/federation/partners", data=GOOD)
    assert again.status_code == 422 and "已有同名的合作平台" in again.get_data(as_text=True)
    assert len(_partners()) == 1

    # Switched off and pointed elsewhere: the next harvest is a full one.
    resp = client.post(f"/federation/partners/{partner.id}", data={**GOOD, "base_url": "https://zj2.example.cn/oai",
                                                                   "enabled": ""})
    assert resp.status_code == 302
    partner = _partners()[0]
    assert partner.enabled is False and partner.base_url == "https://zj2.example.cn/oai"
    assert client.get("/federation/partners/999999").status_code == 404


def test_harvest_now_leaves_a_report(client, make_user, login, live_server, app, make_org, make_resource):
    app.config["WTF_CSRF_ENABLED"] = False  # live_server turns it on for browsers; this client posts directly
    make_resource("instrument", make_org(), title="激光共聚焦显微镜")
    login(client, make_user(roles=("admin",)))
    client.post("/federation/partners", data={**GOOD, "base_url": f"{live_server}/oai"})
    [partner] = _partners()
    resp = client.post(f"/federation/partners/{partner.id}/harvest")
    assert resp.status_code == 302
    assert db.session.scalar(sa.select(HarvestReport.added).where(HarvestReport.partner_id == partner.id)) == 1
    page = client.get(f"/federation/partners/{partner.id}").get_data(as_text=True)
    assert "新增 1，更新 0，删除 0，跳过 0（1 页）" in page and "资源 1 条" in page
