"""Bookings and instrument availability over the booking services."""
from flask_babel import gettext as _

from ..booking import services
from ..booking.schemas import (
    Availability,
    AvailabilityQuery,
    BookingIn,
    BookingOut,
    CorrectionIn,
    DowntimeIn,
    DowntimeOut,
    ReasonIn,
    SeriesIn,
    SeriesOut,
    SessionIn,
    SessionOut,
    TrainingCompleteIn,
    TrainingDeclineIn,
    TrainingIn,
    TrainingOut,
    TrainingScheduleIn,
    UsageIn,
)
from ..core.errors import Unauthorized
from ..core.permissions import require_login
from .common import api_actor, api_instrument_id
from .spec import endpoint

BOOKING_ERRORS = (401, 403, 404, 409, 422)


@endpoint("/instruments/<int:id>/availability", query=AvailabilityQuery, answer=Availability,
          errors=(404, 422), tags=["bookings"])
def instrument_availability(id, query: AvailabilityQuery):
    """Free bookable intervals of an instrument between `from` and `to` (ISO 8601 with offset)."""
    inst = services.get_instrument(id)
    free = services.availability(inst, query.from_, query.to)
    return Availability(instrument_id=inst.id, from_=query.from_, to=query.to,
                        free=[{"start": s, "end": e} for s, e in free])


@endpoint("/bookings", "POST", body=BookingIn, answer=BookingOut, status=201, errors=BOOKING_ERRORS,
          tags=["bookings"])
def create_booking(json: BookingIn):
    """Request a booking; 409 when the time overlaps another booking."""
    actor = require_login(api_actor())
    inst = services.booking_target(json.instrument_id)
    booking = services.request_booking(inst, json.start, json.end, json.purpose, actor=actor,
                                       samples=json.samples, assisted=json.assisted)
    return BookingOut.model_validate(booking), 201, {"Location": f"/api/v1/bookings/{booking.id}"}


@endpoint("/bookings/series", "POST", body=SeriesIn, answer=SeriesOut, status=201, errors=BOOKING_ERRORS,
          tags=["bookings"])
def create_series(json: SeriesIn):
    """Book the same time every week until `weekly_until`, each slot checked on its own: `failed` lists the
    slots that could not be booked and why; 409 when none could."""
    actor = require_login(api_actor())
    inst = services.get_instrument(json.instrument_id)
    series, created, failed = services.request_series(inst, json.start, json.end, json.weekly_until, json.purpose,
                                                      samples=json.samples, assisted=json.assisted, actor=actor)
    return SeriesOut(series_id=series.id, created=[b.id for b in created], failed=failed), 201


@endpoint("/bookings/series/<int:id>/approve", "POST", answer=SeriesOut, errors=BOOKING_ERRORS, tags=["bookings"])
def approve_series(id):
    """The lab approves every waiting slot of a series together."""
    actor = require_login(api_actor())
    series = services.get_series(id, actor=actor)
    services.approve_series(series, actor=actor)
    return SeriesOut(series_id=series.id, created=[b.id for b in services.series_bookings(series)], failed=[])


@endpoint("/bookings/series/<int:id>/cancel", "POST", body=ReasonIn, answer=SeriesOut, errors=BOOKING_ERRORS,
          tags=["bookings"])
def cancel_series(id, json: ReasonIn):
    """The user (usual fees) or the lab (free) cancels every slot not yet begun."""
    actor = require_login(api_actor())
    series = services.get_series(id, actor=actor)
    services.cancel_series(series, json.reason, actor=actor)
    return SeriesOut(series_id=series.id, created=[b.id for b in services.series_bookings(series)], failed=[])


@endpoint("/bookings/<int:id>", answer=BookingOut, errors=(404,), tags=["bookings"])
def get_booking(id):
    """A booking (its user, the provider's members, admins)."""
    return BookingOut.model_validate(services.get_booking(id, actor=api_actor()))


