"""Bills for the paying organisation (list, detail, transfer instructions, card), and finance's pages:
closing a month, importing bank statements, the queue of transfers that did not match."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...core.errors import Invalid
from ...core.money import format_fen
from ...core.pagination import page_args
from ...core.permissions import require_role
from ...core.uow import unit_of_work
from ...extensions import csrf
from ...payments import services as payments
from ...payments.card_page import post_card, render_card_page
from ...payments.forms import CardTokenForm
from ..forms import AssignForm, CancelBillForm, CloseMonthForm, ReturnForm, StatementForm
from ..services import bank, bills
from ..services.purpose import card_refusal
from ..states import BANK_LINE_STATUSES, BILL_STATUSES, QUEUE_REASONS

bp = Blueprint("billing", __name__, url_prefix="/billing")


def to_pay_panel():
    """The 待付款 view of "my bookings" starts with the organisation's bills (core.nav panel)."""
    if not current_user.is_authenticated or current_user.organisation_id is None:
        return {"owed": None, "bills": []}
    owed = bills.owed_by(current_user.organisation_id)
    unpaid = bills.bills_of(actor=current_user, page=1, per_page=5).items if owed.bills else []
    return {"owed": owed, "bills": [b for b in unpaid if b.status in ("open", "overdue")]}


@bp.route("/bills", endpoint="bills")
@login_required
def bills_page():
    status = request.args.get("status") or None
    if status not in (None, *BILL_STATUSES):
        status = None
    page, per_page = page_args(request.args)
    pagination = bills.bills_of(actor=current_user, status=status, page=page, per_page=per_page)
    owed = bills.owed_by(current_user.organisation_id) if not current_user.has_role("finance") else None
    return render_template("billing/bills.html", pagination=pagination, items=pagination.items, status=status,
                           owed=owed, STATUSES=BILL_STATUSES, close_form=CloseMonthForm(),
                           is_finance=current_user.has_role("finance"))



@bp.route("/close", methods=["POST"])
@login_required
def close():
    """Finance closes a month by hand (the scheduler does it on the 1st; a second close adds nothing)."""
    require_role(current_user, "finance")
    form = CloseMonthForm()
    with unit_of_work(form) as work:
        if not form.validate_on_submit():
            raise Invalid(_("请填写账期"), {k: list(v) for k, v in form.errors.items()})
        report = bills.close_month(form.month.data.strip(), actor=current_user)
        made, total, skipped = len(report.bills), report.total, report.skipped
    if work.committed:
        flash(_("%(period)s：新出账 %(n)s 张，合计 %(total)s；已出账单位 %(skipped)s 家未变",
                period=report.period, n=made, total=format_fen(total), skipped=skipped), "success")
    return redirect(url_for("billing.bills"))


@bp.route("/bills/<int:bill_id>")
@login_required
def bill(bill_id):
    b = bills.get_bill(bill_id, actor=current_user)
    return _bill_page(b)


def _bill_page(b, cancel_form=None, invoice_form=None, status=200):
    from ..forms import InvoiceForm
    from ..services.invoices import identity as invoices_identity
    from ..services.invoices import invoice_for_bill
    payer = current_user.is_member_of(b.org_id)
    if invoice_form is None:
        invoice_form = InvoiceForm()
        ident = invoices_identity(b.org_id)
        invoice_form.title.data = ident.legal_name if ident else b.org.name
        invoice_form.tax_number.data = ident.uscc if ident else (b.org.credit_code or "")
    return render_template(
        "billing/bill.html", b=b, owed=b.total - b.paid_amount, transfer=bills.transfer_instructions(b),
        card_refusal=card_refusal(b) if b.status in ("open", "overdue") else None, payer=payer,
        is_finance=current_user.has_role("finance"), attempts=payments.payments_of(b),
        bank_lines=bank.lines_of_bill(b.id), cancel_form=cancel_form or CancelBillForm(),
        invoice=invoice_for_bill(b.id), invoice_form=invoice_form), status


@bp.route("/bills/<int:bill_id>/cancel", methods=["POST"])
@login_required
def cancel(bill_id):
    b = bills.get_bill(bill_id, actor=current_user)
    form = CancelBillForm()
    with unit_of_work(form) as work:
        if not form.validate_on_submit():
            raise Invalid(_("请填写作废原因"), {k: list(v) for k, v in form.errors.items()})
        bills.cancel_bill(b, form.reason.data, actor=current_user)
    if work.committed:
        flash(_("对账单已作废，其中的预约将计入下次出账"), "success")
        return redirect(url_for("billing.bill", bill_id=bill_id))
    return _bill_page(bills.get_bill(bill_id, actor=current_user), cancel_form=form, status=work.error.status)


