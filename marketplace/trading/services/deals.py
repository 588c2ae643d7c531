"""Deals: create, offer and counter-offer, accept, public notice and objections, sign, cancel, complete."""
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from ...accounts.models import Organisation
from ...core.audit import history, record
from ...core.db import find
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.permissions import require_login, require_role
from ...core.timeutil import utcnow
from ...extensions import db
from ...verification.services import is_state_owned
from .. import rules
from ..models import Deal, DealObjection, DealOffer, Demand
from ..states import CANCEL_REASONS, DEAL, MODES, OBJECTION, SYSTEM_CANCEL_REASONS
from .brokers import active_broker_firm

__all__ = [
    "is_insider",
    "accept_offer",
    "can_view_deal",
    "cancel_deal",
    "complete_deal",
    "create_deal",
    "deal_actions",
    "deal_history",
    "get_deal",
    "make_offer",
    "notice_over",
    "object_to_deal",
    "open_objection",
    "resolve_objection",
    "sides",
    "waiting_for",
]


def _now(now):
    return now or utcnow()


def get_deal(deal_id, *, actor=None) -> Deal:
    deal = find(Deal, deal_id)
    if deal is None or not can_view_deal(deal, actor=actor):
        raise NotFound(_("交易不存在"))
    return deal


def _signed_in(*, actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def can_view_deal(deal: Deal, *, actor) -> bool:
    if deal.status in ("public_notice", "objected"):
        return True  # the notice is public
    return is_insider(deal, actor=actor)


def is_insider(deal: Deal, *, actor) -> bool:
    """A party's member, the deal's broker, a reviewer or finance: who sees the negotiation, not only the notice."""
    return _signed_in(actor=actor) and (bool(sides(deal, actor=actor)) or deal.broker_user_id == actor.id
                                        or actor.is_member_of(deal.buyer_org_id)
                                        or actor.is_member_of(deal.seller_org_id)
                                        or actor.has_role("reviewer") or actor.has_role("admin")
                                        or actor.has_role("finance"))  # finance: the supervised money


def sides(deal: Deal, *, actor) -> set[str]:
    """The sides `actor` binds in this deal: their organisation's, and as the deal's broker (while their
    firm may broker) the sides that confirmed the broker's mandate. No role binds a party it is not."""
    if not _signed_in(actor=actor):
        return set()
    mandated = set()
    if deal.broker_user_id == actor.id and active_broker_firm(actor) is not None:
        mandated = {side for side in ("buyer", "seller") if getattr(deal, f"{side}_mandate_at") is not None}
    return rules.sides_of(actor.organisation_id, mandated, deal.buyer_org_id, deal.seller_org_id)


def open_objection(deal: Deal) -> DealObjection | None:
    return next((o for o in deal.objections if o.status == "open"), None)


def notice_over(deal: Deal, now: datetime | None = None) -> bool:
    return deal.notice_ends_at is not None and _now(now) >= deal.notice_ends_at


def waiting_for(deal: Deal, now: datetime | None = None) -> str:
    # the buyer owes a payment, or a milestone confirmation of money held in the supervised account
    due = any(i.status in ("due", "held") for i in deal.instalments)
    return rules.waiting_for(deal.status, deal.side_to_answer, open_objection(deal) is not None,
                             notice_over(deal, now), due)


# -- creating --------------------------------------------------------------------------------------

def _org(org_id, field) -> Organisation:
    org = find(Organisation, org_id)
    if org is None:
        raise Invalid.field(field, _("单位不存在"))
    return org


def _published_achievement(achievement_id):
    from ...catalog.models import Achievement
    res = find(Achievement, achievement_id)
    if res is None or res.type != "achievement" or res.status != "published":
        raise Invalid.field("achievement_id", _("科技成果不存在或未发布"))
    return res


def create_deal(*, actor, mode: str, amount: int, message: str = "", achievement_id: int | None = None,
                demand_id: int | None = None, buyer_org_id: int | None = None, seller_org_id: int | None = None,
                now: datetime | None = None) -> Deal:
    """A buyer's offer on an achievement, a seller's answer to a demand, or a broker naming both sides."""
    require_login(actor)
    now = _now(now)
    if (achievement_id is None) == (demand_id is None):
        raise Invalid.field("achievement_id", _("请指定一项科技成果或一项技术需求"))
    if mode not in MODES:
        raise Invalid.field("mode", _("不是可选的交易方式"))
    firm = active_broker_firm(actor)
    naming = buyer_org_id is not None or seller_org_id is not None
    if naming and firm is None:
        raise Forbidden(_("只有已备案事务所的在岗技术经理人可以代表双方发起交易"))
    brokered = firm is not None and naming
    achievement = demand = None
    state_owned = False
    if achievement_id is not None:
        achievement = _published_achievement(achievement_id)
        seller = achievement.owner_org_id
        if brokered:
            if seller_org_id is not None and seller_org_id != seller:
                raise Invalid.field("seller_org_id", _("卖方必须是成果所属单位"))
            if buyer_org_id is None:
                raise Invalid.field("buyer_org_id", _("请指定买方单位"))
            buyer = _org(buyer_org_id, "buyer_org_id").id
        else:
            buyer = actor.organisation_id
            if buyer is None:
                raise Forbidden(_("只有单位成员可以报价"))
        allowed_modes = [m for m in (achievement.transaction_modes or "").split(",") if m]
        if allowed_modes and mode not in allowed_modes:
            raise Invalid.field("mode", _("该成果不接受此交易方式"))
        # The listing's box adds the notice; a public institution's USCC requires it whatever the box says.
        state_owned = is_state_owned(achievement.owner, declared=bool(achievement.state_owned))
        first_side = "buyer"
        title = achievement.title
    else:
        demand = find(Demand, demand_id)
        if demand is None or demand.status != "published":
            raise Invalid.field("demand_id", _("技术需求不存在或未发布"))
        buyer = demand.org_id
        if brokered:
            if buyer_org_id is not None and buyer_org_id != buyer:
                raise Invalid.field("buyer_org_id", _("买方必须是发布需求的单位"))
            if seller_org_id is None:
                raise Invalid.field("seller_org_id", _("请指定卖方单位"))
            seller = _org(seller_org_id, "seller_org_id").id
        else:
            seller = actor.organisation_id
            if seller is None:
                raise Forbidden(_("只有单位成员可以应答需求"))
        # A university's or institute's technology is state-owned (国有资产): its price is published.
        seller_org = _org(seller, "seller_org_id")
        state_owned = is_state_owned(seller_org, declared=seller_org.kind in ("university", "research_institute"))
        first_side = "seller"
        title = demand.title
    if buyer == seller:
        raise Invalid.field("buyer_org_id", _("买方与卖方不能是同一单位"))
    deal = Deal(title=title[:200], achievement_id=getattr(achievement, "id", None),
                demand_id=getattr(demand, "id", None), seller_org_id=seller, buyer_org_id=buyer,
                broker_user_id=actor.id if brokered else None, broker_firm_id=getattr(firm, "id", None) if brokered else None,
                mode=mode, price_mode="negotiated", state_owned=state_owned, amount=amount,
                last_offer_side=first_side, status="negotiating", created_by_id=actor.id, created_at=now,
                updated_at=now)
    db.session.add(deal)
    db.session.flush()
    deal.offers.append(DealOffer(side=first_side, amount=amount, message=message or "", by_user_id=actor.id,
                                 created_at=now))
    record("deal", deal.id, "create", actor=actor, to_state="negotiating", comment=f"{first_side} {amount}")
    fixed_price = (achievement is not None and (achievement.listing_mode or "negotiated") == "fixed"
                   and achievement.asking_price is not None and amount == achievement.asking_price)
    if fixed_price:  # 挂牌: accepting the listed price agrees the deal at once
        deal.price_mode = "fixed"
        DEAL.apply(deal, "agreed", actor=actor, comment=_("按挂牌价成交"), action="accept")
        deal.agreed_at = now
    db.session.flush()
    return deal


# -- negotiating -----------------------------------------------------------------------------------

def _require_side(deal: Deal, side: str, message: str, *, actor):
    require_login(actor)
    mine = sides(deal, actor=actor)
    if not mine:
        raise Forbidden(_("只有交易双方或其经纪人可以操作"))
    if side not in mine:
        raise Forbidden(message)


REOPENABLE = ("agreed", "public_notice")


def make_offer(deal: Deal, *, actor, amount: int, message: str = "", now: datetime | None = None) -> Deal:
    """A counter-offer from the side whose turn it is; on an agreed (or noticed) deal, a party's new price
    reopens the negotiation (contract.reopen_deal)."""
    now = _now(now)
    if deal.status in REOPENABLE:
        from .contract import reopen_deal
        return reopen_deal(deal, actor=actor, amount=amount, message=message, now=now)
    if deal.status != "negotiating":
        raise Conflict(_("只有洽谈中的交易可以报价"))
    side = deal.side_to_answer
    _require_side(deal, side, _("现在等待对方报价"), actor=actor)
    deal.offers.append(DealOffer(side=side, amount=amount, message=message or "", by_user_id=actor.id,
                                 created_at=now))
    deal.amount = amount
    deal.last_offer_side = side
    deal.price_mode = "negotiated"
    DEAL.apply(deal, "negotiating", actor=actor, comment=f"{side} {amount}", action="offer")
    db.session.flush()
    return deal


def accept_offer(deal: Deal, *, actor, now: datetime | None = None) -> Deal:
    """The side that did not make the last offer accepts it: agreed, or public notice for a state-owned
    seller's negotiated price."""
    now = _now(now)
    if deal.status != "negotiating":
        raise Conflict(_("只有洽谈中的交易可以接受报价"))
    _require_side(deal, deal.side_to_answer, _("只有另一方可以接受报价"), actor=actor)
    last = deal.offers[-1] if deal.offers else None
    if (last is not None and deal.broker_user_id is not None and last.by_user_id == deal.broker_user_id
            and getattr(deal, f"{last.side}_mandate_at") is None):
        # An offer the broker made for a party that never confirmed the mandate binds nobody.
        raise Conflict(_("报价方尚未确认对技术经理人的委托，该报价不能被接受"))
    _agree(deal, now, actor=actor)
    return deal


def _agree(deal: Deal, now: datetime, *, actor, comment: str | None = None):
    """The price is agreed: public notice first for a state-owned seller's negotiated price, else agreed."""
    deal.agreed_at = now
    if rules.needs_public_notice(deal.state_owned, deal.price_mode):
        days = int(current_app.config["TRADING_NOTICE_DAYS"])
        deal.notice_starts_at = now
        deal.notice_ends_at = rules.notice_end(now, days)
        DEAL.apply(deal, "public_notice", actor=actor, comment=_("国有成果协议定价，公示 %(n)s 天", n=days),
                   action="accept")
    else:
        DEAL.apply(deal, "agreed", actor=actor, action="accept", comment=comment)
    db.session.flush()


# -- public notice ---------------------------------------------------------------------------------

def object_to_deal(deal: Deal, *, actor, reason: str, now: datetime | None = None) -> Deal:
    """A verified account files an objection to a deal in notice; the deal pauses until it is resolved.
    One open objection per account and deal; after a decision, a repeat needs new grounds (otherwise one
    account could stall a notice forever)."""
    require_login(actor)
    now = _now(now)
    if not (reason or "").strip():
        raise Invalid.field("reason", _("请填写异议理由"))
    if getattr(actor, "email_verified_at", None) is None:
        raise Forbidden(_("请先验证电子邮箱，再提出异议"))
    if deal.status not in ("public_notice", "objected"):
        raise Conflict(_("只有公示中的交易可以提出异议"))
    if deal.status == "public_notice" and notice_over(deal, now):
        raise Conflict(_("公示期已结束"))
    mine = [o for o in deal.objections if o.user_id == actor.id]
    if any(o.status == "open" for o in mine):
        raise Conflict(_("您对该交易的异议正在处理中，不能重复提出"))
    if rules.grounds_key(reason) in {rules.grounds_key(o.reason) for o in mine}:
        raise Invalid.field("reason", _("该理由已提出并处理过，再次异议请提出新的理由"))
    deal.objections.append(DealObjection(user_id=actor.id, reason=reason.strip(), created_at=now))
    if deal.status == "public_notice":
        deal.objected_at = now
        DEAL.apply(deal, "objected", actor=actor, comment=reason.strip()[:500], action="object")
    else:
        record("deal", deal.id, "object", actor=actor, comment=reason.strip()[:500])
    db.session.flush()
    return deal


def resolve_objection(deal: Deal, *, actor, upheld: bool, comment: str = "", now: datetime | None = None) -> Deal:
    """A reviewer upholds (the deal is cancelled) or dismisses (the notice continues) the open objections."""
    require_role(actor, "reviewer")
    now = _now(now)
    if deal.status != "objected":
        raise Conflict(_("该交易没有待处理的异议"))
    for o in deal.objections:
        if o.status == "open":
            OBJECTION.apply(o, "upheld" if upheld else "dismissed", actor=actor, comment=comment or None,
                            action="uphold" if upheld else "dismiss", resolved_by_id=actor.id, resolved_at=now,
                            resolution_comment=comment or None)
    if upheld:
        deal.cancel_reason_code = "objection_upheld"
        deal.cancel_comment = comment or None
        deal.cancelled_at = now
        DEAL.apply(deal, "cancelled", actor=actor, comment=comment or _("异议成立"), action="resolve-objection")
    else:
        # The notice clock stood still while the objection was open.
        deal.notice_ends_at = rules.paused_notice_end(deal.notice_ends_at, deal.objected_at or now, now)
        deal.objected_at = None
        DEAL.apply(deal, "public_notice", actor=actor, comment=comment or _("异议不成立，继续公示"),
                   action="resolve-objection")
    db.session.flush()
    return deal


# -- contract --------------------------------------------------------------------------------------

def complete_deal(deal: Deal, *, actor, now: datetime | None = None) -> Deal:
    require_login(actor)
    if not sides(deal, actor=actor):
        raise Forbidden(_("只有交易双方或其经纪人可以操作"))
    if deal.status != "paid" or any(i.status != "released" for i in deal.instalments):
        raise Conflict(_("全部分期付清并由买方确认放款后才能完成"))
    deal.completed_at = _now(now)
    DEAL.apply(deal, "completed", actor=actor, action="complete")
    db.session.flush()
    return deal


def cancel_deal(deal: Deal, *, actor, reason_code: str, comment: str = "", now: datetime | None = None) -> Deal:
    """A party, its broker or a reviewer cancels with a structured reason; not once money was paid."""
    require_login(actor)
    if not (sides(deal, actor=actor) or actor.has_role("reviewer")):
        raise Forbidden(_("只有交易双方或其经纪人可以取消"))
    if reason_code not in CANCEL_REASONS or reason_code in SYSTEM_CANCEL_REASONS:
        raise Invalid.field("reason_code", _("不是可选的取消原因"))
    if reason_code == "other" and not (comment or "").strip():
        raise Invalid.field("comment", _("选择“其他”时请说明原因"))
    if any(i.status in ("held", "released") for i in deal.instalments):
        raise Conflict(_("已有付款的交易不能取消"))
    if not DEAL.can(deal, "cancelled"):
        raise Conflict(_("该交易不能取消"))
    deal.cancel_reason_code = reason_code
    deal.cancel_comment = (comment or "").strip() or None
    deal.cancelled_at = _now(now)
    DEAL.apply(deal, "cancelled", actor=actor, comment=f"{reason_code} {comment or ''}".strip(), action="cancel")
    db.session.flush()
    return deal


# -- what a page may offer -------------------------------------------------------------------------

def deal_actions(deal: Deal, now: datetime | None = None, *, actor) -> list[str]:
    """The steps `actor` may take now; pages draw their buttons from this, services enforce the same."""
    mine = sides(deal, actor=actor)
    signed_in = _signed_in(actor=actor)

    def permitted(action):
        if action == "offer":  # on an agreed or noticed deal: a new price reopens the negotiation
            return (deal.status == "negotiating" and deal.side_to_answer in mine) or (
                deal.status in REOPENABLE and bool(mine))
        if action == "accept":
            return deal.status == "negotiating" and deal.side_to_answer in mine
        if action == "object":
            return signed_in and deal.status == "public_notice" and not notice_over(deal, now)
        if action == "resolve-objection":
            return signed_in and actor.has_role("reviewer")
        if action == "sign":
            return bool(mine) and (deal.status == "agreed" or (deal.status == "public_notice"
                                                                and notice_over(deal, now)))
        if action == "pay":
            return ("buyer" in mine and deal.broker_user_id != getattr(actor, "id", None)
                    and any(i.status == "due" for i in deal.instalments))
        if action == "complete":
            return bool(mine) and all(i.status == "released" for i in deal.instalments)
        if action == "cancel":
            return (bool(mine) or (signed_in and actor.has_role("reviewer"))) and not any(
                i.status in ("held", "released") for i in deal.instalments)
        return False

    actions = DEAL.available(deal, permitted)
    if deal.status == "signed" and "pay" not in actions and permitted("pay"):
        actions.append("pay")  # instalments are paid while signed; the last one moves the deal to paid
    if deal.status == "objected" and "object" not in actions and signed_in:
        actions.append("object")
    if "sign" in actions:
        signed = {s.side: s.terms_digest for s in deal.signatures}
        theirs = [d for side, d in signed.items() if side not in mine]
        if theirs and any(signed.get(side) != theirs[0] for side in mine):
            actions.append("countersign")  # the other party signed terms this side has not
    from .contract import mandate_sides
    if mandate_sides(deal, actor=actor):
        actions.append("confirm-mandate")
    if "buyer" in mine and deal.broker_user_id != getattr(actor, "id", None) \
            and any(i.status == "held" for i in deal.instalments):
        actions.append("confirm-instalment")  # the buyer releases held money milestone by milestone
    return actions


def deal_history(deal: Deal):
    return history("deal", deal.id)
