"""Booking's queues on the workbench: requests a provider must approve before they start, and
completed bookings (or fees) the user's organisation has to pay."""
import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..catalog.nav import approves_bookings
from ..core import nav, workbench
from ..core.money import format_fen
from ..core.timeutil import to_local
from ..extensions import db
from .models import Booking
from .services.queries import _mine, _owes, _status_filter, count_to_pay


def _requests(user):
    return sa.select(Booking).where(Booking.provider_org_id == user.organisation_id, _status_filter("requested"))


def _request_items(user, limit):
    rows = db.session.scalars(_requests(user).order_by(Booking.start, Booking.id).limit(limit))
    return [workbench.Item("booking_request", b.id, b.instrument.title, b.created_at,
                           url_for("booking.detail", booking_id=b.id), due=to_local(b.start).date(),
                           note=_("%(org)s · %(start)s 开始", org=b.org.name,
                                  start=to_local(b.start).strftime("%Y-%m-%d %H:%M")))
            for b in rows]


def _to_pay_items(user, limit):
    # owed since the service ended (or the booking was cancelled or missed)
    since = sa.func.coalesce(Booking.completed_at, Booking.cancelled_at, Booking.end)
    stmt = sa.select(Booking).where(_mine(user), _owes())
    rows = db.session.scalars(stmt.order_by(since, Booking.id).limit(limit))
    return [workbench.Item("booking_payment", b.id, b.instrument.title, b.completed_at or b.cancelled_at or b.end,
                           url_for("booking.detail", booking_id=b.id),
                           note=format_fen((b.fee or 0) - (b.user_subsidy or 0)) if b.status == "completed"
                           else _("违约金 %(fee)s", fee=format_fen(b.cancel_fee or 0)))
            for b in rows]


def register():
    workbench.add_queue("booking_request", _l("待审批预约"), "booking.queue", who=approves_bookings, priority=10,
                        count=lambda user: workbench.count_rows(_requests(user)), items=_request_items)
    workbench.add_queue("booking_payment", _l("待支付预约"), "booking.my_bookings", who=nav.org_member,
                        priority=15, count=count_to_pay, items=_to_pay_items)
