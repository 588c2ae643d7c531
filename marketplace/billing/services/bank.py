"""Importing bank statements and the finance queue of transfers that did not match a bill.

A credit whose 附言 carries a bill's remittance code and exactly what the bill owes settles it
(ledger: bank → the payer's receivable). Anything else — no code, a code of no unpaid bill, a short
or an excess amount, a 交易流水号 already seen — waits for finance, who assigns it to what a remittance code
pays — a bill (a short payment counts towards it), a deal instalment, an auction deposit — or returns it. The same file imported again changes nothing (its digest);
a line seen before in another file is a duplicate and is never applied twice.
"""
import hashlib
from dataclasses import dataclass
from typing import Annotated

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy.exc import IntegrityError

from ...core.db import find, is_id
from ...core.errors import Conflict, Invalid, NotFound
from ...core.money import format_fen
from ...core.permissions import require_role
from ...core.schema import Id, text, validated
from ...core.timeutil import utcnow
from ...extensions import db
from .. import remittance, rules, statements
from ..models import BankLine, BankStatement, Bill
from ..states import BANK_LINE
from .bills import receive_part, settle_bill

FORMATS = ("csv", "camt053")
PayeeRef = Id | text(12, 1)  # a bill's id, or the remittance code of a bill, an instalment or a deposit


def _error_text(code: str) -> str:
    return {
        "encoding": _("文件编码无法识别（应为 UTF-8 或 GBK）"),
        "header": _("找不到表头：应含 交易日期、交易流水号、对方户名、收入金额、摘要/附言 列"),
        "columns": _("列数不足"),
        "amount": _("收入金额无效"),
        "date": _("交易日期无效"),
        "transaction_id": _("缺少交易流水号"),
        "currency": _("币种不是人民币（CNY）"),
        "xml": _("不是有效的 XML"),
        "namespace": _("不是 camt.053 对账单（命名空间不符）"),
        "format": _("格式应为 csv 或 camt053"),
    }.get(code, code)


@dataclass
class ImportReport:
    lines: int = 0
    matched: int = 0
    queued: int = 0
    duplicates: int = 0
    already_imported: bool = False


