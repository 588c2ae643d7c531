"""Booking operations. Each takes the actor, checks permission, validates, changes state, flushes.

The caller (request, CLI command, test) commits once. Signals are sent after the change is
flushed, inside the same transaction; a receiver raising DomainError aborts the operation.
"""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..catalog.models import Instrument
from ..core.audit import record
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.permissions import require_login, require_member
from ..core.statemachine import StateMachine
from ..core.timeutil import to_local, utcnow
from ..extensions import db
from ..notifications.services import notify, notify_many
from . import rules, signals
from .models import (ACTIVE_STATUSES, EXCLUSION_CONSTRAINT, TRANSITIONS, Blackout, Booking,
                     BookingSettings, OpeningHours, Qualification, Rating)

machine = StateMachine("booking", TRANSITIONS)

MAX_QUERY_DAYS = 92  # availability window asked of the API at once


# -- lookups ---------------------------------------------------------------------------------------

def get_instrument(instrument_id, *, public: bool = True) -> Instrument:
    # platform rows are not needed for booking; skip their extra query
    inst = db.session.get(Instrument, instrument_id, options=[sa.orm.lazyload(Instrument.platform_rows),
                                                              sa.orm.lazyload(Instrument.owner)]) \
        if isinstance(instrument_id, int) else None
    if inst is None or (public and inst.status != "published"):
        raise NotFound("仪器不存在 / no such instrument")
    return inst


def is_provider_member(actor, org_id) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False)
                and (actor.is_member_of(org_id) or actor.has_role("admin")))


def can_view(booking: Booking, actor) -> bool:
    """Its user, members of the booking organisation (who may pay it), the provider's members, admins."""
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and (
        booking.user_id == actor.id or actor.is_member_of(booking.org_id)
        or is_provider_member(actor, booking.provider_org_id)))


def get_booking(booking_id, actor) -> Booking:
    """The booking, if the actor may see it (see can_view); else 404, revealing nothing."""
    require_login(actor)
    booking = db.session.get(Booking, booking_id) if isinstance(booking_id, int) else None
    if booking is None or not can_view(booking, actor):
        raise NotFound("预约不存在 / no such booking")
    return booking


def effective_rules(instrument: Instrument, settings: BookingSettings | None = None) -> rules.Rules:
    cfg = current_app.config
    if settings is None:
        settings = db.session.get(BookingSettings, instrument.id)
    if settings is not None:
        weekly = tuple((h.weekday, h.opens, h.closes) for h in settings.opening_hours)
    else:
        weekly = _default_weekly(cfg["BOOKING_OPENING_HOURS"])
    now = utcnow()
    blackouts = tuple(tuple(row) for row in db.session.execute(
        db.select(Blackout.start, Blackout.end, Blackout.reason)
        .where(Blackout.instrument_id == instrument.id, Blackout.end > now).order_by(Blackout.start)))

    def pick(value, key):
        return value if value is not None else cfg[key]

    s = settings
    return rules.Rules(
        weekly=weekly,
        lead_time_hours=pick(s and s.lead_time_hours, "BOOKING_LEAD_TIME_HOURS"),
        horizon_days=pick(s and s.horizon_days, "BOOKING_HORIZON_DAYS"),
        min_minutes=pick(s and s.min_minutes, "BOOKING_MIN_MINUTES"),
        max_minutes=pick(s and s.max_minutes, "BOOKING_MAX_MINUTES"),
        slot_minutes=cfg["BOOKING_SLOT_MINUTES"],
        max_samples=cfg["BOOKING_MAX_SAMPLES"],
        requires_approval=s.requires_approval if s is not None else True,
        blackouts=blackouts,
    )


_WEEKLY_CACHE: dict[str, tuple] = {}


def _default_weekly(text: str) -> tuple:
    if text not in _WEEKLY_CACHE:
        _WEEKLY_CACHE[text] = tuple(rules.parse_weekly_hours(text))
    return _WEEKLY_CACHE[text]


def busy_between(instrument_id: int, lo: datetime, hi: datetime) -> list[rules.Interval]:
    rows = db.session.execute(
        db.select(Booking.start, Booking.end).where(
            Booking.instrument_id == instrument_id, Booking.status.in_(ACTIVE_STATUSES),
            Booking.start < hi, Booking.end > lo).order_by(Booking.start))
    return [(s, e) for s, e in rows]


