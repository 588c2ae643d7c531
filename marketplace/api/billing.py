"""Monthly bills, bank statements and the finance queue of unmatched transfers."""
from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from ..billing.schemas import (
    AssignIn,
    BankLineOut,
    BankLinePage,
    BankLineQuery,
    BillOut,
    BillPage,
    BillPayIn,
    BillPayOut,
    BillQuery,
    InvoiceIn,
    InvoiceIssueIn,
    InvoiceOut,
    InvoiceRedIn,
    ReturnIn,
    StatementImportOut,
)
from ..billing.services import bank, bills, invoices
from ..core.errors import Invalid
from ..core.permissions import require_login
from ..payments import services as payments
from .common import api_actor
from .spec import endpoint

MULTIPART_OVERHEAD = 64 * 1024


@endpoint("/bills", query=BillQuery, answer=BillPage, errors=(401, 403, 422), tags=["billing"])
def list_bills(query: BillQuery):
    """The caller's organisation's bills (finance: everyone's), overdue and open first."""
    actor = require_login(api_actor())
    pages = bills.bills_of(actor=actor, status=query.status, page=query.page, per_page=query.per_page)
    return BillPage(items=[BillOut.model_validate(b) for b in pages.items], total=pages.total, page=query.page,
                    per_page=query.per_page)


@endpoint("/bills/<int:id>", answer=BillOut, errors=(401, 403, 404), tags=["billing"])
def get_bill(id):
    return BillOut.model_validate(bills.get_bill(id, actor=require_login(api_actor())))


@endpoint("/bills/<int:id>/pay", "POST", body=BillPayIn, answer=BillPayOut, errors=(401, 403, 404, 409, 422, 503),
          tags=["billing"])
def pay_bill(id, json: BillPayIn):
    """Pay a bill by card through the gateway: the bill plus the PaymentIntent and its client_secret
    (or, with `payment_method`, the confirmed outcome). 422 when the bill is above the card ceiling
    (¥999,999.99): pay it by bank transfer with its remittance code."""
    actor = require_login(api_actor())
    bill = bills.get_bill(id, actor=actor)
    if json.payment_method:
        payment = payments.pay_with_payment_method(bill, actor=actor, payment_method=json.payment_method)
    else:
        bill, payment = payments.start_payment(bill, actor=actor)
    bill = bills.get_bill(id, actor=actor)
    return BillPayOut(**BillOut.model_validate(bill).model_dump(),
                      payment_intent=payment.payment_intent_id if payment else None,
                      client_secret=payment.client_secret if payment and payment.status != "succeeded" else None)


@endpoint("/bank-statements", "POST", answer=StatementImportOut, status=201, errors=(401, 403, 422),
          tags=["billing"])
def import_bank_statement():
    """Finance imports a statement (multipart `file`, `format` ∈ csv|camt053, guessed when absent).
    The same file again changes nothing; a bad file is refused with the line at fault."""
    actor = require_login(api_actor())
    from flask import current_app
    request.max_content_length = int(current_app.config["BANK_STATEMENT_MAX_BYTES"]) + MULTIPART_OVERHEAD
    try:
        file = request.files.get("file")
        fmt = request.form.get("format") or None
    except RequestEntityTooLarge:
        raise Invalid.field("file", _("文件过大（上限 %(mb)s MB）",
                                      mb=int(current_app.config["BANK_STATEMENT_MAX_BYTES"]) // (1024 * 1024))) from None
    if file is None:
        raise Invalid.field("file", _("请选择对账单文件（字段 file）"))
    report = bank.import_statement(file.read(), filename=file.filename or "", fmt=fmt, actor=actor)
    return StatementImportOut.model_validate(report), 201


@endpoint("/bank-lines", query=BankLineQuery, answer=BankLinePage, errors=(401, 403, 422), tags=["billing"])
def list_bank_lines(query: BankLineQuery):
    """Finance: statement lines by status (default: those waiting in the queue)."""
    actor = require_login(api_actor())
    pages = bank.lines(actor=actor, status=query.status, page=query.page, per_page=query.per_page)
    return BankLinePage(items=[BankLineOut.model_validate(x) for x in pages.items], total=pages.total,
                        page=query.page, per_page=query.per_page)


@endpoint("/bank-lines/<int:id>/assign", "POST", body=AssignIn, answer=BankLineOut, errors=(401, 403, 404, 409, 422),
          tags=["billing"])
def assign_bank_line(id, json: AssignIn):
    """Finance applies a waiting transfer to a bill (`bill_id`), or by `remittance_code` to whatever the code
    pays: a bill (a short amount counts towards it), a deal instalment or an auction deposit (exactly)."""
    actor = require_login(api_actor())
    line = bank.get_line(id, actor=actor)
    ref = json.bill_id if json.bill_id is not None else json.remittance_code
    return BankLineOut.model_validate(bank.assign_line(line, ref, actor=actor, note=json.note))


@endpoint("/bank-lines/<int:id>/return", "POST", body=ReturnIn, answer=BankLineOut, errors=(401, 403, 404, 409, 422),
          tags=["billing"])
def return_bank_line(id, json: ReturnIn):
    """Finance returns a waiting transfer to its payer (the reason is recorded)."""
    actor = require_login(api_actor())
    return BankLineOut.model_validate(bank.return_line(bank.get_line(id, actor=actor), json.note, actor=actor))


# -- 发票 -------------------------------------------------------------------------------------------

@endpoint("/invoices", "POST", body=InvoiceIn, answer=InvoiceOut, status=201, errors=(401, 403, 409, 422),
          tags=["billing"])
def create_invoice(json: InvoiceIn):
    """Ask for a 发票 for a paid bill or a paid deal instalment (one of `bill_id`, `instalment_id`): the
    amount is what was paid; `tax_number` is the buyer's USCC; 专票 (`special`) needs `address_phone` and
    `bank_account`. 409 when it is already invoiced (until a red-letter record)."""
    return InvoiceOut.model_validate(invoices.request_invoice(json, actor=require_login(api_actor()))), 201


@endpoint("/invoices/<int:id>", answer=InvoiceOut, errors=(401, 403, 404), tags=["billing"])
def get_invoice(id):
    return InvoiceOut.model_validate(invoices.get_invoice(id, actor=require_login(api_actor())))


@endpoint("/invoices/<int:id>/issue", "POST", body=InvoiceIssueIn, answer=InvoiceOut,
          errors=(401, 403, 404, 409, 422), tags=["billing"])
def issue_invoice(id, json: InvoiceIssueIn):
    """Finance records the invoice it issued: `number`, `issued_on` (not in the future), `document_id` (a PDF)."""
    actor = require_login(api_actor())
    inv = invoices.get_invoice(id, actor=actor)
    return InvoiceOut.model_validate(invoices.issue_invoice(inv, number=json.number, issued_on=json.issued_on,
                                                            document_id=json.document_id, actor=actor))


@endpoint("/invoices/<int:id>/red", "POST", body=InvoiceRedIn, answer=InvoiceOut, errors=(401, 403, 404, 409, 422),
          tags=["billing"])
def red_invoice(id, json: InvoiceRedIn):
    """Finance records the red-letter (红字) invoice cancelling an issued one (after a refund)."""
    actor = require_login(api_actor())
    inv = invoices.get_invoice(id, actor=actor)
    return InvoiceOut.model_validate(invoices.reverse_invoice(inv, number=json.number, issued_on=json.issued_on,
                                                              reason=json.reason, actor=actor))
