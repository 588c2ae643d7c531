"""Resource types, platforms and resources with their lifecycle."""
from flask import request

from ..catalog import services
from ..catalog.models import Resource
from ..catalog.types import PLATFORMS, RESOURCE_TYPES
from ..core.errors import Invalid, NotFound
from ..core.pagination import page_args
from ..core.permissions import require_login
from ..extensions import db
from . import bp
from .common import api_actor, int_arg, json_body

LIFECYCLE_ACTIONS = ("submit", "publish", "reject", "offline", "archive")


@bp.get("/resource-types")
def resource_types():
    return {"items": [{
        "key": t.key, "name_zh": t.name_zh, "name_en": t.name_en, "platforms": list(t.platforms),
        "fields": [{"name": f.name, "name_zh": f.zh, "name_en": f.en, "kind": f.kind, "required": f.required,
                    **({"choices": list(f.choices)} if f.choices else {}),
                    **({"min": f.min, "max": f.max} if f.min is not None else {})} for f in t.fields],
    } for t in RESOURCE_TYPES.values()]}


@bp.get("/platforms")
def platforms():
    return {"items": [{"key": k, "name_zh": v[0], "name_en": v[1], "description_zh": v[2], "description_en": v[3],
                       "resource_types": [t.key for t in RESOURCE_TYPES.values() if k in t.platforms]}
                      for k, v in PLATFORMS.items()]}


@bp.get("/resources")
def list_resources():
    filters = services.filter_args(request.args)
    page, per_page = page_args(request.args)
    pagination = services.list_public(page=page, per_page=per_page, **filters)
    return {"items": [services.to_dict(r, detail=False) for r in pagination.items],
            "total": pagination.total, "page": page, "per_page": per_page}


def _body_fields(body: dict) -> dict:
    data = dict(body)
    nested = data.pop("fields", None)
    if nested is not None:
        if not isinstance(nested, dict):
            raise Invalid.field("fields", "fields 应为对象 / fields must be an object")
        data.update(nested)
    return data


@bp.post("/resources")
def create_resource():
    actor = require_login(api_actor())
    data = _body_fields(json_body())
    type_key = data.pop("type", None)
    if not isinstance(type_key, str) or type_key not in RESOURCE_TYPES:
        raise Invalid.field("type", "未知的资源类型 / unknown resource type: " + ", ".join(RESOURCE_TYPES))
    resource = services.create_resource(type_key, data, actor)
    db.session.commit()
    return services.to_dict(resource), 201


def _load(resource_id) -> Resource:
    return services.get_resource(int_arg("id", resource_id), api_actor())


@bp.get("/resources/<resource_id>")
def get_resource(resource_id):
    return services.to_dict(_load(resource_id))


@bp.patch("/resources/<resource_id>")
def patch_resource(resource_id):
    actor = require_login(api_actor())
    resource = _load(resource_id)
    data = _body_fields(json_body())
    if "type" in data:
        raise Invalid.field("type", "不能修改资源类型 / the type cannot change")
    services.update_resource(resource, data, actor)
    db.session.commit()
    return services.to_dict(resource)


@bp.post("/resources/<resource_id>/<action>")
def resource_action(resource_id, action):
    if action not in LIFECYCLE_ACTIONS:
        raise NotFound("未知操作 / unknown action")
    actor = require_login(api_actor())
    resource = _load(resource_id)
    reason = None
    if action == "reject":
        reason = json_body().get("reason")
    services.transition(resource, action, actor, reason=reason)
    db.session.commit()
    return services.to_dict(resource)


_err = {c: {"$ref": f"#/components/responses/{c}"} for c in ("400", "401", "403", "404", "409", "422")}
_id = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_ok = {"200": {"description": "The resource"}}
OPENAPI_PATHS = {
    "/resource-types": {"get": {"summary": "The ten resource types and their fields", "responses": {"200": {"description": "OK"}}}},
    "/platforms": {"get": {"summary": "The six platforms", "responses": {"200": {"description": "OK"}}}},
    "/resources": {
        "get": {"summary": "Published resources", "parameters": [
            {"name": n, "in": "query", "schema": {"type": "integer" if n in ("org", "page", "per_page") else "string"}}
            for n in ("type", "platform", "city", "org", "page", "per_page")],
            "responses": {"200": {"description": "{items, total, page, per_page}"}, "422": _err["422"]}},
        "post": {"summary": "Create a draft listing for the caller's organisation (money in fen)",
                 "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["type", "title"]}}}},
                 "responses": {"201": {"description": "Created"}, **{c: _err[c] for c in ("401", "403", "422")}}},
    },
    "/resources/{id}": {
        "get": {"summary": "One resource", "parameters": _id, "responses": {**_ok, "404": _err["404"]}},
        "patch": {"summary": "Edit a resource (members of the owning organisation)", "parameters": _id,
                  "responses": {**_ok, **{c: _err[c] for c in ("401", "403", "404", "422")}}},
    },
    **{f"/resources/{{id}}/{a}": {"post": {"summary": f"Lifecycle: {a}", "parameters": _id,
                                           "responses": {**_ok, **{c: _err[c] for c in ("401", "403", "404", "409", "422")}}}}
       for a in LIFECYCLE_ACTIONS},
}
