"""The contract is what both parties signed: each side signs the exact terms (type, 合同成交额, 技术交易额,
instalments), the total must be the agreed (for a noticed deal: the publicly noticed) price, and the deal
is signed only when the other side countersigns the same terms. A broker binds a party only under that
party's confirmed mandate (委托)."""
from datetime import date, datetime

from flask_babel import gettext as _

from ...core.audit import record
from ...core.errors import Conflict, Forbidden, Invalid
from ...core.money import format_fen
from ...core.permissions import require_login
from ...core.timeutil import to_local
from ...extensions import db
from .. import rules
from ..models import Deal, DealInstalment, DealOffer, DealSignature
from ..states import CONTRACT_TYPES, DEAL
from .brokers import firm_commission_bp
from .deals import REOPENABLE, _now, notice_over, open_objection, sides

__all__ = ["confirm_mandate", "countersign_deal", "mandate_sides", "pending_signature", "reopen_deal", "sign_deal"]

_CONTRACT_MESSAGES = {
    "positive": lambda: _("金额必须大于 0"),
    "tech_over_total": lambda: _("技术交易额不能超过合同成交额"),
    "empty": lambda: _("请至少列出一期付款"),
    "sum": lambda: _("各期金额之和必须等于合同成交额"),
    "order": lambda: _("各期到期日应按先后排列"),
    "past": lambda: _("到期日不能早于签约当日"),
}
MANDATE_STATES = ("negotiating", "agreed", "public_notice", "objected")


def mandate_sides(deal: Deal, *, actor) -> list[str]:
    """The sides whose broker mandate `actor` (a member of that party) may still confirm."""
    if deal.broker_user_id is None or deal.status not in MANDATE_STATES or actor is None \
            or not getattr(actor, "is_authenticated", False) or actor.organisation_id is None:
        return []
    out = []
    for side, org_id in (("buyer", deal.buyer_org_id), ("seller", deal.seller_org_id)):
        if actor.organisation_id == org_id and getattr(deal, f"{side}_mandate_at") is None:
            out.append(side)
    return out


def confirm_mandate(deal: Deal, *, actor, now: datetime | None = None) -> Deal:
    """A member of a party confirms that the deal's broker acts for it (委托)."""
    require_login(actor)
    todo = mandate_sides(deal, actor=actor)
    if not todo:
        if deal.broker_user_id is None or actor.organisation_id not in (deal.buyer_org_id, deal.seller_org_id):
            raise Forbidden(_("只有交易一方的成员可以确认对经纪人的委托"))
        raise Conflict(_("委托已确认，或交易已不能再委托"))
    for side in todo:
        setattr(deal, f"{side}_mandate_at", _now(now))
        record("deal", deal.id, "confirm-mandate", actor=actor, comment=f"{side} -> broker {deal.broker_user_id}")
    db.session.flush()
    return deal


def pending_signature(deal: Deal, side: str) -> DealSignature | None:
    return next((s for s in deal.signatures if s.side == side), None)


def _terms(contract_type: str, total_amount: int, tech_amount: int, instalments: list[tuple[date, int]]) -> dict:
    return {"contract_type": contract_type, "total_amount": total_amount, "tech_amount": tech_amount,
            "instalments": [[d.isoformat(), a] for d, a in instalments]}


def _check_signable(deal: Deal, now: datetime, *, actor) -> set[str]:
    require_login(actor)
    mine = sides(deal, actor=actor)
    if not mine:
        raise Forbidden(_("只有交易双方或经其确认委托的经纪人可以签约"))
    if deal.status == "objected" or open_objection(deal) is not None:
        raise Conflict(_("有待处理的异议，暂不能签约"))
    if deal.status == "public_notice" and not notice_over(deal, now):
        raise Conflict(_("公示期至 %(end)s 结束，结束前不能签约", end=to_local(deal.notice_ends_at).strftime("%Y-%m-%d %H:%M")))
    if deal.status not in ("agreed", "public_notice"):
        raise Conflict(_("只有已议定的交易可以签约"))
    return mine


