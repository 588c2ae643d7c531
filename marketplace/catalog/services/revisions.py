"""Revisions: material edits of a published listing wait for a reviewer; the published version stays.

`types.is_material` says which fields are material. An edit of a published listing applies its other
fields at once and folds its material ones into the listing's one pending revision (a new edit
supersedes the pending one: the new revision holds both, minus the fields set back to their published
values). A reviewer approves (the listing changes, the search index follows on commit through the
usual after-commit path, both audited) or rejects with a reason; the owner may withdraw it.
"""
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from pydantic import TypeAdapter

from ...core import audit
from ...core.db import find, row_ids
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.i18n import N_, tr
from ...core.permissions import require_login, require_role
from ...core.schema import note, validated
from ...core.timeutil import utcnow
from ...extensions import db
from ..models import Resource, ResourcePlatform, ResourceRevision
from ..states import MEMBER_ACTIONS, REVIEWER_ACTIONS, REVISION
from ..types import PLATFORMS, is_material
from .listings import can_edit, can_view

COMMON_LABELS = {"title": N_("标题"), "summary": N_("简介"), "description": N_("详细介绍"),
                 "city": N_("所在城市"), "platforms": N_("服务平台"), "tags": N_("标签（逗号分隔）"),
                 "discipline": N_("学科领域"), "contact_name": N_("联系人"), "contact_phone": N_("联系电话"),
                 "contact_email": N_("联系邮箱")}


def _kind(resource: Resource, name: str) -> str:
    for f in resource.spec.fields:
        if f.name == name:
            return f.kind
    return "platforms" if name == "platforms" else "str"


_DAY = TypeAdapter(date | None)  # a date field in a revision's JSON: ISO text, read back as a date


def _dump(kind: str, value):
    """A field's value as JSON keeps it (dates ISO; platforms a list in the platforms' order)."""
    if kind == "date":
        return _DAY.dump_python(_DAY.validate_python(value), mode="json")
    if kind == "platforms":
        return sorted(dict.fromkeys(value or []), key=list(PLATFORMS).index)
    return value


def _load(kind: str, value):
    if kind == "date":
        return _DAY.validate_python(value)
    return value


def _same(kind: str, a, b) -> bool:
    if kind in ("str", "text", "choice", "multi"):
        return (a or "") == (b or "")
    return a == b


def published_value(resource: Resource, name: str):
    if name == "platforms":
        return _dump("platforms", resource.platforms)
    return _dump(_kind(resource, name), getattr(resource, name))


def split_material(resource: Resource, values: dict) -> tuple[dict, dict]:
    """Checked edit values as (apply now, wait for review) for a published listing; unchanged
    non-material values are left out (a form posts every field)."""
    now, later = {}, {}
    for name, value in values.items():
        if is_material(resource.type, name):
            later[name] = value
        elif not _same(_kind(resource, name), _dump(_kind(resource, name), value), published_value(resource, name)):
            now[name] = value
    return now, later


def pending_revision(resource: Resource) -> ResourceRevision | None:
    return db.session.scalar(db.select(ResourceRevision).where(
        ResourceRevision.resource_id == resource.id, ResourceRevision.status == "pending"))


def latest_revision(resource: Resource) -> ResourceRevision | None:
    """The listing's most recent revision that was pending, approved or rejected (not replaced ones)."""
    return db.session.scalar(db.select(ResourceRevision).where(
        ResourceRevision.resource_id == resource.id,
        ResourceRevision.status.in_(("pending", "approved", "rejected"))).order_by(ResourceRevision.id.desc()).limit(1))


def propose(resource: Resource, material: dict, *, actor) -> ResourceRevision | None:
    """Fold material edit values into the listing's pending revision; the pending revision after it.

    Nothing sent: the pending revision stays as it is. Values equal to the published ones drop out;
    if none is left, the pending revision is superseded and there is none."""
    if not material:
        return pending_revision(resource)
    # concurrent edits of one listing queue up here (PostgreSQL; SQLite writes one at a time anyway)
    db.session.execute(db.select(Resource.id).where(Resource.id == resource.id).with_for_update())
    current = pending_revision(resource)
    wanted = dict(current.changes) if current else {}
    for name, value in material.items():
        kind = _kind(resource, name)
        value = _dump(kind, value)
        if _same(kind, value, published_value(resource, name)):
            wanted.pop(name, None)
        else:
            wanted[name] = value
    if current is not None and wanted == current.changes:
        return current
    if current is not None:
        REVISION.apply(current, "superseded", actor=actor, action="supersede")
        current.decided_at = utcnow()
        db.session.flush()  # the one-pending index sees the old one superseded before the new one
    if not wanted:
        return None
    revision = ResourceRevision(resource_id=resource.id, status="pending", changes=wanted,
                                previous={n: published_value(resource, n) for n in wanted},
                                submitted_by_id=actor.id)
    db.session.add(revision)
    db.session.flush()
    audit.record("resource_revision", revision.id, "submitted", actor=actor, to_state="pending",
                 comment=",".join(sorted(wanted)))
    audit.record("resource", resource.id, "revision_submitted", actor=actor, comment=",".join(sorted(wanted)))
    return revision


def get_revision(revision_id: int, *, actor) -> ResourceRevision:
    """A revision of a listing the actor may edit or review; others are told it does not exist."""
    require_login(actor)
    revision = find(ResourceRevision, revision_id)
    if revision is None or not may_see(revision, actor=actor):
        raise NotFound(_("修改记录不存在"))
    return revision


