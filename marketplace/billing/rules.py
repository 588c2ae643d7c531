"""Pure billing rules: months, due dates, remittance codes, what a card may pay (no app, no database)."""
import re
import secrets
from datetime import date, datetime, time, timedelta

from stdnum.iso7064 import mod_37_36

CODE_PREFIX = "JS"
# 9 random characters without the look-alikes 0/O and 1/I, then the ISO 7064 MOD 37,36 check character
# (over the 9): a mistyped or swapped character in a transfer's 附言 is caught, not matched to another bill.
_RANDOM_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_CODE_RE = re.compile(r"JS([0-9A-Z]{10})")
DEFAULT_DUE_DAYS = 30
REMINDER_OFFSETS = (-7, 0, 7)  # days from the due date: 7 days before, on, and 7 days after


def new_remittance_code() -> str:
    body = "".join(secrets.choice(_RANDOM_ALPHABET) for _ in range(9))
    return CODE_PREFIX + body + mod_37_36.calc_check_digit(body)


def valid_remittance_code(code: str) -> bool:
    m = _CODE_RE.fullmatch(code or "")
    return bool(m) and mod_37_36.is_valid(m.group(1))


def find_remittance_code(text: str | None) -> str | None:
    """The first valid remittance code in a transfer's 附言 (spaces, dashes and case forgiven)."""
    if not text:
        return None
    squeezed = re.sub(r"[\s\-_—·.,，。:：]", "", text.upper())
    for m in _CODE_RE.finditer(squeezed):
        if mod_37_36.is_valid(m.group(1)):
            return CODE_PREFIX + m.group(1)
    # a 附言 such as "JS…X付款" where the code runs into other letters: try every position
    for i in range(len(squeezed) - 11):
        if squeezed.startswith(CODE_PREFIX, i) and mod_37_36.is_valid(squeezed[i + 2:i + 12]):
            return squeezed[i:i + 12]
    return None


_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text) -> date | None:
    """'2026-11' -> date(2026, 11, 1); None when it is not a real month."""
    m = _MONTH_RE.fullmatch(text.strip()) if isinstance(text, str) else None
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
