"""One certificate number, claimed by 8 organisations and verified by 8 reviewers at the same moment
(real threads, real database): exactly one verification holds, the others are told why (SQLite and
PostgreSQL)."""

import pytest
import sqlalchemy as sa

from marketplace.core.errors import Invalid
from marketplace.extensions import db
from marketplace.verification import services
from marketplace.verification.models import Qualification
from tests.races import committed, failures, race

N = 8


@pytest.mark.slow
def test_concurrent_verifications_of_one_number(app, make_org, make_user, uscc_for, pdf_upload):
    number = f"{services.today().year}320505000777"
    claim_ids, reviewer_ids = [], []
    for i in range(N):
        org = make_org(kind="enterprise")
        admin = make_user(org, org_admin=True)
        services.seed_identity(org, uscc=uscc_for(), legal_name=org.name, legal_rep=f"法人{i}")
        q = services.claim_qualification(org, actor=admin, kind="sme", number=number,
                                         document_ids=[pdf_upload(admin).id])
        db.session.commit()
        claim_ids.append(q.id)
        reviewer_ids.append(make_user(make_org(kind="government"), roles=("reviewer",)).id)

    @committed
    def verify(i):
        from marketplace.accounts.models import User
        q = db.session.get(Qualification, claim_ids[i])
        services.verify_qualification(q, actor=db.session.get(User, reviewer_ids[i]))
        return "verified"

    results = race(app, N, verify)
    assert failures(results, Invalid) == []
    outcomes = [r if r == "verified" else next(iter(r.errors)) for r in results]
    assert sorted(outcomes) == ["number"] * (N - 1) + ["verified"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Qualification)
                             .where(Qualification.status == "verified", Qualification.kind == "sme")) == 1
