"""A signed deal reaches the other domains: its seller registers the contract pre-filled from it, and the
broker firm's page and annual report count it (and its registered contract)."""
from marketplace.extensions import db
from marketplace.filing.figures import figures_for
from marketplace.registration.services import prefill_for_deal
from marketplace.trading import services

from .conftest import NOW, mandate, schedule


def _signed(world):
    deal = services.create_deal(actor=world.broker, mode="transfer", amount=3_000_000, achievement_id=world.private.id,
                                buyer_org_id=world.buyer.id, seller_org_id=world.seller.id, now=NOW)
    mandate(deal, world.buyer_user, world.seller_user)
    services.make_offer(deal, actor=world.seller_user, amount=3_000_000, now=NOW)
    services.accept_offer(deal, actor=world.buyer_user, now=NOW)
    return deal


def test_seller_registers_a_signed_deal_prefilled(world):
    deal = _signed(world)
    db.session.commit()
    assert prefill_for_deal(deal.id, actor=world.seller_user) is None  # agreed, not yet signed
    services.sign_deal(deal, actor=world.broker, contract_type="transfer", total_amount=3_000_000,
                       tech_amount=2_500_000, instalments=schedule(3_000_000), now=NOW)
    db.session.commit()
    fields = prefill_for_deal(deal.id, actor=world.seller_user)
    assert fields["contract_type"] == "transfer" and fields["total_amount"] == 3_000_000
    assert fields["seller"]["name"] == "南京某大学" and fields["seller"]["nature"] == "university"
    assert fields["buyer"]["city_code"] == "3205" and fields["buyer"]["nature"] == "enterprise"
    assert fields["non_tech_items"] == [{"name": "非技术性内容", "amount": 500_000}]
    # Only the seller's side registers; the buyer and outsiders get nothing from the deal.
    assert prefill_for_deal(deal.id, actor=world.buyer_user) is None
    assert prefill_for_deal(deal.id, actor=world.other_user) is None


def test_broker_firm_figures_count_signed_deals(world):
    assert figures_for(world.firm)["deals_brokered"] == 0
    deal = _signed(world)
    services.sign_deal(deal, actor=world.broker, contract_type="transfer", total_amount=3_000_000,
                       tech_amount=2_500_000, instalments=schedule(3_000_000), now=NOW)
    _signed(world)  # agreed only: not counted
    db.session.commit()
    figures = figures_for(world.firm)
    assert (figures["deals_brokered"], figures["contract_amount"], figures["enterprises_served"]) == (1, 3_000_000, 1)
    assert figures_for(world.suspended_firm)["deals_brokered"] == 0
