"""Filed firms in the search index (DocumentKind "firm"): name, city, business scope, managers' names.
Only listed firms (approved, suspended) are indexed; ID numbers never are."""
import sqlalchemy as sa
from flask import url_for

from ..search.documents import DocumentKind, epoch_us, register, text_fields, version_of
from ..search.schema import PRICE_MISSING, SCHEMA_VERSION
from .models import Firm, FirmManager
from .states import LISTED


def _indexable():
    return sa.select(Firm.id, Firm.updated_at).where(Firm.status.in_(LISTED))


def _load(session, ids):
    if not ids:
        return []
    return list(session.scalars(sa.select(Firm).where(Firm.id.in_(ids), Firm.status.in_(LISTED))))


def _build(firm) -> dict:
    names = [m.name for m in firm.managers]
    doc = {
        "key": f"firm:{firm.id}", "kind": "firm", "id": firm.id, "type": "firm", "platform": ["trading"],
        "city": firm.city or "", "org": str(firm.org_id or ""), "price": PRICE_MISSING, "price_fen": None,
        "published": epoch_us(firm.approved_at or firm.created_at), "version": version_of(firm.updated_at),
        "schema_version": SCHEMA_VERSION,
    }
    doc.update(text_fields(firm.name, [firm.business_scope, firm.city or "", " ".join(names), firm.number or "",
                                       "技术经理人事务所"],
                           snippet_texts=[firm.number or "", firm.business_scope, "、".join(names)]))
    return doc


def _url(firm_id: int) -> str:
    try:
        return url_for("filing.firm_page", firm_id=firm_id)
    except Exception:  # no request (a CLI rebuild)
        return f"/firms/{firm_id}"


def register_kind():
    register(DocumentKind(name="firm", model=Firm, indexable=_indexable, load=_load, build=_build, url=_url,
                          version=lambda f: version_of(f.updated_at),
                          related_ids={FirmManager: lambda m: m.firm_id}))
