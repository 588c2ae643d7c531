"""Firm filing's queues on the workbench: filings waiting for a reviewer, and an applicant's filings
returned for correction."""
import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from ..core import workbench
from ..extensions import db
from .models import Firm
from .states import STATUSES


def _reviewer(user) -> bool:
    return user.has_role("reviewer")


def _waiting():
    return sa.select(Firm).where(Firm.status.in_(("submitted", "under_review")))


def _returned(user):
    return sa.select(Firm).where(Firm.status == "returned", Firm.applicant_id == user.id)


def _items_of(stmt, kind: str, limit: int) -> list[workbench.Item]:
    since = sa.func.coalesce(Firm.submitted_at, Firm.created_at)
    return [workbench.Item(kind, f.id, f.name or f.uscc or "—", f.submitted_at or f.created_at,
                           url_for("filing.detail", firm_id=f.id), note=str(STATUSES.get(f.status, f.status)))
            for f in db.session.scalars(stmt.order_by(since, Firm.id).limit(limit))]


def register():
    workbench.add_queue("filing", _l("待审核备案"), "filing.queue", who=_reviewer,
                        count=lambda user: workbench.count_rows(_waiting()),
                        items=lambda user, limit: _items_of(_waiting(), "filing", limit), priority=20)
    workbench.add_queue("filing_returned", _l("退回补正的备案"), "filing.mine", who=lambda user: True,
                        count=lambda user: workbench.count_rows(_returned(user)),
                        items=lambda user, limit: _items_of(_returned(user), "filing_returned", limit),
                        priority=30, badge=False, show_empty=False)
