"""A deal at a price decided elsewhere: an auction's winning bid (网络竞价, the auctions domain)."""
from datetime import datetime

from flask_babel import gettext as _

from ...core.audit import record
from ...core.errors import Invalid
from ...extensions import db
from ...verification.services import is_state_owned
from ..models import Deal, DealOffer
from ..states import DEAL, INSTALMENT, MODES
from .deals import _agree, _now, _org, _published_achievement

__all__ = ["cancel_forfeited_deal", "create_deal_at_price", "credit_instalments"]



def create_deal_at_price(*, achievement_id: int, buyer_org_id: int, amount: int, comment: str,
                         actor=None, now: datetime | None = None) -> Deal:
    """A deal whose price was decided elsewhere (an auction's winning bid, 网络竞价): agreed at once, or
    for a state-owned seller public notice first, as a negotiated deal is (the platform acts: no side's
    offer to accept)."""
    now = _now(now)
    achievement = _published_achievement(achievement_id)
    buyer = _org(buyer_org_id, "buyer_org_id")
    if buyer.id == achievement.owner_org_id:
        raise Invalid.field("buyer_org_id", _("买方与卖方不能是同一单位"))
    modes = [m for m in (achievement.transaction_modes or "").split(",") if m in MODES]
    state_owned = is_state_owned(achievement.owner, declared=bool(achievement.state_owned))
    deal = Deal(title=achievement.title[:200], achievement_id=achievement.id, seller_org_id=achievement.owner_org_id,
                buyer_org_id=buyer.id, mode=modes[0] if modes else "transfer",
                price_mode="negotiated" if state_owned else "fixed", state_owned=state_owned, amount=amount,
                last_offer_side="buyer", status="negotiating", created_by_id=getattr(actor, "id", None),
                created_at=now, updated_at=now)
    db.session.add(deal)
    db.session.flush()
    deal.offers.append(DealOffer(side="buyer", amount=amount, message=comment, by_user_id=None, created_at=now))
    record("deal", deal.id, "create", actor=actor, to_state="negotiating", comment=comment[:300])
    _agree(deal, now, actor=actor, comment=comment)
    return deal


def credit_instalments(deal: Deal, amount: int, *, comment: str, actor=None, now: datetime | None = None) -> int:
    """Money the buyer already paid the platform for this deal (an auction's deposit, already credited to
    the seller in the ledger) counts toward the first instalments: a due instalment it covers is received
    and released, the next is reduced by what is left. Returns
    what was credited (less than `amount` only when the whole price is covered)."""
    now = _now(now)
    left = amount
    for inst in sorted(deal.instalments, key=lambda i: i.seq):
        if left <= 0:
            break
        if inst.status != "due":
            continue
        if left >= inst.amount:
            left -= inst.amount
            # received and passed to the seller at once: the deposit's own ledger entry paid the seller
            INSTALMENT.apply(inst, "held", actor=actor, comment=comment[:300], paid_at=now)
            INSTALMENT.apply(inst, "released", actor=actor, comment=comment[:300])
        else:
            inst.amount -= left
            record("deal_instalment", inst.id, "credit", actor=actor, comment=f"-{left} {comment}"[:300])
            left = 0
    db.session.flush()
    return amount - left


def cancel_forfeited_deal(deal: Deal, *, comment: str, actor=None, now: datetime | None = None) -> bool:
    """The winner did not sign in time and forfeited the deposit: the platform cancels the awarded deal
    (reason `auction_forfeited`, audited by the state machine) so it does not stay open. False when it
    was already cancelled (an objection upheld) or has moved past signing."""
    if deal.status == "cancelled" or deal.status in ("signed", "paid", "completed"):
        return False
    deal.cancel_reason_code = "auction_forfeited"
    deal.cancel_comment = comment[:2000] or None
    deal.cancelled_at = _now(now)
    DEAL.apply(deal, "cancelled", actor=actor, action="cancel", comment=f"auction_forfeited {comment}"[:300])
    db.session.flush()
    return True
