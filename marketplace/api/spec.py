"""Every /api/v1 endpoint is declared once, with pydantic schemas, through `endpoint`.

    @endpoint("/bookings", "POST", body=BookingIn, answer=BookingOut, status=201,
              errors=(401, 403, 404, 409, 422), tags=["bookings"])
    def create_booking(json: BookingIn):
        \"\"\"Request a booking.\"\"\"
        booking = services.request_booking(..., actor=require_login(api_actor()))
        return BookingOut.model_validate(booking), 201

From that one declaration come: parsing (`json`/`query` arguments, already validated), per-field 422
messages in the request's language, the answer's serialisation and its check against the schema, one
unit of work for writes (commit on success, roll back on any error), and /api/v1/openapi.json.

Why spectree: it is a thin, maintained layer over pydantic v2 for Flask that leaves the app, its
blueprints and its error handling as they are (APIFlask would replace the app class and error
handling); webargs/apispec would need marshmallow schemas besides the pydantic types of the rules.
"""
import copy
import functools

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError
from spectree import Response, SpecTree

from ..core.errors import Invalid, NotFound
from ..core.permissions import require_login
from ..core.schema import MAX_ID, invalid_from
from ..core.uow import unit_of_work
from . import bp

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PREFIX = "/api/v1"
MAX_JSON_BYTES = 256 * 1024  # no API body comes near this; larger ones are refused before any work


class Problem(BaseModel):
    """application/problem+json"""

    status: int
    title: str
    detail: str
    errors: dict[str, list[str]] = {}


def _raise_invalid(req, resp, req_validation_error, instance, adapter=None):
    if req_validation_error is not None:
        raise invalid_from(req_validation_error)


spec = SpecTree(
    "flask", mode="strict", annotations=True, validation_error_status=422, before=_raise_invalid,
    title="江苏省科技资源统筹服务平台 API", version="1.0.0",
    # Schema names are the class names: keep them unique across domains (DealOut, FilingOut, ...).
    naming_strategy=lambda model: model.__name__, nested_naming_strategy=lambda parent, child: child,
    description="Money is integer fen (CNY); times are ISO 8601 with offset. Errors are application/problem+json.",
)


def endpoint(rule: str, method: str = "GET", *, body=None, query=None, answer=None, status: int = 200,
             errors=(), tags=(), also=None, caller=None):
    """Register an /api/v1 route declared by its schemas; see the module docstring. `caller` is who may
    call a write that answers 401 (checked before the body is read): a signed-in user by default, or a
    function that raises Unauthorized unless the request's own credentials are good (an instrument's token)."""
    method = method.upper()

    def decorate(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            # Ids are 32-bit keys: a larger path id names nothing (404) and must not reach the database
            # (PostgreSQL answers an out-of-range integer with an error, a 500).
            if any(type(v) is int and v > MAX_ID for v in kwargs.values()):
                raise NotFound()
            # A body that is form-encoded, or says it is JSON but is not an object (malformed, null, empty,
            # too large to read), is refused; an absent body without a content type stays `{}`.
            if body is not None and (request.content_length or 0) > MAX_JSON_BYTES:
                raise Invalid(_("请求体过大"), {"body": [_("请求体过大")]})
            if body is not None and (kwargs.get("json") is None or (
                    request.is_json and not isinstance(request.get_json(silent=True), dict))):
                raise Invalid(_("请求体必须是 JSON 对象"), {"body": [_("请求体必须是 JSON 对象")]})
            try:
                if method in WRITES:
                    # The view returns answers built before the commit expires the objects they read.
                    with unit_of_work(show=False):
                        return fn(*args, **kwargs)
                return fn(*args, **kwargs)
            except ValidationError as err:
                # A schema the view applies itself (a body whose shape depends on the entity, e.g. a
                # resource's own fields) is answered like the declared ones.
                raise invalid_from(err) from None

        codes = {f"HTTP_{status}": answer}
        codes.update({f"HTTP_{code}": model for code, model in (also or {}).items()})  # other successes
        # Any endpoint with a body may answer 400 before its view runs (core.security: JSON nested too
        # deep, NUL, lone surrogates); say so in the description.
        # Any request may answer 414 before its view runs (core.security: a path and query over MAX_URL_BYTES).
        declared = set(errors) | ({400} if method in WRITES else set())
        codes.update({"HTTP_414": Problem})
        codes.update({f"HTTP_{code}": Problem for code in sorted(declared)})
        validated = spec.validate(json=body, query=query, resp=Response(**codes), tags=list(tags))(run)

        @functools.wraps(validated)
        def signed_in_first(*args, **kwargs):
            # A write that answers anonymous callers 401 says so before it reads their body: who may call
            # is decided before what they sent (401, not a 422 that tells a stranger the schema).
            if method in WRITES and 401 in declared:
                from .common import api_actor
                require_login(api_actor()) if caller is None else caller()
            return validated(*args, **kwargs)

        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=signed_in_first, methods=[method])
        return signed_in_first

    return decorate


def build_spec() -> dict:
    """The OpenAPI 3 document of every declared endpoint, with paths relative to /api/v1."""
    spec.app = current_app
    spec.backend.app = current_app
    # spectree lifts nested models out of `$defs` by deleting them from its stored schemas: generate
    # from a copy, or the second document (the next request) loses them.
    models = spec.models
    spec.models = copy.deepcopy(models)
    try:
        document = spec._generate_spec()
    finally:
        spec.models = models
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    # Validation errors are answered as problem+json (see _raise_invalid), not spectree's own list.
    for name in [n for n in schemas if n.startswith("ValidationError")]:
        del schemas[name]
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    paths = {}
    for path, item in document["paths"].items():
        if not path.startswith(PREFIX):
            continue
        for operation in item.values():
            for code, answer in operation.get("responses", {}).items():
                if code.startswith(("4", "5")):
                    answer["content"] = {"application/problem+json": {"schema": problem_ref}}
        paths[path[len(PREFIX):] or "/"] = item
    document["paths"] = dict(sorted(paths.items()))
    document["servers"] = [{"url": PREFIX}]
    schemas["Problem"] = Problem.model_json_schema()
    document["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer"},
        "cookie": {"type": "apiKey", "in": "cookie", "name": "session"}}
    document["security"] = [{"bearer": []}, {"cookie": []}, {}]
    return document


@bp.get("/openapi.json")
@spec.validate(resp=Response(HTTP_200=None, HTTP_414=Problem), tags=["meta"])
def openapi_json():
    """This OpenAPI 3 description."""
    return jsonify(build_spec())
