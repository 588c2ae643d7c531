"""Subsidy pages: programmes (admin), finance dashboard, settlement, payouts, ledger, statements.
Every form post is one unit of work; the rules (who may see a statement, ...) are in the services."""

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import ledger
from ...accounts.models import Organisation
from ...core.errors import Invalid
from ...core.money import format_fen, to_fen
from ...core.pagination import Pages, page_args
from ...core.permissions import require_role
from ...core.timeutil import to_local, utcnow
from ...core.uow import unit_of_work
from ...extensions import db
from .. import rules, services
from ..forms import (
    GradeForm,
    PayoutFilterForm,
    PayoutForm,
    ProgrammeForm,
    ReversePayoutForm,
    SettleForm,
    StatementForm,
)
from ..models import Settlement
from ..services import payouts as payout_service
from ..services.charts import dashboard_charts
from ..services.settlement import get_settlement, period_bounds, settle_period
from ..services.statements import (
    attachment,
    row_status_label,
    statement,
    statement_csv,
    statement_totals_of,
    statement_xlsx,
)
from ..services.statements import organisation_choices as organisation_choices_of
from ..states import grade_label, payout_status_label

bp = Blueprint("subsidy", __name__, url_prefix="/subsidy")


def _require_finance():
    require_role(current_user, "finance")


@bp.route("/")
@login_required
def dashboard():
    """Finance dashboard: this year's programme (budget, reserved, committed, remaining, by city
    and by organisation), or the list of programmes when there is none."""
    _require_finance()
    prog = services.programme_for_year(to_local(utcnow()).year)
    if prog is None:
        return redirect(url_for("subsidy.programmes"))
    return redirect(url_for("subsidy.programme", programme_id=prog.id))


@bp.route("/programmes")
@login_required
def programmes():
    _require_finance()
    return render_template("subsidy/programmes.html", programmes=services.list_programmes())


@bp.route("/programmes/new", methods=["GET", "POST"])
@login_required
def new_programme():
    require_role(current_user, "admin")
    form = ProgrammeForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            prog = services.create_programme(actor=current_user, name=form.name.data, year=form.year.data,
                                             budget=to_fen(form.budget.data), **form.rules_data())
        if work.committed:
            flash(_("补贴计划已创建"), "success")
            return redirect(url_for("subsidy.programme", programme_id=prog.id))
    return render_template("subsidy/programme_form.html", form=form, prog=None)


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@login_required
def edit_programme(programme_id):
    require_role(current_user, "admin")
    prog = services.get_programme(programme_id)
    form = ProgrammeForm()
    if request.method == "GET":
        form.fill_from(prog)
    elif form.validate_on_submit():
        with unit_of_work(form) as work:
            services.update_programme(prog, actor=current_user, name=form.name.data, active=form.active.data,
                                      budget=to_fen(form.budget.data), **form.rules_data())
        if work.committed:
            flash(_("补贴计划已保存"), "success")
            return redirect(url_for("subsidy.programme", programme_id=programme_id))
        prog = services.get_programme(programme_id)
    return render_template("subsidy/programme_form.html", form=form, prog=prog)


@bp.route("/programmes/<int:programme_id>")
@login_required
def programme(programme_id):
    _require_finance()
    prog = services.get_programme(programme_id)
    settlements = db.session.scalars(db.select(Settlement).where(Settlement.programme_id == prog.id)
                                     .order_by(Settlement.period)).all()
    return render_template("subsidy/programme.html", prog=prog, dash=services.dashboard(prog),
                           charts=dashboard_charts(prog), month_names=[_("%(n)s月", n=m) for m in range(1, 13)],
                           grades=services.grades(prog), settlements=settlements, grade_label=grade_label,
                           grade_form=GradeForm(), settle_form=SettleForm())


@bp.route("/programmes/<int:programme_id>/grades", methods=["POST"])
@login_required
def set_grade(programme_id):
    prog = services.get_programme(programme_id)
    form = GradeForm()
    with unit_of_work() as work:
        if not form.validate_on_submit():
            raise Invalid(_("评价等级有误"), {k: list(v) for k, v in form.errors.items()})
        services.set_grade(prog, form.org_id.data, form.grade.data, actor=current_user)
    if work.committed:
        flash(_("评价等级已保存"), "success")
    return redirect(url_for("subsidy.programme", programme_id=programme_id))