@validated
def import_statement(data: Annotated[bytes, Field(strict=True)], *, filename: text(500), fmt: str | None, actor,
                     system: bool = False) -> ImportReport:
    """Import one statement file (finance; `system` for the command line). Raises Invalid naming the
    line of a bad file, and then nothing changes."""
    if not system:
        require_role(actor, "finance")
    if fmt not in (None, "", *FORMATS):
        raise Invalid.field("format", _error_text("format"))
    if not data:
        raise Invalid.field("file", _("请选择对账单文件"))
    limit = int(current_app.config.get("BANK_STATEMENT_MAX_BYTES", 5 * 1024 * 1024))
    if len(data) > limit:
        raise Invalid.field("file", _("文件过大（上限 %(mb)s MB）", mb=limit // (1024 * 1024)))
    try:
        fmt, parsed = statements.parse(data, fmt or None)
    except statements.StatementError as err:
        where = _("第 %(n)s 行：", n=err.row) if err.row else ""
        raise Invalid.field("file", where + _error_text(err.message)) from None
    digest = hashlib.sha256(data).hexdigest()
    if db.session.scalar(sa.select(BankStatement.id).where(BankStatement.sha256 == digest)) is not None:
        return ImportReport(lines=len(parsed), duplicates=len(parsed), already_imported=True)
    statement = BankStatement(filename=(filename or "statement")[:200], format=fmt, sha256=digest,
                              lines_count=len(parsed), imported_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(statement)
            db.session.flush()
    except IntegrityError:  # the same file imported by someone else at this moment
        return ImportReport(lines=len(parsed), duplicates=len(parsed), already_imported=True)
    report = ImportReport(lines=len(parsed))
    for item in parsed:
        outcome = _apply(statement, item, actor=actor)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _apply(statement, item: statements.StatementLine, *, actor) -> str:
    first = db.session.scalar(sa.select(BankLine).where(BankLine.transaction_id == item.transaction_id,
                                                        BankLine.duplicate_of_id.is_(None)))
    code = rules.find_remittance_code(item.remark)
    line = BankLine(statement_id=statement.id, transaction_id=item.transaction_id, booked_on=item.booked_on,
                    payer_name=item.payer_name, payer_account=item.payer_account, amount=item.amount,
                    remark=item.remark, remittance_code=code, status="unmatched")
    if first is not None:
        line.reason, line.duplicate_of_id = "duplicate", first.id
        db.session.add(line)
        db.session.flush()
        return "duplicates"
    owner, target = remittance.find(code)
    if owner is not None:
        line.owner, line.owner_ref = owner.name, target.id
        if owner.line_column:
            setattr(line, owner.line_column, target.id)
    owed = owner.owed(target) if owner is not None else None
    if code is None:
        line.reason = "unknown_code"
    elif owed is None:
        line.reason = "no_bill"
    elif owed == 0:
        line.reason = "already_paid"
    else:
        outcome = rules.match_outcome(item.amount, owed)
        if outcome == "exact":
            line.status = "matched"
            db.session.add(line)
            db.session.flush()
            owner.receive(target, item.amount, reference=f"bank-{item.transaction_id}"[:100], actor=actor)
            return "matched"
        line.reason = outcome
    db.session.add(line)
    db.session.flush()
    return "queued"


class BillRemittance:
    """Bills are paid by transfer: an exact amount settles the bill (bank → the payer's receivable)."""

    name = "bill"
    line_column = "bill_id"
    partial = True  # a short transfer assigned by finance counts towards the bill

    def find(self, code):
        return db.session.execute(sa.select(Bill).where(Bill.remittance_code == code).with_for_update(of=Bill)
                                  .execution_options(populate_existing=True)).scalar_one_or_none()

    def owed(self, bill):
        if bill.status == "cancelled":
            return None
        return 0 if bill.status == "paid" else bill.total - bill.paid_amount

    def receive(self, bill, amount, *, reference, actor):
        settle_bill(bill, via="transfer", reference=reference, actor=actor)

    def receive_part(self, bill, amount, *, reference, actor):
        receive_part(bill, amount, reference, actor=actor)

    def label(self, bill):
        return _("%(period)s 对账单", period=bill.period)


# -- the finance queue -----------------------------------------------------------------------------

def get_line(line_id, *, actor) -> BankLine:
    require_role(actor, "finance")
    line = find(BankLine, line_id)
    if line is None:
        raise NotFound(_("银行流水不存在"))
    return line


def lines(*, actor, status: str | None = "unmatched", page=1, per_page=20):
    require_role(actor, "finance")
    q = sa.select(BankLine)
    if status:
        if status not in ("matched", "unmatched", "assigned", "returned"):
            raise Invalid.field("status", _("状态无效"))
        q = q.where(BankLine.status == status)
    return db.paginate(q.order_by(BankLine.booked_on.desc(), BankLine.id.desc()), page=page, per_page=per_page,
                       error_out=False)


def lines_of_bill(bill_id: int) -> list[BankLine]:
    """The transfers applied to (or waiting with) a bill, oldest first."""
    return list(db.session.scalars(sa.select(BankLine).where(BankLine.bill_id == bill_id).order_by(BankLine.id)))


def _target_by_ref(ref):
    """(owner, target locked) named by a bill's id or by any owner's remittance code (a bill, a deal
    instalment, an auction deposit: billing.remittance)."""
    if is_id(ref):
        bill = find(Bill, ref)
        if bill is None:
            raise Invalid.field("bill", _("对账单不存在"))
        ref = bill.remittance_code
    code = str(ref).strip().upper()
    if not rules.valid_remittance_code(code):
        raise Invalid.field("bill", _("请填写对账单编号或有效的汇款识别码"))
    owner, target = remittance.find(code)
    if owner is None:
        raise Invalid.field("bill", _("没有使用该汇款识别码的对账单、分期款或保证金"))
    return owner, target


@validated
def assign_line(line: BankLine, ref: PayeeRef, *, actor, note: text(300) = "") -> BankLine:
    """Finance applies a waiting transfer to what a remittance code pays, whoever owns it (a bill, a
    deal instalment, an auction deposit): exactly what is owed is received by its owner as an imported
    transfer would be; a short payment counts towards an owner that takes part payments (a bill);
    anything else is refused and the line waits to be returned."""
    require_role(actor, "finance")
    if line.reason == "duplicate":
        raise Conflict(_("重复的银行流水不能核销，只能退回"))
    owner, target = _target_by_ref(ref)
    owed = owner.owed(target)
    label = owner.label(target)
    if owed is None:
        raise Invalid.field("bill", _("%(what)s不在待付款状态", what=label))
    if owed == 0:
        raise Invalid.field("bill", _("%(what)s已付清", what=label))
    if line.amount > owed:
        raise Invalid.field("bill", _("到账金额 %(amount)s 多于%(what)s未付金额 %(owed)s：请退回后由付款单位重新转账",
                                      amount=format_fen(line.amount), what=label, owed=format_fen(owed)))
    if line.amount < owed and not owner.partial:
        raise Invalid.field("bill", _("%(what)s须一次付清 %(owed)s，到账金额 %(amount)s 不足：请退回后由付款单位重新转账",
                                      what=label, owed=format_fen(owed), amount=format_fen(line.amount)))
    columns = {owner.line_column: target.id} if owner.line_column else {}
    BANK_LINE.apply(line, "assigned", actor=actor, action="assign", comment=f"{owner.name} {target.id} {note}"[:300],
                    owner=owner.name, owner_ref=target.id, note=(note or "")[:300] or None, decided_by_id=actor.id,
                    decided_at=utcnow(), **columns)
    reference = f"bank-{line.transaction_id}"[:100]
    if line.amount == owed:
        owner.receive(target, line.amount, reference=reference, actor=actor)
    else:
        owner.receive_part(target, line.amount, reference=reference, actor=actor)
    return line


@validated
def return_line(line: BankLine, note: text(300, 1), *, actor) -> BankLine:
    """Finance sends a waiting transfer back to its payer (recorded; the bank transfer itself is off-line)."""
    require_role(actor, "finance")
    BANK_LINE.apply(line, "returned", actor=actor, action="return", comment=note.strip(), note=note.strip(),
                    decided_by_id=actor.id, decided_at=utcnow())
    return line
