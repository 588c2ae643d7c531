"""发票: requests for paid bills and paid deal instalments, the invoice finance issues, the red-letter
(红字) record after a refund. The amount is what was paid, and one live invoice per thing paid (a
partial unique index), so never more is invoiced than paid."""
import re
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ...core.db import find
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.permissions import require_login, require_role
from ...core.schema import Id, text, validated
from ...extensions import db
from ...trading.models import DealInstalment
from ...uploads import services as uploads
from ..models import Bill, Invoice
from ..states import INVOICE
from .bills import today_local

_NUMBER = re.compile(r"\d{8}|\d{20}")


def _target(data, *, actor):
    """(org_id, bill, instalment, amount paid) of what the invoice is for; the actor must be its payer."""
    if (data.bill_id is None) == (data.instalment_id is None):
        raise Invalid.field("bill_id", _("请指定一张对账单或一期交易款（二选一）"))
    if data.bill_id is not None:
        bill = db.session.get(Bill, data.bill_id)
        if bill is None:
            raise Invalid.field("bill_id", _("对账单不存在"))
        if not actor.is_member_of(bill.org_id):
            raise Forbidden(_("只能为本单位付清的款项申请发票"))
        if bill.status != "paid" or bill.total == 0:
            raise Invalid.field("bill_id", _("对账单付清后才能申请发票"))
        return bill.org_id, bill, None, bill.total
    inst = db.session.get(DealInstalment, data.instalment_id)
    if inst is None:
        raise Invalid.field("instalment_id", _("该分期不存在"))
    if not actor.is_member_of(inst.deal.buyer_org_id):
        raise Forbidden(_("只能为本单位付清的款项申请发票"))
    if inst.status not in ("held", "released"):  # its money arrived (a refunded one is not invoiced)
        raise Invalid.field("instalment_id", _("该期付款后才能申请发票"))
    return inst.deal.buyer_org_id, None, inst, inst.amount


def request_invoice(data, *, actor) -> Invoice:
    """The payer asks for a 普票 or 专票 for a paid bill or instalment."""
    require_login(actor)
    org_id, bill, inst, paid = _target(data, actor=actor)
    tax_number = data.tax_number  # InvoiceIn's Uscc: check character verified, in its canonical form
    ident = identity(org_id)
    if ident is not None and ident.uscc != tax_number:
        raise Invalid.field("tax_number", _("纳税人识别号应为本单位已认证的统一社会信用代码 %(uscc)s", uscc=ident.uscc))
    errors = {}
    if data.kind == "special":
        if not data.address_phone:
            errors["address_phone"] = [_("专用发票须填写地址、电话")]
        if not data.bank_account:
            errors["bank_account"] = [_("专用发票须填写开户行及账号")]
    if errors:
        raise Invalid(_("专用发票信息不完整"), errors)
    invoice = Invoice(org_id=org_id, bill_id=getattr(bill, "id", None), instalment_id=getattr(inst, "id", None),
                      kind=data.kind, title=data.title, tax_number=tax_number,
                      address_phone=data.address_phone or None, bank_account=data.bank_account or None,
                      amount=paid, status="requested", requested_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(invoice)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("该款项已申请过发票（红冲后才能重新申请）")) from None
    from ...core.audit import record
    record("invoice", invoice.id, "request", actor=actor, to_state="requested", comment=f"{data.kind} {paid}")
    return invoice


def identity(org_id: int):
    """The organisation's verified identity (USCC, legal name), if it has one."""
    from ...verification.models import OrganisationIdentity
    return db.session.get(OrganisationIdentity, org_id)


def may_see(invoice: Invoice, *, actor) -> bool:
    return bool(actor and getattr(actor, "is_authenticated", False)
                and (actor.is_member_of(invoice.org_id) or actor.has_role("finance")))


def get_invoice(invoice_id, *, actor) -> Invoice:
    require_login(actor)
    inv = find(Invoice, invoice_id)
    if inv is None:
        raise NotFound(_("发票不存在"))
    if not may_see(inv, actor=actor):
        raise Forbidden(_("只能查看本单位的发票"))
    return inv


def invoices_of(*, actor, status=None, page=1, per_page=20):
    """The actor's organisation's invoices (finance: everyone's, requests first)."""
    require_login(actor)
    q = sa.select(Invoice)
    if not actor.has_role("finance"):
        if actor.organisation_id is None:
            raise Forbidden(_("只有单位成员可以申请发票"))
        q = q.where(Invoice.org_id == actor.organisation_id)
    if status:
        q = q.where(Invoice.status == status)
    first = sa.case((Invoice.status == "requested", 0), else_=1)
    return db.paginate(q.order_by(first, Invoice.id.desc()), page=page, per_page=per_page, error_out=False)


def invoice_for_instalment(instalment_id: int) -> Invoice | None:
    return db.session.scalar(sa.select(Invoice).where(Invoice.instalment_id == instalment_id)
                             .order_by(Invoice.id.desc()).limit(1))


def invoice_for_bill(bill_id: int) -> Invoice | None:
    return db.session.scalar(sa.select(Invoice).where(Invoice.bill_id == bill_id).order_by(Invoice.id.desc()).limit(1))


def _check_number_and_date(number: str, issued_on, field_prefix: str = "") -> dict:
    errors = {}
    if not _NUMBER.fullmatch(number or ""):
        errors[f"{field_prefix}number"] = [_("发票号码应为 8 位或 20 位数字")]
    if issued_on > today_local():
        errors[f"{field_prefix}issued_on"] = [_("开票日期不能晚于今天")]
    return errors


@validated
def issue_invoice(invoice: Invoice, *, number: text(30), issued_on: date, document_id: Id | None = None,
                  actor) -> Invoice:
    """Finance records the invoice it issued: number, date and (optionally) its PDF."""
    require_role(actor, "finance")
    errors = _check_number_and_date(number, issued_on)
    if errors:
        raise Invalid(_("发票信息有误"), errors)
    if document_id is not None:
        doc, = uploads.require_uploads([document_id], actor=actor, field="document_id")
        if doc.content_type != "application/pdf":
            raise Invalid.field("document_id", _("发票文件应为 PDF"))
    try:
        with db.session.begin_nested():
            INVOICE.apply(invoice, "issued", actor=actor, action="issue", comment=number, number=number,
                          issued_on=issued_on, document_id=document_id)
    except IntegrityError:
        raise Invalid.field("number", _("该发票号码已被使用")) from None
    return invoice


@validated
def reverse_invoice(invoice: Invoice, *, number: text(30), issued_on: date, reason: text(300, 1), actor) -> Invoice:
    """Finance records the red-letter (红字) invoice that cancels an issued one (after a refund); the
    payer may then ask again for what is still paid."""
    require_role(actor, "finance")
    errors = _check_number_and_date(number, issued_on)
    if invoice.issued_on and issued_on < invoice.issued_on:
        errors["issued_on"] = [_("红字发票日期不能早于原发票")]
    if errors:
        raise Invalid(_("红字发票信息有误"), errors)
    INVOICE.apply(invoice, "reversed", actor=actor, action="reverse", comment=reason, red_number=number,
                  red_issued_on=issued_on, red_reason=reason)
    return invoice


def can_read_document(upload, user) -> bool:
    """uploads' access rule: an invoice's PDF is read by the invoiced organisation's members."""
    if user is None or not getattr(user, "is_authenticated", False) or user.organisation_id is None:
        return False
    return db.session.scalar(sa.select(Invoice.id).where(Invoice.document_id == upload.id,
                                                         Invoice.org_id == user.organisation_id).limit(1)) is not None