@bp.route("/programmes/<int:programme_id>/settle", methods=["POST"])
@login_required
def settle(programme_id):
    """Finance settles a period in two steps: the preview (computed, then rolled back: nothing is
    written) shows each unit's income, grade factor and subsidy; only the confirmation settles."""
    prog = services.get_programme(programme_id)
    form = SettleForm()
    confirmed = request.form.get("confirm") == "1"
    preview = None
    with unit_of_work() as work:
        if not form.validate_on_submit():
            raise Invalid.field("period", _("请填写结算期间"))
        if confirmed:
            s, created = settle_period(prog, form.period.data, actor=current_user)
        else:
            preview = _preview_settlement(prog, form.period.data)
    if work.committed and preview is not None:
        if preview.get("existing_id"):
            flash(_("该期间已结算，未作改动"), "info")
            return redirect(url_for("subsidy.settlement", settlement_id=preview["existing_id"]))
        return render_template("subsidy/settlement_preview.html", prog=prog, p=preview, form=form)
    if work.committed:
        flash(_("结算完成") if created else _("该期间已结算，未作改动"), "success")
        return redirect(url_for("subsidy.settlement", settlement_id=s.id))
    return redirect(url_for("subsidy.programme", programme_id=programme_id))


def _preview_settlement(prog, period) -> dict:
    """What settling would award, computed in a savepoint that is rolled back (the same code path as
    the settlement itself, so the preview and the result cannot differ)."""
    name = period_bounds(prog, period)[0]
    existing = get_settlement(prog, name)
    if existing is not None:
        return {"existing_id": existing.id}
    factors = rules.Policy.of(prog).grade_factors_bp
    nested = db.session.begin_nested()
    try:
        s, _created = settle_period(prog, period, actor=current_user)
        out = {"period": s.period, "income": s.income, "computed": s.computed, "awarded": s.awarded,
               "prorated": s.prorated, "remaining": prog.remaining,
               "lines": [{"org": line.org.name, "org_id": line.org_id, "bookings": line.bookings, "income": line.income,
                          "grade": line.grade, "factor_bp": factors.get(line.grade, 0), "computed": line.computed,
                          "awarded": line.awarded} for line in s.lines]}
    finally:
        nested.rollback()
    db.session.expire_all()
    return out


@bp.route("/settlements/<int:settlement_id>")
@login_required
def settlement(settlement_id):
    _require_finance()
    s = db.get_or_404(Settlement, settlement_id)
    return render_template("subsidy/settlement.html", s=s)


def _payouts_page(form=None, failed_org=None, status=200):
    return render_template("subsidy/payouts.html", rows=payout_service.amounts_owed(), form=form or PayoutForm(),
                           failed_org=failed_org), status


@bp.route("/payouts")
@login_required
def payouts():
    """What each managing unit is owed (service income and settled subsidy), with a pay button."""
    _require_finance()
    return _payouts_page()


