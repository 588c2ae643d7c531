"""Issue 25: every write that answers anonymous callers 401 does so before it validates the body (21
answered 422 first, telling a stranger the schema)."""
import re

import pytest


@pytest.fixture
def protected_writes(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    out = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch", "delete") and "401" in operation.get("responses", {}):
                out.append((method, re.sub(r"\{[^}]+\}", "1", path)))
    return out


@pytest.mark.parametrize("body", [{"amount": "not a number", "unknown": [1, 2]}, {}])
def test_anonymous_writes_are_401_before_any_422(client, protected_writes, body):
    assert len(protected_writes) > 40
    answers = {(m, p): getattr(client, m)(f"/api/v1{p}", json=body).status_code for m, p in protected_writes}
    assert {k: v for k, v in answers.items() if v != 401} == {}
