"""Demands in the search index (DocumentKind "demand") and matching both ways (more-like-this).

A published demand whose deadline has not passed is indexable; an expired one is deleted from the
index when the sweep marks it expired (a status change, like any other, reindexes it).
"""
from __future__ import annotations

import math

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session

from ..search import analysis
from ..search import query as Q
from ..search.documents import (
    KINDS,
    DocumentKind,
    RowView,
    epoch_us,
    register,
    text_fields,
    version_of,
)
from ..search.schema import PRICE_MISSING, SCHEMA_VERSION

MLT_TERMS = 10          # the most telling words of a text that make its more-like-this query
COMMON_SHARE = 0.05     # words in more than this share of documents (and more than COMMON_MIN) say
COMMON_MIN = 200        # little about a text and cost the most to score: they are left out
FIELD_BONUS = 0.15      # share of the best score added when the field word matches
CITY_BONUS = 0.10       # share of the best score added for the same city


def _demand_kind() -> DocumentKind:
    from .models import Demand

    def indexable():
        return sa.select(Demand.id, Demand.updated_at).where(Demand.status == "published")

    def load(session: Session, ids: list[int]):
        if not ids:
            return []
        t = Demand.__table__
        rows = session.execute(sa.select(t).where(t.c.id.in_(ids), t.c.status == "published")).mappings().all()
        return [RowView(r) for r in rows]

    def build(d) -> dict:
        doc = {
            "key": f"demand:{d.id}", "kind": "demand", "id": d.id, "type": "demand",
            "platform": ["trading"], "city": d.city, "org": str(d.org_id), "origin": "local",
            "price": PRICE_MISSING if d.budget_max is None else int(d.budget_max),
            "price_fen": d.budget_max,
            "published": epoch_us(d.published_at or d.created_at),
            "version": version_of(d.updated_at), "schema_version": SCHEMA_VERSION,
        }
        doc.update(text_fields(d.title, [d.summary, d.field, d.description, d.city, "技术需求"],
                               snippet_texts=[d.summary, d.field, d.description]))
        return doc

    def url(obj_id: int) -> str:
        try:
            return url_for("trading.demand_detail", demand_id=obj_id)
        except Exception:  # noqa: BLE001  (a related route may be missing in a bare app)
            return f"/trading/demands/{obj_id}"

    return DocumentKind(name="demand", model=Demand, indexable=indexable, load=load, build=build, url=url,
                        version=lambda d: version_of(d.updated_at))


def register_kind():
    if "demand" not in KINDS:
        register(_demand_kind())


# -- more like this --------------------------------------------------------------------------------

def key_terms(ds, text: str, limit: int = MLT_TERMS) -> list[tuple[str, float]]:
    """The words of `text` that say most about it: term frequency × inverse document frequency."""
    counts: dict[str, int] = {}
    for tok in analysis.tokens(text or ""):
        if len(tok) < 2 or tok in analysis.STOPWORDS:
            continue
        counts[tok] = counts.get(tok, 0) + 1
    scored = []
    common = max(COMMON_MIN, int(ds.doc_count * COMMON_SHARE))
    for tok, n in counts.items():
        df = len(ds.term("content", tok))
        if df == 0 or df > common:
            continue
        scored.append((tok, (1 + math.log(n)) * ds.idf("content", tok)))
    scored.sort(key=lambda kv: -kv[1])
    return scored[:limit]


def more_like_this(ds, text: str, *, restrict: frozenset, exclude_key: str | None = None,
                   field_word: str = "", city: str = "", limit: int = 10) -> list[tuple[dict, float]]:
    """Documents of `restrict` most like `text`, with a bonus for the same field and city."""
    terms = key_terms(ds, text)
    if not terms or not restrict:
        return []
    tree = Q.Or(tuple(Q.Or((Q.Term("title", t, Q.TITLE_BOOST * w), Q.Term("content", t, w))) for t, w in terms))
    matched = ds.evaluate(tree) & restrict
    if not matched:
        return []
    pairs = ds.rank(tree, matched, max(limit * 3, 30))
    if not pairs:
        return []
    top = pairs[0][1] or 1.0
    field_docs = frozenset()
    if field_word:
        for tok in analysis.tokens(field_word)[:4]:
            field_docs |= ds.term("content", tok)
    city_docs = ds.term("city", city) if city else frozenset()
    stored = ds.searcher.stored_fields
    out = []
    for docnum, score in pairs:
        bonus = (FIELD_BONUS if docnum in field_docs else 0) + (CITY_BONUS if docnum in city_docs else 0)
        fields = stored(docnum)
        if exclude_key and fields.get("key") == exclude_key:
            continue
        out.append((fields, score + bonus * top))
    out.sort(key=lambda fs: -fs[1])
    return out[:limit]
