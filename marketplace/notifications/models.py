"""In-app notifications (the e-mail copy is sent after commit)."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.i18n import Message
from ..core.timeutil import utcnow
from ..extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str | None] = mapped_column(sa.String(500))
    # {"subject": Message, "body": Message} (core.i18n.Message): shown in the reader's language; subject
    # and body hold the text as rendered for the recipient when it was sent (all that older rows have).
    message: Mapped[dict | None] = mapped_column(sa.JSON)
    read_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.Index("ix_notifications_user_read", "user_id", "read_at", "created_at"),)

    @property
    def title(self) -> str:
        """The subject in the current language."""
        return Message.load(self.message["subject"]).render() if self.message else self.subject

    @property
    def text(self) -> str:
        """The body in the current language."""
        return Message.load(self.message["body"]).render() if self.message else self.body

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