@bp.route("/bills/<int:bill_id>/card", methods=["GET", "POST"])
@login_required
def card(bill_id):
    """Pay a bill by card: the gateway's own script takes the card in the browser and hands the
    platform only the card's id, which the payment engine confirms (the number never reaches us)."""
    b = bills.get_bill(bill_id, actor=current_user)
    form = CardTokenForm()
    status = 200
    if request.method == "POST":
        work, payment = post_card(form, lambda card: payments.pay_with_payment_method(
            b, actor=current_user, payment_method=card))
        if work.committed:
            if payment is None or payment.status == "succeeded":
                flash(_("付款成功，对账单已付清"), "success")
            else:
                flash(_("付款处理中，结果确认后将自动结算"), "info")
            return redirect(url_for("billing.bill", bill_id=bill_id))
        status = work.error.status
        b = bills.get_bill(bill_id, actor=current_user)
    return render_card_page(
        "billing/card.html", status, b=b, form=form, owed=b.total - b.paid_amount,
        card_refusal=card_refusal(b) if b.status in ("open", "overdue") else _("该对账单无需付款"),
        payer=current_user.is_member_of(b.org_id))


# -- finance: bank statements and the queue --------------------------------------------------------

@bp.route("/bank", methods=["GET", "POST"], endpoint="bank")
@csrf.exempt  # the form checks its own CSRF token; the global check would answer an oversized file with a bare 413
@login_required
def bank_page():
    require_role(current_user, "finance")
    limit = int(current_app.config["BANK_STATEMENT_MAX_BYTES"])
    # A file over the limit is refused before its body is read (the form is not even parsed).
    too_large = request.method == "POST" and (request.content_length or 0) > limit + 64 * 1024
    form = StatementForm(formdata=None) if too_large else StatementForm()
    status_code = 200
    report = None
    if request.method == "POST":
        with unit_of_work(form) as work:
            if too_large:
                raise Invalid.field("file", _("文件过大（上限 %(mb)s MB）", mb=limit // (1024 * 1024)))
            if not form.validate_on_submit():
                raise Invalid(_("请选择对账单文件"), {k: list(v) for k, v in form.errors.items()})
            upload = form.file.data
            report = bank.import_statement(upload.read(), filename=upload.filename or "", fmt=form.format.data or None,
                                           actor=current_user)
        if work.committed:
            if report.already_imported:
                flash(_("该文件已导入过，没有任何变化（%(n)s 笔）", n=report.lines), "info")
            else:
                flash(_("已导入 %(lines)s 笔：自动核销 %(matched)s，待处理 %(queued)s，重复 %(dup)s",
                        lines=report.lines, matched=report.matched, queued=report.queued, dup=report.duplicates),
                      "success")
            return redirect(url_for("billing.bank"))
        status_code = work.error.status
    status = request.args.get("status", "unmatched")
    if status not in BANK_LINE_STATUSES:
        status = "unmatched"
    page, per_page = page_args(request.args)
    pagination = bank.lines(actor=current_user, status=status, page=page, per_page=per_page)
    return render_template("billing/bank.html", form=form, pagination=pagination, items=pagination.items,
                           status=status, STATUSES=BANK_LINE_STATUSES, REASONS=QUEUE_REASONS), status_code



@bp.route("/bank/lines/<int:line_id>", methods=["GET", "POST"])
@login_required
def bank_line(line_id):
    """One waiting transfer: assign it to what a remittance code pays (a bill, an instalment, a deposit) or return it."""
    line = bank.get_line(line_id, actor=current_user)
    assign_form, return_form = AssignForm(prefix="a"), ReturnForm(prefix="r")
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        form = assign_form if action == "assign" else return_form
        with unit_of_work(form) as work:
            if action not in ("assign", "return") or not form.validate_on_submit():
                raise Invalid(_("请检查填写的内容"), {k: list(v) for k, v in form.errors.items()})
            if action == "assign":
                ref = form.bill.data.strip()
                bank.assign_line(line, int(ref) if ref.isdigit() else ref, actor=current_user, note=form.note.data or "")
            else:
                bank.return_line(line, form.note.data, actor=current_user)
        if work.committed:
            flash(_("已核销") if action == "assign" else _("已标记为退回"), "success")
            return redirect(url_for("billing.bank"))
        status = work.error.status
        line = bank.get_line(line_id, actor=current_user)
    return render_template("billing/bank_line.html", line=line, assign_form=assign_form, return_form=return_form,
                           REASONS=QUEUE_REASONS, STATUSES=BANK_LINE_STATUSES), status
