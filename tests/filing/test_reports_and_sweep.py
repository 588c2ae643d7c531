"""Annual reports, the sweep (warn at 30 and 7 days, suspend overdue; idempotent) and the evaluation."""
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from marketplace.core.errors import Conflict, Forbidden, Invalid
from marketplace.extensions import db
from marketplace.filing import rules
from marketplace.filing import services as s
from marketplace.filing.figures import PROVIDERS, register_provider
from marketplace.filing.models import ReportReminder
from marketplace.notifications.models import Notification

Y = date.today().year  # reports may be filed on years up to the current one


def filed_last_year(make_filing):
    firm = make_filing("approved")
    firm.approved_at = datetime(Y - 1, 6, 1)
    db.session.commit()
    return firm


def notes(user):
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.user_id == user.id))


def test_sweep_action_rule():
    due = date(Y, 3, 31)
    assert rules.sweep_action(date(Y, 2, 28), due) is None
    assert rules.sweep_action(date(Y, 3, 1), due) == "warn30"
    assert rules.sweep_action(date(Y, 3, 24), due) == "warn7"
    assert rules.sweep_action(date(Y, 3, 31), due) == "warn7"
    assert rules.sweep_action(date(Y, 4, 1), due) == "suspended"
    assert rules.report_due(Y - 1, "04-30") == date(Y, 4, 30)


def test_sweep_warns_then_suspends_and_is_idempotent(app, make_filing, make_user, runner):
    firm = filed_last_year(make_filing)
    done_firm = filed_last_year(make_filing)
    new_firm = make_filing("approved")  # filed this year: owes no report on last year
    new_firm.approved_at = datetime(Y, 1, 10)
    report = s.create_annual_report(done_firm, Y - 1, actor=done_firm.applicant)
    s.submit_annual_report(report, actor=done_firm.applicant)
    db.session.commit()
    broker = make_user(email=firm.managers[0].email)  # the manager's account, matched by e-mail
    assert s.active_broker_firm(broker) == firm
    before = notes(firm.applicant)

    for today, expected in [(f"{Y}-03-01", "warned (30 days): 1, warned (7 days): 0, suspended: 0"),
                            (f"{Y}-03-01", "warned (30 days): 0, warned (7 days): 0, suspended: 0"),
                            (f"{Y}-03-25", "warned (30 days): 0, warned (7 days): 1, suspended: 0"),
                            (f"{Y}-04-01", "warned (30 days): 0, warned (7 days): 0, suspended: 1"),
                            (f"{Y}-04-01", "warned (30 days): 0, warned (7 days): 0, suspended: 0")]:
        result = runner.invoke(args=["filings", "sweep", "--today", today])
        assert result.exit_code == 0, result.output
        assert expected in result.output, (today, result.output)
    db.session.expire_all()
    assert firm.status == "suspended" and not any(m.active for m in firm.managers)
    assert done_firm.status == "approved" and new_firm.status == "approved"
    assert notes(firm.applicant) == before + 3  # two warnings and the suspension
    assert s.active_broker_firm(broker) is None  # a suspended firm's managers stop being active brokers
    assert db.session.scalar(sa.select(sa.func.count(ReportReminder.id))) == 3


def test_a_reinstated_firm_is_not_suspended_again_the_same_year(make_filing, admin):
    firm = filed_last_year(make_filing)
    assert s.sweep(date(Y, 4, 2))["suspended"] == 1
    s.reinstate_firm(firm, actor=admin, comment="已补交")
    db.session.commit()
    assert s.sweep(date(Y, 4, 3))["suspended"] == 0
    assert firm.status == "approved"


def test_report_prefilled_from_registered_figures(make_filing):
    firm = filed_last_year(make_filing)
    register_provider("test", lambda f, year: {"deals_brokered": 3, "tech_amount": 250_000_000, "bogus": 9}
                      if f.id == firm.id and year == Y - 1 else {})
    try:
        report = s.create_annual_report(firm, Y - 1, actor=firm.applicant)
        assert report.deals_brokered == 3 and report.tech_amount == 250_000_000 and report.contract_amount == 0
        s.update_annual_report(report, {"off_deals": 4, "notes": "线下"}, actor=firm.applicant)
        with pytest.raises(Conflict):
            s.create_annual_report(firm, Y - 1, actor=firm.applicant)
        db.session.rollback()
        with pytest.raises(Invalid):
            s.create_annual_report(firm, Y - 5, actor=firm.applicant)
    finally:
        PROVIDERS.pop("test", None)


def test_only_the_firm_files_reports(make_filing, make_user, reviewer):
    firm = filed_last_year(make_filing)
    for actor in (make_user(), reviewer):
        with pytest.raises(Forbidden):
            s.create_annual_report(firm, Y - 1, actor=actor)
    draft = make_filing("draft")
    with pytest.raises(Conflict):
        s.create_annual_report(draft, Y - 1, actor=draft.applicant)


def test_evaluation_scores_and_grades(make_filing, reviewer, make_user):
    firm = filed_last_year(make_filing)  # 3 managers, one senior, 120 m²
    report = s.create_annual_report(firm, Y - 1, actor=firm.applicant)
    s.submit_annual_report(report, actor=firm.applicant)
    report.submitted_at = datetime(Y, 3, 30)  # on time
    register_provider("test", lambda f, year: {"deals_brokered": 20, "tech_amount": 2_000_000_000,
                                               "enterprises_served": 10})
    try:
        parts = s.computed_parts(firm, Y - 1)
        assert parts == {"basic": 4, "performance": 30, "compliance_computed": 10}
        ev = s.evaluate_firm(firm, Y - 1, actor=reviewer, capability=28, compliance=9, reputation=10)
        assert (ev.total, ev.grade) == (4 + 30 + 28 + 19 + 10, "excellent")
        ev = s.evaluate_firm(firm, Y - 1, actor=reviewer, capability=5, compliance=0, reputation=0)
        assert (ev.total, ev.grade) == (49, "unqualified")
    finally:
        PROVIDERS.pop("test", None)
    with pytest.raises(Invalid) as err:
        s.evaluate_firm(firm, Y - 1, actor=reviewer, capability=31, compliance=11, reputation=-1)
    assert set(err.value.errors) == {"capability", "compliance", "reputation"}
    with pytest.raises(Forbidden):
        s.evaluate_firm(firm, Y - 1, actor=firm.applicant, capability=1, compliance=1, reputation=1)
    assert rules.grade_for(85) == "excellent" and rules.grade_for(60) == "qualified" and rules.grade_for(59) == "unqualified"


def test_id_number_check_never_crashes():
    """stdnum raises KeyError for some place codes (320181…): a field error, not a 500."""
    assert rules.id_number_error("320181199001011238") is not None
    assert rules.id_number_error("") is not None and rules.id_number_error("x" * 18) is not None
    # A code pasted in full-width characters is the same code (core.identifiers), stored in ASCII.
    assert rules.uscc_error("９１３２０１００ＭＡ１Ｗ００００１Ｒ") is None
    assert rules.clean_uscc("９１３２０１００ＭＡ１Ｗ００００１Ｒ") == "91320100MA1W00001R"
    assert rules.uscc_error("９１３２０１００ＭＡ１Ｗ００００１Ｓ") is not None   # a wrong check character
