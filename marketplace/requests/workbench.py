"""Requests' queue on the workbench: requests waiting for the user's organisation to answer (or, for
platform staff, the steps that are theirs: a loan's review by the city bureau)."""
import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from ..core import workbench
from ..extensions import db
from .models import ServiceRequest
from .states import STAFF_STEPS, STATUSES

WAITING = ("submitted", "bank_review")  # the handler's move: accept or decline, the bank's answer


def _handles(user) -> bool:
    return user.organisation_id is not None or user.has_role("reviewer")


def _waiting(user):
    staff = [sa.and_(ServiceRequest.kind == k, ServiceRequest.status == s) for k, s in sorted(STAFF_STEPS)]
    cond = []
    if user.organisation_id is not None:
        cond.append(sa.and_(ServiceRequest.handler_org_id == user.organisation_id,
                            ServiceRequest.status.in_(WAITING), sa.not_(sa.or_(*staff))))
    if user.has_role("reviewer"):
        cond.append(sa.or_(*staff))
    return sa.select(ServiceRequest).where(sa.or_(*cond) if cond else sa.false())


def _items(user, limit):
    rows = db.session.scalars(_waiting(user).order_by(ServiceRequest.submitted_at, ServiceRequest.id).limit(limit))
    return [workbench.Item("request", r.id, r.title, r.submitted_at, url_for("requests.detail", request_id=r.id),
                           note=str(STATUSES.get(r.status, r.status))) for r in rows]


def register():
    workbench.add_queue("request", _l("待受理申请"), "requests.queue", who=_handles, priority=25, show_empty=False,
                        count=lambda user: workbench.count_rows(_waiting(user)), items=_items)
