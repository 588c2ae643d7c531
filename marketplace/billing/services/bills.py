"""Closing monthly bills, reading them, settling them (by transfer or card) and the overdue sweep.

A bill gathers every completed booking and every late-cancellation / no-show fee of one paying
organisation that is owed, finished before the month's end and on no live bill yet. Closing is
idempotent and safe when run twice at once: the database keeps one live bill per organisation and
month, and a booking on one live bill (partial unique indexes); a close that loses either race skips
that organisation.
"""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ... import ledger
from ...booking import services as booking_services
from ...booking.models import Booking
from ...core.audit import record
from ...core.db import find
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.money import format_fen
from ...core.permissions import require_login, require_role
from ...core.schema import text, validated
from ...core.timeutil import local_to_utc_naive, to_local, utcnow
from ...extensions import db
from ...ledger import Cr, Dr
from ...payments import purposes
from ...payments.models import Payment
from ...payments.states import REUSABLE_STATUSES
from .. import rules
from ..models import Bill, BillLine
from ..states import BILL, BILL_STATUSES

FEE_STATUSES = ("cancelled", "no_show")


def today_local() -> date:
    return to_local(utcnow()).date()


# -- closing ---------------------------------------------------------------------------------------

@dataclass
class CloseReport:
    period: str
    bills: list = field(default_factory=list)    # [Bill] created by this close
    skipped: int = 0                              # organisations already billed for the period

    @property
    def total(self) -> int:
        return sum(b.total for b in self.bills)


def owed_since():
    """When a booking became owed: its completion, its cancellation, or (a no-show) its start."""
    return sa.case((Booking.status == "completed", Booking.completed_at),
                   (Booking.status == "cancelled", Booking.cancelled_at), else_=Booking.start)


def _unbilled(period_end_utc):
    live = sa.select(BillLine.booking_id).where(BillLine.live, BillLine.booking_id == Booking.id)
    paying = sa.select(Payment.id).where(Payment.booking_id == Booking.id, Payment.status.in_(REUSABLE_STATUSES))
    owes = sa.or_(Booking.status == "completed",
                  sa.and_(Booking.status.in_(FEE_STATUSES), Booking.cancel_fee > 0,
                          Booking.cancel_fee_paid_at.is_(None)))
    return (sa.select(Booking).where(owes, owed_since() < period_end_utc, ~sa.exists(live), ~sa.exists(paying))
            .order_by(Booking.org_id, Booking.id))


def line_for(booking: Booking) -> BillLine:
    """What a booking adds to a bill: fee, user subsidy and net, as the booking shows them."""
    if booking.status == "completed":
        subsidy = min(booking.user_subsidy, booking.fee)
        return BillLine(booking_id=booking.id, kind="booking", fee=booking.fee, user_subsidy=subsidy,
                        net=booking.fee - subsidy, live=True)
    return BillLine(booking_id=booking.id, kind="cancel_fee", fee=booking.cancel_fee, user_subsidy=0,
                    net=booking.cancel_fee, live=True)


def close_month(month: str, *, actor=None, now=None) -> CloseReport:
    """Close every paying organisation's bill for `month` ('YYYY-MM'); run again, it adds nothing."""
    first = rules.parse_month(month)
    if first is None:
        raise Invalid.field("month", _("月份格式应为 YYYY-MM，例如 2026-11"))
    end_local = rules.period_end_local(first)
    now_local = to_local(now or utcnow()).replace(tzinfo=None)
    if end_local > now_local:
        raise Invalid.field("month", _("%(month)s 尚未结束，不能出账", month=month))
    period = rules.month_label(first)
    due_on = rules.due_date(first, int(current_app.config.get("BILLING_DUE_DAYS", rules.DEFAULT_DUE_DAYS)))
    report = CloseReport(period)
    bookings = list(db.session.scalars(_unbilled(local_to_utc_naive(end_local))))
    by_org: dict[int, list[Booking]] = {}
    for b in bookings:
        by_org.setdefault(b.org_id, []).append(b)
    for org_id, items in by_org.items():
        bill = _new_bill(org_id, period, due_on, items, actor=actor)
        if bill is None:
            report.skipped += 1
        else:
            report.bills.append(bill)
    return report


