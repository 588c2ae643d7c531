"""The API token lookup, cached per process for `API_TOKEN_CACHE_SECONDS` (default 5; 0 turns it off).

Every API call names its token, and looking it up (the token, its user and the user's roles) was a
round trip and an ORM load on every call. This process keeps, per token hash, a snapshot of the
user's columns and roles for a few seconds and gives each request its own copy in its own session
(a detached copy added to the session: no query).

Invalidation: a commit in this process that changed an `api_tokens`, `users` or `user_roles` row
through the ORM (a token revoked, a user deactivated, a role granted or taken, an organisation left)
clears the whole cache, so the change holds from this process's next request on. Another process
(the second gunicorn worker, another host) serves its cached snapshot until the TTL runs out: a
revoked token keeps working there for at most `API_TOKEN_CACHE_SECONDS` seconds.
"""
import threading
import time

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, attributes, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from ..extensions import db
from .models import ApiToken, User, UserRole

_cache: dict[tuple[str, str], tuple[float, dict, list[str]]] = {}
_lock = threading.Lock()
_generation = [0]  # bumped by every invalidation: a lookup that began before one does not store its answer
_WATCHED = (ApiToken, User, UserRole)


def ttl() -> float:
    return float(current_app.config.get("API_TOKEN_CACHE_SECONDS", 5))


def cached_user(token_hash: str, load) -> User | None:
    """The user the token `token_hash` authenticates, from the cache or `load()` (which returns the
    user of a valid token, or None; None is not cached)."""
    seconds = ttl()
    if seconds <= 0:
        return load()
    key = (str(db.engine.url), token_hash)
    hit = _cache.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return _attach(hit[1], hit[2])
    generation = _generation[0]
    user = load()
    if user is not None:
        columns = {a.key: getattr(user, a.key) for a in sa.inspect(User).column_attrs}
        roles = sorted(user.roles)
        with _lock:
            if generation == _generation[0]:
                _cache[key] = (time.monotonic() + seconds, columns, roles)
    return user


def _attach(columns: dict, roles: list[str]) -> User:
    """A copy of the snapshot as this session's User (with its role rows), without a query."""
    user = User(**columns)
    make_transient_to_detached(user)
    rows = []
    for role in roles:
        row = UserRole(user_id=columns["id"], role=role)
        make_transient_to_detached(row)
        rows.append(row)
    attributes.set_committed_value(user, "role_rows", rows)
    session = db.session()
    if identity_key(User, columns["id"]) in session.identity_map:  # this session has the user already
        return session.merge(user, load=False)
    session.add(user)  # detached, so it joins the session as it is: no copy, no query
    return user


def invalidate() -> None:
    with _lock:
        _generation[0] += 1
        _cache.clear()


@event.listens_for(Session, "after_flush")
def _note_changes(session, _context):
    if any(isinstance(obj, _WATCHED) for group in (session.new, session.dirty, session.deleted) for obj in group):
        session.info["token_cache_stale"] = True


@event.listens_for(Session, "after_commit")
def _invalidate_on_commit(session):
    if session.info.pop("token_cache_stale", False):
        invalidate()


@event.listens_for(Session, "after_soft_rollback")
def _drop_on_rollback(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop("token_cache_stale", None)