def may_see(revision: ResourceRevision, *, actor) -> bool:
    return bool(actor and getattr(actor, "is_authenticated", False)) and (
        actor.has_role("reviewer") or (can_view(revision.resource, actor=actor)
                                       and actor.is_member_of(revision.resource.owner_org_id)))


def _permitted(revision: ResourceRevision, action: str, *, actor) -> bool:
    if action in REVIEWER_ACTIONS:
        return actor.has_role("reviewer")
    if action in MEMBER_ACTIONS:
        return can_edit(revision.resource, actor=actor)
    return False


def allowed_revision_actions(revision: ResourceRevision, *, actor) -> list[str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    return REVISION.available(revision, lambda a: _permitted(revision, a, actor=actor))


@validated
def decide(revision: ResourceRevision, action: str, *, actor, reason: note(500) = "") -> ResourceRevision:
    """approve | reject (with a reason) | withdraw a pending revision."""
    require_login(actor)
    if action not in REVISION.actions:
        raise NotFound(_("未知操作"))
    if not may_see(revision, actor=actor):
        raise NotFound(_("修改记录不存在"))
    if action in REVIEWER_ACTIONS:
        require_role(actor, "reviewer")
    elif not _permitted(revision, action, actor=actor):
        raise Forbidden(_("只有资源所属单位的成员可以撤回修改"))
    if action == "reject" and not reason:
        raise Invalid.field("reason", _("请填写退回原因"))
    # two reviewers deciding at once: the second waits, then finds the revision decided (a 409)
    db.session.execute(db.select(ResourceRevision.id).where(ResourceRevision.id == revision.id).with_for_update())
    db.session.refresh(revision)
    resource = revision.resource
    if action == "approve" and resource.status != "published":
        raise Conflict(_("资源已不在发布状态，不能应用修改"))
    # a rejection's reason goes with its status (the table requires both at once)
    REVISION.apply(revision, REVISION.actions[action], actor=actor, comment=reason or None, action=action,
                   decided_by_id=actor.id, decided_at=utcnow(), **({"reason": reason} if action == "reject" else {}))
    if action == "approve":
        _apply(resource, revision.changes)
        audit.record("resource", resource.id, "revision_approved", actor=actor,
                     comment=",".join(sorted(revision.changes)))
    elif action == "reject":
        audit.record("resource", resource.id, "revision_rejected", actor=actor, comment=reason)
    db.session.flush()
    return revision


def _apply(resource: Resource, changes: dict) -> None:
    for name, value in changes.items():
        if name == "platforms":
            resource.platform_rows = [ResourcePlatform(platform=p) for p in value]
        else:
            setattr(resource, name, _load(_kind(resource, name), value))
    resource.updated_at = utcnow()  # the search index follows on commit (search.hooks)


def withdraw_pending(resource: Resource, *, actor) -> None:
    """A listing leaving publication takes its pending revision with it (resubmission reviews it all)."""
    current = pending_revision(resource)
    if current is not None:
        REVISION.apply(current, "withdrawn", actor=actor, comment=_("资源已下线或归档"), action="withdraw")
        current.decided_at = utcnow()


# -- showing a revision -----------------------------------------------------------------------------

@dataclass
class DiffRow:
    name: str
    label: str
    kind: str
    field: object  # types.Field for own fields, else None
    old: object
    new: object


def diff(revision: ResourceRevision) -> list[DiffRow]:
    """old → new of each changed field, in the form's order (values raw: the page formats them)."""
    resource = revision.resource
    own = {f.name: f for f in resource.spec.fields}
    order = list(COMMON_LABELS) + list(own)
    rows = []
    for name in sorted(revision.changes, key=lambda n: order.index(n) if n in order else len(order)):
        f = own.get(name)
        kind = f.kind if f else ("platforms" if name == "platforms" else "str")
        label = f.label() if f else tr(COMMON_LABELS.get(name, name))
        rows.append(DiffRow(name, label, kind, f, revision.previous.get(name), revision.changes[name]))
    return rows


def edited_values(resource: Resource) -> dict:
    """The listing's values as its owner last edited them: published values with the pending revision's
    changes over them (the edit form starts from these)."""
    current = pending_revision(resource)
    if current is None:
        return {}
    return {n: _load(_kind(resource, n), v) for n, v in current.changes.items()}


def pending_revisions(page: int = 1, per_page: int = 20, type: str | None = None, *, actor):
    """Pending revisions of published listings, oldest first (reviewers)."""
    require_role(actor, "reviewer")
    q = (db.select(ResourceRevision).join(Resource, Resource.id == ResourceRevision.resource_id)
         .where(ResourceRevision.status == "pending", Resource.status == "published"))
    if type:
        q = q.where(Resource.type == type)
    return db.paginate(q.order_by(ResourceRevision.created_at, ResourceRevision.id), page=page,
                       per_page=per_page, error_out=False)


def latest_revision_states(resource_ids) -> dict[int, str]:
    """For the owner's list: listing id -> "pending" or "rejected" (its latest decided-against revision),
    for listings whose latest revision is one of these."""
    ids = row_ids(resource_ids)
    if not ids:
        return {}
    latest = (db.select(ResourceRevision.resource_id, db.func.max(ResourceRevision.id).label("rid"))
              .where(ResourceRevision.resource_id.in_(ids),
                     ResourceRevision.status.in_(("pending", "rejected", "approved")))
              .group_by(ResourceRevision.resource_id).subquery())
    rows = db.session.execute(db.select(ResourceRevision.resource_id, ResourceRevision.status)
                              .join(latest, latest.c.rid == ResourceRevision.id))
    return {rid: status for rid, status in rows if status in ("pending", "rejected")}
