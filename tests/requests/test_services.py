"""The request engine: every kind created and walked through its steps by the right roles; the wrong
roles refused; bad input answered per field with nothing saved."""
import pytest
import sqlalchemy as sa

from marketplace.core.errors import Conflict, Forbidden, Invalid, NotFound
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.requests import services
from marketplace.requests.models import OrgRevenue, OrgStake, ServiceRequest
from marketplace.requests.services import secondment
from tests.requests.conftest import OLD_ID, VALID, YUAN


def count():
    return db.session.scalar(sa.select(sa.func.count(ServiceRequest.id)))


def statuses(req):
    return [s.status for s in req.steps]


@pytest.mark.parametrize("kind", sorted(VALID))
def test_every_kind_can_be_submitted_and_lands_in_the_owners_queue(world, make_request, kind):
    req = make_request(kind)
    assert req.status == "submitted" and statuses(req) == ["draft", "submitted"]
    owner = {"loan": world.staff, "equity": world.fund_user, "incubation": world.incubator_user,
             "finance_service": world.bank_user}.get(kind, world.uni_user)
    assert req in services.queue(actor=owner)
    assert req not in services.queue(actor=world.stranger)
    assert req in services.mine(actor=world.company_user)


@pytest.mark.parametrize("kind", ["incubation", "equity", "finance_service", "consulting", "data_access", "material"])
def test_generic_steps_by_role(world, make_request, kind):
    req = make_request(kind)
    owner = {"equity": world.fund_user, "incubation": world.incubator_user,
             "finance_service": world.bank_user}.get(kind, world.uni_user)
    # The requester may not accept; a stranger may not even see it.
    with pytest.raises(Forbidden):
        services.accept_request(req, actor=world.company_user)
    with pytest.raises(NotFound):
        services.get_request(req.id, actor=world.stranger)
    assert services.allowed_actions(req, actor=world.company_user) == ["withdraw"]
    assert set(services.allowed_actions(req, actor=owner)) == {"accept", "decline"}
    services.accept_request(req, actor=owner)
    services.add_progress(req, actor=owner, note="已电话沟通，下周现场对接")
    assert req.status == "in_progress"
    services.add_progress(req, actor=owner, note="已完成现场对接")
    with pytest.raises(Forbidden):
        services.complete_request(req, actor=world.company_user)
    services.complete_request(req, actor=owner)
    db.session.commit()
    assert statuses(req) == ["draft", "submitted", "accepted", "in_progress", "in_progress", "completed"]
    assert [s.note for s in req.steps][3:5] == ["已电话沟通，下周现场对接", "已完成现场对接"]
    subjects = db.session.scalars(sa.select(Notification.subject).where(
        Notification.user_id == world.company_user.id)).all()
    assert any("已受理" in s for s in subjects) and any("已办结" in s for s in subjects)
    with pytest.raises(Conflict):
        services.withdraw_request(req, actor=world.company_user)


def test_decline_needs_a_reason_and_the_requester_sees_it(world, make_request):
    req = make_request("consulting")
    with pytest.raises(Invalid) as err:
        services.decline_request(req, actor=world.uni_user, reason="  ")
    assert "reason" in err.value.errors
    services.decline_request(req, actor=world.uni_user, reason="专家近期出国访问")
    db.session.commit()
    assert req.status == "declined" and req.decline_reason == "专家近期出国访问"
    assert services.allowed_actions(req, actor=world.uni_user) == []


def test_withdraw_by_the_requester(world, make_request):
    req = make_request("material")
    with pytest.raises(Forbidden):
        services.withdraw_request(req, actor=world.uni_user)
    services.withdraw_request(req, actor=world.company_user)
    assert req.status == "withdrawn"


def test_draft_then_submit(world, make_request):
    req = make_request("incubation", submit=False)
    assert req.status == "draft" and req not in services.queue(actor=world.incubator_user)
    services.submit_request(req, actor=world.company_user)
    assert req.status == "submitted"


def test_loan_goes_to_the_city_bureau_then_the_bank(world, make_request):
    req = make_request("loan")
    assert req.amount == 2_000_000 * YUAN
    revenue = db.session.get(OrgRevenue, (world.company.id, 2025))
    assert revenue.revenue == 30_000_000 * YUAN and not revenue.verified
    # The bank cannot act before the city bureau (platform staff).
    with pytest.raises(Forbidden):
        services.accept_request(req, actor=world.bank_user)
    assert services.allowed_actions(req, actor=world.staff) == ["accept", "decline"]
    services.accept_request(req, actor=world.staff)
    assert req.status == "bank_review" and revenue.verified
    assert req in services.queue(actor=world.bank_user) and req not in services.queue(actor=world.staff)
    with pytest.raises(Forbidden):
        services.grant_request(req, actor=world.staff)
    services.add_progress(req, actor=world.bank_user, note="已安排客户经理上门尽调")
    assert req.status == "bank_review"
    services.grant_request(req, actor=world.bank_user)
    db.session.commit()
    assert req.status == "completed"
    assert statuses(req) == ["draft", "submitted", "bank_review", "bank_review", "completed"]


def test_a_second_loan_may_reach_the_later_cap(world, make_request):
    first = make_request("loan", amount=3_000_000 * YUAN)
    services.accept_request(first, actor=world.staff)
    services.grant_request(first, actor=world.bank_user)
    db.session.commit()
    second = make_request("loan", amount=5_000_000 * YUAN)  # later loans ≤ ¥5M in the lowest band
    assert second.status == "submitted"


