"""Partner records in the search index (DocumentKind "partner"), with their origin: found here,
linked to the partner's page (they are not booked here). A deleted record leaves the index."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..search.documents import KINDS, DocumentKind, RowView, epoch_us, register, text_fields, version_of
from ..search.schema import SCHEMA_VERSION
from .models import Partner, PartnerRecord


def _partner_kind() -> DocumentKind:
    def indexable():
        return sa.select(PartnerRecord.id, PartnerRecord.harvested_at).join(Partner).where(
            PartnerRecord.deleted.is_(False), Partner.enabled.is_(True))

    def load(session: Session, ids: list[int]):
        if not ids:
            return []
        r, p = PartnerRecord.__table__, Partner.__table__
        rows = session.execute(sa.select(r, p.c.region, p.c.name.label("partner_name")).join_from(r, p)
                               .where(r.c.id.in_(ids), r.c.deleted.is_(False), p.c.enabled.is_(True))).mappings()
        return [RowView(row) for row in rows]

    def build(rec) -> dict:
        doc = {
            "key": f"partner:{rec.id}", "kind": "partner", "id": rec.id, "type": rec.type or "partner",
            "platform": [], "origin": rec.region, "org": f"partner-{rec.partner_id}",
            "published": epoch_us(rec.datestamp), "version": version_of(rec.harvested_at),
            "schema_version": SCHEMA_VERSION,
        }
        doc.update(text_fields(rec.title, [rec.description, rec.keywords, rec.provider, rec.location,
                                           rec.type_label, rec.partner_name],
                               snippet_texts=[rec.provider, rec.location, rec.description]))
        return doc

    def url(obj_id: int) -> str:
        from ..extensions import db
        row = db.session.execute(sa.select(PartnerRecord.url, PartnerRecord.identifier, Partner.base_url,
                                           Partner.metadata_prefix).join(Partner)
                                 .where(PartnerRecord.id == obj_id)).first()
        if row is None:
            return ""
        if row.url:
            return row.url
        from urllib.parse import urlencode
        return f"{row.base_url}?" + urlencode({"verb": "GetRecord", "identifier": row.identifier,
                                                "metadataPrefix": row.metadata_prefix})

    return DocumentKind(name="partner", model=PartnerRecord, indexable=indexable, load=load, build=build,
                        url=url, version=lambda rec: version_of(rec.harvested_at),
                        label=lambda: _("合作平台资源"),
                        related={Partner: lambda session, ids: session.scalars(
                            sa.select(PartnerRecord.id).where(PartnerRecord.partner_id.in_(ids))).all() if ids else []})


def register_kind():
    if "partner" not in KINDS:
        register(_partner_kind())
