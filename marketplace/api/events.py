"""Events over the events services: list, publish (staff), register with a waitlist, check in."""
from flask_babel import gettext as _

from ..core.errors import NotFound
from ..core.permissions import require_login
from ..events import services
from ..events.schemas import CheckInIn, EventIn, EventList, EventOut, EventRegistrationOut, EventsQuery
from .common import api_actor
from .spec import endpoint

ERRORS = (401, 403, 404, 409, 422)


def event_out(event) -> EventOut:
    c = services.counts(event)
    return EventOut(id=event.id, title=event.title, kind=event.kind, description=event.description,
                    platform=event.platform, city=event.city, venue=event.venue, starts_at=event.starts_at,
                    ends_at=event.ends_at, registration_deadline=event.registration_deadline,
                    capacity=event.capacity, registered=c["registered"], waitlisted=c["waitlisted"],
                    status=event.status)


def registration_out(reg) -> EventRegistrationOut:
    return EventRegistrationOut(id=reg.id, event_id=reg.event_id, status=reg.status, code=reg.code,
                                checked_in_at=reg.checked_in_at, user_name=reg.user.name)


@endpoint("/events", query=EventsQuery, answer=EventList, errors=(422,), tags=["events"])
def list_events(query: EventsQuery):
    """Published events: upcoming, or past with `past=true`; `platform` narrows to one platform's."""
    events = services.upcoming(platform=query.platform, limit=200, include_past=query.past)
    return EventList(items=[event_out(e) for e in events])


@endpoint("/events/<int:id>", answer=EventOut, errors=(404,), tags=["events"])
def get_event(id):
    """An event with its capacity and how many are registered and waitlisted."""
    return event_out(services.get_event(id))


@endpoint("/events", "POST", body=EventIn, answer=EventOut, status=201, errors=ERRORS, tags=["events"])
def create_event(json: EventIn):
    """Staff publish an event (kind ∈ matchmaking, fair, training)."""
    event = services.create_event(actor=require_login(api_actor()), **json.model_dump())
    return event_out(event), 201, {"Location": f"/api/v1/events/{event.id}"}


@endpoint("/events/<int:id>/register", "POST", answer=EventRegistrationOut, errors=ERRORS, tags=["events"])
def register_for_event(id):
    """Register the caller: `registered` while seats last, else `waitlisted`."""
    actor = require_login(api_actor())
    return registration_out(services.register(services.get_event(id), actor=actor))


@endpoint("/events/<int:id>/unregister", "POST", answer=EventRegistrationOut, errors=ERRORS, tags=["events"])
def unregister_from_event(id):
    """Cancel the caller's registration; the first on the waitlist is promoted and notified."""
    actor = require_login(api_actor())
    return registration_out(services.unregister(services.get_event(id), actor=actor))


@endpoint("/events/<int:id>/check-in", "POST", body=CheckInIn, answer=EventRegistrationOut, errors=ERRORS,
          tags=["events"])
def check_in_at_event(id, json: CheckInIn):
    """Staff check a registration in by its code on the day."""
    actor = require_login(api_actor())
    return registration_out(services.check_in(services.get_event(id), json.code, actor=actor))


@endpoint("/events/<int:id>/registration", answer=EventRegistrationOut, errors=(401, 404), tags=["events"])
def my_event_registration(id):
    """The caller's registration: status and check-in code."""
    actor = require_login(api_actor())
    reg = services.registration_of(services.get_event(id), actor)
    if reg is None:
        raise NotFound(_("您没有报名此活动"))
    return registration_out(reg)
