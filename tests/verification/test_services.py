"""Claims, review, audit, notifications, effective flags and related parties through the services."""
from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.core.audit import history
from marketplace.core.errors import Conflict, Forbidden, Invalid
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.verification import services
from marketplace.verification.models import OrganisationIdentity, Qualification


def sme_number(org):
    return f"{services.today().year}320505{org.id:06d}"


def test_claim_then_verify_changes_the_effective_flags(company, reviewer, pdf_upload):
    org, admin = company
    before = services.effective_flags(org)
    assert not before.sme and before["sme"].code == "not_claimed"
    q = services.claim_qualification(org, actor=admin, kind="sme", number=sme_number(org),
                                     document_ids=[pdf_upload(admin).id])
    db.session.commit()
    assert q.status == "claimed" and q.valid_until == date(services.today().year, 12, 31)
    pending = services.effective_flags(org)
    assert not pending.sme and pending["sme"].code == "pending"
    # the reviewer is told
    assert db.session.scalar(sa.select(Notification).where(Notification.user_id == reviewer.id)) is not None
    services.verify_qualification(q, actor=reviewer)
    db.session.commit()
    after = services.effective_flags(org)
    assert after.sme and after["sme"].code == "verified"
    words = {f.kind: f for f in services.explain(after)}
    assert words["sme"].applies and words["sme"].how_to is None
    assert not words["high_tech"].applies and "高新技术企业证书编号" in words["high_tech"].how_to
    # audited, and the organisation told
    assert [h.action for h in history("qualification", q.id)] == ["claim", "verify"]
    assert db.session.scalar(sa.select(Notification).where(Notification.user_id == admin.id)) is not None
    # a day after its year it no longer counts
    assert not services.effective_flags(org, on=date(services.today().year + 1, 1, 1)).sme


def test_reject_needs_a_reason_and_the_organisation_sees_it(company, reviewer, pdf_upload):
    org, admin = company
    q = services.claim_qualification(org, actor=admin, kind="in_province", number=None,
                                     document_ids=[pdf_upload(admin).id])
    db.session.commit()
    with pytest.raises(Invalid) as err:
        services.reject_qualification(q, actor=reviewer, reason="  ")
    assert "reason" in err.value.errors
    db.session.rollback()
    services.reject_qualification(q, actor=reviewer, reason="营业执照照片不清晰")
    db.session.commit()
    flags = services.effective_flags(org)
    assert not flags.in_province and flags["in_province"].code == "rejected"
    assert "营业执照照片不清晰" in services.explain(flags)[0].message
    with pytest.raises(Conflict):  # a decided claim is not decided again
        services.verify_qualification(q, actor=reviewer)


def test_who_may_do_what(company, reviewer, make_org, make_user, pdf_upload):
    org, admin = company
    outsider = make_user(make_org(kind="enterprise"))
    with pytest.raises(Forbidden):
        services.claim_qualification(org, actor=outsider, kind="in_province", number=None,
                                     document_ids=[pdf_upload(outsider).id])
    db.session.rollback()
    q = services.claim_qualification(org, actor=admin, kind="in_province", number=None,
                                     document_ids=[pdf_upload(admin).id])
    db.session.commit()
    assert services.allowed_actions(q, actor=admin) == ["withdraw"]
    assert services.allowed_actions(q, actor=reviewer) == ["verify", "reject"]
    assert services.allowed_actions(q, actor=outsider) == []
    with pytest.raises(Forbidden):  # members do not verify their own claims
        services.verify_qualification(q, actor=admin)
    own_reviewer = make_user(org, roles=("reviewer",))  # nor do reviewers of the same organisation
    with pytest.raises(Forbidden):
        services.verify_qualification(q, actor=own_reviewer)
    with pytest.raises(Invalid) as err:  # others' uploads are not evidence
        services.claim_qualification(org, actor=admin, kind="sme", number=sme_number(org),
                                     document_ids=[pdf_upload(outsider).id])
    assert "document_ids" in err.value.errors
    with pytest.raises(Invalid) as err:
        services.claim_qualification(org, actor=admin, kind="sme", number=sme_number(org), document_ids=[])
    assert "document_ids" in err.value.errors


