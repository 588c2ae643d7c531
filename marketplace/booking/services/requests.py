"""Quoting and requesting a booking: the rules, the price, and the overlap check the database backs."""
import functools

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ...accounts.models import User
from ...accounts.rules import require_verified_email
from ...catalog.models import Resource
from ...core.audit import record
from ...core.audit import record_rows as audit_rows
from ...core.audit import rows_params as audit_params
from ...core.errors import Conflict, Forbidden, Invalid
from ...core.i18n import Message as _l
from ...core.jobs import enqueue, writes_outbox
from ...core.outbox import outbox_params, outbox_rows, wake_after_commit
from ...core.permissions import require_login
from ...core.schema import Count, Id, Moment, note, validated
from ...core.timeutil import utcnow
from ...extensions import db
from ...notifications.services import notify_many
from .. import rules
from ..models import EXCLUSION_CONSTRAINT, Booking
from .lookups import (
    busy_between,
    effective_rules,
    link,
    may_self_operate,
    needs_qualification,
    service_mode_of,
    takes_bookings,
    when,
)


def overlap_message() -> str:
    return _("该时段已被预约，请选择其他时间")


def _check_request(instrument, start, end, samples, now, check_overlap=True, *, actor, assisted=False):
    require_login(actor)
    if not takes_bookings(instrument):
        raise Invalid(_("该仪器暂不开放预约"))
    if actor.organisation_id is None:
        raise Forbidden(_("请先加入一个单位再预约"))
    if assisted:
        if not needs_qualification(instrument) or instrument.price_unit != "hour":
            raise Invalid.field("assisted", _("该仪器不提供专人操作的协助机时"))
    elif not may_self_operate(instrument, actor):
        raise Forbidden(_("您尚未取得该仪器的自主操作资格：请先申请培训，或预约专人操作的协助机时"))
    # rules loaded with the instrument (get_instrument_for_booking) serve this one check, then go
    r = instrument.__dict__.pop("_booking_rules", None) or effective_rules(instrument)
    errors = rules.validate_request(r, start, end, now, price_unit=instrument.price_unit,
                                    samples=samples)
    if errors:
        raise Invalid(_("预约信息有误"), errors)
    if check_overlap and any(rules.overlaps((start, end), b) for b in busy_between(instrument.id, start, end)):
        raise Conflict(overlap_message())
    return r


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


