"""Property-based test of the whole /api/v1 against its own OpenAPI description (schemathesis).

In-process through the WSGI app, on the test database (SQLite, or PostgreSQL with TEST_DATABASE_URL).
For every operation, schemathesis generates requests from the declared schemas (valid ones and, in
its coverage phase, boundary and invalid ones) and checks that the answer is never a 5xx, that its
status code is one the operation declares, and that its body and content type match the declaration.
Examples are bounded (MAX_EXAMPLES per operation, derandomised) so the test stays well under a minute.
"""
import os

import pytest
import schemathesis
from flask import g
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from marketplace.extensions import db

# The API answers the same on both databases: PostgreSQL runs the full fuzz, SQLite a smoke of it.
MAX_EXAMPLES = 8 if os.environ.get("TEST_DATABASE_URL") else 2


@pytest.fixture
def api_world(app, make_org, make_user, make_resource, api_token):
    """Some data for the generated ids to find, and a caller who may do most things."""
    org = make_org(name="南京大学", city="南京")
    user = make_user(org=org, roles=("reviewer", "finance"), org_admin=True)
    for type_key in ("instrument", "dataset", "achievement"):
        make_resource(type_key, org, status="published")
    make_resource("dataset", org, status="pending_review")
    headers = api_token(user)
    db.session.commit()

    def wsgi(environ, start_response):
        g.__dict__.clear()  # each request starts with an empty `g`, as in production (see FreshGlobalsClient)
        return app.wsgi_app(environ, start_response)

    return wsgi, headers


def _openapi() -> dict:
    """The app's own description, read once at collection from an app on a throwaway database."""
    import tempfile

    from marketplace import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                          "SEARCH_INDEX_DIR": tmp, "UPLOAD_DIR": tmp})
        return app.test_client().get("/api/v1/openapi.json").get_json()


# The coverage phase (every boundary and invalid variant of every field) alone takes minutes over the
# ten resource types' bodies; fuzzing with bounded examples keeps the test well under a minute.
# A query too long for a URL (a string just past its maxLength of 4-byte characters) is refused with the
# declared 414 before its parameters are parsed (core.security.MAX_URL_BYTES): a rejection like the others.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict({
    "phases": {"coverage": {"enabled": False}},
    "checks": {"negative_data_rejection": {"expected-statuses": [
        *schemathesis.config._checks.NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES, "414"]}}})
schema = schemathesis.openapi.from_dict(_openapi(), config=CONFIG)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_description(case, api_world):
    wsgi, headers = api_world
    # positive_data_acceptance is left out: domain rules refuse some schema-valid input with a declared 422
    # (a purchase date in the future, a maximum below the minimum, a page past the search window).
    case.call_and_validate(headers=headers, app=wsgi, excluded_checks=[positive_data_acceptance])
