"""Annual reports (pre-filled from platform records through the figure registry) and the sweep that
warns 30 and 7 days before the due date and suspends firms whose report is overdue."""
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.i18n import Message as _l
from ...core.permissions import require_login
from ...core.timeutil import to_local, utcnow
from ...extensions import db
from ...notifications.services import notify
from .. import rules
from ..figures import figures_for
from ..models import AnnualReport, Firm, ReportReminder
from ..states import REPORT
from .filings import is_firm_side, is_reviewer, may_edit
from .notify import firm_people
from .review import _suspend

OFF_FIELDS = ("off_deals", "off_contract_amount", "off_tech_amount", "off_enterprises", "notes")


def due_date(year: int) -> date:
    return rules.report_due(year, current_app.config.get("FILING_REPORT_DUE", "03-31"))


def get_report(report_id: int, *, actor) -> AnnualReport:
    report = db.session.get(AnnualReport, report_id) if 1 <= report_id <= 2**31 - 1 else None
    if report is None or not (is_firm_side(report.firm, actor) or is_reviewer(actor)):
        raise NotFound(_("年度报告不存在"))
    return report


def create_annual_report(firm: Firm, year: int, *, actor) -> AnnualReport:
    """Start the report on `year`, pre-filled from the platform's records."""
    require_login(actor)
    if not may_edit(firm, actor):
        raise Forbidden(_("只有事务所可以填报年度报告"))
    if firm.status not in ("approved", "suspended") or firm.approved_at is None:
        raise Conflict(_("只有已备案的事务所需要填报年度报告"))
    this_year = to_local(utcnow()).year
    if not to_local(firm.approved_at).year <= year <= this_year:
        raise Invalid.field("year", _("年度应在 %(a)s 到 %(b)s 之间", a=to_local(firm.approved_at).year, b=this_year))
    if db.session.scalar(sa.select(AnnualReport.id).where(AnnualReport.firm_id == firm.id, AnnualReport.year == year)):
        raise Conflict(_("%(year)s 年度报告已存在", year=year))
    report = AnnualReport(firm_id=firm.id, year=year, created_by_id=actor.id, **figures_for(firm, year))
    db.session.add(report)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(_("%(year)s 年度报告已存在", year=year)) from None
    return report


def update_annual_report(report: AnnualReport, data: dict, *, actor) -> AnnualReport:
    """The firm's off-platform figures (labelled as declared) and notes; until submitted."""
    require_login(actor)
    if not may_edit(report.firm, actor):
        raise Forbidden(_("只有事务所可以填报年度报告"))
    if report.status != "draft":
        raise Conflict(_("年度报告已提交，不能修改"))
    for field in OFF_FIELDS:
        if field in data and data[field] is not None:
            setattr(report, field, data[field])
    db.session.flush()
    return report


def submit_annual_report(report: AnnualReport, *, actor) -> AnnualReport:
    require_login(actor)
    if not may_edit(report.firm, actor):
        raise Forbidden(_("只有事务所可以填报年度报告"))
    for key, value in figures_for(report.firm, report.year).items():  # the latest platform figures
        setattr(report, key, value)
    REPORT.apply(report, "submitted", actor=actor, action="submit")
    report.submitted_at = utcnow()
    db.session.flush()
    return report


def reports_of(firm: Firm) -> list[AnnualReport]:
    return list(db.session.scalars(sa.select(AnnualReport).where(AnnualReport.firm_id == firm.id)
                                   .order_by(AnnualReport.year.desc())))


def sweep(today: date | None = None) -> dict[str, int]:
    """Warn and suspend for the report on last year. Idempotent: each (firm, year, step) is done once
    (a unique row records it), so a second run the same day changes nothing."""
    today = today or to_local(utcnow()).date()
    year = today.year - 1
    due = due_date(year)
    warn_days = tuple(current_app.config.get("FILING_REPORT_WARN_DAYS", (30, 7)))
    action = rules.sweep_action(today, due, warn_days)
    done = {"warn30": 0, "warn7": 0, "suspended": 0}
    if action is None:
        return done
    submitted = sa.select(AnnualReport.firm_id).where(AnnualReport.year == year, AnnualReport.status == "submitted")
    already = sa.select(ReportReminder.firm_id).where(ReportReminder.year == year, ReportReminder.kind == action)
    firms = db.session.scalars(sa.select(Firm).where(
        Firm.status == "approved", Firm.approved_at < _year_end_utc(year),
        Firm.id.not_in(submitted), Firm.id.not_in(already)).order_by(Firm.id)).all()
    for firm in firms:
        db.session.add(ReportReminder(firm_id=firm.id, year=year, kind=action))
        with force_locale("zh"):
            if action == "suspended":
                _suspend(firm, _("未按期提交 %(year)s 年度报告（截止 %(due)s）", year=year, due=due.isoformat()), actor=None)
            else:
                subject = _l("请在 %(due)s 前提交 %(year)s 年度报告", due=due.isoformat(), year=year)
                for user in firm_people(firm):
                    notify(user, subject, _l("逾期未提交的事务所将被暂停备案。"), f"/filings/{firm.id}")
        done[action] += 1
    db.session.flush()
    return done


def _year_end_utc(year: int):
    """The end of `year` in Asia/Shanghai as naive UTC: firms filed after it owe no report on it."""
    from datetime import datetime

    from ...core.timeutil import local_to_utc_naive
    return local_to_utc_naive(datetime(year + 1, 1, 1))