def availability(instrument: Instrument, lo: datetime, hi: datetime, now: datetime | None = None):
    """Free intervals of the instrument in [lo, hi) (naive UTC)."""
    if hi <= lo:
        raise Invalid.field("to", "结束时间必须晚于开始时间 / 'to' must be after 'from'")
    if hi - lo > timedelta(days=MAX_QUERY_DAYS):
        raise Invalid.field("to", f"查询范围不超过 {MAX_QUERY_DAYS} 天 / at most {MAX_QUERY_DAYS} days at once")
    now = now or utcnow()
    r = effective_rules(instrument)
    return rules.free_intervals(r, busy_between(instrument.id, lo, hi), lo, hi, now)


def is_qualified(instrument: Instrument, user) -> bool:
    return db.session.get(Qualification, (instrument.id, user.id)) is not None


def provider_members(org_id: int) -> list[User]:
    return list(db.session.scalars(
        db.select(User).where(User.organisation_id == org_id, User.active.is_(True))
        .options(sa.orm.lazyload(User.role_rows))))


def _link(endpoint, **values):
    try:
        return url_for(endpoint, **values)
    except RuntimeError:  # no request context (CLI): a relative path is still useful
        return None


def _when(b: Booking) -> str:
    return f"{to_local(b.start):%Y-%m-%d %H:%M}–{to_local(b.end):%H:%M}"


# -- creating --------------------------------------------------------------------------------------

def _check_request(instrument, actor, start, end, samples, now, check_overlap=True):
    require_login(actor)
    if instrument.status != "published" or not instrument.bookable:
        raise Invalid("该仪器暂不开放预约 / this instrument is not open for booking")
    if actor.organisation_id is None:
        raise Forbidden("请先加入一个单位再预约 / join an organisation before booking")
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        raise Invalid.field("start", "请填写开始和结束时间 / give a start and an end")
    if instrument.service_mode == "self_operated" and not is_qualified(instrument, actor) \
            and not actor.is_member_of(instrument.owner_org_id):
        raise Forbidden("您尚未取得该仪器的自主操作资格，请联系管理单位培训 / you are not qualified "
                        "to operate this instrument yourself; ask the lab for training")
    r = effective_rules(instrument)
    errors = rules.validate_request(r, start, end, now, price_unit=instrument.price_unit,
                                    samples=samples)
    if errors:
        raise Invalid("预约信息有误 / the booking request is not valid", errors)
    if check_overlap and any(rules.overlaps((start, end), b) for b in busy_between(instrument.id, start, end)):
        raise Conflict(OVERLAP)
    return r


OVERLAP = "该时段已被预约，请选择其他时间 / this time is already booked; pick another"


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _insert_booking(values: dict) -> Booking:
    """Insert a booking; Conflict if the database refuses it as overlapping.

    PostgreSQL: INSERT ... ON CONFLICT DO NOTHING RETURNING — the exclusion constraint is the
    arbiter, a concurrent overlapping insert waits for the winner and then gets no row back, and
    the transaction stays usable (no savepoint round trips). SQLite: the caller checked for
    overlaps inside the BEGIN IMMEDIATE transaction, so a plain insert cannot race.
    """
    if _is_postgresql():
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        stmt = pg_insert(Booking).values(**values).on_conflict_do_nothing().returning(Booking)
        booking = db.session.scalars(stmt).first()
        if booking is None:
            raise Conflict(OVERLAP)
        return booking
    booking = Booking(**values)
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError as err:  # any other database's exclusion constraint
        if getattr(err.orig, "sqlstate", None) == "23P01" or EXCLUSION_CONSTRAINT in str(err.orig):
            raise Conflict(OVERLAP) from None
        raise
    return booking


def quote_booking(instrument, actor, start, end, samples=None, now=None) -> int:
    """Validate a request and return its fee in fen (nothing is stored)."""
    now = now or utcnow()
    _check_request(instrument, actor, start, end, samples, now)
    internal = actor.organisation_id == instrument.owner_org_id
    price = rules.unit_price_for(instrument.internal_price, instrument.external_price, internal)
    return rules.booking_fee(instrument.price_unit, price, start, end, samples)