def _step(id):
    actor = require_login(api_actor())
    return services.get_booking(id, actor=actor), actor


@endpoint("/bookings/<int:id>/approve", "POST", answer=BookingOut, errors=BOOKING_ERRORS, tags=["bookings"])
def approve_booking(id):
    """A provider member approves a requested booking."""
    booking, actor = _step(id)
    return BookingOut.model_validate(services.approve_booking(booking, actor=actor))


@endpoint("/bookings/<int:id>/reject", "POST", body=ReasonIn, answer=BookingOut, errors=BOOKING_ERRORS,
          tags=["bookings"])
def reject_booking(id, json: ReasonIn):
    """A provider member rejects a requested booking; `reason` is required."""
    booking, actor = _step(id)
    return BookingOut.model_validate(services.reject_booking(booking, json.reason, actor=actor))


@endpoint("/bookings/<int:id>/cancel", "POST", body=ReasonIn, answer=BookingOut, errors=BOOKING_ERRORS,
          tags=["bookings"])
def cancel_booking(id, json: ReasonIn):
    """The user (late fee within BOOKING_FREE_CANCEL_HOURS) or the provider cancels."""
    booking, actor = _step(id)
    return BookingOut.model_validate(services.cancel_booking(booking, json.reason, actor=actor))


@endpoint("/bookings/<int:id>/check-in", "POST", answer=BookingOut, errors=BOOKING_ERRORS,
          tags=["bookings"])
def check_in_booking(id):
    """The user or the provider starts the use (approved -> in_use)."""
    booking, actor = _step(id)
    return BookingOut.model_validate(services.check_in(booking, actor=actor))


@endpoint("/bookings/<int:id>/complete", "POST", body=UsageIn, answer=BookingOut, errors=BOOKING_ERRORS,
          tags=["bookings"])
def complete_booking(id, json: UsageIn):
    """The provider records usage; the fee is recomputed."""
    booking, actor = _step(id)
    return BookingOut.model_validate(services.complete_booking(
        booking, actor=actor, actual_start=json.actual_start, actual_end=json.actual_end,
        actual_samples=json.actual_samples))


@endpoint("/bookings/<int:id>/correct", "POST", body=CorrectionIn, answer=BookingOut, errors=BOOKING_ERRORS,
          tags=["bookings"])
def correct_booking(id, json: CorrectionIn):
    """The lab corrects a no-show into completed, or a usage record, within 3 working days, with a reason;
    fee and subsidy are recomputed and the user is told."""
    booking, actor = _step(id)
    return BookingOut.model_validate(services.correct_booking(
        booking, actor=actor, reason=json.reason, status=json.status, actual_start=json.actual_start,
        actual_end=json.actual_end, actual_samples=json.actual_samples))


@endpoint("/bookings/<int:id>/extension/confirm", "POST", answer=BookingOut, errors=BOOKING_ERRORS,
          tags=["bookings"])
def confirm_extension(id):
    """The user confirms usage recorded beyond the booking (end + grace, samples + margin): billed from now."""
    booking, actor = _step(id)
    return BookingOut.model_validate(services.decide_extension(booking, True, actor=actor))


@endpoint("/bookings/<int:id>/extension/decline", "POST", answer=BookingOut, errors=BOOKING_ERRORS,
          tags=["bookings"])
def decline_extension(id):
    """The user declines the extension: the fee stays within the booking."""
    booking, actor = _step(id)
    return BookingOut.model_validate(services.decide_extension(booking, False, actor=actor))



# -- training → qualification ----------------------------------------------------------------------

@endpoint("/instruments/<int:id>/training-requests", "POST", body=TrainingIn, answer=TrainingOut, status=201,
          errors=BOOKING_ERRORS, tags=["bookings"])
