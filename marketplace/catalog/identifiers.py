"""Persistent identifiers in the CSTR form of GB/T 32843-2016: `CSTR:{agency}.{type code}.{local id}`.

The registration agency's code is configuration (`CSTR_AGENCY`); the two-digit code of each resource
type is `CSTR_TYPE_CODES` below (configurable as a whole); the local id is the resource's id, which the
database never gives twice. An identifier is written once, when the listing is first published, and
then never changes (a later change of the agency's code leaves existing identifiers alone) and is
never given to another listing (the column is unique). A listing that leaves publication keeps its
identifier: `/cstr/…` then shows its tombstone, and OAI-PMH reports it as a deleted record.
"""
import re

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm.attributes import set_committed_value

from .models import Resource

# Two-digit resource type codes of this hub's catalogue (the order of the ten types in DOMAIN.md).
CSTR_TYPE_CODES = {
    "instrument": "11", "facility": "12", "talent": "13", "institution": "14", "dataset": "15",
    "achievement": "16", "finance": "17", "service": "18", "incubator": "19", "bioresource": "20",
}
DEFAULT_AGENCY = "32100"
# What a well-formed identifier looks like (for parsing a requested one before any query).
PATTERN = re.compile(r"^CSTR:(?P<agency>[0-9A-Za-z]{1,10})\.(?P<type>[0-9]{2})\.(?P<local>[0-9A-Za-z._-]{1,40})$")


def agency() -> str:
    return current_app.config.get("CSTR_AGENCY", DEFAULT_AGENCY) if has_app_context() else DEFAULT_AGENCY


def type_codes() -> dict[str, str]:
    return current_app.config.get("CSTR_TYPE_CODES") or CSTR_TYPE_CODES if has_app_context() else CSTR_TYPE_CODES


def cstr_for(type_key: str, resource_id: int) -> str:
    """The identifier a resource of this type and id gets when first published."""
    return f"CSTR:{agency()}.{type_codes()[type_key]}.{resource_id}"


def parse(identifier: str) -> dict | None:
    """The parts of a well-formed identifier, or None."""
    if not isinstance(identifier, str) or len(identifier) > 64:
        return None
    m = PATTERN.match(identifier.strip())
    return m.groupdict() if m else None


def assign(resource: Resource) -> str:
    """The resource's identifier, written now if it has none yet (its first publication)."""
    if resource.cstr is None:
        resource.cstr = cstr_for(resource.type, resource.id)
    return resource.cstr


def assign_missing(session) -> int:
    """Give every published-once listing without an identifier its identifier (bulk loads, upgrades)."""
    t = Resource.__table__
    rows = session.execute(sa.select(t.c.id, t.c.type).where(t.c.cstr.is_(None), t.c.published_at.is_not(None))).all()
    for rid, rtype in rows:
        session.execute(sa.update(t).where(t.c.id == rid, t.c.cstr.is_(None)).values(cstr=cstr_for(rtype, rid)))
    return len(rows)


@event.listens_for(Resource, "after_insert", propagate=True)
def _published_on_insert(mapper, connection, target):
    # A listing written as published (imports, fixtures) gets its identifier like one published by a
    # reviewer: its id exists only now.
    if target.status == "published" and target.cstr is None:
        value = cstr_for(target.type, target.id)
        t = Resource.__table__
        connection.execute(sa.update(t).where(t.c.id == target.id).values(cstr=value))
        set_committed_value(target, "cstr", value)
