"""Census pages: the dashboard, exports, the evaluation, and self-reported figures."""
from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..core.errors import Invalid
from ..core.money import to_fen
from ..core.timeutil import to_local, utcnow
from ..core.uow import unit_of_work
from . import rules
from .forms import ApplyGradesForm, SelfReportForm
from .services import evaluation, report, selfreports

bp = Blueprint("census", __name__, url_prefix="/census")
GRADE_LABELS = {"优秀": _l("优秀"), "良好": _l("良好"), "合格": _l("合格"), "较差": _l("较差")}


def _year() -> int:
    raw = request.args.get("year", "")
    if not raw:
        return to_local(utcnow()).year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Invalid.field("year", _("年份应在 2000 到 2100 之间"))
    return int(raw)


def _group_by() -> str:
    group_by = request.args.get("group_by", "city")
    if group_by not in rules.GROUPS:
        raise Invalid.field("group_by", _("分组应为 city、type、org 或 instrument"))
    return group_by


@bp.get("")
def dashboard():
    year = _year()
    data = report.dashboard(year)
    month_names = [_("%(n)s月", n=m) for m in range(1, 13)]
    return render_template("census/dashboard.html", year=year, data=data, this_year=to_local(utcnow()).year,
                           month_names=month_names)


@bp.get("/export.<fmt>")
def export(fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    year, group_by = _year(), _group_by()
    rows = report.rows_with_self_reports(year, group_by)
    if fmt == "csv":
        body, mime = report.to_csv(rows), "text/csv; charset=utf-8"
    else:
        body = report.to_xlsx(rows, f"census {year} {group_by}")
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    resp = make_response(body)
    resp.headers["Content-Type"] = mime
    resp.headers["Content-Disposition"] = f'attachment; filename="census-{year}-{group_by}.{fmt}"'
    return resp


@bp.get("/table")
def table():
    year, group_by = _year(), _group_by()
    return render_template("census/table.html", year=year, group_by=group_by,
                           rows=report.rows_with_self_reports(year, group_by))


def evaluation_page():
    year = _year()
    return _evaluation(year, _grades_form(year))


def _evaluation(year, form, status=200):
    return render_template("census/evaluation.html", year=year, rows=evaluation.evaluate(year), form=form,
                           weights=rules.INDICATORS, grade_labels=GRADE_LABELS), status


bp.add_url_rule("/evaluation", endpoint="evaluation", view_func=evaluation_page)


def _grades_form(year):
    from ..extensions import db
    from ..subsidy.models import Programme
    if not (current_user.is_authenticated and current_user.has_role("finance")):
        return None
    form = ApplyGradesForm()
    form.programme_id.choices = [(p.id, f"{p.year} {p.name}") for p in
                                 db.session.scalars(db.select(Programme).order_by(Programme.year.desc()))]
    if form.year.data is None and year is not None:
        form.year.data = year
    return form


@bp.post("/evaluation/apply")
@login_required
def apply_grades():
    form = _grades_form(None)
    if form is None:
        abort(403)
    with unit_of_work(form) as work:
        if not form.validate_on_submit():
            raise Invalid(_("请检查标出的字段"), {k: list(v) for k, v in form.errors.items()})
        prog = evaluation.get_programme(form.programme_id.data)
        result = evaluation.apply_grades(prog, actor=current_user, year=form.year.data)
    if work.committed:
        flash(_("已按 %(year)s 年度评价设置 %(n)s 个管理单位的补贴等级（%(changed)s 个有变化）",
                year=result["year"], n=result["units"], changed=result["changed"]), "success")
        return redirect(url_for("census.evaluation", year=result["year"]))
    year = form.year.data if isinstance(form.year.data, int) and 2000 <= form.year.data <= 2100 \
        else to_local(utcnow()).year
    return _evaluation(year, form, 422)


def _own_instruments():
    from ..catalog.models import Instrument
    from ..extensions import db
    q = db.select(Instrument.id, Instrument.title).where(Instrument.status != "archived").order_by(Instrument.id)
    if not current_user.has_role("admin"):
        q = q.where(Instrument.owner_org_id == current_user.organisation_id)
    return [(i, t) for i, t in db.session.execute(q.limit(2000))]


@bp.route("/self-reports", methods=["GET", "POST"])
@login_required
def self_reports():
    form = SelfReportForm()
    form.instrument_id.choices = _own_instruments()
    if request.method == "GET" and form.year.data is None:
        form.year.data = to_local(utcnow()).year - 1
    if request.method == "POST":
        with unit_of_work(form) as work:
            if not form.validate_on_submit():
                raise Invalid(_("请检查标出的字段"), {k: list(v) for k, v in form.errors.items()})
            inst = selfreports.get_instrument(form.instrument_id.data)
            selfreports.save_self_report(inst, actor=current_user, year=form.year.data, hours=form.hours.data,
                                         external_hours=form.external_hours.data,
                                         orgs_served=form.orgs_served.data, income=to_fen(form.income.data),
                                         note=form.note.data or "")
        if work.committed:
            flash(_("填报已保存"), "success")
            return redirect(url_for("census.self_reports"))
    year = request.args.get("year", "")
    org = request.args.get("org", "")
    filters = {"year": int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None,
               "org_id": int(org) if org.isdigit() and int(org) < 2**31 else None}
    reviewer = selfreports.can_review(actor=current_user)
    rows = selfreports.list_self_reports(actor=current_user, **filters) \
        if reviewer or current_user.organisation_id else []
    return render_template("census/self_reports.html", form=form, rows=rows, reviewer=reviewer,
                           filters=filters, can_enter=bool(form.instrument_id.choices))
