"""Requests over the request engine: create (any kind), read with its timeline, and each step."""
from ..core.permissions import require_login
from ..requests import services
from ..requests.schemas import RequestIn, RequestNoteIn, RequestOut, RequestReasonIn, RequestStepNoteIn, RequestStepOut
from ..requests.services import secondment
from .common import api_actor
from .spec import endpoint

ERRORS = (401, 403, 404, 409, 422)


def request_out(req) -> RequestOut:
    details = {k: v for k, v in (req.details or {}).items() if k != "id_hash"}
    return RequestOut(
        id=req.id, kind=req.kind, status=req.status, title=req.title, resource_id=req.resource_id,
        handler_org_id=req.handler_org_id, requester_id=req.requester_id, requester_org_id=req.requester_org_id,
        event_id=req.event_id, call_id=req.call_id, amount=req.amount, term_months=req.term_months,
        details=details, decline_reason=req.decline_reason, created_at=req.created_at,
        submitted_at=req.submitted_at, closed_at=req.closed_at,
        timeline=[RequestStepOut.model_validate(s) for s in req.steps],
        confirmed_by=secondment.confirmed_parties(req))


@endpoint("/requests", "POST", body=RequestIn, answer=RequestOut, status=201, errors=ERRORS, tags=["requests"])
def create_request(json: RequestIn):
    """A request of `kind` to the listing `resource_id` (a draft; `submit: true` submits at once).

    Kinds and their own fields: incubation (business_plan, team, team_size, seats, needs); loan (amount fen,
    term_months, purpose, revenue fen); equity (amount, stage, business_plan, use_of_funds); consulting
    (topic, question, mode); secondment (researcher_email, id_number, degree, senior_title, term_months,
    total_pay fen, duties); data_access (purpose, agree_licence); material (quantity, purpose,
    shipping_address)."""
    actor = require_login(api_actor())
    req = services.create_request(json.kind, json.resource_id, dict(json.model_extra or {}), actor=actor,
                                  event_id=json.event_id, call_id=json.call_id, submit=json.submit)
    return request_out(req), 201, {"Location": f"/api/v1/requests/{req.id}"}


@endpoint("/requests/<int:id>", answer=RequestOut, errors=(401, 404), tags=["requests"])
def get_request(id):
    """A request with its status and timeline (the requester, the handling organisation, staff)."""
    return request_out(services.get_request(id, actor=require_login(api_actor())))


def _step(id):
    actor = require_login(api_actor())
    return services.get_request(id, actor=actor), actor


@endpoint("/requests/<int:id>/submit", "POST", answer=RequestOut, errors=ERRORS, tags=["requests"])
def submit_request(id):
    """The requester submits a draft (eligibility is checked again)."""
    req, actor = _step(id)
    return request_out(services.submit_request(req, actor=actor))


@endpoint("/requests/<int:id>/accept", "POST", body=RequestStepNoteIn, answer=RequestOut, errors=ERRORS,
          tags=["requests"])
def accept_request(id, json: RequestStepNoteIn):
    """The handler accepts (a loan: the city bureau, then it goes to the bank; a secondment: the sending unit,
    then the three-party agreement); an optional `note` goes to the timeline and the requester."""
    req, actor = _step(id)
    return request_out(services.accept_request(req, actor=actor, note=json.note))


@endpoint("/requests/<int:id>/grant", "POST", body=RequestStepNoteIn, answer=RequestOut, errors=ERRORS,
          tags=["requests"])
def grant_request(id, json: RequestStepNoteIn):
    """A loan's bank approves it (bank review → completed), with an optional `note`."""
    req, actor = _step(id)
    return request_out(services.grant_request(req, actor=actor, note=json.note))


@endpoint("/requests/<int:id>/confirm", "POST", answer=RequestOut, errors=ERRORS, tags=["requests"])
def confirm_request(id):
    """A secondment's party (company, researcher, sending unit) confirms the three-party agreement."""
    req, actor = _step(id)
    return request_out(secondment.confirm(req, actor=actor))


@endpoint("/requests/<int:id>/decline", "POST", body=RequestReasonIn, answer=RequestOut, errors=ERRORS,
          tags=["requests"])
def decline_request(id, json: RequestReasonIn):
    """The handler declines; `reason` is shown to the requester."""
    req, actor = _step(id)
    return request_out(services.decline_request(req, actor=actor, reason=json.reason))


@endpoint("/requests/<int:id>/progress", "POST", body=RequestNoteIn, answer=RequestOut, errors=ERRORS,
          tags=["requests"])
def progress_request(id, json: RequestNoteIn):
    """The handler adds a note from offline follow-up (the first moves an accepted request to in_progress)."""
    req, actor = _step(id)
    return request_out(services.add_progress(req, actor=actor, note=json.note))


@endpoint("/requests/<int:id>/complete", "POST", body=RequestStepNoteIn, answer=RequestOut, errors=ERRORS,
          tags=["requests"])
def complete_request(id, json: RequestStepNoteIn):
    """The handler completes the request, with an optional `note`."""
    req, actor = _step(id)
    return request_out(services.complete_request(req, actor=actor, note=json.note))


@endpoint("/requests/<int:id>/withdraw", "POST", answer=RequestOut, errors=ERRORS, tags=["requests"])
def withdraw_request(id):
    """The requester withdraws a request that is not yet closed."""
    req, actor = _step(id)
    return request_out(services.withdraw_request(req, actor=actor))
