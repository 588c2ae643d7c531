"""Census services: subsidies from the ledger, available hours from settings, self-reports kept
apart, the evaluation, and finance applying its grades to a programme in one audited step."""
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from marketplace import ledger
from marketplace.booking.models import Blackout, BookingSettings, OpeningHours, Rating
from marketplace.census.services import evaluation, report, selfreports
from marketplace.census.services.census import census
from marketplace.core.errors import Forbidden, Invalid, NotFound, Unauthorized
from marketplace.core.models import AuditLog
from marketplace.extensions import db
from marketplace.subsidy.models import ProviderGrade
from marketplace.subsidy.services import new_programme

from .conftest import YEAR
from .test_recompute import _utc


def _use(add_booking, inst, user, month, day, hours, fee=10_000, status="settled"):
    start = _utc(datetime(YEAR, month, day, 9))
    return add_booking(inst, user, start, start + timedelta(hours=hours), status=status,
                       actual=(start, start + timedelta(hours=hours)), fee=fee)


def test_subsidies_come_from_the_ledger_to_the_fen(app, world, add_booking):
    sem, xrd = world["instruments"][0], world["instruments"][2]
    co1 = world["users"][world["orgs"]["co1"].id]
    prog = new_programme(actor=None, name="2025 补贴", year=YEAR, budget=100_000_000)
    b1 = _use(add_booking, sem, co1, 3, 3, 2, fee=40_001)
    b2 = _use(add_booking, xrd, co1, 4, 7, 1, fee=30_000)
    ledger.post_entry("subsidy_commitment", [ledger.Dr("subsidy_reserved", 8_001), ledger.Cr("user_subsidy_payable", 8_001)],
                programme_id=prog.id, booking_id=b1.id)
    ledger.post_entry("subsidy_commitment", [ledger.Dr("subsidy_reserved", 6_000), ledger.Cr("user_subsidy_payable", 6_000)],
                programme_id=prog.id, booking_id=b2.id)
    ledger.post_entry("refund", [ledger.Dr("user_subsidy_payable", 6_000), ledger.Cr("budget", 6_000)],
                programme_id=prog.id, booking_id=b2.id)  # b2 refunded: its subsidy nets to 0
    lab, inst_b = world["orgs"]["lab"], world["orgs"]["inst_b"]
    ledger.post_entry("settlement", [ledger.Dr("budget", 12_345), ledger.Cr("provider_subsidy_payable", 10_000, lab.id),
                               ledger.Cr("provider_subsidy_payable", 2_345, inst_b.id)], programme_id=prog.id)
    ledger.post_entry("payout", [ledger.Dr("provider_subsidy_payable", 10_000, lab.id), ledger.Cr("bank", 10_000, lab.id)])
    db.session.commit()
    by_inst = {r.key: r for r in census(YEAR, "instrument")}
    assert by_inst[sem.id].subsidy_user == 8_001 and by_inst[xrd.id].subsidy_user == 0
    assert by_inst[sem.id].subsidy_provider is None  # settled per unit, not per instrument
    by_org = {r.key: r for r in census(YEAR, "org")}
    assert by_org[lab.id].subsidy_provider == 10_000  # the payout does not undo the award
    assert by_org[inst_b.id].subsidy_provider == 2_345
    by_city = {r.key: r for r in census(YEAR, "city")}
    assert by_city["南京"].subsidy_user == 8_001 and by_city["南京"].subsidy_provider == 10_000
    assert by_city["苏州"].subsidy_provider == 2_345
    assert census(YEAR + 1, "org") and all(r.subsidy_provider == 0 for r in census(YEAR + 1, "org"))
    plan = {p["key"]: p["value"] for p in report.plan_figures(YEAR)}
    assert plan["subsidy_user"] == 8_001 and plan["subsidy_provider"] == 12_345
    assert plan["alliances"] == 0 and plan["instruments_open"] == 4


def test_available_hours_use_the_instruments_own_hours_and_blackouts(app, world):
    sem, nmr = world["instruments"][0], world["instruments"][1]
    s = BookingSettings(instrument_id=nmr.id)
    s.opening_hours = [OpeningHours(weekday=d, opens=time(9), closes=time(12)) for d in range(6)]
    db.session.add(s)
    db.session.add(Blackout(instrument_id=sem.id, start=_utc(datetime(YEAR, 1, 6)), end=_utc(datetime(YEAR, 1, 13)),
                            reason="维护"))
    db.session.commit()
    rows = {r.key: r for r in census(YEAR, "instrument")}
    assert rows[sem.id].available_seconds == (261 - 5) * 9 * 3600  # default Mon–Fri 08:30–17:30, a week off
    assert rows[nmr.id].available_seconds == (261 + 52) * 3 * 3600  # Mon–Sat 09:00–12:00


def test_self_reports_are_shown_beside_never_added(app, world, add_booking):
    sem = world["instruments"][0]
    lab_user = world["users"][world["orgs"]["lab"].id]
    _use(add_booking, sem, world["users"][world["orgs"]["co1"].id], 5, 5, 3)
    selfreports.save_self_report(sem, actor=lab_user, year=YEAR, hours=100, external_hours=40, orgs_served=3,
                                 income=1_000_00, note="线下")
    db.session.commit()
    row = {r["key"]: r for r in report.rows_with_self_reports(YEAR, "instrument")}[str(sem.id)]
    assert row["used_hours"] == 3.0 and row["external_hours"] == 3.0
    assert row["self_reported"] == {"hours": 100, "external_hours": 40, "orgs_served": 3, "income": 100_00 * 10}
    # a second entry replaces the first (one per instrument and year)
    selfreports.save_self_report(sem, actor=lab_user, year=YEAR, hours=90, external_hours=0, orgs_served=0, income=0)
    db.session.commit()
    assert [r.hours for r in selfreports.list_self_reports(actor=lab_user)] == [90]


