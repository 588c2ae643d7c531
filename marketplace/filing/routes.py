"""Filing pages: my filings and the application form, the review queue and steps, the public directory,
firm pages, the verify page, the certificate, annual reports and evaluation. Routes parse and call services."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.audit import history
from ..core.errors import Forbidden, Invalid
from ..core.pagination import page_args
from ..core.reference import CITIES
from ..core.timeutil import utcnow
from ..core.uow import unit_of_work
from ..extensions import db
from ..uploads.services import store_form_uploads
from . import rules, services
from .forms import AnnualReportForm, EvaluationForm, FilingForm, NewReportForm, ReviewForm
from .states import LEVELS, SECTIONS, STATUSES

bp = Blueprint("filing", __name__)


def _user():
    return current_user if current_user.is_authenticated else None


def place_errors(form, err):
    """Put `managers.<i>.<field>` errors of the service next to the manager's field."""
    if err is None:
        return
    for name, messages in err.errors.items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "managers" and parts[1].isdigit():
            i = int(parts[1])
            if i < len(form.managers.entries):
                field = getattr(form.managers.entries[i].form, parts[2], None)
                if field is not None:
                    field.errors = list(field.errors) + list(messages)


# -- the applicant's side ---------------------------------------------------------------------------

@bp.route("/filings/")
@login_required
def mine():
    return render_template("filing/mine.html", filings=services.filings_of(current_user))


@bp.route("/filings/new", methods=["POST"])
@login_required
def new():
    with unit_of_work() as work:
        firm = services.create_filing({}, actor=current_user)
    if work.committed:
        return redirect(url_for("filing.edit", firm_id=firm.id))
    return redirect(url_for("filing.mine"))


def _form_for(firm, rows: int = 0):
    form = FilingForm()
    if request.method == "GET":
        for field in ("name", "uscc", "legal_rep", "address", "founded_on", "business_scope", "premises_m2"):
            getattr(form, field).data = getattr(firm, field)
        form.city.data = firm.city or ""
        while len(form.managers.entries):
            form.managers.pop_entry()
        wanted = max(len(firm.managers), 3, min(rows, 50))
        for i in range(wanted):
            entry = form.managers.append_entry()
            if i < len(firm.managers):
                m = firm.managers[i]
                for f in ("name", "email", "certificate_no", "degree"):
                    getattr(entry.form, f).data = getattr(m, f)
                entry.form.id_number.data = services.id_number_for(m, actor=current_user)
                entry.form.level.data = m.level or ""
        form.documents.data = firm.document_ids
    return form


@bp.route("/filings/<int:firm_id>/edit", methods=["GET", "POST"])
@login_required
def edit(firm_id):
    firm = services.get_filing(firm_id, actor=current_user)
    if not services.may_edit(firm, current_user):
        raise Forbidden(_("没有权限修改此备案申请"))
    rows = request.args.get("rows", type=int) or 0
    form = _form_for(firm, rows)
    if request.method == "POST" and form.validate():
        with unit_of_work(form) as work:
            data = form.data_for_service()
            data["document_ids"] = store_form_uploads(form.documents, actor=current_user)
            services.update_filing(firm, data, actor=current_user)
        place_errors(form, work.error)
        if work.committed:
            if "add_manager" in request.form:
                return redirect(url_for("filing.edit", firm_id=firm.id, rows=len(firm.managers) + 1))
            if "submit" not in request.form:
                flash(_("草稿已保存"), "success")
                return redirect(url_for("filing.edit", firm_id=firm.id))
            with unit_of_work(form) as work:
                services.submit_filing(firm, actor=current_user)
            place_errors(form, work.error)
            if work.committed:
                flash(_("备案申请已提交，请等待审核"), "success")
                return redirect(url_for("filing.detail", firm_id=firm.id))
            firm = services.get_filing(firm_id, actor=current_user)
    return render_template("filing/edit.html", firm=firm, form=form,
                           comments=services.current_comments(firm), sections=SECTIONS)


@bp.route("/filings/<int:firm_id>")
@login_required
def detail(firm_id):
    firm = services.get_filing(firm_id, actor=current_user)
    return render_template("filing/detail.html", firm=firm, actions=services.allowed_actions(firm, actor=current_user),
                           review_form=ReviewForm(), history=history("filing", firm.id), sections=SECTIONS,
                           statuses=STATUSES, levels=LEVELS, reports=services.reports_of(firm),
                           may_edit=services.may_edit(firm, current_user),
                           evaluations=services.evaluations_of(firm),
                           id_number=lambda m: services.id_number_for(m, actor=current_user))


@bp.route("/filings/<int:firm_id>/<any(submit, 'start-review', return, approve, reject, suspend, reinstate, revoke):action>",
          methods=["POST"])
@login_required
def act(firm_id, action):
    firm = services.get_filing(firm_id, actor=current_user)
    form = ReviewForm()
    if not form.validate():
        flash(_("输入有误：%(e)s", e="；".join(str(m) for ms in form.errors.values() for m in ms)), "error")
        return redirect(url_for("filing.detail", firm_id=firm.id))
    comments = {s: getattr(form, s).data for s in SECTIONS if getattr(form, s).data}
    with unit_of_work(form) as work:
        services.ACTIONS[action](firm, current_user, comment=form.comment.data or None,
                                 reason=form.reason.data, comments=comments)
    if work.committed:
        flash(_("已完成：%(status)s", status=STATUSES[firm.status]), "success")
    return redirect(url_for("filing.detail", firm_id=firm.id))


