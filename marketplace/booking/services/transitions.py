"""Moving a booking through its states (approve, reject, cancel, check in, complete, settle) and
`allowed_actions`, the one rule that both the pages' buttons and these services follow.

Each takes the booking first and the actor keyword-only, checks permission first, applies the
transition through `MACHINE` (audited), and moves the public money that follows it by calling the
subsidy service in the same transaction: approval reserves the user-side subsidy, rejection and
cancellation release it, completion recomputes it on the actual fee, settlement commits it.
Notifications and mail are jobs, after the commit.
"""

from flask import current_app
from flask_babel import gettext as _

from ...core.audit import record
from ...core.errors import Conflict, Forbidden, Invalid
from ...core.i18n import Message as _l
from ...core.jobs import enqueue
from ...core.money import format_fen
from ...core.permissions import require_login, require_member
from ...core.schema import note, text, validated
from ...core.timeutil import utcnow
from ...extensions import db
from ...notifications.services import notify
from ...subsidy import services as subsidy
from .. import rules
from ..models import Booking
from ..states import EXTENSION, MACHINE
from .lookups import (
    checkin_opens_message,
    checkin_window,
    effective_status,
    is_provider_member,
    link,
    local_moment,
    notify_provider_staff,
    when,
)
from .usage import checked_usage