def test_self_reports_only_by_the_managing_unit_and_read_by_reviewers(app, world, make_user):
    sem = world["instruments"][0]
    outsider = world["users"][world["orgs"]["co1"].id]
    with pytest.raises(Forbidden):
        selfreports.save_self_report(sem, actor=outsider, year=YEAR, hours=1, external_hours=0, orgs_served=0,
                                     income=0)
    with pytest.raises(Unauthorized):
        selfreports.list_self_reports(actor=None)
    lab_user = world["users"][world["orgs"]["lab"].id]
    with pytest.raises(Invalid):
        selfreports.save_self_report(sem, actor=lab_user, year=YEAR, hours=5, external_hours=6, orgs_served=0, income=0)
    with pytest.raises(Invalid):
        selfreports.save_self_report(sem, actor=lab_user, year=YEAR, hours=5.5, external_hours=0, orgs_served=0,
                                     income=0)
    selfreports.save_self_report(sem, actor=lab_user, year=YEAR, hours=5, external_hours=1, orgs_served=1, income=1)
    db.session.commit()
    reviewer = make_user(roles=("reviewer",))
    assert len(selfreports.list_self_reports(actor=reviewer, year=YEAR)) == 1
    assert selfreports.list_self_reports(actor=outsider) == []  # its own organisation has none
    with pytest.raises(Forbidden):
        selfreports.list_self_reports(actor=outsider, org_id=world["orgs"]["lab"].id)


def _busy_lab(world, add_booking):
    """The lab: 2 open instruments, external use, good ratings; the institute: nothing used."""
    sem, nmr = world["instruments"][0], world["instruments"][1]
    co1 = world["users"][world["orgs"]["co1"].id]
    co2 = world["users"][world["orgs"]["co2"].id]
    for day in range(1, 21):
        b = _use(add_booking, sem if day % 2 else nmr, co1 if day % 3 else co2, 6, day, 8)
        b.decided_at = b.start - timedelta(days=1)
        db.session.add(Rating(booking_id=b.id, instrument_id=b.instrument_id, provider_org_id=b.provider_org_id,
                              user_id=b.user_id, score=5, created_at=b.end))
    db.session.commit()


def test_evaluation_scores_units_from_their_records(app, world, add_booking):
    _busy_lab(world, add_booking)
    rows = {r["org_id"]: r for r in evaluation.evaluate(YEAR)}
    lab, inst_b = world["orgs"]["lab"].id, world["orgs"]["inst_b"].id
    assert set(rows) == {lab, inst_b}
    p = rows[lab]["points"]
    assert p["open_rate"] == 10 and p["staff"] == 10 and p["online_service"] == 10 and p["effect"] == 15
    assert p["share_hours"] == 20  # all its use is external
    assert p["run_hours"] == round(20 * (160 * 3600) / ((1400 + 800) * 3600), 2)
    assert p["external_service"] == round(15 * (2 / 10 + 1) / 2, 2)  # 2 of 10 orgs, all 5 stars
    assert rows[lab]["score"] == round(sum(p.values()), 2)
    assert rows[inst_b]["score"] == 20.0 and rows[inst_b]["grade"] == "较差"  # open instruments and staff only


def test_finance_applies_the_grades_in_one_audited_step(app, world, add_booking, make_user):
    _busy_lab(world, add_booking)
    prog = new_programme(actor=None, name="2025 补贴", year=YEAR, budget=100_000_000)
    db.session.add(ProviderGrade(programme_id=prog.id, org_id=world["orgs"]["inst_b"].id, grade="A"))
    db.session.commit()
    with pytest.raises(Forbidden):
        evaluation.apply_grades(prog, actor=make_user(roles=("reviewer",)))
    finance = make_user(roles=("finance",))
    result = evaluation.apply_grades(prog, actor=finance)
    db.session.commit()
    expected = {r["org_id"]: r["provider_grade"] for r in evaluation.evaluate(YEAR)}
    grades = dict(db.session.execute(sa.select(ProviderGrade.org_id, ProviderGrade.grade)
                                     .where(ProviderGrade.programme_id == prog.id)).all())
    assert grades == expected and grades[world["orgs"]["inst_b"].id] == "D"
    assert result["units"] == 2 and result["changed"] == 2
    audit = db.session.scalars(sa.select(AuditLog).where(AuditLog.entity == "subsidy_programme",
                                                         AuditLog.entity_id == prog.id,
                                                         AuditLog.action.in_(("grade", "census_grades")))).all()
    assert {a.action for a in audit} == {"grade", "census_grades"} and all(a.actor_id == finance.id for a in audit)
    again = evaluation.apply_grades(prog, actor=finance)
    assert again["changed"] == 0
    with pytest.raises(NotFound):
        evaluation.get_programme(10**9)


def test_plan_figures_come_from_the_domains_that_keep_them(app):
    from marketplace.census.plan import SOURCES, register_plan_source
    saved = dict(SOURCES)
    try:
        SOURCES.clear()
        plan = {p["key"]: p for p in report.plan_figures(YEAR)}
        assert plan["secondments"]["value"] == 0 and "尚未" in plan["secondments"]["note"]
        register_plan_source("test", lambda year: {"secondments": 3, "alliances": 3} if year == YEAR else {})
        plan = {p["key"]: p for p in report.plan_figures(YEAR)}
        assert plan["secondments"]["value"] == 3 and plan["alliances"]["value"] == 3
        assert plan["alliances"]["target"] == 13_500 and "尚未" not in plan["alliances"]["note"]
    finally:
        SOURCES.clear()
        SOURCES.update(saved)
