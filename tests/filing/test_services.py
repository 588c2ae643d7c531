"""The filing workflow through the services: every transition allowed and refused by role."""
from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from marketplace.core.models import AuditLog
from marketplace.extensions import db
from marketplace.filing import services as s
from marketplace.filing.models import Firm, FirmManager
from marketplace.notifications.models import Notification

from .conftest import application, manager


def test_full_workflow_creates_the_organisation_and_numbers(make_user, make_upload, reviewer, admin):
    applicant = make_user()
    broker = make_user(email="broker1@firm.cn")
    data = application(managers=[manager("senior", email="broker1@firm.cn"), manager(), manager()])
    firm = s.create_filing({"name": data["name"]}, actor=applicant)  # a draft with a name only
    db.session.commit()
    s.update_filing(firm, {**data, "document_ids": [make_upload(applicant).id]}, actor=applicant)
    s.submit_filing(firm, actor=applicant)
    s.start_review(firm, actor=reviewer)
    s.return_filing(firm, {"basic": "请补充详细地址", "managers": "证书号有误"}, actor=reviewer)
    db.session.commit()
    assert firm.status == "returned"
    assert {k: [c.body for c in v] for k, v in s.current_comments(firm).items()} == {
        "basic": ["请补充详细地址"], "managers": ["证书号有误"]}
    s.update_filing(firm, {"address": "南京市玄武区珠江路 88 号 1201 室"}, actor=applicant)
    s.submit_filing(firm, actor=applicant)
    s.start_review(firm, actor=reviewer)
    s.approve_filing(firm, actor=reviewer)
    db.session.commit()
    year = date.today().year
    assert firm.status == "approved" and firm.number == f"苏技经备〔{year}〕0001号"
    assert firm.organisation.kind == "service_firm" and firm.organisation.name == data["name"]
    assert applicant.organisation_id == firm.org_id and applicant.org_admin
    assert s.active_broker_firm(broker) == firm
    assert firm.comments and len(firm.comments) == 2  # history kept
    actions = [a.action for a in db.session.scalars(sa.select(AuditLog).where(
        AuditLog.entity == "filing", AuditLog.entity_id == firm.id).order_by(AuditLog.id))]
    assert actions == ["create", "submit", "start-review", "return", "submit", "start-review", "approve"]
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.user_id == applicant.id)) >= 6

    s.suspend_firm(firm, actor=admin, reason="年报逾期")
    db.session.commit()
    assert s.active_broker_firm(broker) is None
    s.reinstate_firm(firm, actor=admin)
    db.session.commit()
    assert s.active_broker_firm(broker) == firm
    s.revoke_firm(firm, actor=admin, reason="违规")
    db.session.commit()
    assert s.active_broker_firm(broker) is None and firm.status == "revoked"


@pytest.mark.parametrize("action,who,status", [
    ("submit", "stranger", "draft"), ("submit", "reviewer", "draft"),
    ("start-review", "applicant", "submitted"), ("start-review", "stranger", "submitted"),
    ("return", "applicant", "under_review"), ("approve", "applicant", "under_review"),
    ("reject", "stranger", "under_review"), ("suspend", "reviewer", "approved"),
    ("suspend", "applicant", "approved"), ("revoke", "reviewer", "approved"),
    ("reinstate", "reviewer", "approved"),
])
def test_transitions_refused_by_role(make_filing, make_user, reviewer, action, who, status):
    firm = make_filing(status)
    actor = {"stranger": make_user(), "reviewer": reviewer, "applicant": firm.applicant}[who]
    with pytest.raises((Forbidden, Conflict)):
        s.ACTIONS[action](firm, actor, comments={"basic": "x"}, reason="x")
    db.session.rollback()
    assert db.session.get(Firm, firm.id).status == status


@pytest.mark.parametrize("action,status", [
    ("approve", "submitted"), ("approve", "returned"), ("submit", "under_review"), ("return", "approved"),
    ("reinstate", "approved"), ("start-review", "draft"), ("approve", "rejected"), ("suspend", "under_review"),
])
def test_transitions_refused_by_state(make_filing, admin, action, status):
    firm = make_filing(status)
    actor = firm.applicant if action == "submit" else admin
    with pytest.raises(Conflict):
        s.ACTIONS[action](firm, actor, comments={"basic": "x"}, reason="x")