def allowed_actions(booking: Booking, *, actor, now=None) -> list[str]:
    """The actions `actor` may take on `booking` now: the named transitions of MACHINE that the
    actor is entitled to and that the time allows, plus "rate". Pages draw their buttons from it."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    now = now or utcnow()
    provider = is_provider_member(booking.provider_org_id, actor=actor)
    user = booking.user_id == actor.id
    overdue = effective_status(booking, now) != booking.status
    opens, closes = checkin_window(booking)
    who = {
        "approve": provider and now < booking.start,
        "reject": provider and not overdue,
        "cancel": (user or provider or actor.has_role("admin")) and now < booking.start,
        "check-in": (user or provider) and not overdue and opens <= now < closes,
        "complete": provider and booking.status == "in_use",
    }
    actions = MACHINE.available(booking, lambda action: who.get(action, False))
    if user and booking.status in ("completed", "settled") and booking.rating is None:
        actions.append("rate")
    if provider and booking.status in ("no_show", "completed"):
        from .corrections import may_correct
        if may_correct(booking, now):
            actions.append("correct")
    return actions


def approve_now(booking, *, actor, now, comment=None, notify_user: bool = True):
    """Approve without the permission check (auto-approval when the instrument needs none).
    notify_user=False: the caller's job tells the user (the booking request's hot path)."""
    MACHINE.apply(booking, "approved", actor=actor, comment=comment, decided_by_id=getattr(actor, "id", None),
                  decided_at=now)
    subsidy.reserve_user_subsidy(booking, actor=actor)
    if notify_user:
        notify_approved(booking)


def notify_approved(booking, link=None):
    from .lookups import link as make_link
    notify(booking.user, _l("预约已批准：%(title)s", title=booking.instrument.title),
           _l("您预约的 %(title)s（%(when)s）已批准。", title=booking.instrument.title, when=when(booking)),
           link or make_link("booking.detail", booking_id=booking.id))


def approve_booking(booking, *, actor, now=None) -> Booking:
    require_member(actor, booking.provider_org_id)
    now = now or utcnow()
    if booking.status == "requested" and now >= booking.start:
        raise Conflict(_("预约开始时间已过，不能再批准"))
    approve_now(booking, actor=actor, now=now)
    return booking


@validated
def reject_booking(booking, reason: note(500), *, actor, now=None) -> Booking:
    require_member(actor, booking.provider_org_id)
    if not reason:
        raise Invalid.field("reason", _("请填写拒绝理由"))
    reject_now(booking, reason, actor=actor, now=now or utcnow())
    return booking


def reject_now(booking, reason, *, actor, now):
    """Reject without the permission check (the sweep lapses undecided requests)."""
    MACHINE.apply(booking, "rejected", actor=actor, comment=reason)
    booking.reject_reason = reason
    booking.decided_by_id = getattr(actor, "id", None)
    booking.decided_at = now
    db.session.flush()
    subsidy.release_user_subsidy(booking, actor=actor, why=booking.status)
    notify(booking.user, _l("预约未获批准：%(title)s", title=booking.instrument.title),
           _l("您预约的 %(title)s（%(when)s）未获批准。理由：%(reason)s", title=booking.instrument.title,
             when=when(booking), reason=reason),
           link("booking.detail", booking_id=booking.id))


@validated
def cancel_booking(booking, reason: note(500) = "", *, actor, now=None) -> Booking:
    """The user cancels (free early, late fee after; free when a downtime hit the booking); the provider
    may cancel without a fee."""
    from .downtime import affected_by_downtime
    require_login(actor)
    now = now or utcnow()
    by_user = booking.user_id == actor.id or actor.has_role("admin")
    by_provider = is_provider_member(booking.provider_org_id, actor=actor)
    if not (by_user or by_provider):
        raise Forbidden(_("只能取消自己的预约"))
    if booking.status in ("requested", "approved") and now >= booking.start:
        raise Conflict(_("预约已开始，不能取消"))
    if by_user and booking.user_id == actor.id and not affected_by_downtime(booking):
        fee = rules.cancellation_fee(booking.fee, booking.start, now,
                                     current_app.config["BOOKING_FREE_CANCEL_HOURS"],
                                     current_app.config["BOOKING_LATE_CANCEL_FEE_PERCENT"],
                                     booking.status)
    else:
        fee = 0
    MACHINE.apply(booking, "cancelled", actor=actor, comment=reason or None)
    booking.cancel_fee = fee
    booking.cancelled_at = now
    db.session.flush()
    subsidy.release_user_subsidy(booking, actor=actor, why=booking.status)
    url = link("booking.detail", booking_id=booking.id)
    title = booking.instrument.title
    if booking.user_id != actor.id:
        notify(booking.user, _l("预约已取消：%(title)s", title=title),
               _l("您预约的 %(title)s（%(when)s）已被管理单位取消。%(reason)s", title=title, when=when(booking),
                  reason=reason or ""), url)
    else:
        body = (_l("%(name)s 取消了 %(title)s（%(when)s）的预约，取消费 %(fee)s。", name=booking.user.name,
                  title=title, when=when(booking), fee=format_fen(fee)) if fee else
                _l("%(name)s 取消了 %(title)s（%(when)s）的预约。", name=booking.user.name, title=title,
                  when=when(booking)))
        enqueue(notify_provider_staff, booking.provider_org_id, _l("预约已取消：%(title)s", title=title), body, url)
    return booking


def check_in(booking, *, actor, now=None) -> Booking:
    require_login(actor)
    if not (booking.user_id == actor.id or is_provider_member(booking.provider_org_id, actor=actor)):
        raise Forbidden(_("只有预约人或管理单位可以签到"))
    now = now or utcnow()
    if booking.status == "approved":
        opens, closes = checkin_window(booking)
        if now < opens:
            raise Conflict(checkin_opens_message(booking))
        if now >= closes:
            raise Conflict(_("已超过签到时间（%(when)s 截止）", when=local_moment(closes)))
    MACHINE.apply(booking, "in_use", actor=actor, action="check_in")
    booking.actual_start = max(now, booking.start) if now < booking.end else booking.start
    db.session.flush()
    return booking


def complete_booking(booking, *, actor, actual_start=None, actual_end=None, actual_samples=None,
                     now=None) -> Booking:
    """The provider records the usage; the fee is recomputed from it."""
    require_member(actor, booking.provider_org_id)
    now = now or utcnow()
    if booking.status != "in_use":
        raise Conflict(_("只有使用中的预约才能完成"))
    usage = checked_usage(booking, actual_start, actual_end, actual_samples, now)
    MACHINE.apply(booking, "completed", actor=actor, action="complete")
    booking.actual_start, booking.actual_end, booking.actual_samples = usage.start, usage.end, usage.samples
    booking.extension_end, booking.extension_samples = usage.extension_end, usage.extension_samples
    booking.extension_status = "proposed" if usage.has_extension else None
    booking.fee = _usage_fee(booking)
    booking.completed_at = now
    db.session.flush()
    subsidy.recompute_user_subsidy(booking, actor=actor)  # on the actual fee, never above the reservation
    if usage.has_extension:
        notify(booking.user, _l("请确认延时使用：%(title)s", title=booking.instrument.title),
               _l("管理单位记录的使用超出了预约（结束 %(end)s，样品 %(samples)s）。超出部分只有在您确认后才计费；"
                 "未确认前按预约范围计费 %(fee)s。", title=booking.instrument.title,
                 end=when_local(usage.extension_end or usage.end), samples=usage.extension_samples or "-",
                 fee=format_fen(booking.fee)),
               link("booking.detail", booking_id=booking.id))
    notify(booking.user, _l("使用已完成：%(title)s", title=booking.instrument.title),
           _l("%(title)s 的使用已记录，应付费用 %(fee)s。欢迎评价本次服务。", title=booking.instrument.title,
             fee=format_fen(booking.fee)),
           link("booking.detail", booking_id=booking.id))
    return booking


def _usage_fee(booking) -> int:
    return rules.final_fee(booking.price_unit, booking.unit_price, booking.service_mode,
                           (booking.start, booking.end), (booking.actual_start, booking.actual_end),
                           booking.samples, booking.actual_samples)


def when_local(dt) -> str:
    from ...core.timeutil import to_local
    return to_local(dt).strftime("%Y-%m-%d %H:%M")


def decide_extension(booking, confirm: bool, *, actor) -> Booking:
    """The user confirms (billed from then on) or declines the usage recorded beyond the booking."""
    require_login(actor)
    if booking.user_id != actor.id:
        raise Forbidden(_("只有预约人可以确认延时"))
    if booking.extension_status != "proposed" or booking.status != "completed":
        raise Conflict(_("没有待确认的延时"))
    values = {}
    if confirm:
        values = {"actual_end": booking.actual_end if booking.extension_end is None else booking.extension_end,
                  "actual_samples": booking.actual_samples if booking.extension_samples is None
                  else booking.extension_samples}
        values["fee"] = rules.final_fee(booking.price_unit, booking.unit_price, booking.service_mode,
                                        (booking.start, booking.end), (booking.actual_start, values["actual_end"]),
                                        booking.samples, values["actual_samples"])
    # One conditional move: a second answer (another tab, a double click) finds it decided and is refused.
    target = "confirmed" if confirm else "declined"
    EXTENSION.apply(booking, target, actor=actor, action="extension_" + target,
                    comment=format_fen(values.get("fee", booking.fee)), **values)
    if confirm:  # the subsidy follows the new fee (never above its reservation)
        subsidy.recompute_user_subsidy(booking, actor=actor)
    enqueue(notify_provider_staff, booking.provider_org_id,
            _l("延时使用已确认：%(title)s", title=booking.instrument.title) if confirm else
            _l("延时使用未被确认：%(title)s", title=booking.instrument.title),
            _l("预约 #%(id)s 的应付费用为 %(fee)s。", id=booking.id, fee=format_fen(booking.fee)),
            link("booking.detail", booking_id=booking.id))
    return booking


@validated
def settle_booking(booking, payment_ref: text(100, 1), *, actor, payment_id=None) -> Booking:
    """completed -> settled once paid (called by the payments code)."""
    MACHINE.apply(booking, "settled", actor=actor, action="settle", comment=payment_ref)
    booking.payment_ref = payment_ref
    booking.settled_at = utcnow()
    db.session.flush()
    subsidy.commit_user_subsidy(booking, actor=actor, payment_id=payment_id)
    return booking


def mark_refunded(booking, *, actor, comment: str | None = None) -> Booking:
    """settled -> refunded: its payment was refunded (called by the payments code, which also returns the
    subsidies); the booking never shows `settled` again."""
    MACHINE.apply(booking, "refunded", actor=actor, action="refund", comment=comment)
    db.session.flush()
    return booking


def record_cancel_fee_paid(booking, payment_ref, *, actor) -> Booking:
    """A cancelled or no-show booking's fee was collected (called by the payments code)."""
    if booking.status not in ("cancelled", "no_show") or not booking.cancel_fee:
        raise Conflict(_("该预约没有待付的取消费用"))
    if booking.cancel_fee_paid_at is not None:
        raise Conflict(_("取消费用已付"))
    booking.cancel_fee_paid_at = utcnow()
    booking.payment_ref = payment_ref
    record("booking", booking.id, "cancel_fee_paid", actor=actor, comment=payment_ref)
    db.session.flush()
    return booking

