"""Listings: create, edit and moderate resources of the ten types."""

from flask_babel import gettext as _

from ...accounts.rules import require_verified_email
from ...core import audit
from ...core.db import find
from ...core.errors import Forbidden, Invalid, NotFound
from ...core.permissions import require_login, require_member, require_role
from ...core.schema import note, validated
from ...core.timeutil import utcnow
from ...extensions import db
from ..models import MODELS, Resource, ResourcePlatform
from ..schemas import listing_values
from ..states import LIFECYCLE
from ..types import RESOURCE_TYPES

COMMON_FIELDS = ("title", "summary", "description", "tags", "discipline", "contact_name", "contact_phone",
                 "contact_email", "city", "platforms")


# -- commands -------------------------------------------------------------------------------------

MAX_ID = 2**31 - 1  # ids are INTEGER columns: a larger number cannot name a row (and PostgreSQL refuses it)


def get_resource(resource_id: int, *, actor=None) -> Resource:
    """A resource the actor may see: published ones for anyone, others for members and reviewers."""
    resource = find(Resource, resource_id)
    if resource is None:
        raise NotFound(_("资源不存在"))
    if not can_view(resource, actor=actor):
        raise NotFound(_("资源不存在"))
    return resource


def can_view(resource: Resource, *, actor) -> bool:
    if resource.status == "published":
        return True
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return actor.is_member_of(resource.owner_org_id) or actor.has_role("reviewer")


def can_edit(resource: Resource, *, actor) -> bool:
    return bool(actor and getattr(actor, "is_authenticated", False)
                and (actor.is_member_of(resource.owner_org_id) or actor.has_role("admin"))
                and resource.status != "archived")


def create_resource(type_key: str, data: dict, *, actor, org=None) -> Resource:
    """Create a draft listing owned by the actor's organisation."""
    require_login(actor)
    org = org or actor.organisation
    if org is None:
        raise Forbidden(_("请先加入一个单位"))
    require_member(actor, org.id)
    values = listing_values(type_key, data)
    platforms = values.pop("platforms", None) or list(RESOURCE_TYPES[type_key].platforms)
    values.setdefault("city", org.city)
    resource = MODELS[type_key](owner_org_id=org.id, created_by_id=actor.id, status="draft", **values)
    resource.platform_rows = [ResourcePlatform(platform=p) for p in platforms]
    db.session.add(resource)
    db.session.flush()
    audit.record("resource", resource.id, "created", actor=actor, to_state="draft")
    return resource


def update_resource(resource: Resource, data: dict, *, actor) -> Resource:
    """Edit a listing. On a published one, material changes (types.is_material) wait for a reviewer as
    the listing's pending revision (services/revisions.py); the other fields apply at once."""
    require_login(actor)
    if not can_edit(resource, actor=actor):
        raise Forbidden(_("只有资源所属单位的成员可以编辑"))
    values = listing_values(resource.type, data, partial=True)
    if resource.status == "published":
        from .revisions import propose, split_material
        values, material = split_material(resource, values)
        propose(resource, material, actor=actor)
    if values or resource.status != "published":
        apply_values(resource, values, actor=actor)
    return resource


def apply_values(resource: Resource, values: dict, *, actor) -> Resource:
    values = dict(values)
    platforms = values.pop("platforms", None)
    for name, value in values.items():
        setattr(resource, name, value)
    if platforms is not None:
        resource.platform_rows = [ResourcePlatform(platform=p) for p in platforms]
    resource.updated_at = utcnow()
    db.session.flush()
    audit.record("resource", resource.id, "edited", actor=actor, comment=",".join(sorted(values)) or None)
    return resource


def submit_resource(resource: Resource, *, actor) -> Resource:
    require_member(actor, resource.owner_org_id)
    require_verified_email(actor=actor)
    resource.reject_reason = None
    return LIFECYCLE.apply(resource, "pending_review", actor=actor, action="submit")


def publish_resource(resource: Resource, comment: str | None = None, *, actor) -> Resource:
    require_role(actor, "reviewer")
    from ..identifiers import cstr_for
    LIFECYCLE.apply(resource, "published", actor=actor, comment=comment, action="publish", published_at=utcnow(),
                    cstr=resource.cstr or cstr_for(resource.type, resource.id))
    return resource


@validated
def reject_resource(resource: Resource, reason: note(500), *, actor) -> Resource:
    require_role(actor, "reviewer")
    if not reason:
        raise Invalid.field("reason", _("请填写退回原因"))
    LIFECYCLE.apply(resource, "rejected", actor=actor, comment=reason, action="reject")
    resource.reject_reason = reason
    return resource


def take_offline(resource: Resource, comment: str | None = None, *, actor) -> Resource:
    require_login(actor)
    if not (actor.is_member_of(resource.owner_org_id) or actor.has_role("reviewer")):
        raise Forbidden(_("没有权限下线该资源"))
    LIFECYCLE.apply(resource, "offline", actor=actor, comment=comment, action="offline")
    from .revisions import withdraw_pending
    withdraw_pending(resource, actor=actor)
    return resource


def archive_resource(resource: Resource, *, actor) -> Resource:
    require_login(actor)
    if not (actor.is_member_of(resource.owner_org_id) or actor.has_role("admin")):
        raise Forbidden(_("没有权限归档该资源"))
    LIFECYCLE.apply(resource, "archived", actor=actor, action="archive")
    from .revisions import withdraw_pending
    withdraw_pending(resource, actor=actor)
    return resource


TRANSITIONS = {"submit": submit_resource, "publish": publish_resource, "reject": reject_resource,
               "offline": take_offline, "archive": archive_resource}


def transition(resource: Resource, action: str, *, actor, reason: str | None = None) -> Resource:
    """Apply a named lifecycle action (as the web page and the API name them)."""
    if action not in TRANSITIONS:
        raise NotFound(_("未知操作"))
    require_login(actor)
    if not can_view(resource, actor=actor):
        raise NotFound(_("资源不存在"))
    if action == "reject":
        return reject_resource(resource, reason, actor=actor)
    return TRANSITIONS[action](resource, actor=actor)


def allowed_actions(resource: Resource, *, actor) -> list[str]:
    """The lifecycle actions the actor may take now (for buttons)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    member = actor.is_member_of(resource.owner_org_id)
    reviewer = actor.has_role("reviewer")
    who = {"submit": member, "publish": reviewer, "reject": reviewer, "offline": member or reviewer,
           "archive": member or actor.has_role("admin")}
    target = {"submit": "pending_review", "publish": "published", "reject": "rejected",
              "offline": "offline", "archive": "archived"}
    return [a for a in TRANSITIONS if who[a] and LIFECYCLE.can(resource, target[a])]
