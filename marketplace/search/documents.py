"""What goes into the index: a registry of document kinds.

Each kind says which model's changes concern it, how to list what is indexable (for rebuild and
check), how to load indexable objects by id, how to turn one into index fields, and its URL.
Resources are registered here; technology demands and filed firms register their own kind later:

    register(DocumentKind(name="demand", model=Demand, indexable=..., load=..., build=..., url=...))

Document keys are "<kind>:<id>" so ids of different kinds never collide.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session

from . import analysis
from .schema import PRICE_MISSING, PRICE_UNIT_OTHER, PRICE_UNIT_RANK, SCHEMA_VERSION

MAX_FIELD_CHARS = 20_000  # per text field; listing texts are capped far below this anyway


@dataclass
class DocumentKind:
    name: str
    model: type                                     # changes to instances of this model reindex them
    indexable: Callable[[], sa.Select]              # select(id, version-source) of every indexable row
    load: Callable[[Session, list[int]], list[Any]]  # the indexable objects among these ids
    build: Callable[[Any], dict]                    # object -> index fields (see schema)
    url: Callable[[int], str]
    version: Callable[[Any], str]                   # value compared by `search check`
    # other models whose changes concern this kind: model -> fn(session, ids of model) -> ids of kind
    related: dict[type, Callable[[Session, list[int]], Iterable[int]]] = field(default_factory=dict)
    # ids of this kind directly touched by an instance of a related model, without SQL (in flush)
    related_ids: dict[type, Callable[[Any], int | None]] = field(default_factory=dict)
    # the display name of the kind's own `type` value on the search page (kinds beside the ten types)
    label: Callable[[], str] | None = None

    def key(self, obj_id: int) -> str:
        return f"{self.name}:{obj_id}"


KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    KINDS[kind.name] = kind
    return kind


def parse_key(key: str) -> tuple[str, int]:
    name, _, obj_id = key.partition(":")
    return name, int(obj_id)


def epoch_us(dt: datetime | None) -> int:
    """Microseconds since the epoch of a naive UTC datetime (a sortable integer)."""
    if dt is None:
        return 0
    delta = dt.replace(tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return max(0, (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)


def version_of(dt: datetime | None) -> str:
    return dt.isoformat(timespec="microseconds") if dt else ""


def text_fields(title: str, texts: Iterable[str], tags: str = "", snippet_texts: Iterable[str] = ()) -> dict:
    """The common text fields of a document, cut once."""
    title = (title or "")[:MAX_FIELD_CHARS]
    parts = [t for t in texts if t]
    content = "\n".join(parts)[:MAX_FIELD_CHARS]
    body = "\n".join(t for t in snippet_texts if t)[:4000]
    return {
        "title": analysis.tokens(title),
        "_stored_title": title,
        "ngram": analysis.ngrams(title),
        "content": analysis.tokens(content),
        "body": body,
    }


class RowView:
    """Attribute access to a database row (what builders read), plus extra attributes."""

    def __init__(self, mapping):
        self.__dict__.update(mapping)


# -- resources ------------------------------------------------------------------------------------

def _resource_kind() -> DocumentKind:
    from ..accounts.models import Organisation
    from ..catalog.models import MODELS, Resource, ResourcePlatform
    from ..catalog.types import PLATFORMS, RESOURCE_TYPES

    def indexable():
        return sa.select(Resource.id, Resource.updated_at).where(Resource.status == "published")

    def load(session: Session, ids: list[int]):
        """Published resources among ids as light row views (Core queries: fast for rebuilds)."""
        if not ids:
            return []
        res = Resource.__table__
        by_type: dict[str, list[int]] = {}
        for rid, rtype in session.execute(sa.select(res.c.id, res.c.type).where(
                res.c.id.in_(ids), res.c.status == "published")):
            by_type.setdefault(rtype, []).append(rid)
        if not by_type:
            return []
        found = [i for v in by_type.values() for i in v]
        platforms: dict[int, list[str]] = {}
        order = list(PLATFORMS)
        pt = ResourcePlatform.__table__
        for rid, p in session.execute(sa.select(pt.c.resource_id, pt.c.platform).where(pt.c.resource_id.in_(found))):
            platforms.setdefault(rid, []).append(p)
        out = []
        org_ids = set()
        for rtype, rids in by_type.items():
            t = MODELS[rtype].__table__
            cols = [*res.c, *(c for c in t.c if c.name != "id")]
            for row in session.execute(sa.select(*cols).join_from(res, t, t.c.id == res.c.id)
                                       .where(res.c.id.in_(rids))).mappings():
                view = RowView(row)
                view.platforms = sorted(platforms.get(view.id, []), key=order.index)
                org_ids.add(view.owner_org_id)
                out.append(view)
        ot = Organisation.__table__
        names = dict(session.execute(sa.select(ot.c.id, ot.c.name).where(ot.c.id.in_(org_ids))).all())
        for view in out:
            view.owner_name = names.get(view.owner_org_id, "")
        return out

    def build(r) -> dict:
        spec = RESOURCE_TYPES[r.type]
        own, short = [], []
        for f in spec.fields:
            value = getattr(r, f.name, None)
            if value is None or value == "":
                continue
            if f.kind in ("str", "text"):
                own.append(str(value))
                if f.kind == "str":
                    short.append(str(value))  # model, manufacturer, species… shown in snippets
            elif f.kind in ("choice", "multi"):
                own.append(f.choice_label(value, "zh"))
        org_name = r.owner_name
        price, unit = None, None
        if r.type == "instrument":
            price, unit = r.external_price, r.price_unit
        elif r.type == "achievement":
            price = r.asking_price
        doc = {
            "key": f"resource:{r.id}",
            "kind": "resource",
            "id": r.id,
            "type": r.type,
            "platform": list(r.platforms),
            "city": r.city,
            "origin": "local",
            "org": str(r.owner_org_id),
            "price": PRICE_MISSING if price is None else int(price),
            "price_fen": None if price is None else int(price),
            "price_unit": unit,
            "price_rank": PRICE_UNIT_RANK.get(unit, PRICE_UNIT_OTHER),
            "published": epoch_us(r.published_at or r.created_at),
            "version": version_of(r.updated_at),
            "schema_version": SCHEMA_VERSION,
        }
        doc.update(text_fields(
            r.title,
            [r.summary, r.tags, r.discipline, *own, r.description, org_name, r.city, spec.name_zh],
            tags=r.tags,
            snippet_texts=[r.summary, " · ".join(short[:4]), r.description],
        ))
        return doc

    def url(obj_id: int) -> str:
        try:
            return url_for("catalog.detail", resource_id=obj_id)
        except Exception:  # catalog routes not registered (e.g. a bare app in a tool)
            return f"/resources/{obj_id}"

    def org_related(session: Session, ids):
        if not ids:
            return []
        return session.scalars(sa.select(Resource.id).where(Resource.owner_org_id.in_(ids),
                                                            Resource.status == "published")).all()

    return DocumentKind(
        name="resource", model=Resource, indexable=indexable, load=load, build=build, url=url,
        version=lambda r: version_of(r.updated_at),
        related={Organisation: org_related},
        related_ids={ResourcePlatform: lambda rp: rp.resource_id},
    )


def register_defaults():
    if "resource" not in KINDS:
        register(_resource_kind())
