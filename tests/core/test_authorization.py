"""Who may do what: every foundation route against every kind of caller, as one table.

Callers: anonymous; an org admin of ANOTHER organisation; a plain MEMBER of the owning organisation;
the owning organisation's ORG ADMIN; a platform REVIEWER (no organisation); a platform ADMIN (no
organisation). Web pages answer 302 (to the login page) for anonymous callers; the API answers 401.
Whenever a caller is refused, nothing in the database changes.
"""
import pytest
import sqlalchemy as sa

from marketplace.accounts.services import create_api_token
from marketplace.extensions import db
from tests.catalog.data import api_payload, form_data

ROLES = ("anonymous", "other_org", "member", "org_admin", "reviewer", "admin")

# state: the state of the resource {rid} (owned by the member's organisation) before the request
TABLE = [
    # method  path                                     state            anon other member orgadm review admin
    ("GET",   "/resources/new/instrument",              None,            302, 200,  200,   200,   403,   403),
    ("POST",  "/resources/new/instrument",              None,            302, 302,  302,   302,   403,   403),
    ("GET",   "/resources/{rid}",                       "draft",         404, 404,  200,   200,   200,   200),
    ("GET",   "/resources/{rid}",                       "published",     200, 200,  200,   200,   200,   200),
    ("GET",   "/resources/{rid}/edit",                  "draft",         302, 404,  200,   200,   403,   200),
    ("POST",  "/resources/{rid}/edit",                  "published",     302, 403,  302,   302,   403,   302),
    ("POST",  "/resources/{rid}/submit",                "draft",         302, 404,  302,   302,   403,   302),
    ("POST",  "/resources/{rid}/publish",               "pending_review", 302, 404, 403,   403,   302,   302),
    ("POST",  "/resources/{rid}/reject",                "pending_review", 302, 404, 403,   403,   302,   302),
    ("POST",  "/resources/{rid}/offline",               "published",     302, 403,  302,   302,   302,   302),
    ("POST",  "/resources/{rid}/archive",               "offline",       302, 404,  302,   302,   403,   302),
    ("GET",   "/review",                                None,            302, 403,  403,   403,   200,   200),
    ("GET",   "/my/resources",                          None,            302, 200,  200,   200,   403,   403),
    ("GET",   "/organisation",                          None,            302, 200,  200,   200,   200,   200),
    ("POST",  "/organisation",                          None,            302, 200,  403,   200,   200,   200),
    ("POST",  "/organisation/members/{target}/make-admin", None,         302, 404,  403,   302,   403,   403),
    ("POST",  "/organisation/members/{target}/remove",  None,            302, 404,  403,   302,   403,   403),
    ("GET",   "/account/tokens",                        None,            302, 200,  200,   200,   200,   200),
    ("POST",  "/account/tokens/{token}/revoke",         None,            302, 404,  302,   404,   404,   404),
    ("GET",   "/api/v1/resources/{rid}",                "draft",         404, 404,  200,   200,   200,   200),
    ("POST",  "/api/v1/resources",                      None,            401, 201,  201,   201,   403,   403),
    ("PATCH", "/api/v1/resources/{rid}",                "draft",         401, 404,  200,   200,   403,   200),
    ("PATCH", "/api/v1/resources/{rid}",                "published",     401, 403,  202,   202,   403,   202),  # a revision
    ("POST",  "/api/v1/resources/{rid}/submit",         "draft",         401, 404,  200,   200,   403,   200),
    ("POST",  "/api/v1/resources/{rid}/publish",        "pending_review", 401, 404, 403,   403,   200,   200),
    ("POST",  "/api/v1/resources/{rid}/reject",         "pending_review", 401, 404, 403,   403,   200,   200),
    ("POST",  "/api/v1/resources/{rid}/offline",        "published",     401, 403,  200,   200,   200,   200),
    ("POST",  "/api/v1/resources/{rid}/archive",        "offline",       401, 404,  200,   200,   403,   200),
]


def _body(method, path):
    """A valid body for the route, so that only the caller decides the answer."""
    if path.startswith("/api/"):
        if path.endswith("/reject"):
            return {"json": {"reason": "资料不全"}}
        if method == "PATCH":
            return {"json": {"title": "新标题"}}
        if path == "/api/v1/resources":
            return {"json": api_payload("instrument")}
        return {}
    if path.endswith(("/new/instrument", "/edit")) and method == "POST":
        return {"data": form_data("instrument")}
    if path.endswith("/reject"):
        return {"data": {"reason": "资料不全"}}
    if path == "/organisation" and method == "POST":
        return {"data": {"email": "invitee@example.cn"}}
    return {}


def _snapshot():
    q = lambda sql: db.session.execute(sa.text(sql)).all()  # noqa: E731
    return (q("SELECT id, status, title, reject_reason FROM resources ORDER BY id"),
            q("SELECT id, organisation_id, org_admin FROM users ORDER BY id"),
            q("SELECT id, revoked_at FROM api_tokens ORDER BY id"),
            q("SELECT count(*) FROM invitations"), q("SELECT count(*) FROM audit_log"))


@pytest.mark.parametrize("method, path, state, expected", [(m, p, s, tuple(e)) for m, p, s, *e in TABLE],
                         ids=[f"{m} {p} [{s}]" if s else f"{m} {p}" for m, p, s, *_ in TABLE])
def test_authorization(method, path, state, expected, app, make_org, make_user, make_resource, login):
    owner_org = make_org(name="南京理工大学", city="南京")
    other_org = make_org(name="盐城某企业", kind="enterprise", city="盐城")
    users = {"other_org": make_user(org=other_org, org_admin=True), "member": make_user(org=owner_org),
             "org_admin": make_user(org=owner_org, org_admin=True), "reviewer": make_user(roles=("reviewer",)),
             "admin": make_user(roles=("admin",))}

    got = {}
    for role in ROLES:
        # fresh objects for each caller, so one caller's success does not change the next one's case
        rid = make_resource("instrument", owner_org, status=state).id if state else None
        target = make_user(org=owner_org).id
        token, _secret = create_api_token(users["member"])
        db.session.commit()
        url = path.format(rid=rid, target=target, token=token.id)

        client = app.test_client()
        headers = {}
        if role != "anonymous":
            if url.startswith("/api/"):
                _t, secret = create_api_token(users[role])
                db.session.commit()
                headers = {"Authorization": f"Bearer {secret}"}
            else:
                login(client, users[role])
        before = _snapshot()
        resp = client.open(url, method=method, headers=headers, **_body(method, path))
        got[role] = resp.status_code
        refused = resp.status_code >= 400 or (role == "anonymous" and resp.status_code == 302)
        if role == "anonymous" and resp.status_code == 302:
            assert "/login" in resp.headers["Location"]
        if refused:
            assert _snapshot() == before, f"{role} was refused ({resp.status_code}) but something changed"
        elif method != "GET" and path != "/organisation":
            assert _snapshot() != before, f"{role} was answered {resp.status_code} but nothing changed"

    assert got == dict(zip(ROLES, expected, strict=True))
