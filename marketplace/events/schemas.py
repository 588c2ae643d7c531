"""The events API's payloads."""
from typing import Literal

from pydantic import Field

from ..core.schema import Answer, AwareTime, LocalTime, Schema, Text200, Text2000, Title, text
from .states import EVENT_KINDS, REGISTRATION_STATUSES

EventKind = Literal[tuple(EVENT_KINDS)]


class EventIn(Schema):
    title: Title
    kind: EventKind
    starts_at: AwareTime
    ends_at: AwareTime
    city: text(10, 1)
    venue: Title
    capacity: int = Field(strict=True, ge=1, le=100000)
    registration_deadline: AwareTime
    description: Text2000 = ""
    platform: Literal["sharing", "trading", "startup", "finance", "talent", "data"] | None = None


class EventOut(Answer):
    id: int
    title: str
    kind: EventKind
    description: str
    platform: str | None
    city: str
    venue: str
    starts_at: LocalTime
    ends_at: LocalTime
    registration_deadline: LocalTime
    capacity: int
    registered: int
    waitlisted: int
    status: str


class EventList(Answer):
    items: list[EventOut]


class EventsQuery(Schema):
    platform: Literal["sharing", "trading", "startup", "finance", "talent", "data"] | None = None
    past: bool = False


class CheckInIn(Schema):
    code: text(16, 1)


class EventRegistrationOut(Answer):
    id: int
    event_id: int
    status: Literal[tuple(REGISTRATION_STATUSES)]
    code: str
    checked_in_at: LocalTime | None
    user_name: Text200 | None = None
