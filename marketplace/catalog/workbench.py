"""The catalog's queue on the workbench: listings and revisions waiting for a reviewer."""
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core import nav, workbench


def _count(user) -> int:
    from .services import review_queue
    return review_queue(actor=user, page=1, per_page=1).total


def _items(user, limit: int) -> list[workbench.Item]:
    from .services import review_queue
    from .types import RESOURCE_TYPES
    out = []
    for entry in review_queue(actor=user, page=1, per_page=limit).items:
        res = entry.resource
        kind = _("修改") if entry.kind == "revision" else _("新发布")
        type_name = RESOURCE_TYPES[res.type].name() if res.type in RESOURCE_TYPES else res.type
        out.append(workbench.Item("listing", res.id, res.title, entry.submitted_at,
                                  url_for("catalog.review", focus=entry.key, _anchor=entry.key),
                                  note=f"{type_name} · {kind}"))
    return out


def register():
    workbench.add_queue("listing", _l("待审核资源"), "catalog.review", who=nav.has_role("reviewer"),
                        count=_count, items=_items, priority=10)
