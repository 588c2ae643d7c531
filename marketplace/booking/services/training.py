"""Qualification on self-operated instruments: training requests (培训申请 → scheduled → trained →
qualified, states.TRAINING), the qualification itself with its expiry, the lab's list, renewal reminders.

A qualification is one row per (instrument, user) with `valid_until` (a local date, inclusive); granting
it again (a renewal, or a second lab member completing the same training) moves the date, never adds a
second row: the grant is one upsert, so two grants at once leave one qualification.
"""
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ...accounts.models import User
from ...catalog.models import Resource
from ...core.audit import record
from ...core.db import is_id
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.i18n import Message as _l
from ...core.jobs import enqueue
from ...core.permissions import require_login, require_member
from ...core.schema import Id, LocalDay, Moment, note, validated
from ...core.timeutil import to_local, utcnow
from ...extensions import db
from ...notifications.services import notify
from ..models import Booking, Qualification, TrainingRequest
from ..states import TRAINING, TRAINING_OPEN
from .lookups import is_provider_member, link, needs_qualification, notify_provider_staff

MAX_NOTE = 1000


def local_today(now: datetime | None = None) -> date:
    return to_local(now or utcnow()).date()


def default_valid_until(today: date) -> date:
    years = current_app.config["BOOKING_QUALIFICATION_YEARS"]
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def qualification_of(instrument_id: int, user_id: int) -> Qualification | None:
    return db.session.get(Qualification, (instrument_id, user_id))


def qualification_valid(q: Qualification | None, today: date | None = None) -> bool:
    return q is not None and (q.valid_until is None or q.valid_until >= (today or local_today()))


Note = note(MAX_NOTE)


@validated
def request_training(instrument, note: Note = "", *, actor) -> TrainingRequest:
    """The user asks for training on a self-operated instrument; one open request per user and
    instrument (a second one is a Conflict). Allowed while a qualification is running out (renewal)."""
    require_login(actor)
    if not needs_qualification(instrument):
        raise Invalid(_("该仪器不需要上机资格"))
    if actor.is_member_of(instrument.owner_org_id):
        raise Invalid(_("本单位成员无需申请培训"))
    q = qualification_of(instrument.id, actor.id)
    remind = timedelta(days=current_app.config["BOOKING_QUALIFICATION_REMIND_DAYS"])
    if qualification_valid(q) and (q.valid_until is None or q.valid_until - local_today() > remind):
        raise Conflict(_("您已具备该仪器的上机资格（有效期至 %(d)s）", d=q.valid_until or "—"))
    tr = TrainingRequest(instrument_id=instrument.id, user_id=actor.id, provider_org_id=instrument.owner_org_id,
                         status="requested", note=note)
    try:
        with db.session.begin_nested():  # the partial unique index arbitrates two requests at once
            db.session.add(tr)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("您已有一份进行中的培训申请")) from None
    record("training_request", tr.id, "requested", actor=actor, to_state="requested", comment=note or None)
    enqueue(notify_provider_staff, instrument.owner_org_id,
            _l("新的培训申请：%(title)s", title=instrument.title),
            _l("%(name)s 申请 %(title)s 的上机培训。%(note)s", name=actor.name, title=instrument.title, note=note),
            link("booking.training_list"))
    return tr


def withdraw_training(tr: TrainingRequest, *, actor) -> TrainingRequest:
    require_login(actor)
    if tr.user_id != actor.id:
        raise Forbidden(_("只能撤回自己的培训申请"))
    TRAINING.apply(tr, "cancelled", actor=actor, action="withdraw")
    return tr


# -- the lab ----------------------------------------------------------------------------------------

def get_training(request_id, *, actor) -> TrainingRequest:
    """A training request, for its user and the lab's members (others: not found)."""
    require_login(actor)
    tr = db.session.get(TrainingRequest, request_id) if is_id(request_id) else None
    if tr is None or not (tr.user_id == actor.id or is_provider_member(tr.provider_org_id, actor=actor)):
        raise NotFound(_("培训申请不存在"))
    return tr


def _event_exists(event_id: int) -> bool:
    # events sit above booking in the layers: the optional link is checked on its table, not its model
    events = sa.table("events", sa.column("id"))
    return db.session.scalar(sa.select(events.c.id).where(events.c.id == event_id)) is not None


@validated
def schedule_training(tr: TrainingRequest, scheduled_at: Moment, *, actor, event_id: Id | None = None,
                      note: Note = "", now: Moment | None = None) -> TrainingRequest:
    """The lab fixes the training's time (naive UTC), optionally a training event; again to reschedule."""
    require_member(actor, tr.provider_org_id)
    now = now or utcnow()
    if scheduled_at < now - timedelta(days=1) or scheduled_at > now + timedelta(days=366):
        raise Invalid.field("scheduled_at", _("培训时间应在今天到一年之内"))
    if event_id is not None and not _event_exists(event_id):
        raise Invalid.field("event_id", _("活动不存在"))
    lab_note = note
    values = dict(scheduled_at=scheduled_at, event_id=event_id, lab_note=lab_note or None)
    if tr.status == "scheduled":  # a new time for a scheduled training: no move, still audited
        for k, v in values.items():
            setattr(tr, k, v)
        record("training_request", tr.id, "rescheduled", actor=actor, comment=lab_note or None)
        db.session.flush()
    else:
        TRAINING.apply(tr, "scheduled", actor=actor, action="schedule", comment=lab_note or None, **values)
    when = to_local(scheduled_at).strftime("%Y-%m-%d %H:%M")
    notify(tr.user, _l("培训已安排：%(title)s", title=tr.instrument.title),
           _l("%(title)s 的上机培训安排在 %(when)s。%(note)s", title=tr.instrument.title, when=when, note=lab_note),
           link("booking.training_list"))
    return tr


