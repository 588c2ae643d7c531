"""/api/v1/openapi.json is a valid OpenAPI 3 document that describes every /api/v1 route."""
import re

import pytest

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    return resp.get_json()


def test_is_valid_openapi_3(spec):
    assert spec["openapi"].startswith("3.") and spec["info"]["title"] and spec["info"]["version"]
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(spec)  # raises on any violation of the OpenAPI 3 schema


def test_structure_without_the_validator(spec):
    assert spec["servers"] == [{"url": "/api/v1"}]
    for path, item in spec["paths"].items():
        assert path.startswith("/"), path
        assert item and set(item) <= HTTP_METHODS | {"parameters", "summary", "description"}, path
        params = set(re.findall(r"{(\w+)}", path))
        for method, op in item.items():
            assert op.get("responses"), (method, path)
            declared = {p["name"] for p in op.get("parameters", []) + item.get("parameters", []) if p["in"] == "path"}
            assert declared == params, (method, path)
            for ref in re.findall(r"'\$ref': '#/components/(\w+)/(\w+)'", str(op)):
                assert ref[1] in spec["components"][ref[0]], ref


def _spec_operations(app, spec):
    """(endpoint, METHOD) pairs reached by the documented paths, resolved by the app's own URL map."""
    adapter = app.url_map.bind("localhost")
    covered = set()
    for path, item in spec["paths"].items():
        concrete = "/api/v1" + re.sub(r"{\w+}", "1", path)
        for method in set(item) & HTTP_METHODS:
            endpoint, _args = adapter.match(concrete, method=method.upper())  # raises if no such route
            covered.add((endpoint, method.upper()))
    return covered


def test_lists_every_api_route_registered_on_the_app(app, spec):
    registered = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
                  if rule.rule.startswith("/api/v1/")
                  for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = _spec_operations(app, spec)
    missing = registered - documented
    assert not missing, f"routes without OpenAPI description: {sorted(missing)}"
    assert documented <= registered


def test_every_lifecycle_action_is_documented(spec):
    for action in ("submit", "publish", "reject", "offline", "archive"):
        assert "post" in spec["paths"][f"/resources/{{id}}/{action}"]