@functools.cache
def _insert_with_audit(keys: tuple[str, ...], with_job: bool = False):
    """PostgreSQL's INSERT ... ON CONFLICT DO NOTHING RETURNING of a booking with its audit row in a CTE
    of the same statement (and, `with_job`, the outbox row of its notify_requested job), built once per
    process (its 35 column proxies cost more than the round trip it saves when built per request);
    every value is bound at execution."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    new = pg_insert(Booking).values({k: sa.bindparam(k) for k in keys}).on_conflict_do_nothing() \
        .returning(*Booking.__table__.c).cte("new_booking")
    logged = audit_rows(new, "booking", new.c.id, "requested", to_state="requested")
    if not with_job:
        return sa.select(Booking).from_statement(sa.select(new).add_cte(logged))
    job = outbox_rows(new, notify_requested, new.c.id, sa.bindparam("job_link", type_=sa.String),
                      sa.literal(False))
    both = sa.select(new, job.c.outbox_id).select_from(new.join(job, sa.true())).add_cte(logged)
    return sa.select(Booking, sa.column("outbox_id", sa.BigInteger)).from_statement(both)


def _insert_booking(values: dict, *, actor, provider_link: str | None = None) -> tuple[Booking, bool]:
    """Insert a booking with its audit row ("requested"); Conflict if the database refuses it as overlapping.
    With `provider_link`, the notify_requested job (the staff told of a request to decide) goes with it.
    Returns the booking and whether that job was written here (else the caller enqueues it).

    PostgreSQL: one statement, INSERT ... ON CONFLICT DO NOTHING RETURNING with the audit row's INSERT
    (and in queue mode the job's outbox row) in CTEs of the same statement — the exclusion constraint is
    the arbiter, a concurrent overlapping insert waits for the winner and then gets no row back (and
    writes no audit or job row), and the transaction stays usable (no savepoint round trips). SQLite:
    the caller checked for overlaps inside the BEGIN IMMEDIATE transaction, so a plain insert cannot race.
    """
    if _is_postgresql():
        with_job = provider_link is not None and writes_outbox()
        params = {**values, **audit_params(actor=actor)}
        if with_job:
            params.update(outbox_params(), job_link=provider_link)
        row = db.session.execute(_insert_with_audit(tuple(values), with_job), params).first()
        if row is None:
            raise Conflict(overlap_message())
        if with_job:
            wake_after_commit([row.outbox_id])
        return row[0], with_job
    booking = Booking(**values)
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError as err:  # any other database's exclusion constraint
        if getattr(err.orig, "sqlstate", None) == "23P01" or EXCLUSION_CONSTRAINT in str(err.orig):
            raise Conflict(overlap_message()) from None
        raise
    record("booking", booking.id, "requested", actor=actor, to_state="requested")
    return booking, False


def _price(instrument, r, internal: bool, assisted: bool) -> int:
    """The user's unit price; an assisted session costs the instrument's assisted percent of it."""
    price = rules.unit_price_for(instrument.internal_price, instrument.external_price, internal)
    if assisted:
        percent = r.assisted_percent or current_app.config["BOOKING_ASSISTED_PERCENT"]
        price = (price * percent + 50) // 100
    return price


@validated
def quote_booking(instrument, start: Moment, end: Moment, *, actor, samples: Count | None = None,
                  now: Moment | None = None, assisted: bool = False) -> int:
    """Validate a request and return its fee in fen (nothing is stored)."""
    now = now or utcnow()
    r = _check_request(instrument, start, end, samples, now, actor=actor, assisted=assisted)
    internal = actor.organisation_id == instrument.owner_org_id
    price = _price(instrument, r, internal, assisted)
    return rules.booking_fee(instrument.price_unit, price, start, end, samples)


@validated
def request_booking(instrument, start: Moment, end: Moment, purpose: note(500), *, actor,
                    samples: Count | None = None, now: Moment | None = None, assisted: bool = False,
                    series_id: Id | None = None) -> Booking:
    """Request a booking of [start, end) (naive UTC); approved at once when the instrument needs no approval.
    `assisted`: a self-operated instrument operated by the lab's staff for the user, at the assisted rate
    (billed on the time used, like any staff-operated session). `series_id`: one slot of a weekly series
    (services.series), whose staff are told once for the whole series."""
    from .transitions import approve_now
    now = now or utcnow()
    if not purpose:
        raise Invalid.field("purpose", _("请填写用途"))
    # PostgreSQL's exclusion constraint arbitrates overlaps in the insert itself (one query
    # fewer); SQLite checks inside its BEGIN IMMEDIATE transaction.
    r = _check_request(instrument, start, end, samples, now, check_overlap=not _is_postgresql(), actor=actor,
                       assisted=assisted)
    require_verified_email(actor=actor)
    internal = actor.organisation_id == instrument.owner_org_id
    price = _price(instrument, r, internal, assisted)
    staff_link = link("booking.queue") if series_id is None and r.requires_approval else None
    booking, queued = _insert_booking(dict(
        instrument_id=instrument.id, user_id=actor.id, org_id=actor.organisation_id,
        provider_org_id=instrument.owner_org_id, start=start, end=end,
        samples=samples if instrument.price_unit == "sample" or samples is not None else None,
        purpose=purpose, status="requested", price_unit=instrument.price_unit, unit_price=price,
        internal=internal, service_mode="staff_operated" if assisted else service_mode_of(instrument),
        fee=rules.booking_fee(instrument.price_unit, price, start, end, samples), user_subsidy=0,
        created_at=now, updated_at=now, series_id=series_id), actor=actor, provider_link=staff_link)
    if series_id is not None:
        if not r.requires_approval:
            approve_now(booking, actor=None, now=now, comment=_("无需审批，自动批准"), notify_user=False)
        return booking
    if r.requires_approval:
        if not queued:
            enqueue(notify_requested, booking.id, staff_link, False)
    else:
        approve_now(booking, actor=None, now=now, comment=_("无需审批，自动批准"), notify_user=False)
        enqueue(notify_requested, booking.id, link("booking.detail", booking_id=booking.id), True)
    return booking


@functools.cache
def _notify_lookup() -> sa.Select:
    """notify_requested's statement, built once per process (building it cost more than running it)."""
    staff = sa.orm.aliased(User)
    return (sa.select(Booking.status, Booking.start, Booking.end, Booking.purpose, Resource.title,
                      User.name.label("user_name"), staff.id, staff.email, staff.language)
            .join(Resource, Resource.id == Booking.instrument_id).join(User, User.id == Booking.user_id)
            .outerjoin(staff, sa.and_(staff.organisation_id == Booking.provider_org_id, staff.active.is_(True)))
            .where(Booking.id == sa.bindparam("id")).order_by(staff.id))


def notify_requested(booking_id: int, provider_link: str | None = None, auto_approved: bool = False) -> int:
    """The job after a booking request commits: tell the provider's staff (and, when it was approved
    at once, the user). Run by the job queue, outside the request. Returns notifications sent."""
    from .transitions import notify_approved
    # what the message needs and who gets it in one Core statement (no ORM objects): the booking's
    # columns with the two names, one row per active member of the managing unit (one row with no
    # member when it has none). This job follows every booking request.
    rows = db.session.execute(_notify_lookup(), {"id": booking_id}).all()
    if not rows:
        return 0
    booking = rows[0]
    title = booking.title
    fields = dict(name=booking.user_name, title=title, when=when(booking), purpose=booking.purpose)
    if not auto_approved:
        subject = _l("新的预约申请：%(title)s", title=title)
        body = _l("%(name)s 申请预约 %(title)s，时间 %(when)s。用途：%(purpose)s", **fields)
    else:
        subject = _l("新的预约（已自动批准）：%(title)s", title=title)
        body = _l("%(name)s 预约了 %(title)s，时间 %(when)s。用途：%(purpose)s", **fields)
        if booking.status == "approved":
            notify_approved(db.session.get(Booking, booking_id), link=provider_link)
    return notify_many([row for row in rows if row.id is not None], subject, body, provider_link)
