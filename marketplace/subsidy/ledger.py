"""The double-entry journal: every money movement is one balanced entry, append-only.

There is no function here (nor anywhere) that updates or deletes a journal row; a mistake is
corrected by `reverse()`, which posts the mirror entry. The database refuses UPDATE/DELETE on
both tables (triggers), and on PostgreSQL a deferred constraint trigger refuses an unbalanced
entry at commit.
"""
from dataclasses import dataclass

import sqlalchemy as sa

from ..core.errors import Invalid
from ..extensions import db
from .models import ACCOUNTS, ENTRY_KINDS, JournalEntry, JournalLine


@dataclass(frozen=True)
class Line:
    account: str
    debit: int = 0
    credit: int = 0
    org_id: int | None = None


def Dr(account, amount, org_id=None) -> Line:  # noqa: N802  (accounting notation)
    return Line(account, debit=amount, org_id=org_id)


def Cr(account, amount, org_id=None) -> Line:  # noqa: N802
    return Line(account, credit=amount, org_id=org_id)


class UnbalancedEntry(AssertionError):
    pass


def post(kind: str, lines: list[Line], *, programme_id=None, booking_id=None, payment_id=None,
         settlement_id=None, reverses_id=None, actor=None, memo: str = "") -> JournalEntry | None:
    """Post one balanced entry; zero lines are dropped; an all-zero movement posts nothing."""
    if kind not in ENTRY_KINDS:
        raise ValueError(kind)
    kept = []
    for line in lines:
        for amount in (line.debit, line.credit):
            if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
                raise UnbalancedEntry(f"amounts must be non-negative int fen: {line}")
        if line.account not in ACCOUNTS:
            raise UnbalancedEntry(f"unknown account {line.account}")
        if line.debit and line.credit:
            raise UnbalancedEntry(f"a line is either a debit or a credit: {line}")
        if line.debit or line.credit:
            kept.append(line)
    if not kept:
        return None
    debits = sum(x.debit for x in kept)
    credits = sum(x.credit for x in kept)
    if debits != credits:
        raise UnbalancedEntry(f"{kind}: debits {debits} != credits {credits}")
    entry = JournalEntry(kind=kind, memo=memo[:300], programme_id=programme_id, booking_id=booking_id,
                         payment_id=payment_id, settlement_id=settlement_id, reverses_id=reverses_id,
                         actor_id=getattr(actor, "id", None))
    db.session.add(entry)
    db.session.flush()
    db.session.add_all([JournalLine(entry_id=entry.id, account=x.account, debit=x.debit, credit=x.credit,
                                    org_id=x.org_id, programme_id=programme_id) for x in kept])
    db.session.flush()
    return entry


def reverse(entry: JournalEntry, actor=None, memo: str = "") -> JournalEntry:
    """Correct a posted entry by posting its mirror image (debits and credits swapped)."""
    already = db.session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)
                                .where(JournalEntry.reverses_id == entry.id))
    if already:
        raise Invalid("该分录已冲销 / this entry was already reversed")
    return post("reversal", [Line(x.account, debit=x.credit, credit=x.debit, org_id=x.org_id)
                             for x in entry.lines],
                programme_id=entry.programme_id, booking_id=entry.booking_id, payment_id=entry.payment_id,
                settlement_id=entry.settlement_id, reverses_id=entry.id, actor=actor,
                memo=memo or f"冲销分录 #{entry.id} / reversal of entry #{entry.id}")


def balances(programme_id: int | None = None, org_id: int | None = None) -> dict[str, int]:
    """Account → balance (debits − credits), computed by the database."""
    q = (sa.select(JournalLine.account, sa.func.sum(JournalLine.debit), sa.func.sum(JournalLine.credit))
         .group_by(JournalLine.account))
    if programme_id is not None:
        q = q.where(JournalLine.programme_id == programme_id)
    if org_id is not None:
        q = q.where(JournalLine.org_id == org_id)
    return {acc: int(d or 0) - int(c or 0) for acc, d, c in db.session.execute(q)}


def trial_balance() -> dict:
    """{accounts: {name: balance}, total_debits, total_credits} over the whole journal."""
    rows = db.session.execute(
        sa.select(JournalLine.account, sa.func.sum(JournalLine.debit), sa.func.sum(JournalLine.credit))
        .group_by(JournalLine.account)).all()
    accounts = {name: 0 for name in ACCOUNTS}
    total_d = total_c = 0
    for acc, d, c in rows:
        d, c = int(d or 0), int(c or 0)
        accounts[acc] = d - c
        total_d += d
        total_c += c
    return {"accounts": accounts, "total_debits": total_d, "total_credits": total_c}


def unbalanced_entries() -> list[int]:
    """Ids of entries whose lines do not balance (should always be empty)."""
    q = (sa.select(JournalLine.entry_id).group_by(JournalLine.entry_id)
         .having(sa.func.sum(JournalLine.debit) != sa.func.sum(JournalLine.credit)))
    return list(db.session.scalars(q))