def request_booking(instrument, actor, start, end, purpose, samples=None, now=None) -> Booking:
    now = now or utcnow()
    purpose = (purpose or "").strip() if isinstance(purpose, str) else None
    if not purpose:
        raise Invalid.field("purpose", "请填写用途 / describe the purpose")
    if len(purpose) > 500:
        raise Invalid.field("purpose", "用途不超过 500 字 / at most 500 characters")
    # PostgreSQL's exclusion constraint arbitrates overlaps in the insert itself (one query
    # fewer); SQLite checks inside its BEGIN IMMEDIATE transaction.
    r = _check_request(instrument, actor, start, end, samples, now, check_overlap=not _is_postgresql())
    internal = actor.organisation_id == instrument.owner_org_id
    price = rules.unit_price_for(instrument.internal_price, instrument.external_price, internal)
    booking = _insert_booking(dict(
        instrument_id=instrument.id, user_id=actor.id, org_id=actor.organisation_id,
        provider_org_id=instrument.owner_org_id, start=start, end=end,
        samples=samples if instrument.price_unit == "sample" or samples is not None else None,
        purpose=purpose, status="requested", price_unit=instrument.price_unit, unit_price=price,
        internal=internal, service_mode=instrument.service_mode,
        fee=rules.booking_fee(instrument.price_unit, price, start, end, samples), user_subsidy=0,
        created_at=now, updated_at=now))
    record("booking", booking.id, "requested", actor, to_state="requested")
    signals.booking_requested.send(booking, actor=actor)
    inst_title = instrument.title
    if r.requires_approval:
        notify_many(provider_members(instrument.owner_org_id),
                    f"新的预约申请：{inst_title} / new booking request",
                    f"{actor.name} 申请预约 {inst_title}，时间 {_when(booking)}。用途：{purpose}",
                    _link("booking.queue"))
    else:
        _approve(booking, None, now, comment="无需审批，自动批准 / approved automatically")
        notify_many(provider_members(instrument.owner_org_id),
                    f"新的预约（已自动批准）：{inst_title} / new booking",
                    f"{actor.name} 预约了 {inst_title}，时间 {_when(booking)}。用途：{purpose}",
                    _link("booking.detail", booking_id=booking.id))
    return booking


# -- transitions -----------------------------------------------------------------------------------

def _approve(booking, actor, now, comment=None):
    machine.apply(booking, "approved", actor, comment=comment)
    booking.decided_by_id = getattr(actor, "id", None)
    booking.decided_at = now
    db.session.flush()
    signals.booking_approved.send(booking, actor=actor)
    notify(booking.user, f"预约已批准：{booking.instrument.title} / booking approved",
           f"您预约的 {booking.instrument.title}（{_when(booking)}）已批准。",
           _link("booking.detail", booking_id=booking.id))


def approve_booking(booking, actor, now=None) -> Booking:
    require_member(actor, booking.provider_org_id)
    now = now or utcnow()
    if booking.status == "requested" and now >= booking.start:
        raise Conflict("预约开始时间已过，不能再批准 / the booking has already started")
    _approve(booking, actor, now)
    return booking


def reject_booking(booking, actor, reason, now=None) -> Booking:
    require_member(actor, booking.provider_org_id)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise Invalid.field("reason", "请填写拒绝理由 / give the reason")
    if len(reason) > 500:
        raise Invalid.field("reason", "理由不超过 500 字 / at most 500 characters")
    _reject(booking, actor, reason, now or utcnow())
    return booking


def _reject(booking, actor, reason, now):
    machine.apply(booking, "rejected", actor, comment=reason)
    booking.reject_reason = reason
    booking.decided_by_id = getattr(actor, "id", None)
    booking.decided_at = now
    db.session.flush()
    signals.booking_rejected.send(booking, actor=actor)
    notify(booking.user, f"预约未获批准：{booking.instrument.title} / booking rejected",
           f"您预约的 {booking.instrument.title}（{_when(booking)}）未获批准。理由：{reason}",
           _link("booking.detail", booking_id=booking.id))


