"""Issue 9 item 3: material edits of a published listing wait for a reviewer as a revision; the
published version stays public (page, API, search, quotes) until approval; rejection keeps it;
non-material edits apply at once; only the owner's members and reviewers see or act on revisions."""
from datetime import datetime, timedelta

import pytest

from marketplace.catalog import services
from marketplace.catalog.models import Resource, ResourceRevision
from marketplace.catalog.types import NON_MATERIAL_FIELDS, RESOURCE_TYPES, is_material
from marketplace.core.errors import Conflict
from marketplace.core.models import AuditLog
from marketplace.core.timeutil import to_local, utcnow
from marketplace.extensions import db


@pytest.fixture
def lab(make_org):
    return make_org(name="南京大学测试中心", kind="university", city="南京")


@pytest.fixture
def owner(make_user, lab):
    return make_user(org=lab, name="王工")


@pytest.fixture
def reviewer(make_user, make_org):
    return make_user(org=make_org(name="省科技厅", kind="government"), roles=("reviewer",), name="审核员")


@pytest.fixture
def stranger(make_user, make_org):
    return make_user(org=make_org(name="别家公司", kind="enterprise", city="苏州"), name="外人")


@pytest.fixture
def inst(make_resource, lab):
    return make_resource("instrument", lab, title="场发射扫描电镜", price_unit="hour", internal_price=20_000,
                         external_price=40_000, original_value=20_000_000, contact_phone="025-0000")


def edit_form(inst, **changes):
    """The edit form as the owner would post it: the listing's values (money in yuan) with some changed."""
    from flask import current_app

    from marketplace.catalog.forms import FORMS
    with current_app.test_request_context():
        form = FORMS[inst.type](meta={"csrf": False})
        form.fill_from(fresh(inst.id))
        data = {}
        for field in form:
            value = field.data
            if field.name == "csrf_token" or value is None or value is False:
                continue
            data[field.name] = "y" if value is True else value if isinstance(value, list) else str(value)
    data.update(changes)
    return data


def fresh(resource_id):
    db.session.expire_all()
    return db.session.get(Resource, resource_id)


def pending(resource_id):
    db.session.expire_all()
    return db.session.scalars(db.select(ResourceRevision).where(
        ResourceRevision.resource_id == resource_id, ResourceRevision.status == "pending")).all()


def test_material_fields_are_declared_once():
    assert is_material("instrument", "external_price") and is_material("instrument", "original_value")
    assert is_material("instrument", "title") and is_material("achievement", "asking_price")
    for text in ("contact_name", "contact_phone", "contact_email", "tags", "discipline", "location"):
        assert is_material("instrument", text), text  # every public text waits for review (issue 25)
    assert not is_material("instrument", "bookable") and not is_material("facility", "capacity")
    known = {f.name for t in RESOURCE_TYPES.values() for f in t.fields} | set(services.COMMON_FIELDS)
    assert all(n in known for names in NON_MATERIAL_FIELDS.values() for n in names)