def test_secondment_three_party_agreement(world, make_request):
    req = make_request("secondment")
    assert req.researcher_id == world.researcher.id
    assert "id_number" not in req.details and req.details["id_masked"].startswith("3201")
    services.accept_request(req, actor=world.uni_user)
    assert req.status == "agreement"
    assert secondment.placements_count() == 0
    with pytest.raises(Forbidden):
        secondment.confirm(req, actor=world.stranger)
    for user in (world.company_user, world.researcher):
        secondment.confirm(req, actor=user)
        assert req.status == "agreement"
    with pytest.raises(Forbidden):  # one confirmation per party
        secondment.confirm(req, actor=world.company_user)
    secondment.confirm(req, actor=world.uni_user)
    db.session.commit()
    assert req.status == "in_progress"
    assert secondment.confirmed_parties(req) == ["company", "researcher", "sending_unit"]
    assert secondment.placements_count() == 1 and secondment.placements_count(year=1999) == 0
    services.complete_request(req, actor=world.uni_user)
    assert secondment.placements_count() == 1


# -- bad input per kind: clear field errors, nothing saved ------------------------------------------

@pytest.mark.parametrize("kind, changes, field", [
    ("loan", {"amount": 3_000_000 * YUAN + 1}, "amount"),                 # above the band's cap
    ("loan", {"amount": 20_000_000 * YUAN, "revenue": 100_000_000 * YUAN}, "amount"),  # above the product's cap
    ("loan", {"amount": 1.5}, "amount"),
    ("loan", {"amount": "100"}, "amount"),
    ("loan", {"term_months": 0}, "term_months"),
    ("loan", {"purpose": ""}, "purpose"),
    ("equity", {"amount": 60_000_000 * YUAN}, "amount"),
    ("equity", {"stage": "ipo"}, "stage"),
    ("finance_service", {"amount": 5_000_000 * YUAN + 1}, "amount"),
    ("finance_service", {"need": ""}, "need"),
    ("incubation", {"seats": 21}, "seats"),
    ("incubation", {"business_plan": "\x00"}, "business_plan"),
    ("consulting", {"question": "x" * 2001}, "question"),
    ("secondment", {"id_number": OLD_ID}, "id_number"),                   # age over the limit
    ("secondment", {"id_number": "320102198506011230"}, "id_number"),    # bad check digit
    ("secondment", {"term_months": 12}, "term_months"),
    ("secondment", {"total_pay": 100_000 * YUAN}, "total_pay"),
    ("secondment", {"degree": "bachelor"}, "degree"),
    ("secondment", {"researcher_email": "stranger@t.cn"}, "researcher_email"),
    ("data_access", {"agree_licence": False}, "agree_licence"),
    ("material", {"quantity": 51}, "quantity"),
    ("material", {"quantity": -1}, "quantity"),
])
def test_bad_input_is_refused_by_field(world, make_request, kind, changes, field):
    before = count()
    with pytest.raises(Invalid) as err:
        make_request(kind, **changes)
    db.session.rollback()
    assert field in err.value.errors, err.value.errors
    assert count() == before


def test_secondment_to_a_company_the_sending_unit_invested_in(world, make_request):
    db.session.add(OrgStake(company_org_id=world.company.id, relation="investor", holder_org_id=world.uni.id,
                            holder_name=world.uni.name))
    db.session.commit()
    with pytest.raises(Invalid) as err:
        make_request("secondment")
    assert set(err.value.errors) == {"related"}
    db.session.rollback()
    assert count() == 0


def test_secondment_to_a_company_the_researcher_founded(world, make_request):
    from tests.requests.conftest import YOUNG_ID
    secondment.declare_stake(world.company, actor=world.company_user, relation="founder", holder_name="李研究员",
                             holder_id_number=YOUNG_ID)
    db.session.commit()
    with pytest.raises(Invalid) as err:
        make_request("secondment")
    assert "related" in err.value.errors
    db.session.rollback()
    assert count() == 0


def test_wrong_listing_and_own_listing(world, make_request):
    with pytest.raises(Invalid) as err:
        services.create_request("loan", world.equity.id, VALID["loan"](world)[1], actor=world.company_user)
    assert "resource_id" in err.value.errors
    with pytest.raises(Invalid) as err:
        services.create_request("data_access", world.open_dataset.id, {"purpose": "x", "agree_licence": True},
                                actor=world.company_user)
    assert "resource_id" in err.value.errors
    with pytest.raises(Invalid) as err:
        services.create_request("consulting", world.expert.id, VALID["consulting"](world)[1], actor=world.uni_user)
    assert "resource_id" in err.value.errors
    with pytest.raises(Invalid):
        services.create_request("nonsense", world.expert.id, {}, actor=world.company_user)
    db.session.rollback()
    assert count() == 0


def test_open_call_deadline(world, make_request):
    from datetime import timedelta

    from marketplace.core.timeutil import utcnow
    from marketplace.requests.models import RequestCall
    call = RequestCall(kind="loan", title="2026 年苏科贷入库申报", platform="finance", resource_id=world.loan.id,
                       opens_at=utcnow() - timedelta(days=30), deadline=utcnow() - timedelta(minutes=1))
    db.session.add(call)
    db.session.commit()
    with pytest.raises(Invalid) as err:
        make_request("loan", submit=True) if False else services.create_request(
            "loan", world.loan.id, VALID["loan"](world)[1], actor=world.company_user, call_id=call.id, submit=True)
    assert "call_id" in err.value.errors
    db.session.rollback()
    assert count() == 0


def test_cli_export_and_placements(app, world, make_request, tmp_path):
    make_request("loan")
    out = tmp_path / "requests.csv"
    result = app.test_cli_runner().invoke(args=["requests", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "苏科贷" in out.read_text(encoding="utf-8-sig")
    assert app.test_cli_runner().invoke(args=["requests", "placements"]).output.strip() == "0"
    assert app.test_cli_runner().invoke(args=["requests", "export", "--kind", "x", "--out", str(out)]).exit_code != 0
