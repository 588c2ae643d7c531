"""The daily billing sweep: mark bills past their due date overdue, and remind payers 7 days before,
on, and 7 days after the due date. Idempotent: each reminder is sent once (`last_reminder`)."""
from datetime import date

import sqlalchemy as sa

from ...accounts.models import User
from ...core.i18n import Message as _l
from ...core.money import format_fen
from ...extensions import db
from ...notifications.services import notify_many
from .. import rules
from ..models import Bill
from ..states import BILL
from .bills import today_local


def mark_overdue(today: date | None = None) -> int:
    """Open bills whose due date has passed become overdue."""
    today = today or today_local()
    ids = db.session.scalars(sa.select(Bill.id).where(Bill.status == "open", Bill.due_on < today)).all()
    return sum(BILL.move(Bill, i, "overdue", only_from=("open",), action="mark-overdue") for i in ids)


def _link(bill_id):
    from flask import url_for
    try:
        return url_for("billing.bill", bill_id=bill_id)
    except RuntimeError:  # no request (the scheduler's job)
        return f"/billing/bills/{bill_id}"


def send_reminders(today: date | None = None) -> int:
    """Remind the paying organisation's members of unpaid bills at each reminder date (once each)."""
    today = today or today_local()
    sent = 0
    for bill in db.session.scalars(sa.select(Bill).where(Bill.status.in_(("open", "overdue")))
                                   .order_by(Bill.id)).all():
        offset = rules.reminder_kind(bill.due_on, today)
        if offset is None or (bill.last_reminder is not None and bill.last_reminder >= offset):
            continue
        members = db.session.scalars(sa.select(User).where(User.organisation_id == bill.org_id,
                                                           User.active.is_(True))).all()
        owed = format_fen(bill.total - bill.paid_amount)
        if offset < 0:
            subject = _l("对账单 %(period)s 将于 %(due)s 到期", period=bill.period, due=bill.due_on.isoformat())
        elif offset == 0:
            subject = _l("对账单 %(period)s 今日到期", period=bill.period)
        else:
            subject = _l("对账单 %(period)s 已逾期 %(n)s 天", period=bill.period, n=offset)
        body = _l("应付 %(owed)s，请对公转账至平台账户并在附言中填写汇款识别码 %(code)s。",
                  owed=owed, code=bill.remittance_code)
        notify_many(members, subject, body, _link(bill.id))
        bill.last_reminder = offset
        sent += 1
    db.session.flush()
    return sent


def daily() -> dict:
    """The scheduler's daily billing job: close last month, mark overdue, remind."""
    from .bills import close_previous_month
    return {"closed": close_previous_month(), "overdue": mark_overdue(), "reminded": send_reminders()}
