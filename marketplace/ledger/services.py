"""Posting to the journal and reading it: balanced entries, reversals, balances, trial balance.

There is no function here (nor anywhere) that updates or deletes a journal row; a mistake is
corrected by `reverse_entry()`, which posts the mirror entry. The database refuses UPDATE/DELETE on
both tables (triggers), and on PostgreSQL a deferred constraint trigger refuses an unbalanced
entry at commit. Like every service these only flush: the caller's unit of work commits.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from ..core.errors import Invalid
from ..extensions import db
from .accounts import ACCOUNTS, ENTRY_KINDS
from .models import JournalEntry, JournalLine


@dataclass(frozen=True)
class Line:
    """One line of an entry: an account, a debit or a credit in fen, and whose line it is."""

    account: str
    debit: int = 0
    credit: int = 0
    org_id: int | None = None


def Dr(account: str, amount: int, org_id: int | None = None) -> Line:  # noqa: N802  (accounting notation)
    """A debit line."""
    return Line(account, debit=amount, org_id=org_id)


def Cr(account: str, amount: int, org_id: int | None = None) -> Line:  # noqa: N802
    """A credit line."""
    return Line(account, credit=amount, org_id=org_id)


class UnbalancedEntry(AssertionError):
    """A programming error: lines that do not balance, negative or non-int amounts, unknown accounts."""


def _kept_lines(kind: str, lines: list[Line]) -> list[Line]:
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
    debits = sum(x.debit for x in kept)
    credits = sum(x.credit for x in kept)
    if debits != credits:
        raise UnbalancedEntry(f"{kind}: debits {debits} != credits {credits}")
    return kept


def post_entry(kind: str, lines: list[Line], *, memo: str = "", actor=None, programme_id: int | None = None,
               booking_id: int | None = None, payment_id: int | None = None,
               settlement_id: int | None = None, reverses_id: int | None = None) -> JournalEntry | None:
    """Post one balanced entry of `kind` (a key of ENTRY_KINDS) and return it.

    Zero lines are dropped; an all-zero movement posts nothing and returns None. Lines that do not
    balance raise UnbalancedEntry (a bug, never user input). The refs say what the entry concerns;
    each line is tagged with the entry's programme.
    """
    if kind not in ENTRY_KINDS:
        raise ValueError(kind)
    kept = _kept_lines(kind, lines)
    if not kept:
        return None
    entry = JournalEntry(kind=kind, memo=memo[:300], programme_id=programme_id, booking_id=booking_id,
                         payment_id=payment_id, settlement_id=settlement_id, reverses_id=reverses_id,
                         actor_id=getattr(actor, "id", None))
    db.session.add(entry)
    db.session.flush()
    db.session.add_all([JournalLine(entry_id=entry.id, account=x.account, debit=x.debit, credit=x.credit,
                                    org_id=x.org_id, programme_id=programme_id) for x in kept])
    db.session.flush()
    return entry


def reverse_entry(entry: JournalEntry, *, actor=None, memo: str = "") -> JournalEntry:
    """Correct a posted entry by posting its mirror image (debits and credits swapped), once."""
    already = db.session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)
                                .where(JournalEntry.reverses_id == entry.id))
    if already:
        raise Invalid(_("该分录已冲销"))
    return post_entry("reversal", [Line(x.account, debit=x.credit, credit=x.debit, org_id=x.org_id)
                                   for x in entry.lines],
                      programme_id=entry.programme_id, booking_id=entry.booking_id,
                      payment_id=entry.payment_id, settlement_id=entry.settlement_id,
                      reverses_id=entry.id, actor=actor, memo=memo or f"冲销分录 #{entry.id}")


def balances(*, programme_id: int | None = None, org_id: int | None = None) -> dict[str, int]:
    """Account → balance (debits − credits), computed by the database, optionally for one programme
    or one organisation's lines."""
    q = (sa.select(JournalLine.account, sa.func.sum(JournalLine.debit), sa.func.sum(JournalLine.credit))
         .group_by(JournalLine.account))
    if programme_id is not None:
        q = q.where(JournalLine.programme_id == programme_id)
    if org_id is not None:
        q = q.where(JournalLine.org_id == org_id)
    return {acc: int(d or 0) - int(c or 0) for acc, d, c in db.session.execute(q)}


def balances_by_org(accounts: tuple[str, ...], org_id: int | None = None) -> dict[int, dict[str, int]]:
    """{org_id: {account: balance (debits − credits)}} of the given accounts' tagged lines."""
    q = (sa.select(JournalLine.org_id, JournalLine.account,
                   sa.func.sum(JournalLine.debit) - sa.func.sum(JournalLine.credit))
         .where(JournalLine.account.in_(accounts), JournalLine.org_id.is_not(None))
         .group_by(JournalLine.org_id, JournalLine.account))
    if org_id is not None:
        q = q.where(JournalLine.org_id == org_id)
    out: dict[int, dict[str, int]] = {}
    for org, account, amount in db.session.execute(q):
        out.setdefault(org, {})[account] = int(amount or 0)
    return out


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


def programme_of_booking(booking_id: int) -> int | None:
    """The programme under which a booking's money has been booked so far (its newest tagged entry)."""
    return db.session.scalar(sa.select(JournalEntry.programme_id)
                             .where(JournalEntry.booking_id == booking_id, JournalEntry.programme_id.is_not(None))
                             .order_by(JournalEntry.id.desc()).limit(1))
