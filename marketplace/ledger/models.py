"""The journal's tables: entries and their lines. Append-only, enforced by the database.

Table names and constraints are unchanged from when the journal lived in `subsidy`. Entries point
at what they concern (programme, booking, payment, settlement) by foreign key; the ledger imports
none of those packages (string references).
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.reference import sql_in
from ..core.timeutil import utcnow
from ..extensions import db
from .accounts import ACCOUNTS, ENTRY_KINDS


class JournalEntry(db.Model):
    """One money movement. Append-only: corrections are reversing entries."""

    __tablename__ = "journal_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    memo: Mapped[str] = mapped_column(sa.String(300), default="")
    programme_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("subsidy_programmes.id", ondelete="RESTRICT"), index=True)
    booking_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bookings.id", ondelete="RESTRICT"), index=True)
    payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    settlement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subsidy_settlements.id", ondelete="RESTRICT"))
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("journal_entries.id", ondelete="RESTRICT"))
    # RESTRICT, not SET NULL: the journal is never updated; deactivate users instead of deleting them.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    lines = relationship("JournalLine", order_by="JournalLine.id", lazy="selectin")
    actor = relationship(User)

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {sql_in(ENTRY_KINDS)}", name="kind"),
        # an entry is reversed at most once, even by two finance officers at the same moment
        sa.Index("uq_journal_entries_reverses_id", "reverses_id", unique=True),
    )


class JournalLine(db.Model):
    __tablename__ = "journal_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("journal_entries.id", ondelete="RESTRICT"), index=True)
    account: Mapped[str] = mapped_column(sa.String(30))
    debit: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    credit: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Whose line this is (user org on receivables, provider org on payables) and which programme.
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subsidy_programmes.id", ondelete="RESTRICT"))

    __table_args__ = (
        sa.CheckConstraint(f"account IN {sql_in(ACCOUNTS)}", name="account"),
        sa.CheckConstraint("(debit > 0 AND credit = 0) OR (debit = 0 AND credit > 0)", name="one_side"),
        sa.Index("ix_journal_lines_org_account", "org_id", "account"),
        sa.Index("ix_journal_lines_prog_account", "programme_id", "account"),
    )


# Append-only, enforced by the database on both dialects.
for _model in (JournalEntry, JournalLine):
    for _op in ("UPDATE", "DELETE"):
        _t = _model.__tablename__
        sa.event.listen(_model.__table__, "after_create", sa.DDL(
            f"CREATE TRIGGER trg_{_t}_no_{_op.lower()} BEFORE {_op} ON {_t} "
            f"BEGIN SELECT RAISE(ABORT, '{_t} is append-only'); END").execute_if(dialect="sqlite"))

PG_APPEND_ONLY_FN = """
CREATE OR REPLACE FUNCTION journal_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql
"""
# A deferred constraint trigger: at commit, every entry touched must balance and have lines.
PG_BALANCE_FN = """
CREATE OR REPLACE FUNCTION journal_entry_balanced() RETURNS trigger AS $$
DECLARE d bigint; c bigint;
BEGIN
  SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0) INTO d, c
    FROM journal_lines WHERE entry_id = NEW.id;
  IF d <> c OR d = 0 THEN
    RAISE EXCEPTION 'journal entry %% does not balance (debits %%, credits %%)', NEW.id, d, c;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql
"""
PG_DDL = {
    "journal_entries": [
        PG_APPEND_ONLY_FN,
        "CREATE TRIGGER trg_journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries "
        "FOR EACH ROW EXECUTE FUNCTION journal_append_only()",
        PG_BALANCE_FN,
        "CREATE CONSTRAINT TRIGGER trg_journal_entries_balanced AFTER INSERT ON journal_entries "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_balanced()",
    ],
    "journal_lines": [
        "CREATE TRIGGER trg_journal_lines_append_only BEFORE UPDATE OR DELETE ON journal_lines "
        "FOR EACH ROW EXECUTE FUNCTION journal_append_only()",
    ],
}
for _model in (JournalEntry, JournalLine):
    for _ddl in PG_DDL[_model.__tablename__]:
        sa.event.listen(_model.__table__, "after_create", sa.DDL(_ddl).execute_if(dialect="postgresql"))