def sign_deal(deal: Deal, *, actor, contract_type: str, total_amount: int, tech_amount: int,
              instalments: list[tuple[date, int]], now: datetime | None = None) -> Deal:
    """Sign the contract for the actor's side(s). The deal is signed once both sides signed the same terms;
    until then it waits for the other party's countersignature."""
    now = _now(now)
    if deal.id is not None:  # two parties signing at once: one after the other (PostgreSQL row lock)
        db.session.execute(db.select(Deal.id).where(Deal.id == deal.id).with_for_update())
    mine = _check_signable(deal, now, actor=actor)
    if contract_type not in CONTRACT_TYPES:
        raise Invalid.field("contract_type", _("不是可选的合同类型"))
    errors = {k: [_CONTRACT_MESSAGES[v]()] for k, v in rules.contract_errors(
        total_amount, tech_amount, instalments, to_local(now).date()).items()}
    if rules.price_differs(total_amount, deal.amount):
        errors.setdefault("total_amount", []).append(
            _("合同成交额必须等于公示价格 %(price)s；改价须先报新价重新议价（国有成果须重新公示）", price=format_fen(deal.amount))
            if deal.notice_starts_at is not None else
            _("合同成交额必须等于双方议定的价格 %(price)s；改价须先报新价重新议价", price=format_fen(deal.amount)))
    if errors:
        raise Invalid(_("合同金额有误"), errors)
    terms = _terms(contract_type, total_amount, tech_amount, instalments)
    digest = rules.terms_digest(terms)
    as_broker = deal.broker_user_id == actor.id and not actor.is_member_of(deal.buyer_org_id) \
        and not actor.is_member_of(deal.seller_org_id)
    for side in sorted(mine):
        signature = pending_signature(deal, side)
        if signature is None:
            signature = DealSignature(side=side)
            deal.signatures.append(signature)
        signature.user_id, signature.as_broker = actor.id, as_broker
        signature.terms, signature.terms_digest, signature.created_at = terms, digest, now
        record("deal", deal.id, "sign", actor=actor, comment=f"{side} {contract_type} {total_amount}/{tech_amount}")
    db.session.flush()
    if {s.side for s in deal.signatures if s.terms_digest == digest} == {"buyer", "seller"}:
        _conclude(deal, contract_type, total_amount, tech_amount, instalments, now, actor=actor)
    return deal


def countersign_deal(deal: Deal, *, actor, now: datetime | None = None) -> Deal:
    """Sign exactly the terms the other party signed."""
    mine = _check_signable(deal, _now(now), actor=actor)
    other = next((s for s in deal.signatures if s.side not in mine), None)
    if other is None:
        raise Conflict(_("对方尚未签署，没有可会签的条款"))
    t = other.terms
    return sign_deal(deal, actor=actor, contract_type=t["contract_type"], total_amount=t["total_amount"],
                     tech_amount=t["tech_amount"], now=now,
                     instalments=[(date.fromisoformat(d), a) for d, a in t["instalments"]])


def _conclude(deal: Deal, contract_type, total_amount, tech_amount, instalments, now, *, actor):
    deal.contract_type = contract_type
    deal.total_amount = total_amount
    deal.tech_amount = tech_amount
    deal.signed_at = now
    if deal.broker_firm_id is not None:
        deal.commission_bp = firm_commission_bp(deal.broker_firm, to_local(now).date())
    for seq, (due_on, amount) in enumerate(instalments, start=1):
        deal.instalments.append(DealInstalment(seq=seq, due_on=due_on, amount=amount, status="due"))
    DEAL.apply(deal, "signed", actor=actor, comment=f"{contract_type} {total_amount}/{tech_amount}", action="sign")
    db.session.flush()


def reopen_deal(deal: Deal, *, actor, amount: int, message: str = "", now: datetime | None = None) -> Deal:
    """A party changes the price after agreement: the agreement, the notice and any signature of the old
    terms lapse, and the new price is an offer the other side answers (accepted, a state-owned seller's
    price is noticed again). Signing at another price than the agreed one is refused (contract.sign_deal)."""
    now = _now(now)
    require_login(actor)
    if deal.id is not None:  # a signature arriving at the same time waits for this (PostgreSQL row lock)
        db.session.execute(db.select(Deal.id).where(Deal.id == deal.id).with_for_update())
        db.session.refresh(deal)
    if deal.status not in REOPENABLE:
        raise Conflict(_("只有已议定或公示中的交易可以改价重新议价"))
    mine = sides(deal, actor=actor)
    if not mine:
        raise Forbidden(_("只有交易双方或其经纪人可以操作"))
    if amount == deal.amount:
        raise Invalid.field("amount", _("新价格与议定价格相同"))
    side = deal.side_to_answer if deal.side_to_answer in mine else sorted(mine)[0]
    for signature in list(deal.signatures):
        db.session.delete(signature)
    deal.offers.append(DealOffer(side=side, amount=amount, message=message or "", by_user_id=actor.id,
                                 created_at=now))
    before = deal.amount
    deal.amount, deal.last_offer_side, deal.price_mode = amount, side, "negotiated"
    deal.agreed_at = deal.notice_starts_at = deal.notice_ends_at = None
    DEAL.apply(deal, "negotiating", actor=actor, action="offer",
               comment=_("%(side)s 改价 %(old)s → %(new)s，重新议价", side=side, old=before, new=amount))
    db.session.flush()
    db.session.expire(deal, ["signatures"])
    return deal