def test_anonymous_cannot_act(make_filing):
    firm = make_filing("submitted")
    with pytest.raises(Unauthorized):
        s.start_review(firm, actor=None)


@pytest.mark.parametrize("change,field", [
    ({"uscc": "91320100MA1W000010"}, "uscc"),
    ({"managers": [manager(), manager()]}, "managers"),
    ({"managers": [manager(id_number="320102199003070018"), manager(), manager()]}, "managers.0.id_number"),
    ({"managers": [manager(level=None), manager(), manager()]}, "managers.0.level"),
    ({"name": ""}, "name"),
    ({"founded_on": date(2999, 1, 1)}, "founded_on"),
])
def test_submit_checks_everything(make_filing, change, field):
    firm = make_filing("draft")
    s.update_filing(firm, change, actor=firm.applicant)
    db.session.commit()
    with pytest.raises(Invalid) as err:
        s.submit_filing(firm, actor=firm.applicant)
    assert field in err.value.errors
    db.session.rollback()
    assert db.session.get(Firm, firm.id).status == "draft"


def test_a_manager_active_elsewhere_is_refused(make_filing):
    first = make_filing("approved")
    busy = first.managers[0]
    firm = make_filing("draft", managers=[manager(id_number=busy.id_number), manager(), manager()])
    with pytest.raises(Invalid) as err:
        s.submit_filing(firm, actor=firm.applicant)
    assert "managers.0.id_number" in err.value.errors
    assert first.name in err.value.errors["managers.0.id_number"][0]


def test_a_manager_who_became_active_meanwhile_blocks_approval(make_filing, reviewer):
    first = make_filing("under_review")
    twin = make_filing("under_review", managers=[
        manager(id_number=first.managers[0].id_number), manager(), manager()])
    s.approve_filing(first, actor=reviewer)
    db.session.commit()
    with pytest.raises(Conflict):
        s.approve_filing(twin, actor=reviewer)
    db.session.rollback()
    assert db.session.get(Firm, twin.id).status == "under_review"


def test_who_may_apply(make_org, make_user, make_filing):
    company = make_org(kind="enterprise")
    with pytest.raises(Forbidden):
        s.create_filing({}, actor=make_user(company, org_admin=True))
    firm_org = make_org(kind="service_firm", name="苏州某技术转移中心", city="苏州", credit_code="91320500MA1W000011")
    with pytest.raises(Forbidden):
        s.create_filing({}, actor=make_user(firm_org))  # a member, not the admin
    admin_of_firm = make_user(firm_org, org_admin=True)
    firm = s.create_filing({}, actor=admin_of_firm)
    assert firm.org_id == firm_org.id and firm.name == firm_org.name and firm.city == "苏州"
    with pytest.raises(Conflict):
        s.create_filing({}, actor=admin_of_firm)  # one open filing at a time


def test_drafts_are_private(make_filing, make_user, reviewer):
    firm = make_filing("draft")
    with pytest.raises(NotFound):
        s.get_filing(firm.id, actor=make_user())
    with pytest.raises(NotFound):
        s.get_filing(firm.id, actor=None)
    assert s.get_filing(firm.id, actor=reviewer) == firm
    with pytest.raises(NotFound):
        s.public_firm(firm.id)


def test_documents_must_be_the_applicants(make_filing, make_user, make_upload):
    firm = make_filing("draft")
    other = make_upload(make_user())
    with pytest.raises(Invalid) as err:
        s.update_filing(firm, {"document_ids": [other.id]}, actor=firm.applicant)
    assert "document_ids" in err.value.errors


def test_return_needs_a_comment_and_reject_a_reason(make_filing, reviewer):
    firm = make_filing("under_review")
    with pytest.raises(Invalid):
        s.return_filing(firm, {"basic": "  "}, actor=reviewer)
    with pytest.raises(Invalid):
        s.reject_filing(firm, actor=reviewer, reason="")
    s.reject_filing(firm, actor=reviewer, reason="材料虚假")
    assert firm.status == "rejected" and firm.reject_reason == "材料虚假"