@bp.route("/payouts/batch.<fmt>")
@login_required
def payout_batch(fmt):
    """The batch payment file of everything owed now, for the bank (CSV or Excel)."""
    from ...core import exports
    _require_finance()
    if fmt not in ("csv", "xlsx"):
        return Response(_("格式应为 csv 或 xlsx"), status=404)
    rows = payout_service.batch_rows(actor=current_user)
    name = f"{_('批量付款')}-{to_local(utcnow()):%Y%m%d}.{fmt}"
    if fmt == "csv":
        return Response(exports.to_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": exports.attachment(name)})
    return Response(exports.to_xlsx(rows, _("批量付款")), headers={"Content-Disposition": exports.attachment(name)},
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/payouts/<int:org_id>", methods=["POST"])
@login_required
def pay_out(org_id):
    """Record a payout under its voucher number; a refusal is shown next to that unit's voucher field."""
    _require_finance()
    form = PayoutForm()
    with unit_of_work(form) as work:
        if not form.validate_on_submit():
            raise Invalid(_("表单已过期，请重新提交"), {k: list(v) for k, v in form.errors.items()})
        paid = payout_service.pay_out(org_id, form.voucher.data, actor=current_user)
    if work.committed:
        flash(_("已记录向 %(name)s 付款 %(amount)s（凭证号 %(voucher)s）", name=paid.org.name,
                amount=format_fen(paid.total), voucher=paid.voucher), "success")
        return redirect(url_for("subsidy.payout_history"))
    return _payouts_page(form, failed_org=org_id, status=work.error.status)


@bp.route("/payouts/history")
@login_required
def payout_history():
    """Every payout recorded: date, payee, amount, voucher, who recorded it, reversal; filtered, paged."""
    _require_finance()
    form = PayoutFilterForm(request.args)
    page, per_page = page_args(request.args)
    if not form.validate():
        return render_template("subsidy/payout_history.html", form=form, items=[], pages=Pages(1, per_page, 0),
                               actions=payout_service.allowed_actions, status_label=payout_status_label), 422
    filters = {"org": form.org.data, "status": form.status.data or None, "voucher": form.voucher.data,
               "date_from": form.date_from.data, "date_to": form.date_to.data}
    items, total = payout_service.list_payouts(actor=current_user, page=page, per_page=per_page, **filters)
    pages = Pages(page, per_page, total)
    if pages.page != page:  # ?page=999: the last page
        items, total = payout_service.list_payouts(actor=current_user, page=pages.page, per_page=per_page,
                                                   **filters)
    return render_template("subsidy/payout_history.html", form=form, items=items, pages=pages,
                           actions=payout_service.allowed_actions, status_label=payout_status_label)


@bp.route("/payouts/records/<int:payout_id>/reverse", methods=["GET", "POST"])
@login_required
def reverse_payout(payout_id):
    """Reverse a payout recorded in error, with a reason: the amount is owed to the unit again."""
    _require_finance()
    payout = payout_service.get_payout(payout_id, actor=current_user)
    form = ReversePayoutForm()
    if request.method == "POST":
        with unit_of_work(form) as work:
            if not form.validate_on_submit():
                raise Invalid(_("表单已过期，请重新提交"), {k: list(v) for k, v in form.errors.items()})
            payout = payout_service.reverse_payout(payout_id, form.reason.data, actor=current_user)
        if work.committed:
            flash(_("已冲销付款 %(voucher)s：%(amount)s 重新计入应付 %(name)s", voucher=payout.voucher,
                    amount=format_fen(payout.total), name=payout.org.name), "success")
            return redirect(url_for("subsidy.payout_history"))
        payout = payout_service.get_payout(payout_id, actor=current_user)
        return render_template("subsidy/payout_reverse.html", payout=payout, form=form,
                               status_label=payout_status_label), work.error.status
    return render_template("subsidy/payout_reverse.html", payout=payout, form=form, status_label=payout_status_label)


@bp.route("/refunds")
@bp.route("/refunds/<int:payment_id>")
def moved_refunds(payment_id=None):
    """The refund desk moved to the payments pages: old links and bookmarks still arrive."""
    return redirect(url_for("payments.refund" if payment_id else "payments.refunds", payment_id=payment_id), 301)


@bp.route("/ledger")
@login_required
def trial_balance():
    _require_finance()
    return render_template("subsidy/trial_balance.html", tb=ledger.trial_balance(),
                           account_name=ledger.account_name)


@bp.route("/statements")
@login_required
def statements():
    """Statement of an organisation for a period; finance sees any (chosen by name), members their own.
    A bad period or organisation is shown next to its field."""
    form = StatementForm(request.args)
    fmt = request.args.get("format")
    page = {"form": form, "rows": [], "totals": None, "org_id": None, "period": None,
            "status_label": row_status_label}
    if not form.validate():
        return render_template("subsidy/statement.html", **page), 422
    org_id = form.resolved_org_id or form.org_id.data
    if org_id is None and current_user.has_role("finance") and current_user.organisation_id is None:
        return render_template("subsidy/statement.html", **page)  # finance chooses an organisation first
    st = statement(org_id, form.period.data, actor=current_user)
    org = db.session.get(Organisation, st["org_id"])
    filename = f"{_('对账单')}-{org.name if org else st['org_id']}-{st['period']}"
    if st["period"] and fmt == "csv":
        return Response(statement_csv(st["rows"]), mimetype="text/csv",
                        headers={"Content-Disposition": attachment(f"{filename}.csv")})
    if st["period"] and fmt == "xlsx":
        return Response(statement_xlsx(st["rows"], st["period"]),
                        headers={"Content-Disposition": attachment(f"{filename}.xlsx")},
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if org is not None and not form.org.data:
        form.org.data = org.name
    if st["period"] and not form.period.data:
        form.period.data = st["period"]
    page.update(rows=st["rows"], totals=statement_totals_of(st["rows"]), org_id=st["org_id"], period=st["period"],
                org=org)
    return render_template("subsidy/statement.html", **page)


@bp.route("/organisations.json")
@login_required
def organisation_choices():
    """Finance's organisation chooser: {items: [{id, name, city, value}]} whose name contains ?q=."""
    return jsonify({"items": organisation_choices_of(request.args.get("q"), actor=current_user)})