def _new_bill(org_id, period, due_on, bookings, *, actor) -> Bill | None:
    lines = [line_for(b) for b in bookings]
    fee, subsidy = sum(x.fee for x in lines), sum(x.user_subsidy for x in lines)
    try:
        with db.session.begin_nested():
            bill = Bill(org_id=org_id, period=period, fee=fee, user_subsidy=subsidy, total=fee - subsidy,
                        paid_amount=0, due_on=due_on, remittance_code=rules.new_remittance_code(), status="open")
            bill.lines = lines
            db.session.add(bill)
            db.session.flush()
    except IntegrityError:  # another close billed this organisation (or one of its bookings) first
        return None
    record("bill", bill.id, "close", actor=actor, to_state="open", comment=f"{period} {bill.total}")
    if bill.total == 0:  # the subsidy covered everything: nothing to pay, settled at once
        settle_bill(bill, via="none", reference=f"bill-{bill.id}", actor=actor)
    return bill


def close_previous_month() -> int:
    """The scheduler's job: close last month's bills (idempotent, so a daily run is harmless)."""
    report = close_month(rules.month_label(rules.previous_month(today_local())))
    return len(report.bills)


# -- reading ---------------------------------------------------------------------------------------

def may_see(bill: Bill, *, actor) -> bool:
    return bool(actor and getattr(actor, "is_authenticated", False) and (
        actor.is_member_of(bill.org_id) or actor.has_role("finance")))


def get_bill(bill_id, *, actor) -> Bill:
    require_login(actor)
    bill = find(Bill, bill_id)
    if bill is None:
        raise NotFound(_("对账单不存在"))
    if not may_see(bill, actor=actor):
        raise Forbidden(_("只能查看本单位的对账单"))
    return bill


def bills_of(*, actor, status=None, org_id=None, page=1, per_page=20):
    """The actor's organisation's bills (finance: everyone's, or one organisation's), owed first."""
    require_login(actor)
    if status is not None and status not in BILL_STATUSES:
        raise Invalid.field("status", _("状态无效"))
    q = sa.select(Bill)
    if actor.has_role("finance"):
        if org_id is not None:
            q = q.where(Bill.org_id == org_id)
    elif actor.organisation_id is None:
        raise Forbidden(_("只有单位成员可以查看对账单"))
    else:
        q = q.where(Bill.org_id == actor.organisation_id)
    if status:
        q = q.where(Bill.status == status)
    owed_first = sa.case((Bill.status == "overdue", 0), (Bill.status == "open", 1), else_=2)
    return db.paginate(q.order_by(owed_first, Bill.due_on.desc(), Bill.id.desc()), page=page, per_page=per_page,
                       error_out=False)


@dataclass(frozen=True)
class Owed:
    total: int
    overdue: int
    bills: int
    overdue_bills: int


def owed_by(org_id: int | None) -> Owed:
    """What an organisation owes on its bills now, and how much of it is overdue."""
    if org_id is None:
        return Owed(0, 0, 0, 0)
    rows = db.session.execute(sa.select(Bill.status, sa.func.count(), sa.func.coalesce(sa.func.sum(Bill.total - Bill.paid_amount), 0))
                              .where(Bill.org_id == org_id, Bill.status.in_(("open", "overdue"))).group_by(Bill.status)).all()
    by = {s: (n, int(t)) for s, n, t in rows}
    n_open, t_open = by.get("open", (0, 0))
    n_over, t_over = by.get("overdue", (0, 0))
    return Owed(t_open + t_over, t_over, n_open + n_over, n_over)


def bill_of_booking(booking_id: int) -> Bill | None:
    return db.session.scalar(sa.select(Bill).join(BillLine).where(BillLine.booking_id == booking_id, BillLine.live))


def hold_reason(target) -> str | None:
    """payments' hold: a booking on an unpaid bill is paid with its bill, not on its own."""
    if purposes.of_target(target).name != "booking":
        return None
    bill = bill_of_booking(target.id)
    if bill is not None and bill.status in ("open", "overdue"):
        return _("该预约已列入 %(period)s 对账单，请随对账单一并付款", period=bill.period)
    return None


def transfer_instructions(bill: Bill) -> dict:
    cfg = current_app.config
    return {"account_name": cfg["BILLING_ACCOUNT_NAME"], "account_number": cfg["BILLING_ACCOUNT_NUMBER"],
            "bank": cfg["BILLING_BANK_NAME"], "amount": bill.total - bill.paid_amount,
            "remittance_code": bill.remittance_code}