def request_training(id, json: TrainingIn):
    """Ask the lab for training on a self-operated instrument; 409 when one is already open."""
    actor = require_login(api_actor())
    tr = services.request_training(services.get_instrument(id), json.note or "", actor=actor)
    return TrainingOut.model_validate(tr), 201, {"Location": f"/api/v1/training-requests/{tr.id}"}


@endpoint("/training-requests/<int:id>", answer=TrainingOut, errors=(401, 404), tags=["bookings"])
def get_training_request(id):
    """A training request (its user and the lab's members)."""
    return TrainingOut.model_validate(services.get_training(id, actor=require_login(api_actor())))


@endpoint("/training-requests/<int:id>/schedule", "POST", body=TrainingScheduleIn, answer=TrainingOut,
          errors=BOOKING_ERRORS, tags=["bookings"])
def schedule_training(id, json: TrainingScheduleIn):
    """The lab sets (or moves) the training's time, optionally a training event."""
    actor = require_login(api_actor())
    tr = services.get_training(id, actor=actor)
    return TrainingOut.model_validate(services.schedule_training(
        tr, json.scheduled_at, event_id=json.event_id, note=json.note, actor=actor))


@endpoint("/training-requests/<int:id>/complete", "POST", body=TrainingCompleteIn, answer=TrainingOut,
          errors=BOOKING_ERRORS, tags=["bookings"])
def complete_training(id, json: TrainingCompleteIn):
    """The training took place; the user is qualified until `valid_until` (default two years)."""
    actor = require_login(api_actor())
    tr = services.get_training(id, actor=actor)
    return TrainingOut.model_validate(services.complete_training(
        tr, valid_until=json.valid_until, qualify=json.qualify, actor=actor))


@endpoint("/training-requests/<int:id>/decline", "POST", body=TrainingDeclineIn, answer=TrainingOut,
          errors=BOOKING_ERRORS, tags=["bookings"])
def decline_training(id, json: TrainingDeclineIn):
    """The lab declines the request (or the trainee did not pass); `reason` is required."""
    actor = require_login(api_actor())
    tr = services.get_training(id, actor=actor)
    return TrainingOut.model_validate(services.decline_training(tr, json.reason, actor=actor))


# -- downtime --------------------------------------------------------------------------------------

@endpoint("/instruments/<int:id>/downtime", "POST", body=DowntimeIn, answer=DowntimeOut, status=201,
          errors=BOOKING_ERRORS, tags=["bookings"])
def record_downtime(id, json: DowntimeIn):
    """The lab records maintenance or an incident (it blocks the calendar; overlapping bookings are told and
    may move or cancel free); anyone else signed in may report an incident, which the lab confirms."""
    actor = require_login(api_actor())
    inst = services.get_instrument(id)
    dt = services.record_downtime(inst, kind=json.kind, starts_at=json.starts_at, ends_at=json.ends_at,
                                  severity=json.severity, note=json.note, actor=actor)
    affected = ([b.id for b in services.affected_bookings(inst.id, dt.blackout.start, dt.blackout.end)]
                if dt.blackout is not None else [])
    out = DowntimeOut.model_validate(dt).model_copy(update={"affected_booking_ids": affected})
    return out, 201


# -- usage capture ---------------------------------------------------------------------------------

def _instrument_or_user() -> None:
    if api_instrument_id() is None and api_actor() is None:
        raise Unauthorized(_("需要该仪器的数据采集令牌"))


@endpoint("/instruments/<int:id>/sessions", "POST", body=SessionIn, answer=SessionOut, status=201,
          errors=(401, 403, 404, 409, 422), tags=["bookings"], caller=_instrument_or_user)
def report_session(id, json: SessionIn):
    """The instrument's PC (Authorization: Bearer its instrument token) reports a session's start, its
    stop, or both; a start in a booking's check-in window checks it in, a stop prefills its usage record."""
    inst = services.get_instrument(id, public=False)
    session = services.report_session(inst, api_instrument_id(), started_at=json.started_at, ended_at=json.ended_at)
    return SessionOut.model_validate(session), 201
