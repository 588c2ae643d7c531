"""Verification's queue on the workbench: qualification claims waiting for a reviewer."""
from flask import url_for
from flask_babel import lazy_gettext as _l

from ..core import workbench


def _is_reviewer(user) -> bool:
    return user.has_role("reviewer")


def _count(user) -> int:
    from .services import review_queue
    return review_queue(1, 1, actor=user).total


def _items(user, limit: int) -> list[workbench.Item]:
    from .services import review_queue
    from .states import KINDS
    return [workbench.Item("qualification", q.id, q.organisation.name, q.created_at,
                           url_for("verification.qualification", qualification_id=q.id),
                           note=str(KINDS.get(q.kind, q.kind)))
            for q in review_queue(1, limit, actor=user).items]


def register():
    workbench.add_queue("qualification", _l("待审核资质"), "verification.queue", who=_is_reviewer,
                        count=_count, items=_items, priority=20)