# -- settling --------------------------------------------------------------------------------------

def settle_bill(bill: Bill, *, via: str, reference: str, actor=None, payment_id: int | None = None) -> Bill:
    """The bill is paid in full (by transfer, by card, or nothing was owed): every line's booking is
    settled or its fee recorded, and what arrives now is posted (bank or gateway → the payer's
    receivable): line by line, each with its booking, unless part came earlier (`receive_part`)."""
    received = bill.total - bill.paid_amount
    BILL.apply(bill, "paid", actor=actor, action="pay", comment=f"{via} {reference}"[:300],
               paid_amount=bill.total, paid_by=via, paid_at=utcnow())
    account = "bank" if via == "transfer" else "gateway_clearing"
    whole = received == bill.total
    for line in bill.lines:
        booking = db.session.execute(sa.select(Booking).where(Booking.id == line.booking_id).with_for_update(of=Booking)
                                     .execution_options(populate_existing=True)).scalar_one()
        if line.kind == "booking":
            booking_services.settle_booking(booking, reference, actor=actor, payment_id=payment_id)
        else:
            booking_services.record_cancel_fee_paid(booking, reference, actor=actor)
            ledger.post_entry("provider_income", [Dr("user_receivable", line.net, booking.org_id),
                                                  Cr("provider_payable", line.net, booking.provider_org_id)],
                              booking_id=booking.id, payment_id=payment_id, actor=actor,
                              memo=f"对账单 {bill.period} 预约 #{booking.id} 取消/爽约费用")
        if whole:
            ledger.post_entry("payment", [Dr(account, line.net, bill.org_id),
                                          Cr("user_receivable", line.net, bill.org_id)],
                              programme_id=ledger.programme_of_booking(booking.id), booking_id=booking.id,
                              payment_id=payment_id, actor=actor,
                              memo=f"对账单 {bill.period} {bill.remittance_code} 预约 #{booking.id}")
    if not whole:
        _post_receipt(bill, received, account, reference, actor=actor, payment_id=payment_id)
    db.session.flush()
    return bill


def receive_part(bill: Bill, amount: int, reference: str, *, actor) -> Bill:
    """Part of a bill arrived by transfer (finance assigned a short payment): recorded and posted;
    the bill stays owed for the rest and is settled when the rest arrives."""
    owed = bill.total - bill.paid_amount
    if not 0 < amount <= owed:
        raise Invalid.field("amount", _("金额超过对账单未付金额 %(owed)s", owed=format_fen(owed)))
    if amount == owed:
        return settle_bill(bill, via="transfer", reference=reference, actor=actor)
    if bill.status not in ("open", "overdue"):
        raise Invalid.field("bill_id", _("该对账单不在待付款状态"))
    res = db.session.execute(sa.update(Bill).where(Bill.id == bill.id, Bill.paid_amount == bill.paid_amount,
                                                   Bill.status.in_(("open", "overdue")))
                             .values(paid_amount=Bill.paid_amount + amount).execution_options(synchronize_session=False))
    if res.rowcount != 1:
        raise Conflict(_("对账单刚被更新，请刷新后重试"))
    db.session.refresh(bill)
    _post_receipt(bill, amount, "bank", reference, actor=actor)
    record("bill", bill.id, "receive", actor=actor, comment=f"{reference} {amount}")
    db.session.flush()
    return bill


def _post_receipt(bill, amount, account, reference, *, actor, payment_id=None):
    ledger.post_entry("payment", [Dr(account, amount, bill.org_id), Cr("user_receivable", amount, bill.org_id)],
                      payment_id=payment_id, actor=actor,
                      memo=f"对账单 {bill.period} {bill.remittance_code} 收款 {reference}"[:300])


@validated
def cancel_bill(bill: Bill, reason: text(300, 1), *, actor) -> Bill:
    """Finance voids an unpaid bill (a mistake in it): its bookings may be billed again."""
    require_role(actor, "finance")
    BILL.apply(bill, "cancelled", actor=actor, action="cancel", comment=reason)
    db.session.execute(sa.update(BillLine).where(BillLine.bill_id == bill.id).values(live=False))
    db.session.flush()
    return bill
