"""Subsidy pages: programmes (admin), finance dashboard, settlement, payouts, ledger, statements.
Every form post is one unit of work; the rules (who may see a statement, ...) are in the services."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import ledger
from ..core.errors import Invalid
from ..core.money import format_fen
from ..core.permissions import require_role
from ..core.timeutil import to_local, utcnow
from ..core.uow import unit_of_work
from ..extensions import db
from . import payouts as payout_service
from . import services
from .forms import GradeForm, ProgrammeForm, SettleForm, StatementForm, to_fen
from .models import Settlement
from .settlement import settle_period
from .statements import attachment, row_status_label, statement, statement_csv, statement_xlsx
from .states import grade_label

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
    prog = services.get_programme(programme_id)
    form = SettleForm()
    with unit_of_work() as work:
        if not form.validate_on_submit():
            raise Invalid.field("period", _("请填写结算期间"))
        s, created = settle_period(prog, form.period.data, actor=current_user)
    if work.committed:
        flash(_("结算完成") if created else _("该期间已结算，未作改动"), "success")
        return redirect(url_for("subsidy.settlement", settlement_id=s.id))
    return redirect(url_for("subsidy.programme", programme_id=programme_id))


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
    with unit_of_work() as work:
        paid = payout_service.pay_out(org_id, reference, actor=current_user)
    if work.committed:
        flash(_("已记录向 %(name)s 付款 %(amount)s", name=paid["name"], amount=format_fen(paid["total"])),
              "success")
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
    org_id = form.org_id.data if form.validate() and form.org_id.data else None
    st = statement(org_id, form.period.data, actor=current_user)
    fmt = request.args.get("format")
    from ..accounts.models import Organisation
    org = db.session.get(Organisation, st["org_id"])
    filename = f"{_('对账单')}-{org.name if org else st['org_id']}-{st['period']}"
    if st["period"] and fmt == "csv":
        return Response(statement_csv(st["rows"]), mimetype="text/csv",
                        headers={"Content-Disposition": attachment(f"{filename}.csv")})
    if st["period"] and fmt == "xlsx":
        return Response(statement_xlsx(st["rows"], st["period"]),
                        headers={"Content-Disposition": attachment(f"{filename}.xlsx")},
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return render_template("subsidy/statement.html", form=form, rows=st["rows"], org_id=st["org_id"],
                           period=st["period"], status_label=row_status_label)
