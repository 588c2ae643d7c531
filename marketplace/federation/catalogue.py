"""The open catalogue: which listings it holds, in which order, and what each one says.

A listing is in the catalogue once it has a persistent identifier (it was published once). While it
is published its record is complete; after it left publication (offline, archived) it stays as a
deleted record: identifier, datestamp and sets only, nothing else. The datestamp is the listing's
`updated_at` (every publication, withdrawal and approved edit moves it), shown to the second.
Only public fields are given out: the listing's page shows the same.
"""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for

from ..catalog.models import Resource
from ..catalog.types import PLATFORMS, RESOURCE_TYPES
from ..core.i18n import tr
from ..core.reference import CITIES
from ..extensions import db

# Set specs must be ASCII (the OAI-PMH schema's setSpecType): cities by their pinyin.
CITY_SLUGS = dict(zip(CITIES, ("nanjing", "wuxi", "xuzhou", "changzhou", "suzhou", "nantong", "lianyungang",
                               "huaian", "yancheng", "yangzhou", "zhenjiang", "taizhou", "suqian"), strict=True))
SLUG_CITIES = {v: k for k, v in CITY_SLUGS.items()}
# The field whose choice says how a type is shared (GB/T 30523's 共享方式), where the type has one.
SHARING_FIELDS = ("service_mode", "access_level", "transaction_modes", "product_kind", "service_kind",
                  "facility_kind")


def sets() -> list[tuple[str, str]]:
    """(setSpec, setName) of every set: `type`, `type:KEY`, `city`, `city:PINYIN`."""
    out = [("type", "资源类型")]
    out += [(f"type:{k}", t.name_zh) for k, t in RESOURCE_TYPES.items()]
    out.append(("city", "城市"))
    out += [(f"city:{slug}", city) for city, slug in CITY_SLUGS.items()]
    return out


def set_filter(spec: str):
    """The WHERE clause of a set, or None for an unknown set."""
    if spec in ("type", "city"):
        return sa.true()
    kind, _, value = spec.partition(":")
    if kind == "type" and value in RESOURCE_TYPES:
        return Resource.type == value
    if kind == "city" and value in SLUG_CITIES:
        return Resource.city == SLUG_CITIES[value]
    return None


def set_specs(resource: Resource) -> list[str]:
    return [f"type:{resource.type}", f"city:{CITY_SLUGS.get(resource.city, 'other')}"]


def in_catalogue():
    return Resource.cstr.is_not(None)


def window(start: datetime | None, end: datetime | None, where=None):
    """The catalogue's listings with start <= datestamp < end, in datestamp order (ties by id)."""
    q = sa.select(Resource).where(in_catalogue())
    if start is not None:
        q = q.where(Resource.updated_at >= start)
    if end is not None:
        q = q.where(Resource.updated_at < end)
    if where is not None:
        q = q.where(where)
    return q


def after(q, at: datetime, last_id: int):
    """The rows of q after (at, last_id) in datestamp order."""
    return q.where(sa.or_(Resource.updated_at > at, sa.and_(Resource.updated_at == at, Resource.id > last_id)))


def ordered(q):
    return q.order_by(Resource.updated_at, Resource.id)


def count(q) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(q.order_by(None).subquery()))


def by_identifier(identifier: str) -> Resource | None:
    if not isinstance(identifier, str) or len(identifier) > 64:
        return None
    return db.session.scalar(sa.select(Resource).where(Resource.cstr == identifier))


@dataclass
class Core:
    """A listing's core metadata after GB/T 30523 (the fields DOMAIN.md lists), in Chinese."""
    name: str
    identifier: str
    type: str
    type_key: str
    subject: str
    keywords: list[str]
    description: str
    provider: str
    location: str
    sharing_mode: str
    contact: str
    updated: datetime
    url: str
    city: str
    platforms: list[str]


def core(resource: Resource) -> Core:
    spec = resource.spec
    sharing = ""
    for f in spec.fields:
        if f.name in SHARING_FIELDS and getattr(resource, f.name, None):
            sharing = f.choice_label(getattr(resource, f.name), locale="zh")
            break
    if not sharing:
        sharing = "、".join(PLATFORMS[p][0] for p in resource.platforms if p in PLATFORMS)
    location = resource.city
    if getattr(resource, "location", None):
        location = f"{resource.city} {resource.location}"
    contact = " ".join(x for x in (resource.contact_name, resource.contact_phone, resource.contact_email) if x)
    description = "\n\n".join(x for x in (resource.summary, resource.description) if x)
    return Core(name=resource.title, identifier=resource.cstr, type=spec.name_zh, type_key=resource.type,
                subject=resource.discipline or "", keywords=resource.tag_list(), description=description,
                provider=resource.owner.name if resource.owner else "", location=location, sharing_mode=sharing,
                contact=contact, updated=resource.updated_at, url=page_url(resource), city=resource.city,
                platforms=[PLATFORMS[p][0] for p in resource.platforms if p in PLATFORMS])


def page_url(resource: Resource) -> str:
    return url_for("catalog.detail", resource_id=resource.id, _external=True)


def type_label(key: str) -> str:
    return tr(RESOURCE_TYPES[key].name_zh) if key in RESOURCE_TYPES else key


def dump_lines(batch: int = 500):
    """The whole catalogue as JSON-serialisable dicts, one per listing in id order: the core fields of
    each public one, `{identifier, deleted: true, updated}` for each withdrawn one (a bulk copy for a
    partner starting out; OAI-PMH keeps it up to date afterwards)."""
    from sqlalchemy.orm import selectin_polymorphic

    from ..catalog.models import MODELS
    last = 0
    while True:
        rows = db.session.scalars(sa.select(Resource).where(in_catalogue(), Resource.id > last)
                                  .order_by(Resource.id).limit(batch)
                                  .options(selectin_polymorphic(Resource, list(MODELS.values())))).all()
        if not rows:
            return
        for r in rows:
            updated = r.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            if r.status != "published":
                yield {"identifier": r.cstr, "deleted": True, "updated": updated}
                continue
            c = core(r)
            yield {"identifier": c.identifier, "name": c.name, "type": c.type_key, "type_name": c.type,
                   "subject": c.subject, "keywords": c.keywords, "description": c.description,
                   "provider": c.provider, "location": c.location, "city": c.city, "sharing_mode": c.sharing_mode,
                   "platforms": c.platforms, "contact": c.contact, "updated": updated, "url": c.url}
        last = rows[-1].id
        db.session.expunge_all()  # memory stays flat at any size
