"""The durable index feed (a transactional outbox): see feed.py."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import utcnow
from ..extensions import db

# SQLite only auto-numbers an INTEGER PRIMARY KEY (the rowid); PostgreSQL gets a bigserial.
_BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class SearchChange(db.Model):
    """One change that concerns the index, written in the same transaction as the change.

    doc_type is a document kind ("resource") with doc_id one of its ids, or "<kind>.<table>" for a
    row of a related table whose change reindexes documents of the kind ("resource.organisations":
    an organisation's id, its resources are looked up when the change is applied). op is "upsert"
    or "delete"; either way the indexer reloads the document from the database when it applies it.
    """

    __tablename__ = "search_changes"
    id: Mapped[int] = mapped_column(_BIGID, primary_key=True)
    doc_type: Mapped[str] = mapped_column(sa.String(60))
    doc_id: Mapped[int] = mapped_column(sa.BigInteger)
    op: Mapped[str] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __table_args__ = (sa.CheckConstraint("op IN ('upsert', 'delete')", name="op"),)


class SearchFeedReader(db.Model):
    """Where each host's indexer last reported its position (for pruning), and the prune mark.

    The position an indexer works from is kept next to its index (SEARCH_INDEX_DIR/feed_position);
    this row is a report of it, refreshed every SEARCH_FEED_REPORT_SECONDS. The row named
    "~pruned" holds the highest id pruned so far: an indexer behind it has missed changes.
    """

    __tablename__ = "search_feed_readers"
    name: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    position: Mapped[int] = mapped_column(sa.BigInteger)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
