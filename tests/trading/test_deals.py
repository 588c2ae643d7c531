"""The deal state machine, allowed and refused by role, with a clock the test sets."""
from datetime import timedelta

import pytest

from marketplace.core.errors import Conflict, Forbidden, Invalid
from marketplace.extensions import db
from marketplace.trading import services
from marketplace.trading.models import Deal

from .conftest import NOW, mandate, schedule, sign_both


def offer(world, achievement=None, actor=None, amount=30_000_000, **kw):
    deal = services.create_deal(actor=actor or world.buyer_user, mode="transfer", amount=amount, message="首次报价",
                                achievement_id=(achievement or world.state_owned).id, now=NOW, **kw)
    db.session.commit()
    return deal


def test_buyer_offers_seller_counters_buyer_accepts_and_a_state_owned_seller_goes_to_notice(world):
    deal = offer(world)
    assert (deal.status, deal.seller_org_id, deal.buyer_org_id, deal.last_offer_side) == (
        "negotiating", world.seller.id, world.buyer.id, "buyer")
    with pytest.raises(Forbidden):  # the side that made the last offer cannot accept it
        services.accept_offer(deal, actor=world.buyer_user, now=NOW)
    with pytest.raises(Forbidden):  # nor offer again out of turn
        services.make_offer(deal, actor=world.buyer_user, amount=1, now=NOW)
    services.make_offer(deal, actor=world.seller_user, amount=40_000_000, message="还价", now=NOW)
    with pytest.raises(Forbidden):
        services.accept_offer(deal, actor=world.seller_user, now=NOW)
    with pytest.raises(Forbidden):  # an outsider is no side at all
        services.accept_offer(deal, actor=world.other_user, now=NOW)
    services.accept_offer(deal, actor=world.buyer_user, now=NOW)
    assert deal.status == "public_notice" and deal.amount == 40_000_000
    assert deal.notice_ends_at == NOW + timedelta(days=15)
    assert [o.side for o in deal.offers] == ["buyer", "seller"]


def test_a_private_seller_is_agreed_without_notice(world):
    deal = offer(world, world.private)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    assert deal.status == "agreed" and deal.notice_ends_at is None


def test_accepting_a_fixed_listing_price_agrees_at_once_without_notice(world):
    deal = offer(world, world.fixed, amount=50_000_000)
    assert (deal.status, deal.price_mode) == ("agreed", "fixed")
    other = offer(world, world.fixed, amount=40_000_000)
    assert (other.status, other.price_mode) == ("negotiating", "negotiated")


def test_notice_days_are_configurable(app, world):
    app.config["TRADING_NOTICE_DAYS"] = 20
    deal = offer(world)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    assert deal.notice_ends_at == NOW + timedelta(days=20)


def test_a_broker_names_both_organisations_and_speaks_for_both_sides(world):
    deal = offer(world, actor=world.broker, buyer_org_id=world.buyer.id, seller_org_id=world.seller.id)
    assert deal.broker_user_id == world.broker.id and deal.last_offer_side == "buyer"
    mandate(deal, world.buyer_user, world.seller_user)
    services.make_offer(deal, actor=world.broker, amount=35_000_000, now=NOW)  # for the seller
    assert deal.last_offer_side == "seller"
    services.accept_offer(deal, actor=world.buyer_user, now=NOW)
    assert deal.status == "public_notice"


def test_a_company_cannot_broker(world):
    with pytest.raises(Forbidden):
        offer(world, actor=world.buyer_user, buyer_org_id=world.other.id, seller_org_id=world.seller.id)
    assert db.session.query(Deal).count() == 0


def test_a_suspended_firms_manager_cannot_broker(world):
    with pytest.raises(Forbidden):
        offer(world, actor=world.suspended_broker, buyer_org_id=world.buyer.id, seller_org_id=world.seller.id)
    deal = offer(world, actor=world.broker, buyer_org_id=world.buyer.id, seller_org_id=world.seller.id)
    mandate(deal, world.buyer_user, world.seller_user)
    world.firm.status = "suspended"  # the firm is suspended: its manager stops speaking for the parties
    for m in world.firm.managers:
        m.active = False
    db.session.commit()
    with pytest.raises(Forbidden):
        services.make_offer(deal, actor=world.broker, amount=1, now=NOW)


def test_a_seller_answers_a_demand(world, make_demand):
    demand = make_demand()
    deal = services.create_deal(actor=world.seller_user, mode="licence", amount=20_000_000, demand_id=demand.id,
                                now=NOW)
    assert (deal.buyer_org_id, deal.seller_org_id, deal.last_offer_side) == (world.buyer.id, world.seller.id, "seller")
    services.accept_offer(deal, actor=world.buyer_user, now=NOW)
    assert deal.status == "public_notice"  # a university's technology is state-owned
    company = services.create_deal(actor=world.other_user, mode="licence", amount=1, demand_id=demand.id, now=NOW)
    services.accept_offer(company, actor=world.buyer_user, now=NOW)
    assert company.status == "agreed"  # a company's is not


def test_one_cannot_trade_with_oneself(world):
    with pytest.raises(Invalid):
        offer(world, actor=world.seller_user)


