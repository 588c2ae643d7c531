"""Registering for an auction (报名), the deposit (保证金) and its confirmation, refunds.

A deposit is paid like a bill: by bank transfer quoting the registration's remittance code (the one
scheme, `core.remittance`). The bank import asks the owners registered with `billing.remittance`;
`DepositRemittance` is this domain's: `deposit_owed` finds the registration a code pays, and exactly
the deposit is received (`receive_deposit`: ledger, and with AUCTIONS_AUTO_CONFIRM the bidder is
confirmed); anything else waits in finance's queue like a bill's transfer.
"""
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ...core.audit import record
from ...core.db import find
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.permissions import require_login, require_role
from ...core.remittance import new_remittance_code
from ...core.timeutil import utcnow
from ...extensions import db
from ...verification.services import RELATION_MESSAGES, identity_of, related_reason
from .. import accounting, rules
from ..models import Auction, AuctionRegistration
from ..states import REGISTRATION
from .listing import phase

__all__ = ["DepositRemittance", "accept_deposit", "claim_transfer", "confirm_registration", "deposit_owed", "get_registration",
           "receive_deposit", "record_refund", "register", "registrations_of"]


def _now(now):
    return now or utcnow()


def register(auction: Auction, *, actor, now: datetime | None = None) -> AuctionRegistration:
    """A verified organisation (not the seller, not a related party) registers; it then pays the deposit."""
    require_login(actor)
    now = _now(now)
    org = actor.organisation
    if org is None:
        raise Forbidden(_("只有单位成员可以报名竞买"))
    if identity_of(org) is None:
        raise Forbidden(_("单位尚未完成实名认证（统一社会信用代码），不能报名竞买"))
    if phase(auction, now) != "registration" or not rules.may_register(auction.registration_deadline, now):
        raise Conflict(_("该竞价不在报名期内"))
    if org.id == auction.seller_org_id:
        raise Forbidden(_("卖方不能报名竞买自己的成果"))
    relation = related_reason(org, auction.seller)
    if relation is not None:
        raise Forbidden(_("与卖方存在关联关系，不能报名竞买：%(why)s", why=str(RELATION_MESSAGES.get(relation, relation))))
    existing = db.session.scalar(sa.select(AuctionRegistration).where(AuctionRegistration.auction_id == auction.id,
                                                                      AuctionRegistration.org_id == org.id))
    if existing is not None:
        raise Conflict(_("本单位已报名该竞价"))
    alias_no = 1 + (db.session.scalar(sa.select(sa.func.max(AuctionRegistration.alias_no))
                                      .where(AuctionRegistration.auction_id == auction.id)) or 0)
    reg = AuctionRegistration(auction_id=auction.id, org_id=org.id, user_id=actor.id, alias_no=alias_no,
                              deposit=auction.deposit, remittance_code=new_remittance_code(),
                              status="pending", created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(reg)
            db.session.flush()
    except IntegrityError:  # the same organisation, or another at the same number, at this moment
        raise Conflict(_("报名未成功（同时有其他报名），请重试")) from None
    record("auction_registration", reg.id, "register", actor=actor, to_state="pending",
           comment=f"auction {auction.id} {reg.remittance_code}")
    if reg.deposit == 0:
        accept_deposit(reg, via="none", reference="no-deposit", actor=actor, now=now)
    return reg


def get_registration(auction: Auction, registration_id, *, actor) -> AuctionRegistration:
    reg = find(AuctionRegistration, registration_id)
    if reg is None or reg.auction_id != auction.id:
        raise NotFound(_("报名记录不存在"))
    require_login(actor)
    if not (actor.is_member_of(reg.org_id) or actor.has_role("reviewer") or actor.has_role("finance")):
        raise NotFound(_("报名记录不存在"))
    return reg


def registrations_of(auction: Auction) -> list[AuctionRegistration]:
    return list(db.session.scalars(sa.select(AuctionRegistration).where(AuctionRegistration.auction_id == auction.id)
                                   .order_by(AuctionRegistration.alias_no)))


def deposit_owed(code: str) -> AuctionRegistration | None:
    """The registration whose deposit the remittance code pays (None: not a deposit's code)."""
    return db.session.execute(sa.select(AuctionRegistration).where(AuctionRegistration.remittance_code == code)
                              .with_for_update(of=AuctionRegistration)
                              .execution_options(populate_existing=True)).scalar_one_or_none()


def accept_deposit(reg: AuctionRegistration, *, via: str, reference: str, actor, now):
    """The deposit arrived (transfer, card or none owed): the ledger entry, and the bidder confirmed
    (AUCTIONS_AUTO_CONFIRM) or waiting for staff."""
    auto = bool(current_app.config.get("AUCTIONS_AUTO_CONFIRM", True))
    to = "confirmed" if auto else "paid"
    values = {"deposit_via": via, "deposit_reference": reference[:100], "deposit_paid_at": now}
    if auto:
        values["confirmed_at"] = now
    REGISTRATION.apply(reg, to, actor=actor, action="confirm" if auto else "deposit",
                       comment=_("保证金已到账") + f" {reference}"[:200], **values)
    if via != "none":
        accounting.post_received(reg, reference, via=via, actor=actor)


def receive_deposit(reg: AuctionRegistration, amount: int, reference: str, *, actor, now: datetime | None = None) -> str:
    """Apply a received transfer to a registration: 'matched' when it is exactly the deposit, else the
    reason it waits for finance ('short', 'excess', 'already_paid')."""
    if reg.status != "pending":
        return "already_paid"
    if amount != reg.deposit:
        return "short" if amount < reg.deposit else "excess"
    accept_deposit(reg, via="transfer", reference=reference, actor=actor, now=_now(now))
    return "matched"


def claim_transfer(code: str, amount: int, reference: str, *, actor) -> str | None:
    """A transfer quoting `code`: None when it is no deposit's; else 'matched' or why it waits."""
    reg = deposit_owed(code)
    if reg is None:
        return None
    return receive_deposit(reg, amount, reference, actor=actor)


class DepositRemittance:
    """Auction deposits are paid by transfer (billing.remittance owner): an exact amount confirms."""

    name = "auction_deposit"
    line_column = None
    partial = False  # exactly the amount, or finance returns the transfer

    def find(self, code):
        return deposit_owed(code)

    def owed(self, reg):
        if reg.status == "lapsed":
            return None
        return reg.deposit if reg.status == "pending" else 0

    def receive(self, reg, amount, *, reference, actor):
        receive_deposit(reg, amount, reference, actor=actor)

    def label(self, reg):
        return _("网络竞价 #%(id)s 保证金（%(alias)s）", id=reg.auction_id, alias=reg.alias)


def confirm_registration(reg: AuctionRegistration, *, actor, now: datetime | None = None) -> AuctionRegistration:
    """Staff confirm a bidder (资格确认) once the deposit is received."""
    require_role(actor, "reviewer")
    if reg.status == "pending":
        raise Conflict(_("保证金尚未到账，不能确认竞买资格"))
    if reg.status != "paid":
        raise Conflict(_("该报名已确认或已结束"))
    REGISTRATION.apply(reg, "confirmed", actor=actor, action="confirm", confirmed_at=_now(now))
    return reg


def record_refund(reg: AuctionRegistration, *, actor, reference: str = "", now: datetime | None = None) -> AuctionRegistration:
    """Finance records the bank transfer that returned a loser's deposit (ledger: held → bank); a
    deposit paid by card goes back through the gateway's refund instead (when the job after the close
    could not reach the gateway)."""
    require_role(actor, "finance")
    if reg.status != "refunding":
        raise Conflict(_("该保证金不在待退还状态"))
    if reg.deposit_via == "card":
        from ...payments import services as payments
        from .deposits import card_payment_of
        payments.refund_payment(card_payment_of(reg), actor=actor)
        return db.session.get(AuctionRegistration, reg.id)
    if len(reference or "") > 100:
        raise Invalid.field("reference", _("不超过 100 个字符"))
    ref = (reference or "").strip() or f"refund-{reg.id}"
    REGISTRATION.apply(reg, "refunded", actor=actor, action="refund", refund_reference=ref, settled_at=_now(now))
    accounting.post_refunded(reg, ref, actor=actor)
    return reg
