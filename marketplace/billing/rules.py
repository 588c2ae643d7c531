"""Pure billing rules: months, due dates, remittance codes, what a card may pay (no app, no database)."""
import re
from datetime import date, datetime, time, timedelta

# The code scheme is core's (deal instalments and auction deposits draw theirs there too).
from ..core.remittance import (  # noqa: F401  (billing's names for them)
    CODE_PREFIX,
    find_remittance_code,
    new_remittance_code,
    valid_remittance_code,
)

DEFAULT_DUE_DAYS = 30
REMINDER_OFFSETS = (-7, 0, 7)  # days from the due date: 7 days before, on, and 7 days after


_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text) -> date | None:
    """'2026-11' -> date(2026, 11, 1); None when it is not a real month."""
    m = _MONTH_RE.fullmatch(str(text or "").strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def previous_month(today: date) -> date:
    first = today.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def month_label(first: date) -> str:
    return f"{first:%Y-%m}"


def period_end_local(first: date) -> datetime:
    """The local (Beijing) instant the month ends: everything completed before it is billed in it."""
    return datetime.combine(next_month(first), time())


def due_date(first: date, due_days: int = DEFAULT_DUE_DAYS) -> date:
    """Due `due_days` after the month's last day."""
    return next_month(first) - timedelta(days=1) + timedelta(days=due_days)


def reminder_kind(due_on: date, today: date) -> int | None:
    """Which reminder (days from the due date, one of REMINDER_OFFSETS) is due today, if any."""
    offset = (today - due_on).days
    return offset if offset in REMINDER_OFFSETS else None


def match_outcome(amount: int, owed: int) -> str:
    """How a transfer of `amount` fen meets a bill owing `owed`: exact, short or excess."""
    if amount == owed:
        return "exact"
    return "short" if amount < owed else "excess"
