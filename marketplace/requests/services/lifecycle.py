"""The request engine, the same for every kind: create (validated by the kind's schema and rule), submit,
accept, decline, progress notes, complete, withdraw, plus the kind-specific steps its machine names
(a loan's bank review, a secondment's three-party confirmation in secondment.py).

Services take the entity first and the actor keyword-only, check permission first, raise core.errors and
only flush; the caller commits once.
"""
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from pydantic import ValidationError

from ...accounts.models import User
from ...accounts.rules import require_verified_email
from ...catalog.models import Resource
from ...core.db import find
from ...core.errors import Forbidden, Invalid, NotFound
from ...core.i18n import Message as _l
from ...core.permissions import require_login
from ...core.schema import invalid_from
from ...core.timeutil import to_local, utcnow
from ...extensions import db
from ...notifications.services import notify
from .. import facts, rules
from ..kinds import KINDS, Kind
from ..models import OrgRevenue, RequestCall, RequestStep, ServiceRequest
from ..states import OPEN, PARTY_STEPS, STAFF_STEPS

# -- who is who ------------------------------------------------------------------------------------

def _signed_in(*, actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def is_staff(*, actor) -> bool:
    return _signed_in(actor=actor) and actor.has_role("reviewer")


def is_requester(req: ServiceRequest, *, actor) -> bool:
    return _signed_in(actor=actor) and (req.requester_id == actor.id or actor.is_member_of(req.requester_org_id))


def is_owner(req: ServiceRequest, *, actor) -> bool:
    return _signed_in(actor=actor) and (actor.is_member_of(req.handler_org_id) or actor.has_role("admin"))


def handler_side(req: ServiceRequest) -> str:
    """Who acts on the request now: "staff", "owner" or "parties"."""
    if (req.kind, req.status) in STAFF_STEPS:
        return "staff"
    if (req.kind, req.status) in PARTY_STEPS:
        return "parties"
    return "owner"


def is_handler(req: ServiceRequest, *, actor) -> bool:
    side = handler_side(req)
    if side == "staff":
        return is_staff(actor=actor)
    return is_owner(req, actor=actor)


def can_view(req: ServiceRequest, *, actor) -> bool:
    return _signed_in(actor=actor) and (is_requester(req, actor=actor) or is_owner(req, actor=actor) or is_staff(actor=actor)
                                  or req.researcher_id == actor.id)


def permitted(req: ServiceRequest, *, actor, action: str) -> bool:
    if action in ("submit", "withdraw"):
        return is_requester(req, actor=actor)
    if action == "confirm":
        from .secondment import party_for
        return party_for(req, actor=actor) is not None
    return is_handler(req, actor=actor)


def allowed_actions(req: ServiceRequest, *, actor) -> list[str]:
    """What the actor may do now; pages draw their buttons from this, the services enforce the same."""
    machine = KINDS[req.kind].machine
    actions = machine.available(req, lambda a: permitted(req, actor=actor, action=a))
    if "progress" not in actions and req.status in OPEN and req.status != "submitted" and is_handler(req, actor=actor):
        actions.append("progress")  # a follow-up note, without a change of state
    return actions


def lock(req: ServiceRequest) -> ServiceRequest:
    """Re-read the request under a row lock (PostgreSQL; SQLite's write transaction serialises anyway), so
    two steps taken at once apply one after the other to the state each finds."""
    db.session.execute(sa.select(ServiceRequest.id).where(ServiceRequest.id == req.id).with_for_update())
    db.session.refresh(req)  # read after the lock: the state the other step left
    return req


def _require(req, action, *, actor):
    require_login(actor)
    lock(req)
    if not permitted(req, actor=actor, action=action):
        raise Forbidden(_("您无权对此申请执行该操作"))


# -- lookups ---------------------------------------------------------------------------------------

def get_kind(key) -> Kind:
    if key not in KINDS:
        raise Invalid.field("kind", _("不是可选的申请类型"))
    return KINDS[key]


def get_request(request_id, *, actor) -> ServiceRequest:
    require_login(actor)
    req = find(ServiceRequest, request_id)
    if req is None or not can_view(req, actor=actor):
        raise NotFound(_("申请不存在"))
    return req


def get_resource(resource_id) -> Resource:
    resource = find(Resource, resource_id)
    if resource is None or resource.status != "published":
        raise Invalid.field("resource_id", _("资源不存在或未发布"))
    return resource


def open_calls(*, platform: str | None = None, now=None, limit: int = 10):
    q = sa.select(RequestCall).where(RequestCall.deadline > (now or utcnow()), RequestCall.opens_at <= (now or utcnow()))
    if platform:
        q = q.where(RequestCall.platform == platform)
    return db.session.scalars(q.order_by(RequestCall.deadline).limit(limit)).all()


# -- creating and submitting -----------------------------------------------------------------------

def validate_details(kind: Kind, data: dict) -> dict:
    """The kind's fields checked by its schema; Invalid with one message per field otherwise."""
    try:
        return kind.details.model_validate(data).model_dump(mode="json")
    except ValidationError as err:
        raise invalid_from(err) from None


def check_eligible(kind: Kind, resource, org, details: dict, today: date, *, actor):
    errors = kind.rule(kind.facts(facts.Context(resource=resource, org=org, actor=actor, details=details,
                                                today=today)))
    if errors:
        messages = {name: [str(msg)] for name, msg in errors.items()}
        raise Invalid(_("申请不符合条件，请检查标出的字段"), messages)


def create_request(kind_key: str, resource_id, data: dict, *, actor, event_id=None, call_id=None,
                   submit: bool = False, now=None) -> ServiceRequest:
    """A request of `kind_key` to a published listing; a draft, or submitted at once with `submit`."""
    require_login(actor)
    now = now or utcnow()
    kind = get_kind(kind_key)
    resource = get_resource(resource_id)
    if resource.type != kind.resource_type or not kind.applies(resource):
        raise Invalid.field("resource_id", _("该资源不接受此类申请"))
    if actor.organisation_id is not None and actor.organisation_id == resource.owner_org_id:
        raise Invalid.field("resource_id", _("不能向本单位的资源提出申请"))
    details = validate_details(kind, data)
    event = _event(event_id)
    call = _call(call_id, kind, now)
    researcher = None
    if kind.key == "secondment":
        from .secondment import prepare
        researcher, details = prepare(resource, details)
    org = actor.organisation
    check_eligible(kind, resource, org, details, to_local(now).date(), actor=actor)
    if kind.key == "loan" and details.get("revenue") is not None:
        declare_revenue(org, details["revenue"], year=to_local(now).year - 1, actor=actor)
    req = ServiceRequest(kind=kind.key, status="draft", resource_id=resource.id,
                         handler_org_id=resource.owner_org_id, requester_id=actor.id,
                         requester_org_id=actor.organisation_id, event_id=getattr(event, "id", None),
                         call_id=getattr(call, "id", None), researcher_id=getattr(researcher, "id", None),
                         title=f"{kind.label} · {resource.title}"[:200], details=details,
                         amount=details.get("amount", details.get("total_pay")), term_months=details.get("term_months"),
                         created_at=now)
    db.session.add(req)
    db.session.flush()
    _step(req, "create", actor=actor)
    if submit:
        submit_request(req, actor=actor, now=now)
    return req


def _event(event_id):
    if event_id is None:
        return None
    from ...events.models import Event
    event = find(Event, event_id)
    if event is None:
        raise Invalid.field("event_id", _("活动不存在"))
    return event


def _call(call_id, kind, now):
    if call_id is None:
        return None
    call = find(RequestCall, call_id)
    if call is None or call.kind != kind.key:
        raise Invalid.field("call_id", _("申报通知不存在"))
    if rules.deadline_passed(call.deadline, now):
        raise Invalid.field("call_id", _("申报已于 %(when)s 截止", when=to_local(call.deadline).strftime("%Y-%m-%d %H:%M")))
    return call


def submit_request(req: ServiceRequest, *, actor, now=None) -> ServiceRequest:
    _require(req, "submit", actor=actor)
    require_verified_email(actor=actor)
    now = now or utcnow()
    kind = KINDS[req.kind]
    if req.call is not None and rules.deadline_passed(req.call.deadline, now):
        raise Invalid.field("call_id", _("申报已截止"))
    check_eligible(kind, req.resource, req.requester_org, req.details, to_local(now).date(), actor=actor)
    _apply(req, "submitted", actor=actor, action="submit")
    req.submitted_at = now
    _notify_handlers(req, _l("新的%(kind)s：%(title)s", kind=kind.label, title=req.resource.title))
    return req


# -- the handler's steps ---------------------------------------------------------------------------

def accept_request(req: ServiceRequest, *, actor, note: str = "") -> ServiceRequest:
    _require(req, "accept", actor=actor)
    if req.kind == "loan":  # the city bureau's acceptance verifies the revenue figure the cap rested on
        figure = facts.revenue_of(req.requester_org_id)
        if figure is not None and figure.verified_at is None:
            figure.verified_at, figure.verified_by_id = utcnow(), actor.id
    target = KINDS[req.kind].machine.actions["accept"]
    _apply(req, target, actor=actor, action="accept", note=note)
    _notify_requester(req, _l("您的申请已受理：%(title)s", title=req.title), note)
    if target != "accepted":
        _notify_handlers(req, _l("待处理：%(title)s", title=req.title))
    return req


def grant_request(req: ServiceRequest, *, actor, note: str = "") -> ServiceRequest:
    """A loan's bank approves it."""
    _require(req, "grant", actor=actor)
    _apply(req, "completed", actor=actor, action="grant", note=note)
    req.closed_at = utcnow()
    _notify_requester(req, _l("贷款审批通过：%(title)s", title=req.title), note)
    return req


def decline_request(req: ServiceRequest, *, actor, reason: str) -> ServiceRequest:
    _require(req, "decline", actor=actor)
    if not (reason or "").strip():
        raise Invalid.field("reason", _("请说明不予通过的理由"))
    _apply(req, "declined", actor=actor, action="decline", note=reason)
    req.decline_reason, req.closed_at = reason.strip(), utcnow()
    _notify_requester(req, _l("您的申请未通过：%(title)s", title=req.title), reason)
    return req


def add_progress(req: ServiceRequest, *, actor, note: str) -> ServiceRequest:
    """A note from offline follow-up; the first one moves an accepted request to in_progress."""
    require_login(actor)
    lock(req)
    if "progress" not in allowed_actions(req, actor=actor):
        raise Forbidden(_("您无权对此申请执行该操作"))
    if not (note or "").strip():
        raise Invalid.field("note", _("请填写跟进记录"))
    machine = KINDS[req.kind].machine
    if req.status != "in_progress" and machine.can(req, "in_progress") and req.status == "accepted":
        _apply(req, "in_progress", actor=actor, action="progress", note=note)
    else:
        _step(req, "note", actor=actor, note=note)
    _notify_requester(req, _l("申请有新进展：%(title)s", title=req.title), note)
    return req


def complete_request(req: ServiceRequest, *, actor, note: str = "") -> ServiceRequest:
    _require(req, "complete", actor=actor)
    _apply(req, "completed", actor=actor, action="complete", note=note)
    req.closed_at = utcnow()
    _notify_requester(req, _l("申请已办结：%(title)s", title=req.title), note)
    return req


def withdraw_request(req: ServiceRequest, *, actor, reason: str = "") -> ServiceRequest:
    _require(req, "withdraw", actor=actor)
    _apply(req, "withdrawn", actor=actor, action="withdraw", note=reason)
    req.closed_at = utcnow()
    if req.submitted_at is not None:
        _notify_handlers(req, _l("申请已撤回：%(title)s", title=req.title))
    return req


from .secondment import confirm as confirm_request  # noqa: E402  (the secondment's own step)

STEPS = {"confirm": confirm_request, "submit": submit_request, "accept": accept_request, "grant": grant_request, "decline": decline_request,
         "progress": add_progress, "complete": complete_request, "withdraw": withdraw_request}


# -- revenue ---------------------------------------------------------------------------------------

def declare_revenue(org, revenue: int, *, year: int, actor) -> OrgRevenue:
    """The company declares a year's revenue; a verified figure is not overwritten."""
    if org is None:
        raise Invalid.field("revenue", _("请先加入企业"))
    row = db.session.get(OrgRevenue, (org.id, year))
    if row is None:
        row = OrgRevenue(org_id=org.id, year=year, revenue=revenue, declared_by_id=actor.id)
        db.session.add(row)
    elif row.verified_at is None:
        row.revenue, row.declared_by_id = revenue, actor.id
    db.session.flush()
    return row


# -- queues and lists ------------------------------------------------------------------------------

def queue(*, actor, status: str | None = None, kind: str | None = None):
    """Requests waiting for the actor: their organisation's listings, and the staff steps for staff."""
    require_login(actor)
    cond = []
    if actor.organisation_id is not None:
        cond.append(sa.and_(ServiceRequest.handler_org_id == actor.organisation_id,
                            ServiceRequest.status != "draft"))
    if is_staff(actor=actor):
        cond.append(sa.or_(*[sa.and_(ServiceRequest.kind == k, ServiceRequest.status == s)
                             for k, s in sorted(STAFF_STEPS)]))
        if actor.has_role("admin"):
            cond.append(ServiceRequest.status != "draft")
    if not cond:
        return []
    q = sa.select(ServiceRequest).where(sa.or_(*cond))
    if status == "open":
        q = q.where(ServiceRequest.status.in_(OPEN))
    elif status:
        q = q.where(ServiceRequest.status == status)
    if kind:
        q = q.where(ServiceRequest.kind == kind)
    return db.session.scalars(q.order_by(ServiceRequest.submitted_at.desc().nullslast(),
                                         ServiceRequest.id.desc()).limit(500)).all()


def mine(*, actor):
    require_login(actor)
    cond = [ServiceRequest.requester_id == actor.id, ServiceRequest.researcher_id == actor.id]
    if actor.organisation_id is not None:
        cond.append(ServiceRequest.requester_org_id == actor.organisation_id)
    return db.session.scalars(sa.select(ServiceRequest).where(sa.or_(*cond))
                              .order_by(ServiceRequest.id.desc()).limit(500)).all()


def for_export(*, actor, kind=None, status=None):
    if not is_staff(actor=actor):
        raise Forbidden(_("只有平台工作人员可以导出"))
    q = sa.select(ServiceRequest).where(ServiceRequest.status != "draft")
    if kind:
        q = q.where(ServiceRequest.kind == kind)
    if status:
        q = q.where(ServiceRequest.status == status)
    return db.session.scalars(q.order_by(ServiceRequest.id)).all()


# -- internals -------------------------------------------------------------------------------------

def _apply(req, to_state, *, actor, action, note=""):
    KINDS[req.kind].machine.apply(req, to_state, actor=actor, comment=note or None, action=action)
    _step(req, action, actor=actor, note=note)


def _step(req, action, *, actor, note=""):
    db.session.add(RequestStep(request_id=req.id, action=action, status=req.status, note=(note or "").strip(),
                               actor_id=getattr(actor, "id", None), created_at=utcnow()))
    db.session.flush()


def _link(req):
    return f"/requests/{req.id}"  # a path, not url_for: services also run outside requests (CLI, demo)


def _notify_requester(req, subject, body=""):
    users = {req.requester_id: req.requester}
    if req.researcher is not None:
        users[req.researcher_id] = req.researcher
    for user in users.values():
        notify(user, subject, body or subject, _link(req))


def _notify_handlers(req, subject):
    side = handler_side(req)
    if side == "staff":
        users = db.session.scalars(sa.select(User).join(User.role_rows).where(
            sa.text("user_roles.role IN ('reviewer', 'admin')"))).unique().all()
    else:
        users = db.session.scalars(sa.select(User).where(User.organisation_id == req.handler_org_id,
                                                         User.active.is_(True)).limit(50)).all()
        if side == "parties":
            users += [u for u in (req.researcher, req.requester) if u is not None]
    for user in {u.id: u for u in users}.values():
        notify(user, subject, subject, _link(req))


