"""Registration pages: my applications, the application form (by hand or pre-filled from a deal), the
registrar's queue and decisions, the certificate, public verification and the statistics page.
Routes parse input and call one service; buttons come from services.allowed_actions."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.throttle import limiter
from ..core.audit import history
from ..core.uow import unit_of_work
from ..extensions import db
from ..uploads.services import store_form_uploads
from . import services
from .forms import ApproveForm, ChangeForm, ConfirmationForm, RefuseForm, RegistrationForm, ReturnForm
from .models import ContractRegistration
from .services.certificate import issued_certificate
from .services.stats import GROUPS, contract_stats, export_rows, to_csv, to_xlsx
from .services.verify import public_facts, verify_limit

bp = Blueprint("registration", __name__, url_prefix="/contract-registrations")


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None


# -- the applicant ---------------------------------------------------------------------------------

@bp.route("/")
@login_required
def mine():
    regs = []
    if current_user.organisation_id is not None:
        regs = db.session.scalars(db.select(ContractRegistration).where(
            ContractRegistration.applicant_org_id == current_user.organisation_id)
            .order_by(ContractRegistration.id.desc()).limit(200)).all()
    return render_template("registration/mine.html", regs=regs)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    deal_id = _int_arg("deal_id")
    amends_id = _int_arg("amends")
    original = services.get_registration(amends_id, actor=current_user) if amends_id else None
    kind = "amend" if original else "new"
    form = RegistrationForm()
    if request.method == "GET":
        if original:
            form.fill(services.fields_of(original))
        elif deal_id:
            prefill = services.prefill_for_deal(deal_id, actor=current_user)
            if prefill:
                form.fill(prefill)
            else:
                flash(_("没有找到可登记的已签订交易，请手工填写"), "error")
                deal_id = None
        if not original and not deal_id:
            form.fill(services.applicant_defaults(actor=current_user))
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            store_form_uploads(form.document_ids, actor=current_user)
            reg = services.create_application(services.application_in(form.fields()), actor=current_user,
                                              kind=kind, amends_id=amends_id, deal_id=deal_id)
        if work.committed:
            flash(_("申请已保存为草稿，请核对后提交"), "success")
            return redirect(url_for("registration.detail", registration_id=reg.id))
    return render_template("registration/form.html", form=form, reg=None, original=original, deal_id=deal_id)


@bp.route("/<int:registration_id>")
@login_required
def detail(registration_id):
    return _detail_page(services.get_registration(registration_id, actor=current_user))


def _detail_page(reg, **forms):
    """The application with the actions the user may take; a failed decision's form keeps its errors."""
    forms = {"return_form": ReturnForm(formdata=None), "approve_form": ApproveForm(formdata=None),
             "refuse_form": RefuseForm(formdata=None), "change_form": ChangeForm(formdata=None),
             "confirmation_form": ConfirmationForm(formdata=None), **forms}
    status = 422 if any(f.errors for f in forms.values()) else 200
    return render_template(
        "registration/detail.html", reg=reg, actions=services.allowed_actions(reg, actor=current_user),
        editable=services.is_applicant(reg, actor=current_user) and reg.status in ("draft", "returned"),
        may_change=services.is_applicant(reg, actor=current_user) and reg.kind == "new" and reg.status == "registered",
        days_left=services.days_left(reg), history=history("contract_registration", reg.id), **forms), status


@bp.route("/<int:registration_id>/edit", methods=["GET", "POST"])
@login_required
def edit(registration_id):
    reg = services.get_registration(registration_id, actor=current_user)
    form = RegistrationForm()
    if request.method == "GET":
        form.fill(services.fields_of(reg))
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            store_form_uploads(form.document_ids, actor=current_user)
            services.update_application(reg, services.application_in(form.fields()), actor=current_user)
        if work.committed:
            flash(_("申请已保存"), "success")
            return redirect(url_for("registration.detail", registration_id=reg.id))
    return render_template("registration/form.html", form=form, reg=reg, original=reg.amends, deal_id=reg.deal_id)


@bp.post("/<int:registration_id>/submit")
@login_required
def submit(registration_id):
    reg = services.get_registration(registration_id, actor=current_user)
    with unit_of_work() as work:
        services.submit_application(reg, actor=current_user)
    if work.committed:
        flash(_("申请已提交，登记机构将在 %(due)s 前办结", due=reg.due_on), "success")
    return redirect(url_for("registration.detail", registration_id=registration_id))


@bp.post("/<int:registration_id>/change")
@login_required
def change(registration_id):
    reg = services.get_registration(registration_id, actor=current_user)
    form = ChangeForm()
    if not form.validate_on_submit():
        abort(400)
    if form.kind.data == "amend":
        return redirect(url_for("registration.new", amends=reg.id))
    with unit_of_work() as work:
        cancel = services.create_application(None, actor=current_user, kind="cancel", amends_id=reg.id)
    if work.committed:
        flash(_("注销申请已保存为草稿，提交后由登记机构审查"), "success")
        return redirect(url_for("registration.detail", registration_id=cancel.id))
    return redirect(url_for("registration.detail", registration_id=registration_id))


# -- the registrar ---------------------------------------------------------------------------------