@validated
def complete_training(tr: TrainingRequest, *, actor, valid_until: LocalDay | None = None, qualify: bool = True,
                      now: Moment | None = None) -> TrainingRequest:
    """The training took place (trained); with `qualify` the lab grants the qualification until
    `valid_until` (default BOOKING_QUALIFICATION_YEARS from today)."""
    require_member(actor, tr.provider_org_id)
    today = local_today(now)
    if valid_until is not None and not today < valid_until <= today.replace(year=today.year + 10):
        raise Invalid.field("valid_until", _("有效期应晚于今天且不超过十年"))
    if tr.status in ("requested", "scheduled"):
        TRAINING.apply(tr, "trained", actor=actor, action="train")
    if not qualify:
        return tr
    valid_until = valid_until or default_valid_until(today)
    TRAINING.apply(tr, "qualified", actor=actor, action="qualify", comment=str(valid_until), valid_until=valid_until)
    grant(tr.instrument_id, tr.user_id, valid_until, actor=actor)
    notify(tr.user, _l("已取得上机资格：%(title)s", title=tr.instrument.title),
           _l("您已取得 %(title)s 的自主上机资格，有效期至 %(d)s，现在可以预约。", title=tr.instrument.title,
             d=valid_until), link("booking.book", instrument_id=tr.instrument_id))
    return tr


@validated
def decline_training(tr: TrainingRequest, reason: Note, *, actor) -> TrainingRequest:
    require_member(actor, tr.provider_org_id)
    if not reason:
        raise Invalid.field("reason", _("请填写说明"))
    TRAINING.apply(tr, "declined", actor=actor, action="decline", comment=reason, lab_note=reason)
    notify(tr.user, _l("培训申请未通过：%(title)s", title=tr.instrument.title),
           _l("%(title)s 的培训申请未通过。理由：%(reason)s", title=tr.instrument.title, reason=reason),
           link("booking.training_list"))
    return tr


def grant(instrument_id: int, user_id: int, valid_until: date, *, actor) -> None:
    """Qualify the user until `valid_until`: one upsert, so a renewal or two grants at once leave one row."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    values = dict(instrument_id=instrument_id, user_id=user_id, granted_by_id=getattr(actor, "id", None),
                  granted_at=utcnow(), valid_until=valid_until, reminded_at=None)
    stmt = insert(Qualification).values(**values)
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["instrument_id", "user_id"],
        set_={k: stmt.excluded[k] for k in ("granted_by_id", "granted_at", "valid_until", "reminded_at")}))
    db.session.expire_all()
    record("qualification", instrument_id, "granted", actor=actor, comment=f"user {user_id} until {valid_until}")


def training_page(*, actor, page: int = 1, per_page: int = 20, status: str | None = None):
    """What /booking/training shows: the lab's requests to handle (a provider member) and the user's own."""
    require_login(actor)
    lab = None
    if actor.organisation_id is not None:
        q = sa.select(TrainingRequest).where(TrainingRequest.provider_org_id == actor.organisation_id)
        q = q.where(TrainingRequest.status == status) if status else \
            q.where(TrainingRequest.status.in_(TRAINING_OPEN))
        lab = db.paginate(q.order_by(TrainingRequest.created_at), page=page, per_page=per_page, error_out=False)
    own = db.session.scalars(sa.select(TrainingRequest).where(TrainingRequest.user_id == actor.id)
                             .order_by(TrainingRequest.created_at.desc()).limit(50)).all()
    return lab, own


def open_request(instrument_id: int, user_id: int) -> TrainingRequest | None:
    return db.session.scalar(sa.select(TrainingRequest).where(
        TrainingRequest.instrument_id == instrument_id, TrainingRequest.user_id == user_id,
        TrainingRequest.status.in_(TRAINING_OPEN)))


def qualification_list(instrument) -> list[Qualification]:
    """The lab's list of qualified users of one instrument, the soonest to expire first."""
    return list(db.session.scalars(
        sa.select(Qualification).where(Qualification.instrument_id == instrument.id)
        .order_by(Qualification.valid_until.is_(None), Qualification.valid_until, Qualification.user_id)))


def trainees(instrument) -> list[User]:
    """Users the lab may qualify directly (the picker): those who asked for training or booked it."""
    asked = sa.select(TrainingRequest.user_id).where(TrainingRequest.instrument_id == instrument.id)
    booked = sa.select(Booking.user_id).where(Booking.instrument_id == instrument.id)
    return list(db.session.scalars(sa.select(User).where(User.id.in_(asked.union(booked)), User.active.is_(True))
                                   .order_by(User.name).limit(200)))


# -- the renewal reminder (a periodic job) -----------------------------------------------------------

def remind_expiring(now: datetime | None = None) -> int:
    """Tell users whose qualification ends within BOOKING_QUALIFICATION_REMIND_DAYS to renew it; each
    expiry is reminded once (a renewal clears the mark). Idempotent."""
    today = local_today(now)
    horizon = today + timedelta(days=current_app.config["BOOKING_QUALIFICATION_REMIND_DAYS"])
    count = 0
    for q in db.session.scalars(sa.select(Qualification).where(
            Qualification.valid_until.is_not(None), Qualification.valid_until >= today,
            Qualification.valid_until <= horizon, Qualification.reminded_at.is_(None))).all():
        title = db.session.scalar(sa.select(Resource.title).where(Resource.id == q.instrument_id))
        notify(q.user, _l("上机资格即将到期：%(title)s", title=title),
               _l("您在 %(title)s 的上机资格将于 %(d)s 到期，请及时申请复训。", title=title, d=q.valid_until),
               link("booking.book", instrument_id=q.instrument_id))
        q.reminded_at = now or utcnow()
        count += 1
    db.session.flush()
    return count
