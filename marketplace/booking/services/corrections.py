"""The lab's corrections (POST /bookings/ID/correct): within BOOKING_CORRECTION_WORKING_DAYS working days
(China's official calendar) a no-show may become a completed booking, or a completed booking's usage
record be corrected, always with a reason.

The fee is recomputed from the corrected record; the subsidy follows by the subsidy service's own moves
(a corrected no-show's released reservation is held again; a lower fee releases the excess), each a new
balanced journal entry, never an edit; the census reads the booking. The correction is audited with the
old and new fee, and the user is told. The booking row is locked first, so two corrections (or a
correction and a payment starting) are applied one after the other, each on what the other left.
"""
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ...core.audit import record
from ...core.errors import Conflict, Invalid
from ...core.i18n import Message as _l
from ...core.money import format_fen
from ...core.permissions import require_member
from ...core.schema import Count, Moment, note, validated
from ...core.timeutil import to_local, utcnow
from ...extensions import db
from ...notifications.services import notify
from ...subsidy import services as subsidy
from .. import rules
from ..models import Booking
from ..states import MACHINE
from .lookups import link, when
from .transitions import _usage_fee
from .usage import checked_usage

CORRECTABLE = ("no_show", "completed")


def correction_deadline(booking: Booking) -> datetime | None:
    """Until when (naive UTC) the lab may correct the booking; None when it is not correctable."""
    if booking.status not in CORRECTABLE:
        return None
    ended = booking.end if booking.status == "no_show" else max(booking.completed_at or booking.end, booking.end)
    return rules.correction_deadline(ended, current_app.config["BOOKING_CORRECTION_WORKING_DAYS"])


def may_correct(booking: Booking, now: datetime | None = None) -> bool:
    deadline = correction_deadline(booking)
    return deadline is not None and (now or utcnow()) < deadline


def _payment_in_flight(booking_id: int) -> bool:
    # payments sit above booking in the layers: their table is read, not their model
    payments = sa.table("payments", sa.column("booking_id"), sa.column("status"))
    return db.session.scalar(sa.select(sa.func.count()).select_from(payments).where(
        payments.c.booking_id == booking_id, payments.c.status == "confirming")) > 0


def _lock(booking: Booking) -> Booking:
    """Re-read the booking under a row lock (PostgreSQL FOR UPDATE; SQLite's write transaction is
    already exclusive), so the checks below see what a concurrent correction committed."""
    db.session.execute(sa.select(Booking.id).where(Booking.id == booking.id).with_for_update())
    db.session.refresh(booking)  # read after the lock: what the other transaction committed
    return booking


@validated
def correct_booking(booking: Booking, *, actor, reason: note(500), status: str | None = None,
                    actual_start: Moment | None = None, actual_end: Moment | None = None,
                    actual_samples: Count | None = None, now: Moment | None = None) -> Booking:
    require_member(actor, booking.provider_org_id)
    now = now or utcnow()
    if not reason:
        raise Invalid.field("reason", _("请填写更正理由"))
    if status not in (None, "completed"):
        raise Invalid.field("status", _("只能更正为“已完成”"))
    _lock(booking)
    if booking.status not in CORRECTABLE:
        raise Conflict(_("只能更正爽约或已完成（未结算）的预约"))
    if status == "completed" and booking.status != "no_show":
        raise Conflict(_("该预约已不是爽约状态（可能已被他人更正）"))
    if booking.status == "no_show" and status != "completed":
        raise Invalid.field("status", _("爽约的预约请更正为“已完成”并填写使用记录"))
    deadline = correction_deadline(booking)
    if now >= deadline:
        raise Conflict(_("已超过更正期限（%(d)s）", d=to_local(deadline).strftime("%Y-%m-%d %H:%M")))
    if booking.status == "no_show" and booking.cancel_fee_paid_at is not None:
        raise Conflict(_("爽约费用已支付，请先办理退款再更正"))
    if _payment_in_flight(booking.id):
        raise Conflict(_("该预约的付款正在确认中，请稍后再更正"))
    if booking.status == "no_show":
        actual_start = actual_start or booking.start
        actual_end = actual_end or min(booking.end, now)
    usage = checked_usage(booking, actual_start, actual_end, actual_samples, now)
    old_status, old_fee, old_due = booking.status, booking.fee, booking.amount_due
    values = dict(actual_start=usage.start, actual_end=usage.end, actual_samples=usage.samples,
                  extension_end=usage.extension_end, extension_samples=usage.extension_samples,
                  extension_status="proposed" if usage.has_extension else None)
    for name, value in values.items():
        setattr(booking, name, value)
    booking.fee = _usage_fee(booking)
    comment = _("%(reason)s（费用 %(old)s → %(new)s）", reason=reason, old=format_fen(old_fee),
                new=format_fen(booking.fee))
    if old_status == "no_show":
        MACHINE.apply(booking, "completed", actor=actor, action="correct", comment=comment, cancel_fee=None,
                      completed_at=now)
        db.session.flush()
        subsidy.reinstate_user_subsidy(booking, actor=actor)  # held again on the corrected fee
    else:
        record("booking", booking.id, "correct", actor=actor, from_state=old_status, to_state=old_status, comment=comment)
        db.session.flush()
    subsidy.recompute_user_subsidy(booking, actor=actor)  # never above its reservation; the rest released
    db.session.flush()
    title = booking.instrument.title
    notify(booking.user, _l("预约记录已更正：%(title)s", title=title),
           _l("管理单位更正了 %(title)s（%(when)s）的记录（%(was)s → 已完成），应付金额 %(old)s → %(new)s"
             "（其中补贴抵扣 %(subsidy)s）。理由：%(reason)s", title=title, when=when(booking),
             was=_l("爽约") if old_status == "no_show" else _l("已完成"), old=format_fen(old_due),
             new=format_fen(booking.amount_due), subsidy=format_fen(booking.user_subsidy), reason=reason),
           link("booking.detail", booking_id=booking.id))
    return booking
