"""What goes into the index: a registry of document kinds.

Each kind says which model's changes concern it, how to list what is indexable (for rebuild and
check), how to load indexable objects by id, how to turn one into index fields, and its URL.
Resources are registered here; technology demands and filed firms register their own kind later:

    register(DocumentKind(name="demand", model=Demand, indexable=..., load=..., build=..., url=...))

Document keys are "<kind>:<id>" so ids of different kinds never collide.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session, selectinload, with_polymorphic

from . import analysis
from .schema import PRICE_MISSING, SCHEMA_VERSION

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

    def key(self, obj_id: int) -> str:
        return f"{self.name}:{obj_id}"


KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    KINDS[kind.name] = kind
    return kind


def parse_key(key: str) -> tuple[str, int]:
    name, _, obj_id = key.partition(":")
    return name, int(obj_id)


def epoch(dt: datetime | None) -> int:
    if dt is None:
        return 0
    return int(dt.replace(tzinfo=timezone.utc).timestamp())


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
        "ngram": analysis.ngrams(title + " " + (tags or "")),
        "content": analysis.tokens(content),
        "body": body,
    }


# -- resources ------------------------------------------------------------------------------------

def _resource_kind() -> DocumentKind:
    from ..accounts.models import Organisation
    from ..catalog.models import Resource, ResourcePlatform
    from ..catalog.types import RESOURCE_TYPES

    def indexable():
        return sa.select(Resource.id, Resource.updated_at).where(Resource.status == "published")

    def load(session: Session, ids: list[int]):
        if not ids:
            return []
        poly = with_polymorphic(Resource, "*")
        stmt = (sa.select(poly).where(poly.id.in_(ids), poly.status == "published")
                .options(selectinload(poly.platform_rows)))
        return list(session.scalars(stmt).unique())

    def build(r) -> dict:
        spec = RESOURCE_TYPES[r.type]
        own = []
        for f in spec.fields:
            value = getattr(r, f.name, None)
            if value is None or value == "":
                continue
            if f.kind in ("str", "text"):
                own.append(str(value))
            elif f.kind in ("choice", "multi"):
                own.append(f.choice_label(value, "zh"))
        org_name = r.owner.name if r.owner is not None else ""
        price = None
        if r.type == "instrument":
            price = r.external_price
        elif r.type == "achievement":
            price = r.asking_price
        doc = {
            "key": f"resource:{r.id}",
            "kind": "resource",
            "id": r.id,
            "type": r.type,
            "platform": list(r.platforms),
            "city": r.city,
            "org": str(r.owner_org_id),
            "price": PRICE_MISSING if price is None else int(price),
            "published": epoch(r.published_at or r.created_at),
            "version": version_of(r.updated_at),
            "schema_version": SCHEMA_VERSION,
        }
        doc.update(text_fields(
            r.title,
            [r.summary, r.tags, r.discipline, *own, r.description, org_name, r.city, spec.name_zh],
            tags=r.tags,
            snippet_texts=[r.summary, r.description],
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
