"""The double-entry journal every money-moving domain posts to (subsidy, payments, trading ...).

Public API (import from `marketplace.ledger`, nothing deeper):

    from marketplace import ledger
    from marketplace.ledger import Cr, Dr

    ledger.post_entry("payment", [Dr("gateway_clearing", 1200, org_id), Cr("user_receivable", 1200, org_id)],
                      memo="预约 #7 付款", actor=user, booking_id=7, payment_id=3)
    ledger.reverse_entry(entry, actor=user)      # a correction is the mirror entry, never an update
    ledger.trial_balance(); ledger.balances(programme_id=1); ledger.unbalanced_entries()
    ledger.account_name("budget")                # "可用预算" / "Budget available"

Money is int fen. Every entry balances (checked here, and by the database on PostgreSQL at commit);
the tables are append-only (database triggers). Posting only flushes: the caller's unit of work
commits. Accounts and entry kinds are the chart in `accounts.py`.
"""
from .accounts import ACCOUNTS, ENTRY_KINDS, account_name, entry_kind_name
from .services import (
    Cr,
    Dr,
    Line,
    UnbalancedEntry,
    balances,
    balances_by_org,
    post_entry,
    programme_of_booking,
    reverse_entry,
    trial_balance,
    unbalanced_entries,
)

__all__ = ["ACCOUNTS", "ENTRY_KINDS", "Cr", "Dr", "Line", "UnbalancedEntry", "account_name", "balances",
           "balances_by_org", "entry_kind_name", "post_entry", "programme_of_booking", "reverse_entry",
           "trial_balance", "unbalanced_entries"]


def init_app(app):
    from . import models  # noqa: F401  (registers the journal tables)