def cancel_booking(booking, actor, reason=None, now=None) -> Booking:
    """The user cancels (free early, late fee after); the provider may cancel without a fee."""
    require_login(actor)
    now = now or utcnow()
    by_user = booking.user_id == actor.id or actor.has_role("admin")
    by_provider = is_provider_member(actor, booking.provider_org_id)
    if not (by_user or by_provider):
        raise Forbidden("只能取消自己的预约 / you may only cancel your own bookings")
    if booking.status in ("requested", "approved") and now >= booking.start:
        raise Conflict("预约已开始，不能取消 / the booking has already started")
    reason = (reason or "").strip()[:500] if isinstance(reason, str) else None
    if by_user and booking.user_id == actor.id:
        fee = rules.cancellation_fee(booking.fee, booking.start, now,
                                     current_app.config["BOOKING_FREE_CANCEL_HOURS"],
                                     current_app.config["BOOKING_LATE_CANCEL_FEE_PERCENT"],
                                     booking.status)
    else:
        fee = 0
    machine.apply(booking, "cancelled", actor, comment=reason or None)
    booking.cancel_fee = fee
    booking.cancelled_at = now
    db.session.flush()
    signals.booking_cancelled.send(booking, actor=actor)
    link = _link("booking.detail", booking_id=booking.id)
    title = booking.instrument.title
    fee_text = f"，取消费 ¥{fee / 100:,.2f}" if fee else ""
    if booking.user_id != actor.id:
        notify(booking.user, f"预约已取消：{title} / booking cancelled",
               f"您预约的 {title}（{_when(booking)}）已被管理单位取消。{reason or ''}", link)
    else:
        notify_many(provider_members(booking.provider_org_id), f"预约已取消：{title} / booking cancelled",
                    f"{booking.user.name} 取消了 {title}（{_when(booking)}）的预约{fee_text}。", link)
    return booking


def check_in(booking, actor, now=None) -> Booking:
    require_login(actor)
    if not (booking.user_id == actor.id or is_provider_member(actor, booking.provider_org_id)):
        raise Forbidden("只有预约人或管理单位可以签到 / only the user or the lab may check in")
    now = now or utcnow()
    if booking.status == "approved":
        early = timedelta(minutes=current_app.config["BOOKING_CHECKIN_EARLY_MINUTES"])
        if now < booking.start - early:
            raise Conflict("尚未到签到时间 / check-in is not open yet")
        if rules.is_no_show(booking.status, booking.start, now,
                            current_app.config["BOOKING_NO_SHOW_MINUTES"]) or now >= booking.end:
            raise Conflict("已超过签到时间 / too late to check in")
    machine.apply(booking, "in_use", actor, action="check_in")
    booking.actual_start = max(now, booking.start) if now < booking.end else booking.start
    db.session.flush()
    signals.booking_checked_in.send(booking, actor=actor)
    return booking


def complete_booking(booking, actor, actual_start=None, actual_end=None, actual_samples=None,
                     now=None) -> Booking:
    """The provider records the usage; the fee is recomputed from it."""
    require_member(actor, booking.provider_org_id)
    now = now or utcnow()
    if booking.status != "in_use":
        raise Conflict(f"只有使用中的预约才能完成 / only a booking in use can be completed "
                       f"(it is {booking.status})")
    actual_start = actual_start or booking.actual_start or booking.start
    actual_end = actual_end or now
    errors = {}
    if actual_end <= actual_start:
        errors["actual_end"] = ["实际结束时间必须晚于开始时间 / the actual end must follow the actual start"]
    elif actual_end > now + timedelta(minutes=5):
        errors["actual_end"] = ["实际结束时间不能在将来 / the actual end cannot be in the future"]
    elif actual_end - actual_start > timedelta(days=7):
        errors["actual_end"] = ["实际使用时间过长 / the actual use is implausibly long"]
    if booking.price_unit == "sample" and actual_samples is None:
        actual_samples = booking.samples
    if actual_samples is not None and (isinstance(actual_samples, bool) or not isinstance(actual_samples, int)
                                       or not 0 <= actual_samples <= current_app.config["BOOKING_MAX_SAMPLES"]):
        errors["actual_samples"] = [f"样品数量应在 0–{current_app.config['BOOKING_MAX_SAMPLES']} 之间 / "
                                    "sample count out of range"]
    if errors:
        raise Invalid("使用记录有误 / the usage record is not valid", errors)
    machine.apply(booking, "completed", actor, action="complete")
    booking.actual_start, booking.actual_end, booking.actual_samples = actual_start, actual_end, actual_samples
    booking.fee = rules.final_fee(booking.price_unit, booking.unit_price, booking.service_mode,
                                  (booking.start, booking.end), (actual_start, actual_end),
                                  booking.samples, actual_samples)
    booking.completed_at = now
    db.session.flush()
    signals.booking_completed.send(booking, actor=actor)
    notify(booking.user, f"使用已完成：{booking.instrument.title} / usage recorded",
           f"{booking.instrument.title} 的使用已记录，应付费用 ¥{booking.fee / 100:,.2f}。欢迎评价本次服务。",
           _link("booking.detail", booking_id=booking.id))
    return booking


