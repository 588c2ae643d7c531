"""Resource types, platforms and resources with their lifecycle, over the catalog services."""
from flask import current_app
from flask_babel import gettext as _

from ..catalog import services
from ..catalog.schemas import (
    PlatformList,
    ResourceIn,
    ResourceOut,
    ResourcePage,
    ResourcePatch,
    ResourceQuery,
    ResourceReasonIn,
    ResourceRevisionOut,
    ResourceRevisionPage,
    ResourceRevisionQuery,
    ResourceTypeList,
    in_values,
    patch_values,
    platforms_out,
    resource_out,
    resource_types_out,
    revision_out,
)
from ..core.errors import NotFound
from ..core.permissions import require_login
from .common import api_actor
from .spec import endpoint

LIFECYCLE_ERRORS = (401, 403, 404, 409, 422)


@endpoint("/resource-types", answer=ResourceTypeList, tags=["resources"])
def resource_types():
    """The ten resource types and their own fields."""
    return resource_types_out()


@endpoint("/platforms", answer=PlatformList, tags=["resources"])
def platforms():
    """The six platforms."""
    return platforms_out()


@endpoint("/resources", query=ResourceQuery, answer=ResourcePage, errors=(422,), tags=["resources"])
def list_resources(query: ResourceQuery):
    """Published resources, newest first."""
    per_page = min(query.per_page or current_app.config["PER_PAGE"], current_app.config["MAX_PER_PAGE"])
    pagination = services.list_public(page=query.page, per_page=per_page, type=query.type,
                                      platform=query.platform, city=query.city, org=query.org,
                                      updated_since=query.updated_since)
    return ResourcePage(items=[resource_out(r, detail=False) for r in pagination.items],
                        total=pagination.total, page=query.page, per_page=per_page)


@endpoint("/resources", "POST", body=ResourceIn, answer=ResourceOut, status=201, errors=(401, 403, 422),
          tags=["resources"])
def create_resource(json: ResourceIn):
    """Create a draft listing for the caller's organisation (money in fen)."""
    actor = require_login(api_actor())
    type_key, values = in_values(json)
    resource = services.create_resource(type_key, values, actor=actor)
    return resource_out(resource), 201


@endpoint("/resources/<int:id>", answer=ResourceOut, errors=(404,), tags=["resources"])
def get_resource(id):
    """One resource (published ones for anyone; others for their organisation and reviewers)."""
    return resource_out(services.get_resource(id, actor=api_actor()))


@endpoint("/resources/<int:id>", "PATCH", body=ResourcePatch, answer=ResourceOut, errors=(401, 403, 404, 422),
          tags=["resources"], also={202: ResourceRevisionOut})
def patch_resource(id, json: ResourcePatch):
    """Edit a resource (members of the owning organisation). On a published resource, material changes
    (title, texts, prices, original value…) wait for review: the answer is then 202 with the pending
    revision, and the published version stays public until a reviewer approves it; contact details and
    other non-material fields apply at once (200 with the resource when nothing waits)."""
    actor = require_login(api_actor())
    resource = services.get_resource(id, actor=actor)
    before = services.pending_revision(resource) if resource.status == "published" else None
    before = (before.id, dict(before.changes)) if before else None
    services.update_resource(resource, patch_values(resource.type, json.model_dump()), actor=actor)
    after = services.pending_revision(resource) if resource.status == "published" else None
    if after is not None and (after.id, after.changes) != before:
        return revision_out(after), 202
    return resource_out(resource)


@endpoint("/resources/<int:id>/revision", answer=ResourceRevisionOut, errors=(401, 404), tags=["resources"])
def get_pending_revision(id):
    """The resource's pending revision (its organisation's members and reviewers); 404 when none."""
    actor = require_login(api_actor())
    resource = services.get_resource(id, actor=actor)
    revision = services.pending_revision(resource)
    if revision is None or not services.may_see_revision(revision, actor=actor):
        raise NotFound(_("没有待审核的修改"))
    return revision_out(revision)


@endpoint("/resource-revisions", query=ResourceRevisionQuery, answer=ResourceRevisionPage, errors=(401, 403, 422),
          tags=["resources"])
def list_revisions(query: ResourceRevisionQuery):
    """Pending revisions of published resources, oldest first (reviewers)."""
    actor = require_login(api_actor())
    per_page = min(query.per_page or current_app.config["PER_PAGE"], current_app.config["MAX_PER_PAGE"])
    page = services.pending_revisions(actor=actor, page=query.page, per_page=per_page, type=query.type)
    return ResourceRevisionPage(items=[revision_out(r) for r in page.items], total=page.total,
                                page=query.page, per_page=per_page)


def _revision_action(action: str, body=None):
    def view(id, json=None):
        actor = require_login(api_actor())
        revision = services.get_revision(id, actor=actor)
        services.decide(revision, action, actor=actor, reason=json.reason if json is not None else None)
        return revision_out(revision)

    view.__name__ = f"{action}_revision"
    view.__doc__ = {"approve": "Approve a pending revision (reviewers): the resource changes and is re-indexed.",
                    "reject": "Reject a pending revision with a reason (reviewers): the published version stays.",
                    "withdraw": "Withdraw a pending revision (the resource's organisation)."}[action]
    if body is not None:
        view.__annotations__ = {"json": body}
    return endpoint(f"/resource-revisions/<int:id>/{action}", "POST", body=body, answer=ResourceRevisionOut,
                    errors=LIFECYCLE_ERRORS, tags=["resources"])(view)


_revision_action("approve")
_revision_action("reject", ResourceReasonIn)
_revision_action("withdraw")


def _lifecycle(action: str, body=None):
    def view(id, json=None):
        actor = require_login(api_actor())
        resource = services.get_resource(id, actor=actor)
        services.transition(resource, action, actor=actor, reason=json.reason if json is not None else None)
        return resource_out(resource)

    view.__name__ = f"{action}_resource"
    view.__doc__ = f"Lifecycle: {action}."
    if body is not None:
        view.__annotations__ = {"json": body}
    return endpoint(f"/resources/<int:id>/{action}", "POST", body=body, answer=ResourceOut,
                    errors=LIFECYCLE_ERRORS, tags=["resources"])(view)


for _action in ("submit", "publish", "offline", "archive"):
    _lifecycle(_action)
_lifecycle("reject", ResourceReasonIn)
