"""The booking API's payloads, declared once (parsing, 422 messages, answers and OpenAPI)."""
from datetime import date
from typing import Literal

from pydantic import ConfigDict, Field, computed_field

from ..core.schema import Answer, AwareTime, Count, Id, LocalTime, Schema, Text2000, Title
from . import rules
from .states import DOWNTIME_KINDS, SEVERITIES, STATUSES, TRAINING_STATUSES

BookingStatus = Literal[tuple(STATUSES)]  # the one list of states, from states.py


class AvailabilityQuery(Schema):
    """`from` and `to` as CONTRACT.md names them (`from_` is only the Python name: not accepted)."""
    model_config = ConfigDict(**{**Schema.model_config, "populate_by_name": False})
    from_: AwareTime = Field(alias="from")
    to: AwareTime


class Interval(Answer):
    start: LocalTime
    end: LocalTime


class Availability(Answer):
    model_config = ConfigDict(**{**Answer.model_config, "serialize_by_alias": True})  # "from", as documented
    instrument_id: int
    from_: LocalTime = Field(serialization_alias="from")
    to: LocalTime
    free: list[Interval]


class BookingIn(Schema):
    instrument_id: Id
    start: AwareTime
    end: AwareTime
    samples: Count | None = Field(default=None, description="sample-submission instruments: number of samples")
    purpose: Title
    assisted: bool = Field(default=False, description="a self-operated instrument operated by the lab's staff "
                                                      "for a user without the qualification, at the assisted rate")


class ReasonIn(Schema):
    reason: Text2000 | None = None


class UsageIn(Schema):
    actual_start: AwareTime | None = None
    actual_end: AwareTime | None = None
    actual_samples: Count | None = None


class CorrectionIn(Schema):
    status: Literal["completed"] | None = Field(default=None, description="completed: a no-show that took place")
    actual_start: AwareTime | None = None
    actual_end: AwareTime | None = None
    actual_samples: Count | None = None
    reason: Text2000


class BookingOut(Answer):
    id: int
    instrument_id: int
    user_id: int
    org_id: int | None
    provider_org_id: int
    start: LocalTime
    end: LocalTime
    samples: int | None
    purpose: str
    status: BookingStatus
    fee: int = Field(description="fen")
    user_subsidy: int = Field(description="fen")
    payable: int = Field(description="fen = fee - user_subsidy")
    cancel_fee: int | None
    reject_reason: str | None
    actual_start: LocalTime | None
    actual_end: LocalTime | None
    actual_samples: int | None
    extension_end: LocalTime | None = Field(default=None, description="usage recorded beyond end + grace")
    extension_samples: int | None = None
    extension_status: Literal["proposed", "confirmed", "declined"] | None = Field(
        default=None, description="proposed: billed only within the booking until the user confirms")
    created_at: LocalTime

    @computed_field(description="what the booking is now: past the check-in window an approved booking is a "
                                "no_show and an undecided request rejected, before the scheduled sweep records it")
    @property
    def effective_status(self) -> BookingStatus:
        from flask import current_app

        from ..core.timeutil import utcnow
        return rules.effective_status(self.status, self.start, utcnow(), current_app.config["BOOKING_NO_SHOW_MINUTES"])



# -- training and qualification ---------------------------------------------------------------------
TrainingStatus = Literal[tuple(TRAINING_STATUSES)]


class TrainingIn(Schema):
    note: Text2000 | None = None


class TrainingScheduleIn(Schema):
    scheduled_at: AwareTime
    event_id: Id | None = None
    note: Text2000 | None = None


class TrainingCompleteIn(Schema):
    valid_until: date | None = Field(default=None, description="the qualification's last day; default 2 years")
    qualify: bool = Field(default=True, description="false: record the training only (trained), qualify later")


class TrainingDeclineIn(Schema):
    reason: Text2000


class TrainingOut(Answer):
    id: int
    instrument_id: int
    user_id: int
    status: TrainingStatus
    note: str
    scheduled_at: LocalTime | None
    event_id: int | None
    lab_note: str | None
    valid_until: date | None = Field(description="the qualification's last day, once qualified")
    created_at: LocalTime


# -- downtime ----------------------------------------------------------------------------------------

class DowntimeIn(Schema):
    kind: Literal[tuple(DOWNTIME_KINDS)]
    starts_at: AwareTime
    ends_at: AwareTime | None = Field(default=None, description="expected end; absent: blocks until fixed")
    severity: Literal[tuple(SEVERITIES)] | None = None
    note: Text2000


class DowntimeOut(Answer):
    id: int
    instrument_id: int
    kind: str
    severity: str | None
    note: str
    starts_at: LocalTime
    ends_at: LocalTime | None
    fixed_at: LocalTime | None
    confirmed: bool = Field(description="false: a user's report waiting for the lab; true: blocks the calendar")
    affected_booking_ids: list[int] = Field(default_factory=list, description="bookings told to move or cancel")


# -- series ------------------------------------------------------------------------------------------

class SeriesIn(Schema):
    instrument_id: Id
    start: AwareTime
    end: AwareTime
    weekly_until: date = Field(description="the last local date a slot may fall on (within the horizon)")
    purpose: Title | None = None
    samples: Count | None = None
    assisted: bool = False


class SeriesFailure(Answer):
    start: LocalTime
    reason: str


class SeriesOut(Answer):
    series_id: int
    created: list[int]
    failed: list[SeriesFailure]


# -- usage capture -----------------------------------------------------------------------------------

class SessionIn(Schema):
    started_at: AwareTime
    ended_at: AwareTime | None = Field(default=None, description="absent: the session started (report the stop "
                                                                 "later with the same started_at)")


class SessionOut(Answer):
    id: int
    instrument_id: int
    booking_id: int | None
    started_at: LocalTime
    ended_at: LocalTime | None
    flagged: bool = Field(description="differs from the booked time by more than 15 minutes; the lab was told")
