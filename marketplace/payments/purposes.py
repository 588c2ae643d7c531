"""What a payment pays for: the purposes the one payment engine serves, declared once each.

A `Payment` row names its `purpose` and references what it pays through that purpose's own
column (a real foreign key; the table's CHECK makes exactly that column set). Adding a purpose
(a bill, a deposit) is three small steps:

1. its column here in `COLUMNS` and on `Payment` (a nullable foreign key), plus a migration;
2. a class following `Purpose` in the paying domain;
3. `payments.purposes.register(ThatPurpose())` from that domain's `init_app`.

The engine (`payments.services`) calls the purpose's methods directly: checkout asks it who may
pay, what is due and to lock the thing paid; the success and refund of a payment call
`succeeded` / `refunded`, so the money a payment moves is a call a reader can follow.
"""
from typing import Protocol

# purpose -> the Payment column referencing what it pays (the database's CHECK is built from it)
COLUMNS: dict[str, str] = {
    "booking": "booking_id",             # a booking's payable, or its cancellation / no-show fee
    "deal_instalment": "instalment_id",  # one instalment of a signed technology deal
    "bill": "bill_id",                   # a paying organisation's monthly bill (billing)
    "auction_deposit": "auction_registration_id",  # an auction bidder's deposit (auctions)
}


def reference_check() -> str:
    """SQL: the purpose is a known one and exactly its column is set."""
    cases = []
    for purpose, column in COLUMNS.items():
        others = " AND ".join(f"{c} IS NULL" for c in COLUMNS.values() if c != column)
        cases.append(f"(purpose = '{purpose}' AND {column} IS NOT NULL" + (f" AND {others})" if others else ")"))
    return " OR ".join(cases)


class Purpose(Protocol):
    """What the engine needs to know about one kind of thing being paid."""

    name: str          # the `purpose` value (a key of COLUMNS)
    model: type        # the class of the thing paid (start_payment(thing) finds its purpose by it)
    refundable: bool   # False: refund_payment refuses its payments before calling the gateway

    def require_payer(self, target, *, actor) -> None:
        """Raise Forbidden unless the actor may pay the target."""

    def lock(self, target):
        """Reload the target locked for update (one attempt is chosen per target at a time)."""

    def check_payable(self, target) -> None:
        """Raise Conflict when the target cannot be paid now (already paid, wrong state)."""

    def amount_due(self, target) -> int:
        """What is owed now, in fen."""

    def settle_without_payment(self, target, *, actor) -> None:
        """Nothing is due (amount_due is 0): settle the target without the gateway."""

    def key_prefix(self, target) -> str:
        """The start of a new attempt's Idempotency-Key (a random part follows)."""

    def metadata(self, target) -> dict:
        """What the PaymentIntent and the card's customer carry about the target."""

    def unavailable_message(self) -> str:
        """Told to the payer when the gateway cannot be reached (the target stays payable)."""

    def succeeded(self, payment, *, actor) -> None:
        """The payment has just succeeded (once): mark the target paid and post the ledger entries."""

    def refund_refusal(self, payment) -> str | None:
        """Why this payment may not be refunded now (refundable only; asked before the gateway)."""

    def refunded(self, payment, *, actor) -> None:
        """The gateway has refunded the payment (once): reverse what `succeeded` did (refundable only)."""


_PURPOSES: dict[str, Purpose] = {}


def register(purpose: Purpose) -> None:
    """Make a purpose payable (called from its domain's init_app)."""
    if purpose.name not in COLUMNS:
        raise ValueError(f"payment purpose {purpose.name!r} has no column in payments.purposes.COLUMNS")
    _PURPOSES[purpose.name] = purpose


# Things that put a target out of single payment (a booking on a monthly bill is paid with the bill):
# each is hold(target) -> the reason told to the payer, or None. Registered by the domain that holds it.
_HOLDS: list = []


def register_hold(hold) -> None:
    if hold not in _HOLDS:
        _HOLDS.append(hold)


def held(target) -> str | None:
    """Why the target may not be paid on its own now (None: it may)."""
    for hold in _HOLDS:
        reason = hold(target)
        if reason:
            return reason
    return None


def get(name: str) -> Purpose:
    return _PURPOSES[name]


def of_target(target) -> Purpose:
    """The purpose that pays things of the target's class."""
    for purpose in _PURPOSES.values():
        if isinstance(target, purpose.model):
            return purpose
    raise LookupError(f"no payment purpose pays a {type(target).__name__}")


def of_payment(payment) -> Purpose:
    return _PURPOSES[payment.purpose]


def target_id(payment) -> int:
    """The id of what the payment pays."""
    return getattr(payment, COLUMNS[payment.purpose])
