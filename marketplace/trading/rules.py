"""Pure trading rules: no app, no database. Unit-tested on their own."""
import hashlib
import json
import unicodedata
from datetime import date, datetime, timedelta
from itertools import pairwise

MAX_FEN = 10**15


def needs_public_notice(state_owned: bool, price_mode: str) -> bool:
    """促进科技成果转化法 art. 18: a state-owned seller's negotiated price is published before signing."""
    return bool(state_owned) and price_mode == "negotiated"


def notice_end(start: datetime, days: int) -> datetime:
    """The notice runs `days` full days from its start (at least 15 by default, configurable)."""
    return start + timedelta(days=days)


def paused_notice_end(notice_ends_at: datetime, objected_at: datetime, resumed_at: datetime) -> datetime:
    """An objection pauses the notice clock: the time it was open is added back to the end."""
    return notice_ends_at + max(timedelta(0), resumed_at - objected_at)


def sides_of(actor_org_id: int | None, mandated: set[str] | frozenset, buyer_org_id: int,
             seller_org_id: int) -> set[str]:
    """The sides an actor may speak for: their organisation's side, and as the deal's broker the sides
    that confirmed its mandate (委托); a party that never confirmed one cannot be bound by the broker."""
    sides = set(mandated)
    if actor_org_id is not None and actor_org_id == buyer_org_id:
        sides.add("buyer")
    if actor_org_id is not None and actor_org_id == seller_org_id:
        sides.add("seller")
    return sides


def price_differs(total: int, agreed: int) -> bool:
    """A contract's 合同成交额 is the agreed (for a noticed deal: the publicly noticed) price, to the fen."""
    return total != agreed


def terms_digest(terms: dict) -> str:
    """SHA-256 of the contract terms in a canonical form: two signatures agree iff their digests do."""
    return hashlib.sha256(json.dumps(terms, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def grounds_key(reason: str | None) -> str:
    """An objection's grounds for comparison: NFKC, no spaces or punctuation, case-folded."""
    text = unicodedata.normalize("NFKC", reason or "")
    return "".join(c for c in text if c.isalnum()).casefold()


def other_side(side: str) -> str:
    return "seller" if side == "buyer" else "buyer"


def contract_errors(total: int, tech: int, instalments: list[tuple[date, int]],
                    today: date | None = None) -> dict[str, str]:
    """What is wrong with a contract's amounts and schedule: {field: message code}. An instalment due
    before `today` (the signing day) is refused: its money would be overdue the moment it is owed."""
    errors: dict[str, str] = {}
    if total <= 0:
        errors["total_amount"] = "positive"
    if tech > total:
        errors["tech_amount"] = "tech_over_total"
    if not instalments:
        errors["instalments"] = "empty"
    elif any(amount <= 0 for _d, amount in instalments):
        errors["instalments"] = "positive"
    elif sum(amount for _d, amount in instalments) != total:
        errors["instalments"] = "sum"
    elif any(b < a for (a, _x), (b, _y) in pairwise(instalments)):
        errors["instalments"] = "order"
    elif today is not None and any(d < today for d, _a in instalments):
        errors["instalments"] = "past"
    return errors


def commission(amount: int, basis_points: int | None) -> int:
    """The broker firm's share of a payment, rounded half up to the fen; integers only."""
    if not basis_points:
        return 0
    return (amount * basis_points + 5000) // 10000


def split_payment(amount: int, basis_points: int | None) -> tuple[int, int]:
    """(owed to the seller, owed to the broker firm) of a buyer payment; they sum to the amount."""
    fee = commission(amount, basis_points)
    return amount - fee, fee


def is_expired(deadline: date | None, today: date) -> bool:
    return deadline is not None and deadline < today


def waiting_for(status: str, side_to_answer: str | None, open_objection: bool, notice_over: bool,
                instalments_due: bool) -> str:
    """Who the next step of a deal waits for: buyer, seller, reviewer, notice, parties or nobody."""
    if status == "negotiating":
        return side_to_answer or "buyer"
    if status == "objected" or open_objection:
        return "reviewer"
    if status == "public_notice":
        return "parties" if notice_over else "notice"
    if status == "agreed":
        return "parties"
    if status == "signed":
        return "buyer" if instalments_due else "parties"
    if status == "paid":
        return "parties"
    return "nobody"
