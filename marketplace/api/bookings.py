"""Bookings and instrument availability over the booking services."""
from flask import request

from ..booking import services
from ..booking.models import Booking
from ..core.errors import Invalid
from ..core.permissions import require_login
from ..core.timeutil import isoformat, parse_iso
from ..extensions import db
from . import bp
from .common import api_actor, int_arg, json_body


def booking_dict(b: Booking) -> dict:
    return {
        "id": b.id, "instrument_id": b.instrument_id, "user_id": b.user_id, "org_id": b.org_id,
        "provider_org_id": b.provider_org_id, "start": isoformat(b.start), "end": isoformat(b.end),
        "samples": b.samples, "purpose": b.purpose, "status": b.status,
        "fee": b.fee, "user_subsidy": b.user_subsidy, "payable": b.payable, "cancel_fee": b.cancel_fee,
        "reject_reason": b.reject_reason, "actual_start": isoformat(b.actual_start),
        "actual_end": isoformat(b.actual_end), "actual_samples": b.actual_samples,
        "created_at": isoformat(b.created_at),
    }


def _optional_int(body, name, minimum=0):
    value = body.get(name)
    return None if value is None else int_arg(name, value, minimum)


@bp.get("/instruments/<int:instrument_id>/availability")
def instrument_availability(instrument_id):
    inst = services.get_instrument(instrument_id)
    if "from" not in request.args or "to" not in request.args:
        raise Invalid("需要 from 和 to 参数 / 'from' and 'to' are required",
                      {k: ["必填 / required"] for k in ("from", "to") if k not in request.args})
    lo, hi = parse_iso(request.args["from"], "from"), parse_iso(request.args["to"], "to")
    free = services.availability(inst, lo, hi)
    return {"instrument_id": inst.id, "from": isoformat(lo), "to": isoformat(hi),
            "free": [{"start": isoformat(s), "end": isoformat(e)} for s, e in free]}


@bp.post("/bookings")
def create_booking():
    actor = require_login(api_actor())
    body = json_body()
    missing = {k: ["必填 / required"] for k in ("instrument_id", "start", "end", "purpose") if body.get(k) in (None, "")}
    if missing:
        raise Invalid("缺少必填字段 / required fields missing", missing)
    inst = services.get_instrument(int_arg("instrument_id", body["instrument_id"]))
    start, end = parse_iso(body["start"], "start"), parse_iso(body["end"], "end")
    samples = body.get("samples")
    if samples is not None and (isinstance(samples, bool) or not isinstance(samples, int)):
        raise Invalid.field("samples", "样品数量必须是整数 / the sample count must be a whole number")
    if not isinstance(body["purpose"], str):
        raise Invalid.field("purpose", "用途必须是文字 / the purpose must be text")
    booking = services.request_booking(inst, actor, start, end, body["purpose"], samples=samples)
    result = booking_dict(booking)  # before the commit expires it: saves reloading it
    db.session.commit()
    return result, 201, {"Location": f"/api/v1/bookings/{result['id']}"}


@bp.get("/bookings/<int:booking_id>")
def get_booking(booking_id):
    booking = services.get_booking(booking_id, api_actor())
    if services.lazy_mark_no_shows(id=booking.id):  # overdue: becomes no_show as it is looked at
        booking = services.get_booking(booking_id, api_actor())
    return booking_dict(booking)


def _parse_time(body, name):
    return parse_iso(body[name], name) if body.get(name) not in (None, "") else None


@bp.post("/bookings/<int:booking_id>/<any(approve, reject, cancel, 'check-in', complete):action>")
def booking_action(booking_id, action):
    actor = require_login(api_actor())
    booking = services.get_booking(booking_id, actor)
    body = json_body() if request.get_data() else {}
    if action == "approve":
        services.approve_booking(booking, actor)
    elif action == "reject":
        services.reject_booking(booking, actor, body.get("reason"))
    elif action == "cancel":
        services.cancel_booking(booking, actor, body.get("reason"))
    elif action == "check-in":
        services.check_in(booking, actor)
    else:
        services.complete_booking(booking, actor, actual_start=_parse_time(body, "actual_start"),
                                  actual_end=_parse_time(body, "actual_end"),
                                  actual_samples=_optional_int(body, "actual_samples"))
    result = booking_dict(booking)
    db.session.commit()
    return result


_booking_schema = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "instrument_id": {"type": "integer"}, "status": {"type": "string", "enum": [
            "requested", "approved", "rejected", "in_use", "completed", "settled", "cancelled", "no_show"]},
        "start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"},
        "samples": {"type": ["integer", "null"]}, "purpose": {"type": "string"},
        "fee": {"type": "integer", "description": "fen"}, "user_subsidy": {"type": "integer", "description": "fen"},
        "payable": {"type": "integer", "description": "fen = fee - user_subsidy"},
        "cancel_fee": {"type": ["integer", "null"]}, "reject_reason": {"type": ["string", "null"]},
    },
}
_problem = {"description": "problem+json", "content": {"application/problem+json": {}}}
_action_doc = {
    "approve": "Provider member approves a requested booking.",
    "reject": "Provider member rejects a requested booking; body {reason} (required).",
    "cancel": "The user (late fee within BOOKING_FREE_CANCEL_HOURS) or the provider cancels; body {reason?}.",
    "check-in": "The user or provider starts the use (approved -> in_use).",
    "complete": "Provider records usage; body {actual_start?, actual_end?, actual_samples?}; fee recomputed.",
}

OPENAPI_PATHS = {
    "/instruments/{id}/availability": {"get": {
        "summary": "Free bookable intervals of an instrument",
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
            {"name": "from", "in": "query", "required": True, "schema": {"type": "string", "format": "date-time"},
             "description": "ISO 8601 with offset"},
            {"name": "to", "in": "query", "required": True, "schema": {"type": "string", "format": "date-time"}}],
        "responses": {"200": {"description": "{instrument_id, from, to, free: [{start, end}]}"},
                      "404": _problem, "422": _problem}}},
    "/bookings": {"post": {
        "summary": "Request a booking",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["instrument_id", "start", "end", "purpose"],
            "properties": {"instrument_id": {"type": "integer"},
                           "start": {"type": "string", "format": "date-time"},
                           "end": {"type": "string", "format": "date-time"},
                           "samples": {"type": "integer", "minimum": 1}, "purpose": {"type": "string"}}}}}},
        "responses": {"201": {"description": "the booking", "content": {"application/json": {"schema": _booking_schema}}},
                      "401": _problem, "403": _problem, "404": _problem, "409": _problem, "422": _problem}}},
    "/bookings/{id}": {"get": {
        "summary": "A booking (its user, the provider's members, admins)",
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "the booking", "content": {"application/json": {"schema": _booking_schema}}},
                      "404": _problem}}},
    **{f"/bookings/{{id}}/{a}": {"post": {
        "summary": doc,
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "the booking after the transition",
                              "content": {"application/json": {"schema": _booking_schema}}},
                      "401": _problem, "403": _problem, "404": _problem, "409": _problem, "422": _problem}}}
       for a, doc in _action_doc.items()},
}
