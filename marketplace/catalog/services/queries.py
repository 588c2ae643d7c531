"""Listings as the public finds them, and the review queue."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from ...core.errors import Forbidden, Invalid
from ...core.permissions import require_login, require_role
from ...core.reference import CITIES
from ...extensions import db
from ..models import MODELS, Resource, ResourcePlatform, ResourceRevision
from ..types import PLATFORMS, RESOURCE_TYPES
from .listings import MAX_ID

# -- queries --------------------------------------------------------------------------------------

def filter_args(args, extra_types=()) -> dict:
    """Read list filters from request args; unknown values are errors, not silently ignored.

    `extra_types` admits other document kinds besides the ten resource types (search uses it).
    """
    out = {}
    t = args.get("type") or None
    if t and t not in RESOURCE_TYPES and t not in extra_types:
        raise Invalid.field("type", _("未知的资源类型"))
    p = args.get("platform") or None
    if p and p not in PLATFORMS:
        raise Invalid.field("platform", _("未知的平台"))
    c = args.get("city") or None
    if c and c not in CITIES:
        raise Invalid.field("city", _("未知的城市"))
    o = args.get("org") or None
    if o is not None:
        try:
            o = int(o)
        except ValueError:
            raise Invalid.field("org", _("org 应为单位编号")) from None
        if not 0 < o <= MAX_ID:
            raise Invalid.field("org", _("org 应为单位编号"))
    out.update(type=t, platform=p, city=c, org=o)
    return out


def public_query(type=None, platform=None, city=None, org=None, updated_since=None):
    q = db.select(Resource).where(Resource.status == "published")
    if updated_since is not None:  # naive UTC
        q = q.where(Resource.updated_at >= updated_since)
    if type:
        q = q.where(Resource.type == type)
    if city:
        q = q.where(Resource.city == city)
    if org:
        q = q.where(Resource.owner_org_id == org)
    if platform:
        q = q.where(Resource.id.in_(db.select(ResourcePlatform.resource_id)
                                    .where(ResourcePlatform.platform == platform)))
    return q


def list_public(page: int = 1, per_page: int = 20, **filters):
    """A page of published resources, newest first; with `updated_since`, the oldest change first (a
    partner reading changes page by page does not see the pages shift under it)."""
    q = public_query(**filters)
    if filters.get("updated_since") is not None:
        q = q.order_by(Resource.updated_at, Resource.id)
    else:
        q = q.order_by(Resource.published_at.desc(), Resource.id.desc())
    return db.paginate(q, page=page, per_page=per_page, error_out=False)


def load_card_prices(resources) -> None:
    """The instruments among listing cards get their price columns in one query: a card shows an
    instrument's price, which otherwise loads one row at a time (joined-table inheritance)."""
    instrument = MODELS["instrument"]
    ids = [r.id for r in resources if r.type == "instrument" and "external_price" not in r.__dict__]
    if ids:
        db.session.scalars(sa.select(instrument).where(instrument.id.in_(ids))).all()


def counts_by_type(platform: str | None = None) -> dict[str, int]:
    q = db.select(Resource.type, db.func.count(Resource.id)).where(Resource.status == "published")
    if platform:
        q = q.join(ResourcePlatform, ResourcePlatform.resource_id == Resource.id).where(
            ResourcePlatform.platform == platform)
    counts = dict(db.session.execute(q.group_by(Resource.type)).all())
    return {key: counts.get(key, 0) for key in RESOURCE_TYPES}


def counts_by_city() -> dict[str, int]:
    counts = dict(db.session.execute(
        db.select(Resource.city, db.func.count(Resource.id)).where(Resource.status == "published")
        .group_by(Resource.city)).all())
    return {city: counts.get(city, 0) for city in CITIES}


def newest(platform: str | None = None, limit: int = 8) -> list[Resource]:
    q = public_query(platform=platform).order_by(Resource.published_at.desc(), Resource.id.desc()).limit(limit)
    return db.session.scalars(q).all()


