"""The OpenAPI 3 description, merged from every API module's OPENAPI_PATHS."""
from flask import jsonify

from . import bp, loaded_modules

PROBLEM = {
    "type": "object",
    "properties": {
        "status": {"type": "integer"}, "title": {"type": "string"}, "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
}


def build_spec() -> dict:
    paths: dict = {"/openapi.json": {"get": {"summary": "This OpenAPI 3 description",
                                             "responses": {"200": {"description": "OK"}}}}}
    for module in loaded_modules():
        for path, item in getattr(module, "OPENAPI_PATHS", {}).items():
            paths.setdefault(path, {}).update(item)
    return {
        "openapi": "3.1.0",  # JSON Schema 2020-12 types, e.g. {"type": ["integer", "null"]}
        "info": {"title": "江苏省科技资源统筹服务平台 API", "version": "1.0.0",
                 "description": "Money is integer fen (CNY); times are ISO 8601 with offset. Errors are "
                                "application/problem+json."},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "cookie": {"type": "apiKey", "in": "cookie", "name": "session"}},
            "schemas": {"Problem": PROBLEM},
            "responses": {code: {"description": text, "content": {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}}}
                for code, text in (("400", "Bad request"), ("401", "Unauthenticated"), ("403", "Forbidden"),
                                   ("404", "Not found"), ("409", "Conflict"), ("422", "Invalid input"))},
        },
        "security": [{"bearer": []}, {"cookie": []}, {}],
        "paths": dict(sorted(paths.items())),
    }


@bp.route("/openapi.json")
def openapi_json():
    return jsonify(build_spec())