@bp.route("/queue")
@login_required
def queue():
    from ..core.pagination import Pages, page_args
    page, per_page = page_args(request.args)
    pages = Pages(page, per_page, services.queue_size(actor=current_user))
    rows = services.queue(actor=current_user, offset=(pages.page - 1) * per_page, limit=per_page)
    return render_template("registration/queue.html", rows=rows, pages=pages)


@bp.post("/<int:registration_id>/return")
@login_required
def return_(registration_id):
    reg = services.get_registration(registration_id, for_update=True, actor=current_user)
    form = ReturnForm()
    with unit_of_work(form) as work:
        services.return_application(reg, actor=current_user, comment=form.comment.data or "")
    if work.committed:
        flash(_("已退回补正"), "success")
        return redirect(url_for("registration.detail", registration_id=registration_id))
    return _detail_page(reg, return_form=form)


@bp.post("/<int:registration_id>/approve")
@login_required
def approve(registration_id):
    reg = services.get_registration(registration_id, for_update=True, actor=current_user)
    form = ApproveForm()
    with unit_of_work(form) as work:
        services.approve_application(reg, actor=current_user, comment=form.comment.data)
    if work.committed:
        flash(_("已登记") + (f" {reg.number}" if reg.number else ""), "success")
        return redirect(url_for("registration.detail", registration_id=registration_id))
    return _detail_page(reg, approve_form=form)


@bp.post("/<int:registration_id>/confirm")
@login_required
def confirm(registration_id):
    reg = services.get_registration(registration_id, for_update=True, actor=current_user)
    with unit_of_work() as work:
        services.confirm_as_buyer(reg, actor=current_user)
    if work.committed:
        flash(_("已确认：本单位是该合同的买方"), "success")
    return redirect(url_for("registration.detail", registration_id=registration_id))


@bp.post("/<int:registration_id>/record-confirmation")
@login_required
def record_confirmation(registration_id):
    reg = services.get_registration(registration_id, for_update=True, actor=current_user)
    form = ConfirmationForm()
    with unit_of_work(form) as work:
        services.record_buyer_confirmation(reg, actor=current_user, evidence=form.evidence.data or "")
    if work.committed:
        flash(_("已记录买方的书面确认"), "success")
        return redirect(url_for("registration.detail", registration_id=registration_id))
    return _detail_page(reg, confirmation_form=form)


@bp.post("/<int:registration_id>/refuse")
@login_required
def refuse(registration_id):
    reg = services.get_registration(registration_id, for_update=True, actor=current_user)
    form = RefuseForm()
    form.validate()
    with unit_of_work(form) as work:
        services.refuse_application(reg, actor=current_user, grounds=form.grounds.data or [],
                                    comment=form.comment.data)
    if work.committed:
        flash(_("已决定不予登记"), "success")
        return redirect(url_for("registration.detail", registration_id=registration_id))
    return _detail_page(reg, refuse_form=form)


@bp.route("/<int:registration_id>/certificate.pdf")
@login_required
def certificate(registration_id):
    reg = services.get_registration(registration_id, actor=current_user)
    if reg.kind != "new" or not reg.number:
        abort(404)
    return Response(issued_certificate(reg), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="registration-{reg.number}.pdf"'})


# -- public ----------------------------------------------------------------------------------------

@bp.route("/verify")
def verify_form():
    number = (request.args.get("number") or "").strip()
    if number:
        code = (request.args.get("code") or "").strip()[:20]
        return redirect(url_for("registration.verify", number=number[:20], **({"code": code} if code else {})))
    return render_template("registration/verify.html", facts=None, number=None, code=None)


@bp.route("/verify/<number>")
@limiter.shared_limit(verify_limit, scope="registration-verify")
def verify(number):
    """The number with the certificate's check code (the QR code carries both); without a code the form
    asks for it, a wrong one answers as an unknown number."""
    code = (request.args.get("code") or "").strip()[:20]
    if not code:
        return render_template("registration/verify.html", facts=None, number=number[:20], code=None), 200
    reg = services.find_by_number(number, code)
    facts = public_facts(reg) if reg else None
    return render_template("registration/verify.html", facts=facts, number=number[:20], code=code), \
        200 if facts else 404


def _stats_args():
    year = _int_arg("year") or services.today_local().year
    if not 2000 <= year <= 2100:
        year = services.today_local().year
    group_by = request.args.get("group_by", "type")
    return year, group_by if group_by in GROUPS else "type"


@bp.route("/stats")
def stats():
    year, group_by = _stats_args()
    data = contract_stats(year, group_by)
    peak = max([r["tech_amount"] for r in data["rows"]] + [1])
    return render_template("registration/stats.html", data=data, peak=peak, groups=GROUPS, year=year,
                           group_by=group_by)


@bp.route("/stats.<fmt>")
def stats_download(fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    year, group_by = _stats_args()
    headers = [_("键"), _("分组"), _("合同数"), _("合同成交额（分）"), _("技术交易额（分）"),
               _("合同成交额（元）"), _("技术交易额（元）")]
    table = export_rows(contract_stats(year, group_by), headers)
    name = f"contract-stats-{year}-{group_by}.{fmt}"
    if fmt == "csv":
        body, mime = to_csv(table), "text/csv; charset=utf-8"
    else:
        body, mime = to_xlsx(table, f"{year} {group_by}"), \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'})
