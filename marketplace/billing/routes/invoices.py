"""发票 pages: the payer requests an invoice for a paid bill and downloads it; finance records the
issued invoice (number, date, PDF) and red-letter records."""
import io

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from pydantic import ValidationError

from ...core.errors import Invalid
from ...core.pagination import page_args
from ...core.permissions import require_role
from ...core.schema import invalid_from
from ...core.uow import unit_of_work
from ...uploads import services as uploads
from ..forms import InvoiceForm, IssueInvoiceForm, RedInvoiceForm
from ..services import bills, invoices
from ..services.invoice_pdf import invoice_pdf
from ..states import INVOICE_KINDS, INVOICE_STATUSES
from . import bp


@bp.route("/bills/<int:bill_id>/invoice", methods=["POST"])
@login_required
def request_invoice(bill_id):
    b = bills.get_bill(bill_id, actor=current_user)
    form = InvoiceForm()
    with unit_of_work(form) as work:
        if not form.validate_on_submit():
            raise Invalid(_("请检查发票信息"), {k: list(v) for k, v in form.errors.items()})
        try:
            data = form.payload(b.id)
        except ValidationError as err:
            raise invalid_from(err) from None
        inv = invoices.request_invoice(data, actor=current_user)
    if work.committed:
        flash(_("发票申请已提交，开具后可在此下载"), "success")
        return redirect(url_for("billing.invoice", invoice_id=inv.id))
    from . import _bill_page
    return _bill_page(bills.get_bill(bill_id, actor=current_user), invoice_form=form, status=work.error.status)


@bp.route("/deals/<int:deal_id>/instalments/<int:seq>/invoice", methods=["GET", "POST"])
@login_required
def instalment_invoice(deal_id, seq):
    """The buyer requests a 发票 for a deal instalment whose money arrived (held or released)."""
    from ...trading import services as trading
    from ...trading.services.supervision import get_instalment
    deal = trading.get_deal(deal_id, actor=current_user)
    inst = get_instalment(deal, seq)
    form = InvoiceForm()
    status = 200
    if request.method == "POST":
        with unit_of_work(form) as work:
            if not form.validate_on_submit():
                raise Invalid(_("请检查发票信息"), {k: list(v) for k, v in form.errors.items()})
            try:
                data = form.payload(instalment_id=inst.id)
            except ValidationError as err:
                raise invalid_from(err) from None
            inv = invoices.request_invoice(data, actor=current_user)
        if work.committed:
            flash(_("发票申请已提交，开具后可在此下载"), "success")
            return redirect(url_for("billing.invoice", invoice_id=inv.id))
        status = work.error.status
        deal = trading.get_deal(deal_id, actor=current_user)
        inst = get_instalment(deal, seq)
    return render_template("billing/instalment_invoice.html", deal=deal, inst=inst, form=form,
                           invoice=invoices.invoice_for_instalment(inst.id),
                           payer=current_user.is_member_of(deal.buyer_org_id)), status


@bp.route("/invoices", endpoint="invoices")
@login_required
def invoices_page():
    status = request.args.get("status") or None
    if status not in (None, *INVOICE_STATUSES):
        status = None
    page, per_page = page_args(request.args)
    pagination = invoices.invoices_of(actor=current_user, status=status, page=page, per_page=per_page)
    return render_template("billing/invoices.html", pagination=pagination, items=pagination.items, status=status,
                           STATUSES=INVOICE_STATUSES, KINDS=INVOICE_KINDS, is_finance=current_user.has_role("finance"))



def _invoice_page(inv, issue_form=None, red_form=None, status=200):
    return render_template("billing/invoice.html", inv=inv, STATUSES=INVOICE_STATUSES, KINDS=INVOICE_KINDS,
                           is_finance=current_user.has_role("finance"), issue_form=issue_form or IssueInvoiceForm(),
                           red_form=red_form or RedInvoiceForm(prefix="red")), status


@bp.route("/invoices/<int:invoice_id>")
@login_required
def invoice(invoice_id):
    return _invoice_page(invoices.get_invoice(invoice_id, actor=current_user))


@bp.route("/invoices/<int:invoice_id>/issue", methods=["POST"])
@login_required
def issue_invoice(invoice_id):
    require_role(current_user, "finance")
    inv = invoices.get_invoice(invoice_id, actor=current_user)
    form = IssueInvoiceForm()
    with unit_of_work(form) as work:
        if not form.validate_on_submit():
            raise Invalid(_("请检查发票信息"), {k: list(v) for k, v in form.errors.items()})
        doc_id = None
        if form.file.data and getattr(form.file.data, "filename", ""):
            doc_id = uploads.store_upload(form.file.data.stream, form.file.data.filename, actor=current_user,
                                          field="file").id
        invoices.issue_invoice(inv, number=form.number.data.strip(), issued_on=form.issued_on.data,
                               document_id=doc_id, actor=current_user)
    if work.committed:
        flash(_("已登记开具的发票"), "success")
        return redirect(url_for("billing.invoice", invoice_id=invoice_id))
    return _invoice_page(invoices.get_invoice(invoice_id, actor=current_user), issue_form=form, status=work.error.status)


@bp.route("/invoices/<int:invoice_id>/red", methods=["POST"])
@login_required
def red_invoice(invoice_id):
    require_role(current_user, "finance")
    inv = invoices.get_invoice(invoice_id, actor=current_user)
    form = RedInvoiceForm(prefix="red")
    with unit_of_work(form) as work:
        if not form.validate_on_submit():
            raise Invalid(_("请检查红字发票信息"), {k: list(v) for k, v in form.errors.items()})
        invoices.reverse_invoice(inv, number=form.number.data.strip(), issued_on=form.issued_on.data,
                                 reason=form.reason.data.strip(), actor=current_user)
    if work.committed:
        flash(_("已登记红字发票"), "success")
        return redirect(url_for("billing.invoice", invoice_id=invoice_id))
    return _invoice_page(invoices.get_invoice(invoice_id, actor=current_user), red_form=form, status=work.error.status)


@bp.route("/invoices/<int:invoice_id>/pdf")
@login_required
def invoice_file(invoice_id):
    """The issued invoice: the PDF finance uploaded, else one generated from the record."""
    inv = invoices.get_invoice(invoice_id, actor=current_user)
    if inv.status == "requested":
        return _invoice_page(inv, status=404)
    if inv.document_id:
        upload = uploads.get_upload(inv.document_id, actor=current_user)
        path, stream = uploads.open_upload(upload)  # a local path, or the bytes from object storage
        return send_file(path or stream, mimetype="application/pdf", as_attachment=True,
                         download_name=f"invoice-{inv.number}.pdf")
    data = invoice_pdf(inv, current_app.config["BILLING_ACCOUNT_NAME"])
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=f"invoice-{inv.number}.pdf")