def settle_booking(booking, actor, payment_ref, payment_id=None) -> Booking:
    """completed -> settled once paid (called by the payments engineer's code)."""
    if not isinstance(payment_ref, str) or not payment_ref.strip() or len(payment_ref) > 100:
        raise Invalid.field("payment_ref", "缺少支付凭证 / payment reference required")
    machine.apply(booking, "settled", actor, action="settle", comment=payment_ref)
    booking.payment_ref = payment_ref.strip()
    booking.settled_at = utcnow()
    db.session.flush()
    signals.booking_settled.send(booking, actor=actor, payment_id=payment_id)
    return booking


def record_cancel_fee_paid(booking, actor, payment_ref) -> Booking:
    """A cancelled or no-show booking's fee was collected (called by the payments code)."""
    if booking.status not in ("cancelled", "no_show") or not booking.cancel_fee:
        raise Conflict("该预约没有待付的取消费用 / this booking owes no cancellation fee")
    if booking.cancel_fee_paid_at is not None:
        raise Conflict("取消费用已付 / the cancellation fee is already paid")
    booking.cancel_fee_paid_at = utcnow()
    booking.payment_ref = payment_ref
    record("booking", booking.id, "cancel_fee_paid", actor, comment=payment_ref)
    db.session.flush()
    return booking


def _mark_no_show(booking, now):
    machine.apply(booking, "no_show", None, action="no_show",
                  comment="开始后未签到 / no check-in after the start")
    booking.cancel_fee = rules.cancellation_fee(booking.fee, booking.start, now, 0,
                                                current_app.config["BOOKING_LATE_CANCEL_FEE_PERCENT"])
    db.session.flush()
    signals.booking_no_show.send(booking, actor=None)
    notify(booking.user, f"预约爽约：{booking.instrument.title} / no-show",
           f"您预约的 {booking.instrument.title}（{_when(booking)}）开始后未签到，已记为爽约。",
           _link("booking.detail", booking_id=booking.id))


def _overdue_query(now, **where):
    grace = now - timedelta(minutes=current_app.config["BOOKING_NO_SHOW_MINUTES"])
    q = db.select(Booking).where(Booking.status.in_(("approved", "requested")), Booking.start <= grace)
    for name, value in where.items():
        if value is not None:
            q = q.where(getattr(Booking, name) == value)
    return q


def mark_no_shows(now=None, **where) -> int:
    """Approved bookings with no check-in after the grace period become no-shows; requests nobody
    decided on by then are rejected. `where` narrows by Booking column (user_id=, instrument_id=...)."""
    now = now or utcnow()
    count = 0
    for booking in db.session.scalars(_overdue_query(now, **where).order_by(Booking.start)).all():
        if booking.status == "approved":
            _mark_no_show(booking, now)
        else:
            _reject(booking, None, "开始前未获审批，已自动失效 / not decided before the start", now)
        count += 1
    return count


def has_overdue(now=None, **where) -> bool:
    now = now or utcnow()
    return db.session.scalar(_overdue_query(now, **where).with_only_columns(Booking.id).limit(1)) is not None


