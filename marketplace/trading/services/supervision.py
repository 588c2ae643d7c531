"""Deal money under supervision (资金监管): each instalment is paid into the supervised account, held
there, and released to the seller and the broker firm when the buyer confirms the milestone — or
refunded to the buyer by finance.

    due ──(bank transfer matched by its remittance code, or card up to the gateway's ceiling)──▶ held
    held ──(the buyer confirms the milestone)──▶ released      held ──(finance refunds)──▶ refunded

Every move goes through `states.INSTALMENT` (one conditional UPDATE, audited: of two confirmations
at once one releases, the other is a Conflict) and posts its ledger entry (`accounting`). Transfers
arrive through billing's bank import: `InstalmentRemittance` is the owner billing registers for
instalment codes (billing sits above trading, so billing's init_app registers it).
"""
from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from pydantic import Field

from ...core import audit
from ...core.errors import Conflict, Forbidden, NotFound
from ...core.permissions import require_login, require_role
from ...core.schema import text, validated
from ...core.timeutil import utcnow
from ...extensions import db
from ..accounting import post_instalment_received, post_instalment_refunded, post_instalment_released
from ..models import Deal, DealInstalment
from ..states import DEAL, INSTALMENT, RECEIVED_STATUSES
from .deals import is_insider, sides

InstalmentNo = Annotated[int, Field(strict=True, ge=1, le=60, description="the instalment's number (1, 2, …)")]


def get_instalment(deal: Deal, seq: int) -> DealInstalment:
    inst = next((i for i in deal.instalments if i.seq == seq), None)
    if inst is None:
        raise NotFound(_("该分期不存在"))
    return inst


def require_buyer(deal: Deal, *, actor):
    """Only the buyer organisation's members pay and confirm (a broker who is not one of them may not)."""
    require_login(actor)
    if "buyer" not in sides(deal, actor=actor) or (deal.broker_user_id == actor.id and not actor.is_member_of(
            deal.buyer_org_id)):
        raise Forbidden(_("只有买方单位可以付款或确认"))


def instalments_of(deal: Deal, *, actor) -> list[DealInstalment]:
    """The schedule with its remittance codes: the parties, their broker and finance."""
    require_login(actor)
    if not is_insider(deal, actor=actor):
        raise Forbidden(_("只有交易双方、经纪人或财务人员可以查看分期款项"))
    return list(deal.instalments)


def transfer_instructions(inst: DealInstalment) -> dict:
    """Where and how the buyer transfers an instalment (the 附言 carries its remittance code)."""
    cfg = current_app.config
    return {"account_name": cfg["DEAL_ESCROW_ACCOUNT_NAME"], "account_number": cfg["DEAL_ESCROW_ACCOUNT_NUMBER"],
            "bank": cfg["DEAL_ESCROW_BANK_NAME"], "amount": inst.amount, "remittance_code": inst.remittance_code}


def _locked_deal(deal_id: int) -> Deal:
    return db.session.execute(sa.select(Deal).where(Deal.id == deal_id).with_for_update(of=Deal)
                              .execution_options(populate_existing=True)).scalar_one()


def receive_instalment(inst: DealInstalment, *, via: str, reference: str, actor=None, payment=None,
                       now: datetime | None = None) -> DealInstalment:
    """The instalment's money arrived in the supervised account (the caller holds the instalment's row
    lock): held, posted (bank or gateway → deal_escrow), and the deal is paid once every one arrived."""
    now = now or (payment.succeeded_at if payment is not None else None) or utcnow()
    deal = _locked_deal(inst.deal_id)  # two instalments arriving at once: one decides that the deal is paid
    INSTALMENT.apply(inst, "held", actor=actor, action="receive", comment=f"#{inst.seq} {via} {reference}"[:300],
                     paid_at=now, paid_by=via)
    post_instalment_received(deal, inst, via=via, reference=reference, payment=payment, actor=actor)
    audit.record("deal", deal.id, "pay", actor=actor, comment=f"#{inst.seq} {inst.amount} {via}")
    db.session.flush()
    db.session.expire(deal, ["instalments"])
    if deal.status == "signed" and all(i.status in RECEIVED_STATUSES for i in deal.instalments):
        deal.paid_at = now
        DEAL.apply(deal, "paid", actor=actor, action="pay")
    db.session.flush()
    return inst


@validated
def confirm_instalment(deal: Deal, seq: InstalmentNo, *, actor, now: datetime | None = None) -> DealInstalment:
    """The buyer confirms the instalment's milestone: the held money is released to the seller and the
    broker firm's commission. Twice, or before the money arrived, is a Conflict and changes nothing."""
    require_buyer(deal, actor=actor)
    inst = get_instalment(deal, seq)
    if inst.status == "due":
        raise Conflict(_("第 %(n)s 期款项尚未到账，不能确认放款", n=seq))
    if inst.status != "held":
        raise Conflict(_("第 %(n)s 期已确认放款或已退还", n=seq))
    INSTALMENT.apply(inst, "released", actor=actor, action="confirm", comment=f"#{seq}",
                     released_at=now or utcnow())
    post_instalment_released(deal, inst, actor=actor)
    db.session.flush()
    return inst


@validated
def refund_instalment(deal: Deal, seq: InstalmentNo, reason: text(300, 1), *, actor,
                      now: datetime | None = None) -> DealInstalment:
    """Finance returns a held instalment to the buyer (a milestone not delivered, a dispute settled):
    the supervised money goes back by bank transfer."""
    require_role(actor, "finance")
    inst = get_instalment(deal, seq)
    if inst.status != "held":
        raise Conflict(_("只有资金监管中的分期可以退还"))
    INSTALMENT.apply(inst, "refunded", actor=actor, action="refund", comment=reason.strip(),
                     refunded_at=now or utcnow(), refund_reason=reason.strip())
    post_instalment_refunded(deal, inst, actor=actor)
    db.session.flush()
    return inst


class InstalmentRemittance:
    """billing.remittance owner of instalment codes: a transfer of exactly the amount holds the instalment."""

    name = "deal_instalment"
    line_column = None
    partial = False  # exactly the amount, or finance returns the transfer

    def find(self, code):
        return db.session.execute(sa.select(DealInstalment).where(DealInstalment.remittance_code == code)
                                  .with_for_update(of=DealInstalment)
                                  .execution_options(populate_existing=True)).scalar_one_or_none()

    def owed(self, inst):
        if inst.status in RECEIVED_STATUSES:
            return 0
        return inst.amount if inst.deal.status == "signed" else None

    def receive(self, inst, amount, *, reference, actor):
        receive_instalment(inst, via="transfer", reference=reference, actor=actor)

    def label(self, inst):
        return _("交易 #%(deal)s 第 %(n)s 期", deal=inst.deal_id, n=inst.seq)
