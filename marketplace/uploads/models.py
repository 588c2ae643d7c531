"""An uploaded file: its bytes live under UPLOAD_DIR with a random name, its facts here."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.reference import sql_in
from ..core.timeutil import utcnow
from ..extensions import db
from .rules import CONTENT_TYPES


class Upload(db.Model):
    __tablename__ = "uploads"
    id: Mapped[int] = mapped_column(primary_key=True)
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)  # random, relative to UPLOAD_DIR
    original_name: Mapped[str] = mapped_column(sa.String(200))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    content_type: Mapped[str] = mapped_column(sa.String(40))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    public: Mapped[bool] = mapped_column(default=False)  # listing photos: anyone may read
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("size >= 0", name="size"),
        sa.CheckConstraint(f"content_type IN {sql_in(CONTENT_TYPES)}", name="content_type"),
    )

    @property
    def name(self) -> str:
        return self.original_name

    def __repr__(self):
        return f"<Upload {self.id} {self.original_name!r}>"