def lazy_mark_no_shows(**where) -> int:
    """Called by views: if anything is overdue, mark it in its own write transaction and commit."""
    if not has_overdue(**where):
        return 0
    from ..core.db import writing
    db.session.commit()
    with writing():
        count = mark_no_shows(**where)
        db.session.commit()
    return count


def send_reminders(now=None) -> int:
    """Remind users of approved bookings that start on the next local day. Idempotent."""
    now = now or utcnow()
    tomorrow = rules.local_date(now) + timedelta(days=1)
    lo = rules._to_utc(tomorrow, datetime.min.time())
    hi = lo + timedelta(days=1)
    count = 0
    for b in db.session.scalars(db.select(Booking).where(
            Booking.status == "approved", Booking.start >= lo, Booking.start < hi,
            Booking.reminded_at.is_(None))).all():
        notify(b.user, f"明日预约提醒：{b.instrument.title} / reminder",
               f"您预约的 {b.instrument.title} 将于 {_when(b)} 开始，地点：{b.instrument.location or '—'}。"
               f"请准时签到，开始后 {current_app.config['BOOKING_NO_SHOW_MINUTES']} 分钟未签到将记为爽约。",
               _link("booking.detail", booking_id=b.id))
        b.reminded_at = now
        count += 1
    db.session.flush()
    return count


# -- ratings ---------------------------------------------------------------------------------------

def rate_booking(booking, actor, score, comment="") -> Rating:
    require_login(actor)
    if booking.user_id != actor.id:
        raise Forbidden("只有预约人可以评价 / only the booking user may rate it")
    if booking.status not in ("completed", "settled"):
        raise Conflict("使用完成后才能评价 / rate after the use is completed")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise Invalid.field("score", "评分应为 1–5 / the score is 1 to 5")
    comment = (comment or "").strip() if isinstance(comment, str) else ""
    if len(comment) > 1000:
        raise Invalid.field("comment", "评价不超过 1000 字 / at most 1000 characters")
    if db.session.scalar(db.select(Rating.id).where(Rating.booking_id == booking.id)) is not None:
        raise Conflict("该预约已评价 / this booking has already been rated")
    rating = Rating(booking_id=booking.id, instrument_id=booking.instrument_id,
                    provider_org_id=booking.provider_org_id, user_id=actor.id, score=score, comment=comment)
    try:
        with db.session.begin_nested():
            db.session.add(rating)
            db.session.flush()
    except IntegrityError:
        raise Conflict("该预约已评价 / this booking has already been rated") from None
    return rating


def rating_summary(*, instrument_id=None, provider_org_id=None) -> tuple[float | None, int]:
    q = db.select(sa.func.avg(Rating.score), sa.func.count(Rating.id))
    if instrument_id is not None:
        q = q.where(Rating.instrument_id == instrument_id)
    if provider_org_id is not None:
        q = q.where(Rating.provider_org_id == provider_org_id)
    avg, count = db.session.execute(q).one()
    return (round(float(avg), 1) if avg is not None else None), count


# -- provider settings -----------------------------------------------------------------------------

def get_or_create_settings(instrument) -> BookingSettings:
    s = db.session.get(BookingSettings, instrument.id)
    if s is None:
        s = BookingSettings(instrument_id=instrument.id, requires_approval=True)
        for wd, o, c in rules.parse_weekly_hours(current_app.config["BOOKING_OPENING_HOURS"]):
            s.opening_hours.append(OpeningHours(weekday=wd, opens=o, closes=c))
        db.session.add(s)
        db.session.flush()
    return s


def _int_or_none(value, name, lo, hi):
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise Invalid.field(name, f"应为 {lo}–{hi} 之间的整数 / a whole number from {lo} to {hi}")
    return value


