"""Issue 25: a USCC whose check digit is right proves nothing by itself (no in-province subsidy until a
reviewer verified the business licence), and a code typed first by a squatter does not lock the real unit
out: the real unit registers it too and proves it with its licence; the squatter never can."""
import pytest

from marketplace.core.errors import Invalid
from marketplace.extensions import db
from marketplace.verification import services

from .conftest import make_uscc

REAL = make_uscc("320106", seed=901)  # a Nanjing company's real code


def test_a_typed_jiangsu_uscc_alone_makes_nobody_in_province(make_org, make_user):
    org = make_org(kind="enterprise", verified=False)
    admin = make_user(org, org_admin=True)
    services.set_identity(org, actor=admin, uscc=REAL, legal_name="南京某科技有限公司", legal_rep="赵一")
    db.session.commit()
    flags = services.effective_flags(org)
    assert not flags.in_province and flags["in_province"].code == "not_claimed"


def test_the_real_unit_claims_a_squatted_uscc_with_its_licence(make_org, make_user, reviewer, pdf_upload):
    squatter_org = make_org(kind="enterprise", name="抢注者", verified=False)
    squatter = make_user(squatter_org, org_admin=True)
    services.set_identity(squatter_org, actor=squatter, uscc=REAL, legal_name="南京某科技有限公司", legal_rep="钱二")
    squat_claim = services.claim_qualification(squatter_org, actor=squatter, kind="in_province", number=None,
                                               document_ids=[pdf_upload(squatter).id])
    db.session.commit()
    real_org = make_org(kind="enterprise", name="南京某科技有限公司", verified=False)
    owner = make_user(real_org, org_admin=True)
    services.set_identity(real_org, actor=owner, uscc=REAL, legal_name="南京某科技有限公司", legal_rep="孙三")
    claim = services.claim_qualification(real_org, actor=owner, kind="in_province", number=None,
                                         document_ids=[pdf_upload(owner).id])
    db.session.commit()
    services.verify_qualification(claim, actor=reviewer)  # the reviewer checked the real licence
    db.session.commit()
    assert services.effective_flags(real_org).in_province
    with pytest.raises(Invalid):  # the squatter's claim on the same code can never be verified now
        services.verify_qualification(squat_claim, actor=reviewer)
    db.session.rollback()
    assert not services.effective_flags(squatter_org).in_province
    assert services.related_reason(squatter_org, real_org) == "uscc_root"  # and it is no one's counterparty
    late = make_org(kind="enterprise", name="后来者", verified=False)
    with pytest.raises(Invalid) as err:
        services.set_identity(late, actor=make_user(late, org_admin=True), uscc=REAL, legal_name="x", legal_rep="y")
    assert "uscc" in err.value.errors