# -- reviewers -----------------------------------------------------------------------------------------

@bp.route("/filings/review")
@login_required
def queue():
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        raise Invalid.field("status", _("未知的状态"))
    city = request.args.get("city") or None
    if city is not None and city not in CITIES:
        raise Invalid.field("city", _("请选择江苏省的城市"))
    q = (request.args.get("q") or "").strip()[:100]
    stmt = services.review_queue(actor=current_user, status=status, city=city, q=q)
    page, per_page = page_args(request.args)
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    return render_template("filing/queue.html", pagination=pagination, now=utcnow(), status=status, city=city, q=q,
                           statuses=STATUSES)


# -- the public side -------------------------------------------------------------------------------------

@bp.route("/firms")
def directory():
    q = (request.args.get("q") or "").strip()[:200]
    city = request.args.get("city") or None
    level = request.args.get("level") or None
    page, per_page = page_args(request.args)
    stmt = services.directory(q=q, city=city, level=level)
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    return render_template("filing/directory.html", pagination=pagination, q=q, city=city, level=level,
                           levels=LEVELS, statuses=STATUSES)


@bp.route("/firms/<int:firm_id>")
def firm_page(firm_id):
    firm = services.public_firm(firm_id)
    return render_template("filing/firm.html", firm=firm, figures=services.public_figures(firm), levels=LEVELS,
                           statuses=STATUSES, firm_side=services.sees_private(firm, _user()))


@bp.route("/firms/verify", methods=["GET"])
def verify_form():
    number = (request.args.get("number") or "").strip()
    if number:
        return redirect(url_for("filing.verify", number=number[:40]))
    return render_template("filing/verify.html", firm=None, number="", state=None)


@bp.route("/firms/verify/<path:number>")
def verify(number):
    from ..core.errors import NotFound
    try:
        firm = services.verify(number)
    except NotFound:
        return render_template("filing/verify.html", firm=None, number=number[:40], state="unknown"), 404
    return render_template("filing/verify.html", firm=firm, number=firm.number, state=services.verify_state(firm))


@bp.route("/firms/<int:firm_id>/certificate.pdf")
def certificate(firm_id):
    from .certificate import issued_certificate
    firm = services.public_firm(firm_id)
    if firm.status != "approved":
        abort(404)
    verify_url = url_for("filing.verify", number=rules.short_number(firm.number), _external=True)
    pdf = issued_certificate(firm, verify_url)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f"inline; filename=certificate-{firm.id}.pdf", "X-Content-Type-Options": "nosniff"})


# -- annual reports and evaluation -------------------------------------------------------------------------

@bp.route("/filings/<int:firm_id>/reports", methods=["POST"])
@login_required
def new_report(firm_id):
    firm = services.get_filing(firm_id, actor=current_user)
    form = NewReportForm()
    if not form.validate():
        flash(_("年度无效"), "error")
        return redirect(url_for("filing.detail", firm_id=firm.id))
    with unit_of_work(form) as work:
        report = services.create_annual_report(firm, form.year.data, actor=current_user)
    if work.committed:
        return redirect(url_for("filing.report", report_id=report.id))
    return redirect(url_for("filing.detail", firm_id=firm.id))


@bp.route("/annual-reports/<int:report_id>", methods=["GET", "POST"])
@login_required
def report(report_id):
    report = services.get_report(report_id, actor=current_user)
    form = AnnualReportForm(obj=None if request.method == "POST" else _yuan(report))
    if request.method == "POST" and form.validate():
        data = {k: v for k, v in form.data.items() if k != "csrf_token" and v is not None}
        for key in ("off_contract_amount", "off_tech_amount"):
            if key in data:
                data[key] = data[key] * 100  # yuan typed, fen stored
        with unit_of_work(form) as work:
            services.update_annual_report(report, data, actor=current_user)
            if "submit" in request.form:
                services.submit_annual_report(report, actor=current_user)
        if work.committed:
            flash(_("年度报告已提交") if report.status == "submitted" else _("已保存"), "success")
            return redirect(url_for("filing.report", report_id=report.id))
    return render_template("filing/report.html", report=report, form=form, due=services.due_date(report.year),
                           may_edit=services.may_edit(report.firm, current_user))


def _yuan(report):
    class View:
        pass
    view = View()
    for key in ("off_deals", "off_enterprises", "notes"):
        setattr(view, key, getattr(report, key))
    view.off_contract_amount = report.off_contract_amount // 100
    view.off_tech_amount = report.off_tech_amount // 100
    return view


@bp.route("/filings/<int:firm_id>/evaluation", methods=["GET", "POST"])
@login_required
def evaluation(firm_id):
    firm = services.get_filing(firm_id, actor=current_user)
    if not services.is_reviewer(current_user):
        raise Forbidden(_("只有审核员可以评价事务所"))
    form = EvaluationForm()
    if request.method == "GET":
        form.year.data = utcnow().year - 1
    year = form.year.data if isinstance(form.year.data, int) and 2000 <= form.year.data <= 2999 else utcnow().year - 1
    if request.method == "POST" and form.validate():
        with unit_of_work(form) as work:
            services.evaluate_firm(firm, form.year.data, actor=current_user, capability=form.capability.data,
                                   compliance=form.compliance.data, reputation=form.reputation.data,
                                   comment=form.comment.data or "")
        if work.committed:
            flash(_("评价已保存"), "success")
            return redirect(url_for("filing.detail", firm_id=firm.id))
    return render_template("filing/evaluation.html", firm=firm, form=form, computed=services.computed_parts(firm, year),
                           year=year)
