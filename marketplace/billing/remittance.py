"""What a bank transfer can pay: the owners of remittance codes, registered by the domains that are
paid by transfer (bills here; deal instalments; auction deposits).

The bank import (`services.bank`) reads a code from a credit's 附言 and asks each registered owner in
turn whether the code is one of its own. The owner that knows it says what is owed now; an exact
amount is received by it (its status moves and its ledger entry is posted by the owner, in the same
unit of work as the statement line), anything else waits in finance's queue. Adding an owner:

    class DepositRemittance:
        name = "auction_deposit"      # stored on the bank line (BankLine.owner)
        line_column = None            # or a BankLine column that references the target (bills: bill_id)
        partial = False               # True: finance may assign a short transfer (receive_part)
        def find(self, code): ...     # the target with this code, locked for update, or None
        def owed(self, target): ...   # fen owed now; 0 when already paid; None when it takes no money
        def receive(self, target, amount, *, reference, actor): ...   # an exact transfer arrived
        def label(self, target): ...  # how finance's queue names it

    billing.remittance.register(DepositRemittance())   # from the owning domain's init_app
"""
from typing import Protocol


class Owner(Protocol):
    name: str
    line_column: str | None
    partial: bool  # True: a short transfer assigned by finance counts towards the target (receive_part)

    def find(self, code: str):
        """The target carrying this remittance code, locked for update; None when it is not ours."""

    def owed(self, target) -> int | None:
        """What the target owes now in fen: 0 when already paid, None when it can take no money."""

    def receive(self, target, amount: int, *, reference: str, actor) -> None:
        """`amount` (exactly what is owed) arrived by transfer: move the target and post the ledger."""

    def receive_part(self, target, amount: int, *, reference: str, actor) -> None:
        """Less than is owed arrived and finance assigned it (only when `partial`)."""

    def label(self, target) -> str:
        """The target as finance's queue names it."""


_OWNERS: dict[str, Owner] = {}


def register(owner: Owner) -> None:
    """Make an owner's codes payable by transfer (called from its domain's init_app; idempotent)."""
    if not owner.name or len(owner.name) > 20:
        raise ValueError(f"remittance owner name {owner.name!r} must be 1-20 characters")
    _OWNERS[owner.name] = owner


def owners() -> list[Owner]:
    return list(_OWNERS.values())


def get(name: str | None) -> Owner | None:
    return _OWNERS.get(name) if name else None


def find(code: str | None):
    """(owner, target) of a remittance code, the target locked; (None, None) when nobody owns it."""
    if not code:
        return None, None
    for owner in _OWNERS.values():
        target = owner.find(code)
        if target is not None:
            return owner, target
    return None, None