def test_notice_objection_dismissed_pauses_the_clock_then_signing(world):
    deal = offer(world)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    end = deal.notice_ends_at
    sign = {"contract_type": "transfer", "total_amount": 30_000_000, "tech_amount": 30_000_000,
                "instalments": schedule(30_000_000)}
    with pytest.raises(Conflict):  # the notice has not ended
        services.sign_deal(deal, actor=world.buyer_user, now=NOW + timedelta(days=14), **sign)
    services.object_to_deal(deal, actor=world.other_user, reason="价格明显偏低", now=NOW + timedelta(days=3))
    assert deal.status == "objected"
    with pytest.raises(Conflict):  # an open objection
        services.sign_deal(deal, actor=world.buyer_user, now=NOW + timedelta(days=30), **sign)
    with pytest.raises(Forbidden):  # only a reviewer resolves
        services.resolve_objection(deal, actor=world.seller_user, upheld=False)
    services.resolve_objection(deal, actor=world.reviewer, upheld=False, comment="价格经评估合理",
                               now=NOW + timedelta(days=5))
    assert deal.status == "public_notice" and deal.notice_ends_at == end + timedelta(days=2)
    with pytest.raises(Conflict):
        services.sign_deal(deal, actor=world.buyer_user, now=end + timedelta(days=1), **sign)
    sign_both(deal, world.buyer_user, world.seller_user, now=end + timedelta(days=2), **sign)
    assert deal.status == "signed" and [i.amount for i in deal.instalments] == [15_000_000, 15_000_000]


def test_an_upheld_objection_cancels_the_deal(world):
    deal = offer(world)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    services.object_to_deal(deal, actor=world.other_user, reason="未经评估", now=NOW + timedelta(days=1))
    services.resolve_objection(deal, actor=world.reviewer, upheld=True, comment="成立", now=NOW + timedelta(days=2))
    assert (deal.status, deal.cancel_reason_code) == ("cancelled", "objection_upheld")
    assert deal.objections[0].status == "upheld"


def test_objections_need_a_signed_in_user_and_a_deal_in_notice(world):
    from marketplace.core.errors import Unauthorized
    deal = offer(world)
    with pytest.raises(Unauthorized):
        services.object_to_deal(deal, actor=None, reason="x")
    with pytest.raises(Conflict):
        services.object_to_deal(deal, actor=world.other_user, reason="x", now=NOW)


def test_cancel_needs_a_structured_reason_and_a_party(world):
    deal = offer(world)
    with pytest.raises(Forbidden):
        services.cancel_deal(deal, actor=world.other_user, reason_code="price")
    with pytest.raises(Invalid):
        services.cancel_deal(deal, actor=world.buyer_user, reason_code="other", comment="")
    with pytest.raises(Invalid):  # only a reviewer's decision upholds an objection
        services.cancel_deal(deal, actor=world.buyer_user, reason_code="objection_upheld")
    services.cancel_deal(deal, actor=world.buyer_user, reason_code="price", comment="太贵")
    assert (deal.status, deal.cancel_reason_code, deal.cancel_comment) == ("cancelled", "price", "太贵")
    with pytest.raises(Conflict):
        services.make_offer(deal, actor=world.seller_user, amount=1)


def test_every_step_is_audited(world):
    deal = offer(world, world.private)
    services.make_offer(deal, actor=world.seller_user, amount=31_000_000, now=NOW)
    services.accept_offer(deal, actor=world.buyer_user, now=NOW)
    actions = [h.action for h in services.deal_history(deal)]
    assert actions == ["create", "offer", "accept"]


def test_the_sweep_ends_notices_and_expires_demands(world, make_demand):
    from datetime import date

    from marketplace.trading.services.sweep import sweep
    deal = offer(world)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    demand = make_demand(deadline=date(2026, 12, 10))
    counts = sweep(NOW + timedelta(days=10))
    assert counts["notices_ended"] == 0 and counts["demands_expired"] == 1 and demand.status == "expired"
    counts = sweep(NOW + timedelta(days=15))
    assert counts["notices_ended"] == 1 and deal.status == "agreed"
    assert sweep(NOW + timedelta(days=15))["notices_ended"] == 0


@pytest.mark.slow
def test_two_reviewers_deciding_one_objection_at_once_decide_it_once(app, world, make_user):
    """One upholds while the other dismisses, at the same moment: one decision stands, the other is told
    the objection was decided meanwhile; the deal, the objection and the audit log agree."""
    import sqlalchemy as sa

    from marketplace.accounts.models import User
    from marketplace.core.models import AuditLog
    from marketplace.trading.models import DealObjection
    from tests.races import committed, failures, race

    deal = offer(world)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    services.object_to_deal(deal, actor=world.other_user, reason="未经评估", now=NOW + timedelta(days=1))
    deal_id = deal.id
    reviewer_ids = [world.reviewer.id, make_user(roles=("reviewer",)).id]

    @committed
    def decide(i):
        services.resolve_objection(db.session.get(Deal, deal_id), actor=db.session.get(User, reviewer_ids[i]),
                                   upheld=i == 0, comment=f"审查意见 {i}", now=NOW + timedelta(days=2))
        return "upheld" if i == 0 else "dismissed"

    results = race(app, 2, decide)
    assert failures(results, Conflict) == []
    wins = [r for r in results if isinstance(r, str)]
    assert len(wins) == 1, results
    objection = db.session.scalars(sa.select(DealObjection).where(DealObjection.deal_id == deal_id)).one()
    assert objection.status == wins[0]
    assert db.session.get(Deal, deal_id).status == ("cancelled" if wins == ["upheld"] else "public_notice")
    assert db.session.scalars(sa.select(AuditLog.to_state).where(AuditLog.entity == "deal_objection")).all() == wins