def test_price_edit_is_not_public_until_approved(app, client, login, inst, owner, reviewer):
    login(client, owner)
    resp = client.post(f"/resources/{inst.id}/edit", data=edit_form(inst, external_price="650.50"),
                       follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "修改已提交审核" in page and "修改待审核" in page
    assert "¥400.00" in page and "¥650.50" in page  # the owner sees old → new
    assert fresh(inst.id).external_price == 40_000

    public = app.test_client()
    html = public.get(f"/resources/{inst.id}").get_data(as_text=True)
    assert "¥400.00" in html and "¥650.50" not in html and "修改待审核" not in html
    assert public.get(f"/api/v1/resources/{inst.id}").get_json()["fields"]["external_price"] == 40_000
    client.post("/logout")

    login(client, reviewer)
    queue = client.get("/review").get_data(as_text=True)
    assert "场发射扫描电镜" in queue and 'data-kind="revision"' in queue and "¥650.50" in queue
    rev = pending(inst.id)[0]
    resp = client.post(f"/revisions/{rev.id}/approve", data={"next": "review"})
    assert resp.status_code == 303 and "/review" in resp.headers["Location"]
    assert "已通过「场发射扫描电镜」的修改" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert fresh(inst.id).external_price == 65_050
    html = public.get(f"/resources/{inst.id}").get_data(as_text=True)
    assert "¥650.50" in html
    trail = [(a.action, a.comment) for a in db.session.scalars(db.select(AuditLog).where(
        AuditLog.entity == "resource", AuditLog.entity_id == inst.id).order_by(AuditLog.id))]
    assert trail[-2:] == [("revision_submitted", "external_price"), ("revision_approved", "external_price")]
    assert db.session.get(ResourceRevision, rev.id).decided_by_id == reviewer.id


def test_original_value_does_not_change_a_quote_until_approved(app, client, login, inst, owner, reviewer,
                                                                make_org):
    from marketplace.core.db import writing
    from marketplace.subsidy.services import new_programme, programme_for_year
    from marketplace.subsidy.services.eligibility import quote
    company = make_org(name="苏州某科技有限公司", kind="enterprise", city="苏州", sme=True)
    day = to_local(utcnow()).date() + timedelta(days=3)
    start = datetime(day.year, day.month, day.day, 10, 0)
    with writing():
        if programme_for_year(start.year) is None:
            new_programme(actor=reviewer, name="补贴", year=start.year, budget=10**10)
        db.session.commit()
    assert quote(fresh(inst.id), company, 80_000, start).amount == 0  # ¥200,000 is below the threshold

    login(client, owner)  # the owner raises the original value to ¥5,000,000
    client.post(f"/resources/{inst.id}/edit", data=edit_form(inst, original_value="5000000"))
    assert fresh(inst.id).original_value == 20_000_000
    assert quote(fresh(inst.id), company, 80_000, start).amount == 0  # still: not approved
    rev = pending(inst.id)[0]
    assert rev.changes == {"original_value": 500_000_000} and rev.previous == {"original_value": 20_000_000}
    services.decide(rev, "approve", actor=reviewer)
    db.session.commit()
    assert quote(fresh(inst.id), company, 80_000, start).amount > 0


def test_rejection_keeps_the_published_version_and_tells_the_owner(app, client, login, inst, owner, reviewer):
    login(client, owner)
    client.post(f"/resources/{inst.id}/edit", data=edit_form(inst, title="场发射扫描电镜（全省最低价）"))
    rev = pending(inst.id)[0]
    client.post("/logout")
    login(client, reviewer)
    assert client.post(f"/revisions/{rev.id}/reject", data={"reason": ""}).status_code == 303
    assert pending(inst.id) and fresh(inst.id).title == "场发射扫描电镜"  # no reason: nothing decided
    resp = client.post(f"/revisions/{rev.id}/reject", data={"reason": "标题不得含广告用语", "next": "review"})
    assert resp.status_code == 303
    assert "已退回「场发射扫描电镜」的修改：标题不得含广告用语" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert fresh(inst.id).title == "场发射扫描电镜" and not pending(inst.id)
    assert db.session.get(ResourceRevision, rev.id).status == "rejected"
    assert app.test_client().get(f"/resources/{inst.id}").get_data(as_text=True).count("全省最低价") == 0
    client.post("/logout")
    login(client, owner)
    page = client.get(f"/resources/{inst.id}").get_data(as_text=True)
    assert "修改未通过审核：</strong>标题不得含广告用语" in page
    assert "修改已退回" in client.get("/my/resources").get_data(as_text=True)


def test_contact_phone_waits_for_review_and_a_new_edit_replaces_the_pending_one(app, client, login, inst, owner):
    login(client, owner)
    client.post(f"/resources/{inst.id}/edit", data=edit_form(inst, contact_phone="025-83591234"))
    assert fresh(inst.id).contact_phone == "025-0000" and pending(inst.id)[0].changes == {"contact_phone": "025-83591234"}
    assert "025-83591234" not in app.test_client().get(f"/resources/{inst.id}").get_data(as_text=True)

    client.post(f"/resources/{inst.id}/edit", data=edit_form(inst, external_price="500"))
    first = pending(inst.id)[0]
    form = client.get(f"/resources/{inst.id}/edit").get_data(as_text=True)
    assert 'value="500.00"' in form and "已有一项修改待审核" in form  # the form starts from the pending values
    client.post(f"/resources/{inst.id}/edit", data=edit_form(inst, external_price="500", internal_price="250"))
    (second,) = pending(inst.id)
    assert second.id != first.id and second.changes == {"external_price": 50_000, "internal_price": 25_000}
    assert db.session.get(ResourceRevision, first.id).status == "superseded"

    # the owner withdraws it: the published version was never touched
    resp = client.post(f"/revisions/{second.id}/withdraw", follow_redirects=True)
    assert "已撤回「场发射扫描电镜」的待审核修改" in resp.get_data(as_text=True)
    assert not pending(inst.id) and fresh(inst.id).external_price == 40_000


def test_going_offline_withdraws_the_pending_revision(client, login, inst, owner, reviewer):
    login(client, owner)
    client.post(f"/resources/{inst.id}/edit", data=edit_form(inst, external_price="500"))
    rev = pending(inst.id)[0]
    client.post(f"/resources/{inst.id}/offline")
    assert db.session.get(ResourceRevision, rev.id).status == "withdrawn"
    with pytest.raises(Conflict):
        services.decide(db.session.get(ResourceRevision, rev.id), "approve", actor=reviewer)
    db.session.rollback()


def test_others_cannot_see_or_decide_revisions(app, client, login, inst, owner, reviewer, stranger, make_user,
                                               api_token):
    login(client, owner)
    client.post(f"/resources/{inst.id}/edit", data=edit_form(inst, external_price="500"))
    rev = pending(inst.id)[0]
    # the owner cannot approve their own edit
    assert client.post(f"/revisions/{rev.id}/approve").status_code == 403
    client.post("/logout")
    login(client, stranger)  # another organisation: the revision does not exist for them
    for action in ("approve", "reject", "withdraw"):
        assert client.post(f"/revisions/{rev.id}/{action}", data={"reason": "x"}).status_code == 404
    assert "修改待审核" not in client.get(f"/resources/{inst.id}").get_data(as_text=True)
    assert client.get("/review").status_code == 403
    for bad in ("999999", "99999999999999999999"):
        assert client.post(f"/revisions/{bad}/approve").status_code == 404
    assert client.post(f"/revisions/{rev.id}/explode").status_code == 404
    headers = api_token(stranger)
    api = app.test_client()
    assert api.post(f"/api/v1/resource-revisions/{rev.id}/approve", headers=headers).status_code == 404
    assert api.get(f"/api/v1/resources/{inst.id}/revision", headers=headers).status_code == 404
    assert api.get("/api/v1/resource-revisions", headers=headers).status_code == 403
    assert api.patch(f"/api/v1/resources/{inst.id}", json={"external_price": 1}, headers=headers).status_code == 403
    anonymous = app.test_client()
    assert anonymous.post(f"/revisions/{rev.id}/approve").status_code in (302, 401)
    assert pending(inst.id)[0].id == rev.id and fresh(inst.id).external_price == 40_000


def test_api_patch_answers_202_with_the_revision(app, inst, owner, reviewer, api_token):
    api = app.test_client()
    resp = api.patch(f"/api/v1/resources/{inst.id}", json={"external_price": 55_000, "contact_name": "李老师"},
                     headers=api_token(owner))
    assert resp.status_code == 202, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["status"] == "pending" and body["changes"] == {"external_price": {"old": 40_000, "new": 55_000},
                                                               "contact_name": {"old": "", "new": "李老师"}}
    assert fresh(inst.id).contact_name == "" and fresh(inst.id).external_price == 40_000
    # a non-material PATCH answers 200 and leaves the pending revision alone
    resp = api.patch(f"/api/v1/resources/{inst.id}", json={"bookable": not fresh(inst.id).bookable},
                     headers=api_token(owner))
    assert resp.status_code == 200 and resp.get_json()["fields"]["external_price"] == 40_000
    assert api.get(f"/api/v1/resources/{inst.id}/revision", headers=api_token(owner)).get_json()["id"] == body["id"]

    rh = api_token(reviewer)
    listed = api.get("/api/v1/resource-revisions?type=instrument", headers=rh).get_json()
    assert [i["id"] for i in listed["items"]] == [body["id"]]
    resp = api.post(f"/api/v1/resource-revisions/{body['id']}/reject", json={}, headers=rh)
    assert resp.status_code == 422 and fresh(inst.id).external_price == 40_000
    resp = api.post(f"/api/v1/resource-revisions/{body['id']}/approve", headers=rh)
    assert resp.status_code == 200 and resp.get_json()["status"] == "approved"
    assert api.get(f"/api/v1/resources/{inst.id}").get_json()["fields"]["external_price"] == 55_000
    assert api.post(f"/api/v1/resource-revisions/{body['id']}/approve", headers=rh).status_code == 409
    assert api.get(f"/api/v1/resources/{inst.id}/revision", headers=rh).status_code == 404
    spec = api.get("/api/v1/openapi.json").get_json()
    assert "202" in spec["paths"]["/resources/{id}"]["patch"]["responses"]
    assert "/resource-revisions/{id}/approve" in spec["paths"]


def test_draft_edits_still_apply_at_once(client, login, make_resource, lab, owner):
    draft = make_resource("instrument", lab, status="draft", title="旧标题")
    login(client, owner)
    client.post(f"/resources/{draft.id}/edit", data=edit_form(draft, title="新标题", external_price="500"))
    assert fresh(draft.id).title == "新标题" and fresh(draft.id).external_price == 50_000 and not pending(draft.id)


def test_review_queue_age_filter_next_item(app, client, login, make_resource, lab, owner, reviewer):
    old = make_resource("instrument", lab, status="pending_review", title="三天前的仪器")
    old.updated_at = utcnow() - timedelta(days=3, hours=1)
    newer = make_resource("dataset", lab, status="pending_review", title="一小时前的数据")
    newer.updated_at = utcnow() - timedelta(hours=1, minutes=5)
    db.session.commit()
    login(client, reviewer)
    queue = client.get("/review").get_data(as_text=True)
    assert "3 天前提交" in queue and "1 小时前提交" in queue
    assert queue.index("三天前的仪器") < queue.index("一小时前的数据")
    only = client.get("/review?type=dataset").get_data(as_text=True)
    assert "一小时前的数据" in only and "三天前的仪器" not in only
    assert client.get("/review?type=spaceship").status_code in (400, 422)
    resp = client.post(f"/resources/{old.id}/publish", data={"next": "review"})
    assert f"focus=listing-{newer.id}" in resp.headers["Location"]  # on to the next item
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已发布「三天前的仪器」" in page and f'id="listing-{newer.id}"' in page
    assert f'class="card list-item review-item current" id="listing-{newer.id}"' in page


def test_dates_platforms_and_choices_survive_the_revision(app, client, login, inst, owner, reviewer, api_token):
    api = app.test_client()
    body = {"platforms": ["sharing", "data"], "purchase_date": "2020-05-06", "service_mode": "sample_submission",
            "price_unit": "sample"}
    resp = api.patch(f"/api/v1/resources/{inst.id}", json=body, headers=api_token(owner))
    assert resp.status_code == 202
    changes = resp.get_json()["changes"]
    assert changes["platforms"] == {"old": ["sharing"], "new": ["sharing", "data"]}
    assert changes["purchase_date"]["new"] == "2020-05-06"
    login(client, owner)
    page = client.get(f"/resources/{inst.id}").get_data(as_text=True)
    assert "送样检测" in page and "数据决策平台" in page and "2020-05-06" in page  # the diff, readable
    r = fresh(inst.id)
    assert r.platforms == ["sharing"] and r.purchase_date is None and r.service_mode == "staff_operated"
    services.decide(pending(inst.id)[0], "approve", actor=reviewer)
    db.session.commit()
    r = fresh(inst.id)
    assert r.platforms == ["sharing", "data"] and str(r.purchase_date) == "2020-05-06"
    assert (r.service_mode, r.price_unit) == ("sample_submission", "sample")


# -- issue 25 (Low): tags, contacts and discipline changed without review and were searchable at once
# (the search side: test_revisions_search.py). They wait for a reviewer like every public text.

SPAM = "澳门博彩代理"


def test_tags_contacts_and_discipline_of_a_published_listing_wait_for_review(app, client, login, inst, owner,
                                                                            reviewer):
    assert fresh(inst.id).status == "published"
    login(client, owner)
    resp = client.post(f"/resources/{inst.id}/edit", data=edit_form(
        inst, tags=f"电镜,{SPAM}", discipline="博彩学", contact_name="代理小王", contact_phone="13800000000",
        contact_email="spam@evil.example"))
    assert resp.status_code in (302, 303)
    listing = fresh(inst.id)
    assert (listing.tags or "").find(SPAM) < 0 and listing.discipline != "博彩学"
    assert listing.contact_phone == "025-0000" and listing.contact_email != "spam@evil.example"
    (revision,) = pending(inst.id)
    assert {"tags", "discipline", "contact_name", "contact_phone", "contact_email"} <= set(revision.changes)
    public = app.test_client()
    page = public.get(f"/resources/{inst.id}").get_data(as_text=True)
    assert SPAM not in page and "13800000000" not in page and "spam@evil.example" not in page
    client.post("/logout")
    login(client, reviewer)
    assert client.post(f"/revisions/{revision.id}/approve").status_code in (302, 303)
    db.session.expire_all()
    assert SPAM in fresh(inst.id).tags and fresh(inst.id).contact_phone == "13800000000"
    assert "13800000000" in public.get(f"/resources/{inst.id}").get_data(as_text=True)  # approved: public