@dataclass
class QueueItem:
    """One thing awaiting review: a new listing (kind "listing") or a revision of a published one."""
    kind: str
    resource: Resource
    submitted_at: datetime
    revision: ResourceRevision | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.revision.id if self.revision else self.resource.id}"


@dataclass
class QueuePage:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _queue_select(type_key: str | None):
    listings = sa.select(sa.literal("listing").label("kind"), Resource.id.label("id"),
                         Resource.updated_at.label("at")).where(Resource.status == "pending_review")
    revisions = (sa.select(sa.literal("revision").label("kind"), ResourceRevision.id.label("id"),
                           ResourceRevision.created_at.label("at"))
                 .join(Resource, Resource.id == ResourceRevision.resource_id)
                 .where(ResourceRevision.status == "pending", Resource.status == "published"))
    if type_key:
        listings = listings.where(Resource.type == type_key)
        revisions = revisions.where(Resource.type == type_key)
    return sa.union_all(listings, revisions).subquery()


def review_queue(*, actor, page: int = 1, per_page: int = 20, type: str | None = None) -> QueuePage:
    """New listings and revisions of published ones awaiting review, oldest first; `type` filters."""
    require_role(actor, "reviewer")
    if type and type not in RESOURCE_TYPES:
        raise Invalid.field("type", _("未知的资源类型"))
    q = _queue_select(type)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(q))
    rows = db.session.execute(sa.select(q.c.kind, q.c.id, q.c.at).order_by(q.c.at, q.c.kind, q.c.id)
                              .offset((page - 1) * per_page).limit(per_page)).all()
    return QueuePage(items=_load_items(rows), total=total, page=page, per_page=per_page)


def _load_items(rows) -> list[QueueItem]:
    listing_ids = [i for kind, i, _at in rows if kind == "listing"]
    revision_ids = [i for kind, i, _at in rows if kind == "revision"]
    listings = {r.id: r for r in db.session.scalars(sa.select(Resource).where(Resource.id.in_(listing_ids)))} \
        if listing_ids else {}
    revisions = {r.id: r for r in db.session.scalars(
        sa.select(ResourceRevision).where(ResourceRevision.id.in_(revision_ids)))} if revision_ids else {}
    items = []
    for kind, i, at in rows:
        if kind == "listing":
            items.append(QueueItem("listing", listings[i], at))
        else:
            items.append(QueueItem("revision", revisions[i].resource, at, revisions[i]))
    return items


def next_in_queue(after: datetime | None, type: str | None = None, *, actor) -> QueueItem | None:
    """The item a reviewer meets next after deciding one submitted at `after` (else the oldest)."""
    require_role(actor, "reviewer")
    q = _queue_select(type if type in RESOURCE_TYPES else None)
    sel = sa.select(q.c.kind, q.c.id, q.c.at).order_by(q.c.at, q.c.kind, q.c.id).limit(1)
    row = db.session.execute(sel.where(q.c.at >= after) if after else sel).first()
    if row is None and after is not None:
        row = db.session.execute(sel).first()  # wrap round to the oldest
    return _load_items([row])[0] if row else None


def moderation_queue(page=1, per_page=20, *, actor):
    require_role(actor, "reviewer")
    q = db.select(Resource).where(Resource.status == "pending_review").order_by(Resource.updated_at)
    return db.paginate(q, page=page, per_page=per_page, error_out=False)


def org_resources(page=1, per_page=20, status=None, *, actor):
    require_login(actor)
    if actor.organisation_id is None:
        raise Forbidden(_("请先加入一个单位"))
    q = db.select(Resource).where(Resource.owner_org_id == actor.organisation_id,
                                  Resource.status != "archived" if status is None else Resource.status == status)
    return db.paginate(q.order_by(Resource.updated_at.desc()), page=page, per_page=per_page, error_out=False)


# -- serialisation ----------------------------------------------------------------------------------

def to_dict(resource: Resource, detail: bool = True) -> dict:
    """The resource as the API answers it (declared in catalog.schemas)."""
    from ..schemas import resource_out
    return resource_out(resource, detail).model_dump(mode="json")
