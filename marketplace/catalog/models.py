"""Resources: one common table, one table per type for its own fields (joined inheritance).

The per-type classes are generated from catalog.types so the declarations stay in one place;
they are importable by name: `from marketplace.catalog.models import Instrument`.
"""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, User
from ..core.i18n import english
from ..core.reference import CITIES, sql_in
from ..core.timeutil import utcnow
from ..extensions import db
from .states import REVISION_STATUSES
from .types import PLATFORMS, RESOURCE_TYPES, STATUSES


class Resource(db.Model):
    __tablename__ = "resources"
    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(20), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    owner_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    city: Mapped[str] = mapped_column(sa.String(10))
    tags: Mapped[str] = mapped_column(sa.String(200), default="")
    discipline: Mapped[str] = mapped_column(sa.String(60), default="")
    contact_name: Mapped[str] = mapped_column(sa.String(60), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(30), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    reject_reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    # The persistent identifier (catalog/identifiers.py), written at the first publication, never changed.
    cstr: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    owner = relationship(Organisation, lazy="joined")
    created_by = relationship(User)
    platform_rows = relationship("ResourcePlatform", cascade="all, delete-orphan", lazy="selectin")

    __mapper_args__ = {"polymorphic_on": "type", "polymorphic_identity": "resource"}
    __table_args__ = (
        sa.CheckConstraint(f"status IN {sql_in(STATUSES)}", name="status"),
        sa.CheckConstraint(f"type IN {sql_in(RESOURCE_TYPES)}", name="type"),
        sa.CheckConstraint(f"city IN {sql_in(CITIES)}", name="city"),
        sa.Index("ix_resources_status_type_city", "status", "type", "city"),
        sa.Index("ix_resources_status_published", "status", "published_at"),
        sa.Index("ix_resources_updated_id", "updated_at", "id"),  # the open catalogue's datestamp order
    )

    @property
    def spec(self):
        return RESOURCE_TYPES[self.type]

    @property
    def platforms(self) -> list[str]:
        return sorted((r.platform for r in self.platform_rows), key=list(PLATFORMS).index)

    @property
    def is_public(self) -> bool:
        return self.status == "published"

    def tag_list(self) -> list[str]:
        return [t for t in self.tags.replace("，", ",").replace(" ", ",").split(",") if t]

    def __repr__(self):
        return f"<{self.type} {self.id} {self.title}>"


class ResourceRevision(db.Model):
    """A material edit of a published listing, waiting for (or decided by) a reviewer.

    `changes` holds the new values of the changed fields and `previous` the published values they
    replace, both as JSON (money in fen, dates ISO, platforms a list)."""
    __tablename__ = "resource_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    previous: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(sa.String(500))

    resource = relationship(Resource, lazy="joined")
    submitted_by = relationship(User, foreign_keys=[submitted_by_id])

    __table_args__ = (
        sa.CheckConstraint(f"status IN {sql_in(REVISION_STATUSES)}", name="status"),
        sa.CheckConstraint("status <> 'rejected' OR reason IS NOT NULL", name="reason_required"),
        sa.Index("ix_resource_revisions_status_created", "status", "created_at"),
        # one pending revision per listing (a new edit supersedes the pending one first)
        sa.Index("uq_resource_revisions_one_pending", "resource_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'")),
    )

    def __repr__(self):
        return f"<ResourceRevision {self.id} of {self.resource_id} {self.status}>"


class ResourcePhoto(db.Model):
    """A listing photo (a public upload), in the owner's order."""
    __tablename__ = "resource_photos"
    resource_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True)
    upload_id: Mapped[int] = mapped_column(sa.ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.Index("ix_resource_photos_resource_position", "resource_id", "position"),)


class ResourcePlatform(db.Model):
    __tablename__ = "resource_platforms"
    resource_id: Mapped[int] = mapped_column(sa.ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True)
    platform: Mapped[str] = mapped_column(sa.String(20), primary_key=True, index=True)
    __table_args__ = (sa.CheckConstraint(f"platform IN {sql_in(PLATFORMS)}", name="platform"),)


_PY_TYPES = {"str": str, "text": str, "choice": str, "multi": str, "int": int, "money": int,
             "date": date, "bool": bool}


def _column(f):
    if f.kind == "text":
        col_type = sa.Text
    elif f.kind in ("str", "choice", "multi"):
        col_type = sa.String(f.max_len if f.kind == "str" else 200)
    elif f.kind == "money":
        col_type = sa.BigInteger  # fen
    elif f.kind == "int":
        col_type = sa.BigInteger if (f.max or 0) > 2**31 else sa.Integer
    elif f.kind == "date":
        col_type = sa.Date
    else:
        col_type = sa.Boolean
    kwargs = {"nullable": not f.required}
    if f.kind == "bool":
        kwargs = {"nullable": False, "default": f.name == "bookable"}
    return sa.Column(f.name, col_type, **kwargs)


def _checks(table: str, fields) -> list:
    checks = []
    for f in fields:
        if f.kind == "money":
            checks.append(sa.CheckConstraint(f"{f.name} >= 0", name=f"{f.name}_nonneg"))
        if f.kind == "int" and f.min is not None:
            checks.append(sa.CheckConstraint(f"{f.name} BETWEEN {f.min} AND {f.max}", name=f"{f.name}_range"))
        if f.kind == "choice":
            checks.append(sa.CheckConstraint(f"{f.name} IN {sql_in(f.choices)}", name=f"{f.name}_choice"))
    return checks


def _make_model(spec):
    table = f"res_{spec.key}"
    attrs = {
        "__tablename__": table,
        "id": sa.Column(sa.ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True),
        "__mapper_args__": {"polymorphic_identity": spec.key},
        "__table_args__": tuple(_checks(table, spec.fields)),
        "__doc__": f"{spec.name_zh} ({english(spec.name_zh)}).",
    }
    for f in spec.fields:
        attrs[f.name] = _column(f)
    return type(spec.key.capitalize(), (Resource,), attrs)


MODELS: dict[str, type[Resource]] = {key: _make_model(spec) for key, spec in RESOURCE_TYPES.items()}
Instrument = MODELS["instrument"]
Facility = MODELS["facility"]
Talent = MODELS["talent"]
Institution = MODELS["institution"]
Dataset = MODELS["dataset"]
Achievement = MODELS["achievement"]
Finance = MODELS["finance"]
Service = MODELS["service"]
Incubator = MODELS["incubator"]
Bioresource = MODELS["bioresource"]
