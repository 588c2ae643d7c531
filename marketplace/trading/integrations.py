"""What trading tells other domains through their registries (they never import trading):
contract registration pre-fills an application from a signed deal, and counts the registered contracts
of the deals a firm brokered; firm filing shows deals brokered, contract amounts and enterprises served."""
import sqlalchemy as sa

from ..accounts.models import Organisation
from ..core.timeutil import to_local
from ..extensions import db
from .models import Deal, DealInstalment

SIGNED = ("signed", "paid", "completed")
NATURES = {"enterprise": "enterprise", "research_institute": "research_institute", "university": "university"}


def _party(org: Organisation) -> dict:
    from ..registration.reference import JIANGSU_CITY_CODES
    codes = {name: code for code, name in JIANGSU_CITY_CODES.items()}
    return {"name": org.name, "uscc": org.credit_code or "", "city_code": codes.get(org.city, ""),
            "nature": NATURES.get(org.kind, "other")}


def deal_fields(deal_id: int, *, actor) -> dict | None:
    """A signed deal's application fields, for members of the seller's organisation (who register it)."""
    deal = db.session.get(Deal, deal_id)
    if (deal is None or deal.status not in SIGNED or actor is None
            or not getattr(actor, "is_authenticated", False) or not actor.is_member_of(deal.seller_org_id)):
        return None
    seller, buyer = db.session.get(Organisation, deal.seller_org_id), db.session.get(Organisation, deal.buyer_org_id)
    total, tech = deal.total_amount or 0, deal.tech_amount or 0
    fields = {"project_name": deal.title[:200], "contract_type": deal.contract_type, "seller": _party(seller),
              "buyer": _party(buyer), "total_amount": total,
              # What the contract pays beyond the technology is declared as one non-technical item.
              "non_tech_items": [{"name": "非技术性内容", "amount": total - tech}] if total > tech else []}
    if deal.signed_at:
        fields["signed_on"] = to_local(deal.signed_at).date()
    return fields


def _brokered(firm, year: int | None):
    query = sa.select(Deal).where(Deal.broker_firm_id == firm.id, Deal.status.in_(SIGNED))
    deals = db.session.scalars(query).all()
    return [d for d in deals if year is None or (d.signed_at and to_local(d.signed_at).year == year)]


def brokered_deal_ids(firm, year: int | None) -> list[int]:
    return [d.id for d in _brokered(firm, year)]


def amount_received(firm, year: int | None) -> int:
    """What buyers paid under the contracts the firm brokered (实际到账): instalments received in `year`
    (None: all years) and not refunded, held under supervision or released, whenever the deal was signed."""
    rows = db.session.execute(sa.select(DealInstalment.amount, DealInstalment.paid_at).join(Deal).where(
        Deal.broker_firm_id == firm.id, DealInstalment.status.in_(("held", "released")))).all()
    return sum(amount for amount, paid_at in rows
               if year is None or (paid_at is not None and to_local(paid_at).year == year))


def firm_figures(firm, year: int | None) -> dict:
    deals = _brokered(firm, year)
    return {"deals_brokered": len(deals), "contract_amount": sum(d.total_amount or 0 for d in deals),
            "enterprises_served": len({d.buyer_org_id for d in deals}),
            "amount_received": amount_received(firm, year)}


def register():
    from ..filing.figures import register_provider
    from ..registration.services.figures import register_brokered_deals
    from ..registration.services.prefill import register_prefill_source
    register_prefill_source("trading", deal_fields)
    register_brokered_deals("trading", brokered_deal_ids)
    register_provider("trading", firm_figures)
