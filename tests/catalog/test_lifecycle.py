"""Listing lifecycle draft → pending_review → published / rejected → offline → archived: who may do
what, every transition audited, and only published listings public."""
import pytest

from marketplace.catalog.models import Resource
from marketplace.core.models import AuditLog
from marketplace.extensions import db


def _status(resource_id):
    db.session.expire_all()
    return db.session.get(Resource, resource_id).status


def _audit(resource_id):
    db.session.expire_all()
    return db.session.scalars(db.select(AuditLog).where(AuditLog.entity == "resource",
                                                        AuditLog.entity_id == resource_id)
                              .order_by(AuditLog.id)).all()


def test_full_lifecycle_through_the_web_is_audited(client, make_org, make_user, login, make_resource):
    org = make_org(name="南京工业大学")
    owner = make_user(org=org, name="王工")
    reviewer = make_user(roles=("reviewer",), name="审核员甲")
    r = make_resource("instrument", org, status="draft", title="X 射线衍射仪")

    login(client, owner)
    assert client.post(f"/resources/{r.id}/submit").status_code == 302
    assert _status(r.id) == "pending_review"
    client.post("/logout")

    login(client, reviewer)
    queue = client.get("/review").get_data(as_text=True)
    assert "X 射线衍射仪" in queue
    resp = client.post(f"/resources/{r.id}/reject", data={"reason": "请补充收费标准的依据"})
    assert resp.status_code == 302 and _status(r.id) == "rejected"
    queue = client.get("/review").get_data(as_text=True)
    assert f'id="listing-{r.id}"' not in queue and "已退回「X 射线衍射仪」：请补充收费标准的依据" in queue
    client.post("/logout")

    login(client, owner)  # the owner sees why, on the detail page and in "my resources"
    page = client.get(f"/resources/{r.id}").get_data(as_text=True)
    assert "审核未通过" in page and "请补充收费标准的依据" in page
    mine = client.get("/my/resources").get_data(as_text=True)
    assert "X 射线衍射仪" in mine and "请补充收费标准的依据" in mine
    assert client.post(f"/resources/{r.id}/submit").status_code == 302
    assert "审核未通过" not in client.get(f"/resources/{r.id}").get_data(as_text=True)  # resubmitted
    client.post("/logout")

    login(client, reviewer)
    resp = client.post(f"/resources/{r.id}/publish", data={"next": "review"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/review")  # nothing left to review
    assert _status(r.id) == "published"
    assert db.session.get(Resource, r.id).published_at is not None
    client.post("/logout")

    anonymous = client.application.test_client()
    assert anonymous.get(f"/resources/{r.id}").status_code == 200

    login(client, owner)
    assert client.post(f"/resources/{r.id}/offline").status_code == 302 and _status(r.id) == "offline"
    assert anonymous.get(f"/resources/{r.id}").status_code == 404
    page = client.get(f"/resources/{r.id}").get_data(as_text=True)  # the owner sees the history
    assert "变更记录" in page and "请补充收费标准的依据" in page and "已下线" in page
    assert client.post(f"/resources/{r.id}/archive").status_code == 302 and _status(r.id) == "archived"
    assert "X 射线衍射仪" not in client.get("/my/resources").get_data(as_text=True)
    assert "X 射线衍射仪" in client.get("/my/resources?status=archived").get_data(as_text=True)

    trail = [(a.action, a.from_state, a.to_state, a.actor_id, a.comment) for a in _audit(r.id)]
    assert trail == [
        ("submit", "draft", "pending_review", owner.id, None),
        ("reject", "pending_review", "rejected", reviewer.id, "请补充收费标准的依据"),
        ("submit", "rejected", "pending_review", owner.id, None),
        ("publish", "pending_review", "published", reviewer.id, None),
        ("offline", "published", "offline", owner.id, None),
        ("archive", "offline", "archived", owner.id, None),
    ]
    assert all(a.created_at is not None for a in _audit(r.id))


def test_creation_and_edits_are_audited_too(client, make_org, make_user, api_token):
    owner = make_user(org=make_org())
    from tests.catalog.data import api_payload
    rid = client.post("/api/v1/resources", json=api_payload("dataset"), headers=api_token(owner)).get_json()["id"]
    client.patch(f"/api/v1/resources/{rid}", json={"title": "新标题", "summary": "新简介"}, headers=api_token(owner))
    trail = [(a.action, a.to_state, a.actor_id, a.comment) for a in _audit(rid)]
    assert trail == [("created", "draft", owner.id, None), ("edited", None, owner.id, "summary,title")]


@pytest.mark.parametrize("status, action", [
    ("draft", "publish"), ("draft", "offline"), ("pending_review", "submit"), ("published", "submit"),
    ("published", "publish"), ("rejected", "publish"), ("offline", "publish"), ("archived", "submit"),
    ("archived", "publish"),
])
def test_disallowed_transitions_are_refused_with_a_message_and_change_nothing(
        status, action, client, make_org, make_user, login, make_resource):
    org = make_org()
    # a platform admin holds every role and may act for every organisation, so only the state machine refuses
    admin = make_user(org=org, roles=("admin",))
    r = make_resource("facility", org, status=status)
    login(client, admin)
    before = len(_audit(r.id))
    resp = client.post(f"/resources/{r.id}/{action}", follow_redirects=True)
    assert resp.status_code == 200
    assert "不能从" in resp.get_data(as_text=True)  # the refusal is explained
    assert _status(r.id) == status and len(_audit(r.id)) == before


def test_reject_needs_a_reason(client, make_org, make_user, login, make_resource):
    r = make_resource("talent", make_org(), status="pending_review")
    login(client, make_user(roles=("reviewer",)))
    resp = client.post(f"/resources/{r.id}/reject", data={"reason": "   "}, follow_redirects=True)
    assert "请填写退回原因" in resp.get_data(as_text=True)
    assert _status(r.id) == "pending_review"


def test_only_members_of_the_owning_organisation_edit(client, make_org, make_user, login, make_resource):
    mine, theirs = make_org(name="甲大学"), make_org(name="乙公司", kind="enterprise")
    r = make_resource("instrument", mine, title="原标题")
    login(client, make_user(org=theirs))
    assert client.get(f"/resources/{r.id}/edit").status_code == 403
    from tests.catalog.data import form_data
    assert client.post(f"/resources/{r.id}/edit", data=form_data("instrument", title="被篡改")).status_code == 403
    db.session.expire_all()
    assert db.session.get(Resource, r.id).title == "原标题"
    page = client.get(f"/resources/{r.id}").get_data(as_text=True)
    assert f"/resources/{r.id}/edit" not in page  # no edit button either


def test_only_reviewers_moderate(client, make_org, make_user, login, make_resource):
    org = make_org()
    owner = make_user(org=org, org_admin=True)
    r = make_resource("achievement", org, status="pending_review")
    login(client, owner)
    page = client.get(f"/resources/{r.id}").get_data(as_text=True)
    assert f"/resources/{r.id}/publish" not in page
    assert client.post(f"/resources/{r.id}/publish").status_code == 403
    assert client.post(f"/resources/{r.id}/reject", data={"reason": "自己退回"}).status_code == 403
    assert client.get("/review").status_code == 403
    assert _status(r.id) == "pending_review"


NOT_PUBLIC = ["draft", "pending_review", "rejected", "offline", "archived"]


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_unpublished_listing_is_hidden_from_anonymous_and_other_organisations(
        status, client, make_org, make_user, login, make_resource):
    org, other = make_org(name="南京大学"), make_org(name="常州某公司", kind="enterprise", city="常州")
    hidden = make_resource("instrument", org, status=status, title="隐藏的拉曼光谱仪", city="南京")
    make_resource("instrument", org, title="公开的拉曼光谱仪", city="南京")
    public_pages = ["/", "/platforms/sharing", "/resources", "/resources?type=instrument",
                    f"/resources?org={org.id}", "/resources?city=南京", "/resources?platform=sharing"]

    def check(c):
        assert c.get(f"/resources/{hidden.id}").status_code == 404
        assert c.get(f"/api/v1/resources/{hidden.id}").status_code == 404
        for url in public_pages:
            page = c.get(url).get_data(as_text=True)
            assert "公开的拉曼光谱仪" in page, url
            assert "隐藏的拉曼光谱仪" not in page, url
        items = c.get(f"/api/v1/resources?org={org.id}").get_json()["items"]
        assert [i["title"] for i in items] == ["公开的拉曼光谱仪"]

    check(client)  # anonymous
    login(client, make_user(org=other))
    check(client)
    # counts on the home page count only the published one
    assert '<div class="stat">1</div>' in client.get("/").get_data(as_text=True)


def test_owner_and_reviewer_can_see_a_draft(client, make_org, make_user, login, make_resource):
    org = make_org()
    r = make_resource("dataset", org, status="pending_review", title="待审数据集")
    login(client, make_user(org=org))
    assert "待审数据集" in client.get(f"/resources/{r.id}").get_data(as_text=True)
    client.post("/logout")
    login(client, make_user(roles=("reviewer",)))
    assert "待审数据集" in client.get(f"/resources/{r.id}").get_data(as_text=True)
