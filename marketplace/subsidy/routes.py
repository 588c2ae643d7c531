"""Subsidy pages: programmes (admin), finance dashboard, settlement, ledger, statements."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.errors import Conflict, DomainError, Forbidden, Invalid
from ..core.money import format_fen
from ..core.permissions import require_role
from ..core.web import flash_error
from ..extensions import db
from .. import ledger
from . import services
from . import payouts as payout_service
from .forms import GradeForm, ProgrammeForm, SettleForm, StatementForm, to_fen
from .models import GRADES, Settlement
from .settlement import (settle_period, statement_csv, statement_period, statement_rows,
                         statement_xlsx)

bp = Blueprint("subsidy", __name__, url_prefix="/subsidy")


def _require_finance():
    require_role(current_user, "finance")


@bp.route("/")
@login_required
def dashboard():
    """Finance dashboard: this year's programme (budget, reserved, committed, remaining, by city
    and by organisation), or the list of programmes when there is none."""
    _require_finance()
    from ..core.timeutil import to_local, utcnow
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
        try:
            prog = services.create_programme(current_user, name=form.name.data, year=form.year.data,
                                             budget=to_fen(form.budget.data), **form.rules_data())
            db.session.commit()
            flash(_("补贴计划已创建"), "success")
            return redirect(url_for("subsidy.programme", programme_id=prog.id))
        except DomainError as err:
            db.session.rollback()
            flash_error(err, form)
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
        try:
            services.update_programme(prog, current_user, name=form.name.data, active=form.active.data,
                                      budget=to_fen(form.budget.data), **form.rules_data())
            db.session.commit()
            flash(_("补贴计划已保存"), "success")
            return redirect(url_for("subsidy.programme", programme_id=prog.id))
        except DomainError as err:
            db.session.rollback()
            flash_error(err, form)
    return render_template("subsidy/programme_form.html", form=form, prog=prog)


@bp.route("/programmes/<int:programme_id>")
@login_required
def programme(programme_id):
    _require_finance()
    prog = services.get_programme(programme_id)
    settlements = db.session.scalars(db.select(Settlement).where(Settlement.programme_id == prog.id)
                                     .order_by(Settlement.period)).all()
    return render_template("subsidy/programme.html", prog=prog, dash=services.dashboard(prog),
                           grades=services.grades(prog), settlements=settlements, GRADES=GRADES,
                           grade_form=GradeForm(), settle_form=SettleForm())


@bp.route("/programmes/<int:programme_id>/grades", methods=["POST"])
@login_required
def set_grade(programme_id):
    prog = services.get_programme(programme_id)
    form = GradeForm()
    try:
        if not form.validate_on_submit():
            raise Invalid("评价等级有误 / invalid grade", {k: list(v) for k, v in form.errors.items()})
        services.set_grade(prog, form.org_id.data, form.grade.data, current_user)
        db.session.commit()
        flash(_("评价等级已保存"), "success")
    except DomainError as err:
        db.session.rollback()
        flash_error(err)
    return redirect(url_for("subsidy.programme", programme_id=prog.id))


@bp.route("/programmes/<int:programme_id>/settle", methods=["POST"])
@login_required
def settle(programme_id):
    prog = services.get_programme(programme_id)
    form = SettleForm()
    try:
        if not form.validate_on_submit():
            raise Invalid.field("period", "请填写结算期间 / give the period")
        s, created = settle_period(prog, form.period.data, current_user)
        db.session.commit()
        flash(_("结算完成") if created else _("该期间已结算，未作改动"), "success")
        return redirect(url_for("subsidy.settlement", settlement_id=s.id))
    except DomainError as err:
        db.session.rollback()
        flash_error(err)
    return redirect(url_for("subsidy.programme", programme_id=prog.id))


@bp.route("/settlements/<int:settlement_id>")
@login_required
def settlement(settlement_id):
    _require_finance()
    s = db.get_or_404(Settlement, settlement_id)
    return render_template("subsidy/settlement.html", s=s)


@bp.route("/payouts")
@login_required
def payouts():
    """What each managing unit is owed (service income and settled subsidy), with a pay button."""
    _require_finance()
    return render_template("subsidy/payouts.html", rows=payout_service.amounts_owed())


@bp.route("/payouts/<int:org_id>", methods=["POST"])
@login_required
def pay_out(org_id):
    _require_finance()
    reference = (request.form.get("reference") or "").strip()[:100]
    try:
        paid = payout_service.pay_out(org_id, current_user, reference)
    except Conflict as err:
        db.session.rollback()
        flash_error(err)
        return redirect(url_for("subsidy.payouts"))
    db.session.commit()
    flash(_("已记录向 %(name)s 付款 %(amount)s", name=paid["name"], amount=format_fen(paid["total"])), "success")
    return redirect(url_for("subsidy.payouts"))


@bp.route("/ledger")
@login_required
def trial_balance():
    _require_finance()
    return render_template("subsidy/trial_balance.html", tb=ledger.trial_balance(),
                           account_name=ledger.account_name)


@bp.route("/statements")
@login_required
def statements():
    """Statement of an organisation for a period; finance sees any, members their own."""
    form = StatementForm(request.args)
    org_id = form.org_id.data if form.validate() and form.org_id.data else current_user.organisation_id
    if org_id is None:
        raise Invalid.field("org_id", "请选择单位 / choose an organisation")
    if not (current_user.has_role("finance") or current_user.is_member_of(org_id)):
        raise Forbidden("只能查看本单位的对账单 / you may see only your organisation's statements")
    resolved = statement_period(form.period.data)
    if resolved is None:
        return render_template("subsidy/statement.html", form=form, rows=[], org_id=org_id, period=None)
    name, start, end = resolved
    rows = statement_rows(org_id, start, end)
    fmt = request.args.get("format")
    filename = f"statement-{org_id}-{name}"
    if fmt == "csv":
        return Response(statement_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={filename}.csv"})
    if fmt == "xlsx":
        return Response(statement_xlsx(rows, name), headers={"Content-Disposition": f"attachment; filename={filename}.xlsx"},
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return render_template("subsidy/statement.html", form=form, rows=rows, org_id=org_id, period=name)