def test_a_number_is_verified_for_one_organisation(company, reviewer, make_org, make_user, pdf_upload, uscc_for):
    org, admin = company
    twin = make_org(kind="enterprise")
    twin_admin = make_user(twin, org_admin=True)
    services.seed_identity(twin, uscc=uscc_for(), legal_name=twin.name, legal_rep="李四")
    number = sme_number(org)
    q1 = services.claim_qualification(org, actor=admin, kind="sme", number=number, document_ids=[pdf_upload(admin).id])
    q2 = services.claim_qualification(twin, actor=twin_admin, kind="sme", number=number,
                                      document_ids=[pdf_upload(twin_admin).id])
    db.session.commit()
    services.verify_qualification(q1, actor=reviewer)
    db.session.commit()
    with pytest.raises(Invalid):
        services.verify_qualification(q2, actor=reviewer)
    db.session.rollback()
    # and the database refuses it even if the check were skipped
    q2 = db.session.get(Qualification, q2.id)
    q2.status = "verified"
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_identity_is_unique_and_a_new_uscc_voids_verifications(company, reviewer, make_org, make_user,
                                                               pdf_upload, uscc_for):
    from marketplace.verification.demo import grant
    org, admin = company
    ident = services.identity_of(org)
    grant(org)  # its business licence verified: the code is its own now (issue 25: not first-come)
    other = make_org(kind="enterprise")
    other_admin = make_user(other, org_admin=True)
    with pytest.raises(Invalid) as err:
        services.set_identity(other, actor=other_admin, uscc=ident.uscc, legal_name="x", legal_rep="y")
    assert "uscc" in err.value.errors
    db.session.rollback()
    with pytest.raises(Invalid) as err:
        services.set_identity(org, actor=admin, uscc=ident.uscc[:-1] + "0", legal_name="x", legal_rep="y")
    assert "uscc" in err.value.errors and "校验位" in err.value.errors["uscc"][0]
    db.session.rollback()
    q = services.claim_qualification(org, actor=admin, kind="sme", number=sme_number(org),
                                     document_ids=[pdf_upload(admin).id])
    services.verify_qualification(q, actor=reviewer)
    db.session.commit()
    assert services.effective_flags(org).sme
    services.set_identity(org, actor=admin, uscc=uscc_for("310104"), legal_name=org.name, legal_rep="张三")
    db.session.commit()
    flags = services.effective_flags(org)
    assert not flags.sme and flags["sme"].code == "uscc_changed"
    assert not flags.in_province and flags["in_province"].code == "out_of_province"
    assert org.credit_code == services.identity_of(org).uscc
    assert [h.action for h in history("organisation_identity", org.id)][-1] == "update"


def test_related_parties(make_org, make_user, uscc_for):
    uni = make_org(kind="university")
    lab = make_org(kind="university", parent_id=uni.id)
    sister = make_org(kind="university", parent_id=uni.id)
    a = make_org(kind="enterprise")
    b = make_org(kind="enterprise")
    c = make_org(kind="enterprise")
    d = make_org(kind="enterprise")
    code = uscc_for()
    services.seed_identity(a, uscc=code, legal_name="甲", legal_rep="赵六")
    from .conftest import make_uscc
    services.seed_identity(b, uscc=make_uscc("110108", org_code=code[8:17], authority="52"),
                           legal_name="乙", legal_rep="钱七")
    services.seed_identity(c, uscc=uscc_for(), legal_name="丙", legal_rep="赵 六")
    make_user(a, phone="13900001111")
    make_user(d, phone="+86 139 0000 1111")
    db.session.commit()
    assert services.related_reason(uni, lab) == "parent"
    assert services.related_reason(lab, sister) == "same_parent"
    assert services.related_reason(a, b) == "uscc_root"
    assert services.related_reason(a, c) == "legal_rep"
    assert services.related_reason(a, d) == "shared_member"
    assert services.related_reason(b, c) is None
    assert services.related_reason(lab, a) is None


def test_identity_rows(company):
    org, _admin = company
    ident = db.session.get(OrganisationIdentity, org.id)
    assert ident.uscc_root == ident.uscc[8:17] and ident.legal_rep_key == "张三"


def test_withdraw_and_revoke(company, reviewer, pdf_upload):
    org, admin = company
    q = services.claim_qualification(org, actor=admin, kind="in_province", number=None,
                                     document_ids=[pdf_upload(admin).id])
    db.session.commit()
    services.withdraw_qualification(q, actor=admin)
    db.session.commit()
    assert q.status == "withdrawn" and services.effective_flags(org)["in_province"].code == "not_claimed"
    with pytest.raises(Conflict):
        services.verify_qualification(q, actor=reviewer)
    db.session.rollback()
    q2 = services.claim_qualification(org, actor=admin, kind="in_province", number=None,
                                      document_ids=[pdf_upload(admin).id])
    services.verify_qualification(q2, actor=reviewer)
    db.session.commit()
    assert services.effective_flags(org).in_province
    with pytest.raises(Invalid):
        services.revoke_qualification(q2, actor=reviewer, reason="")
    db.session.rollback()
    services.revoke_qualification(q2, actor=reviewer, reason="营业执照已吊销")
    db.session.commit()
    flags = services.effective_flags(org)
    assert not flags.in_province and flags["in_province"].code == "revoked"
    assert [h.action for h in history("qualification", q2.id)] == ["claim", "verify", "revoke"]


def test_grant_helper(make_org):
    from marketplace.verification.demo import grant
    org = make_org(kind="enterprise")
    grant(org, sme=True, high_tech=True)
    outside = make_org(kind="enterprise", in_province=False)
    grant(outside, in_province=False)
    db.session.commit()
    flags = services.effective_flags(org)
    assert flags.in_province and flags.sme and flags.high_tech
    assert not services.effective_flags(outside).in_province
