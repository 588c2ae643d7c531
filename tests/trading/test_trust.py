"""Issue 25: a contract is what both parties signed, at the agreed (or publicly noticed) price, and a broker
binds a party only under that party's confirmed mandate."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.core.errors import Conflict, Forbidden, Invalid
from marketplace.extensions import db
from marketplace.payments.models import Payment
from marketplace.trading import services
from marketplace.trading.models import Deal, DealInstalment

from .conftest import NOW, mandate, schedule


def terms(total, parts=2):
    return {"contract_type": "transfer", "total_amount": total, "tech_amount": total, "instalments": schedule(total, parts)}


def nothing_signed(deal_id):
    db.session.rollback()
    deal = db.session.get(Deal, deal_id)
    return (deal.status != "signed" and deal.total_amount is None
            and db.session.scalar(sa.select(sa.func.count()).select_from(DealInstalment)) == 0
            and db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0)


def noticed_deal(world, amount):
    deal = services.create_deal(actor=world.buyer_user, mode="transfer", amount=amount,
                                achievement_id=world.state_owned.id, now=NOW)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    db.session.commit()
    assert deal.status == "public_notice" and deal.amount == amount
    return deal


def test_the_buyer_alone_cannot_sign_a_deal_noticed_at_a_million_for_one_yuan(world):
    deal = noticed_deal(world, 100_000_000)  # ¥1,000,000 published in the notice
    after = deal.notice_ends_at + timedelta(minutes=1)
    with pytest.raises(Invalid) as err:
        services.sign_deal(deal, actor=world.buyer_user, now=after, **terms(100))  # ¥1
    assert "total_amount" in err.value.errors and "¥1,000,000.00" in err.value.errors["total_amount"][-1]
    assert nothing_signed(deal.id)
    deal = db.session.get(Deal, deal.id)
    services.sign_deal(deal, actor=world.buyer_user, now=after, **terms(100_000_000))
    db.session.commit()
    assert deal.status == "public_notice" and [s.side for s in deal.signatures] == ["buyer"]
    assert nothing_signed(deal.id)  # one signature is no contract
    deal = db.session.get(Deal, deal.id)
    services.countersign_deal(deal, actor=world.seller_user, now=after)
    db.session.commit()
    assert (deal.status, deal.total_amount) == ("signed", 100_000_000)
    assert sum(i.amount for i in deal.instalments) == 100_000_000


def test_the_seller_alone_cannot_sign_a_deal_agreed_at_200000_for_two_million(world):
    deal = services.create_deal(actor=world.buyer_user, mode="transfer", amount=20_000_000,
                                achievement_id=world.private.id, now=NOW)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    db.session.commit()
    assert deal.status == "agreed"
    with pytest.raises(Invalid) as err:
        services.sign_deal(deal, actor=world.seller_user, now=NOW, **terms(200_000_000))
    assert "¥200,000.00" in err.value.errors["total_amount"][-1]
    assert nothing_signed(deal.id)


def test_signatures_on_different_terms_make_no_contract_until_one_side_countersigns(world):
    deal = services.create_deal(actor=world.buyer_user, mode="transfer", amount=20_000_000,
                                achievement_id=world.private.id, now=NOW)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    services.sign_deal(deal, actor=world.seller_user, now=NOW, **terms(20_000_000, parts=1))
    services.sign_deal(deal, actor=world.buyer_user, now=NOW, **terms(20_000_000, parts=4))
    db.session.commit()
    assert deal.status == "agreed" and deal.instalments == []
    assert "countersign" in services.deal_actions(deal, NOW, actor=world.seller_user)
    with pytest.raises(Forbidden):  # an outsider countersigns nothing
        services.countersign_deal(deal, actor=world.other_user, now=NOW)
    services.countersign_deal(deal, actor=world.seller_user, now=NOW)
    assert deal.status == "signed" and len(deal.instalments) == 4


def test_an_admin_binds_no_party(world, make_user):
    admin = make_user(None, roles=("admin",), name="管理员")
    deal = services.create_deal(actor=world.buyer_user, mode="transfer", amount=20_000_000,
                                achievement_id=world.private.id, now=NOW)
    with pytest.raises(Forbidden):
        services.accept_offer(deal, actor=admin, now=NOW)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    db.session.commit()
    with pytest.raises(Forbidden):
        services.sign_deal(deal, actor=admin, now=NOW, **terms(20_000_000))
    assert nothing_signed(deal.id)


def test_a_broker_alone_cannot_create_accept_and_sign_for_two_organisations_that_never_took_part(world):
    from marketplace.filing.figures import figures_for
    deal = services.create_deal(actor=world.broker, mode="transfer", amount=500_000_000,
                                achievement_id=world.private.id, buyer_org_id=world.buyer.id,
                                seller_org_id=world.seller.id, now=NOW)
    db.session.commit()
    with pytest.raises(Forbidden):  # accepting for the seller, who never mandated the broker
        services.accept_offer(deal, actor=world.broker, now=NOW)
    with pytest.raises(Forbidden):
        services.make_offer(deal, actor=world.broker, amount=1, now=NOW)
    with pytest.raises(Conflict):  # the seller cannot accept an offer the buyer never mandated either
        services.accept_offer(deal, actor=world.seller_user, now=NOW)
    with pytest.raises(Forbidden):
        services.sign_deal(deal, actor=world.broker, now=NOW, **terms(500_000_000))
    assert nothing_signed(deal.id)
    assert figures_for(world.firm)["deals_brokered"] == 0
    # Once both parties confirmed the mandate the broker acts for both, as DOMAIN.md allows.
    deal = db.session.get(Deal, deal.id)
    with pytest.raises(Forbidden):
        services.confirm_mandate(deal, actor=world.other_user, now=NOW)
    mandate(deal, world.buyer_user, world.seller_user)
    with pytest.raises(Conflict):
        services.confirm_mandate(deal, actor=world.buyer_user, now=NOW)
    services.accept_offer(deal, actor=world.broker, now=NOW)
    services.sign_deal(deal, actor=world.broker, now=NOW, **terms(500_000_000))
    db.session.commit()
    assert deal.status == "signed" and {s.side for s in deal.signatures if s.as_broker} == {"buyer", "seller"}


def test_the_parties_sign_and_countersign_on_the_deal_page(client, login, world):
    deal = services.create_deal(actor=world.buyer_user, mode="transfer", amount=20_000_000,
                                achievement_id=world.private.id)
    services.accept_offer(deal, actor=world.seller_user)
    db.session.commit()
    login(client, world.seller_user)
    page = client.get(f"/trading/deals/{deal.id}").get_data(as_text=True)
    assert 'value="200000.00"' in page  # the total starts at the agreed price
    resp = client.post(f"/trading/deals/{deal.id}/sign", data={
        "contract_type": "transfer", "total_amount": "200000", "tech_amount": "150000",
        "instalments": "2027-01-31 200000"}, follow_redirects=True)
    assert "等待对方会签" in resp.get_data(as_text=True)
    login(client, world.buyer_user)
    page = client.get(f"/trading/deals/{deal.id}").get_data(as_text=True)
    assert "按对方签署的条款会签" in page
    client.post(f"/trading/deals/{deal.id}/countersign", follow_redirects=True)
    db.session.expire_all()
    deal = db.session.get(Deal, deal.id)
    assert (deal.status, deal.tech_amount, [i.amount for i in deal.instalments]) == ("signed", 15_000_000, [20_000_000])


def test_a_public_university_cannot_skip_the_notice_by_unticking_state_owned(world, make_org, make_user,
                                                                              make_resource):
    from stdnum.cn import uscc

    from marketplace.verification import services as vs
    university = make_org(name="南京某公立大学", kind="university", verified=False)
    body = "12320000466007654"  # registered by the 机构编制 authority (1): a public institution
    vs.seed_identity(university, uscc=body + uscc.calc_check_digit(body), legal_name=university.name,
                     legal_rep="周校长")
    listing = make_resource("achievement", university, title="石墨烯薄膜制备", state_owned=False)  # box unticked
    db.session.commit()
    deal = services.create_deal(actor=world.buyer_user, mode="transfer", amount=1_000_000,
                                achievement_id=listing.id, now=NOW)
    assert deal.state_owned
    services.accept_offer(deal, actor=make_user(university), now=NOW)
    assert deal.status == "public_notice" and deal.notice_ends_at == NOW + timedelta(days=15)
    # A company's unticked listing stays a private sale.
    company = make_org(name="常州某民营科技公司", kind="enterprise", city="常州")
    private = make_resource("achievement", company, title="焊接机器人控制", state_owned=False)
    other = services.create_deal(actor=world.buyer_user, mode="transfer", amount=1_000_000,
                                 achievement_id=private.id, now=NOW)
    services.accept_offer(other, actor=make_user(company), now=NOW)
    assert other.status == "agreed"


def test_objections_come_from_verified_accounts_one_open_each_and_repeats_need_new_grounds(world, make_user):
    deal = noticed_deal(world, 100_000_000)
    unverified = make_user(world.other, email_verified_at=None)
    with pytest.raises(Forbidden):
        services.object_to_deal(deal, actor=unverified, reason="价格偏低", now=NOW)
    assert deal.status == "public_notice" and deal.objections == []
    services.object_to_deal(deal, actor=world.other_user, reason="价格偏低", now=NOW + timedelta(days=1))
    with pytest.raises(Conflict):  # one open objection per account
        services.object_to_deal(deal, actor=world.other_user, reason="另一个理由", now=NOW + timedelta(days=1))
    services.resolve_objection(deal, actor=world.reviewer, upheld=False, now=NOW + timedelta(days=2))
    with pytest.raises(Invalid):  # the same grounds again, however spaced
        services.object_to_deal(deal, actor=world.other_user, reason=" 价格 偏低！", now=NOW + timedelta(days=3))
    assert deal.status == "public_notice" and len(deal.objections) == 1
    services.object_to_deal(deal, actor=world.other_user, reason="评估报告已过期", now=NOW + timedelta(days=3))
    assert deal.status == "objected" and len(deal.objections) == 2