def update_settings(instrument, actor, *, opening_hours: str | None = None, lead_time_hours=None,
                    horizon_days=None, min_minutes=None, max_minutes=None,
                    requires_approval: bool = True) -> BookingSettings:
    require_member(actor, instrument.owner_org_id)
    lead = _int_or_none(lead_time_hours, "lead_time_hours", 0, 8760)
    horizon = _int_or_none(horizon_days, "horizon_days", 1, 3660)
    mn = _int_or_none(min_minutes, "min_minutes", 1, 100000)
    mx = _int_or_none(max_minutes, "max_minutes", 1, 100000)
    if mn and mx and mn > mx:
        raise Invalid.field("max_minutes", "最长时长不能小于最短时长 / max must not be below min")
    weekly = None
    if opening_hours is not None:
        try:
            weekly = rules.parse_weekly_hours(opening_hours)
        except (ValueError, TypeError):
            raise Invalid.field("opening_hours", "格式如 “0-4 08:30-17:30; 5 09:00-12:00”（0=周一） / "
                                "format like '0-4 08:30-17:30; 5 09:00-12:00' (0 = Monday)") from None
    s = get_or_create_settings(instrument)
    s.lead_time_hours, s.horizon_days, s.min_minutes, s.max_minutes = lead, horizon, mn, mx
    s.requires_approval = bool(requires_approval)
    if weekly is not None:
        s.opening_hours.clear()
        db.session.flush()
        for wd, o, c in weekly:
            s.opening_hours.append(OpeningHours(weekday=wd, opens=o, closes=c))
    record("booking_settings", instrument.id, "update", actor)
    db.session.flush()
    return s


def add_blackout(instrument, actor, start, end, reason) -> Blackout:
    require_member(actor, instrument.owner_org_id)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise Invalid.field("reason", "请填写原因 / give the reason")
    if not isinstance(start, datetime) or not isinstance(end, datetime) or end <= start:
        raise Invalid.field("end", "结束时间必须晚于开始时间 / the end must be after the start")
    b = Blackout(instrument_id=instrument.id, start=start, end=end, reason=reason[:200],
                 created_by_id=actor.id)
    db.session.add(b)
    db.session.flush()
    return b


def remove_blackout(blackout_id, actor) -> None:
    b = db.session.get(Blackout, blackout_id)
    if b is None:
        raise NotFound("停机时段不存在 / no such blackout")
    inst = get_instrument(b.instrument_id, public=False)
    require_member(actor, inst.owner_org_id)
    db.session.delete(b)
    db.session.flush()


def qualify_user(instrument, actor, email) -> Qualification:
    require_member(actor, instrument.owner_org_id)
    email = (email or "").strip().lower() if isinstance(email, str) else ""
    user = db.session.scalar(db.select(User).where(sa.func.lower(User.email) == email)) if email else None
    if user is None:
        raise Invalid.field("email", "找不到该邮箱的用户 / no user with this e-mail")
    q = db.session.get(Qualification, (instrument.id, user.id))
    if q is None:
        q = Qualification(instrument_id=instrument.id, user_id=user.id, granted_by_id=actor.id)
        db.session.add(q)
        db.session.flush()
    return q


def revoke_qualification(instrument, actor, user_id) -> None:
    require_member(actor, instrument.owner_org_id)
    q = db.session.get(Qualification, (instrument.id, user_id))
    if q is not None:
        db.session.delete(q)
        db.session.flush()


# -- queries for pages -----------------------------------------------------------------------------

def user_bookings(user, status=None, page=1, per_page=20):
    q = db.select(Booking).where(Booking.user_id == user.id)
    if status:
        q = q.where(Booking.status == status)
    return db.paginate(q.order_by(Booking.start.desc(), Booking.id.desc()), page=page,
                       per_page=per_page, error_out=False)


def provider_bookings(org_id, status=None, page=1, per_page=20, order_asc=True):
    # the queue shows who booked for which organisation: load them with the page, not per row
    q = (db.select(Booking).where(Booking.provider_org_id == org_id)
         .options(sa.orm.selectinload(Booking.user), sa.orm.selectinload(Booking.org)))
    if status:
        q = q.where(Booking.status == status)
    order = Booking.start.asc() if order_asc else Booking.start.desc()
    return db.paginate(q.order_by(order, Booking.id), page=page, per_page=per_page, error_out=False)


def provider_counts(org_id) -> dict[str, int]:
    rows = db.session.execute(db.select(Booking.status, sa.func.count(Booking.id))
                              .where(Booking.provider_org_id == org_id).group_by(Booking.status))
    return {status: n for status, n in rows}


def org_instruments(org_id):
    return list(db.session.scalars(db.select(Instrument).where(Instrument.owner_org_id == org_id)
                                   .order_by(Instrument.title)))
