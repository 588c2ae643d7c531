"""Pure auction rules: valid bids, the time extension, phases, deposits (no app, no database)."""
from datetime import datetime, timedelta

DEFAULT_EXTENSION_MINUTES = 5
DEPOSIT_PERCENT = 10
REFUND_WORKING_DAYS = 3
SIGN_WORKING_DAYS = 5


def default_deposit(starting_price: int) -> int:
    """保证金: 10 % of the starting price, rounded up to the fen."""
    return -(-starting_price * DEPOSIT_PERCENT // 100)


def next_valid(starting_price: int, increment: int, highest: int | None) -> int:
    """The lowest acceptable bid: the starting price first, then highest + one increment."""
    return starting_price if highest is None else highest + increment


def bid_error(amount: int, starting_price: int, increment: int, highest: int | None) -> str | None:
    """Why `amount` is not a valid bid now ('below', 'step'), or None: a bid is the starting price
    + k × increment and at least next_valid (so current highest + k × increment, k ≥ 1)."""
    if amount < next_valid(starting_price, increment, highest):
        return "below"
    if (amount - starting_price) % increment:
        return "step"
    return None


def extended_end(ends_at: datetime, now: datetime, minutes: int) -> datetime:
    """A bid in the last `minutes` minutes moves the end to now + minutes (as often as it happens)."""
    window = timedelta(minutes=minutes)
    return max(ends_at, now + window) if ends_at - now < window else ends_at


def phase(status: str, registration_deadline: datetime, starts_at: datetime, ends_at: datetime,
          now: datetime) -> str:
    """The public phase of an auction: its stored status, or for a scheduled one the clock's."""
    if status != "scheduled":
        return status
    if now >= ends_at:
        return "ended"
    if now >= starts_at:
        return "bidding"
    return "registration"


def may_register(registration_deadline: datetime, now: datetime) -> bool:
    return now < registration_deadline


def terms_errors(starting_price: int, increment: int, deposit: int, registration_deadline: datetime,
                 starts_at: datetime, ends_at: datetime, extension_minutes: int, now: datetime) -> dict[str, str]:
    """Field -> error code for auction terms that do not hold together."""
    errors = {}
    if starting_price <= 0:
        errors["starting_price"] = "positive"
    if increment <= 0:
        errors["increment"] = "positive"
    if deposit < 0 or (starting_price > 0 and deposit > starting_price):
        errors["deposit"] = "range"
    if registration_deadline <= now:
        errors["registration_deadline"] = "past"
    if registration_deadline > starts_at:
        errors["registration_deadline"] = "after_start"
    if ends_at <= starts_at:
        errors["ends_at"] = "before_start"
    if not 1 <= extension_minutes <= 60:
        errors["extension_minutes"] = "range"
    return errors
