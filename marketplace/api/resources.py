"""Resource types, platforms and resources with their lifecycle, over the catalog services."""
from flask import current_app

from ..catalog import services
from ..catalog.schemas import (
    PlatformList,
    ResourceIn,
    ResourceOut,
    ResourcePage,
    ResourcePatch,
    ResourceQuery,
    ResourceReasonIn,
    ResourceTypeList,
    in_values,
    patch_values,
    platforms_out,
    resource_out,
    resource_types_out,
)
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
                                      platform=query.platform, city=query.city, org=query.org)
    return ResourcePage(items=[resource_out(r, detail=False) for r in pagination.items],
                        total=pagination.total, page=query.page, per_page=per_page)


@endpoint("/resources", "POST", body=ResourceIn, answer=ResourceOut, status=201, errors=(401, 403, 422),
          tags=["resources"])
def create_resource(json: ResourceIn):
    """Create a draft listing for the caller's organisation (money in fen)."""
    actor = require_login(api_actor())
    type_key, values = in_values(json)
    resource = services.create_resource(type_key, values, actor)
    return resource_out(resource), 201


@endpoint("/resources/<int:id>", answer=ResourceOut, errors=(404,), tags=["resources"])
def get_resource(id):
    """One resource (published ones for anyone; others for their organisation and reviewers)."""
    return resource_out(services.get_resource(id, api_actor()))


@endpoint("/resources/<int:id>", "PATCH", body=ResourcePatch, answer=ResourceOut, errors=(401, 403, 404, 422),
          tags=["resources"])
def patch_resource(id, json: ResourcePatch):
    """Edit a resource (members of the owning organisation)."""
    actor = require_login(api_actor())
    resource = services.get_resource(id, actor)
    services.update_resource(resource, patch_values(resource.type, json.model_dump()), actor)
    return resource_out(resource)


def _lifecycle(action: str, body=None):
    def view(id, json=None):
        actor = require_login(api_actor())
        resource = services.get_resource(id, actor)
        services.transition(resource, action, actor, reason=json.reason if json is not None else None)
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
