"""The trading pages: calls to action, forms that answer bad input with 4xx and change nothing, the notice
page, the broker workspace and the platform section."""
from marketplace.extensions import db
from marketplace.trading import services
from marketplace.trading.models import Deal, Demand

from .conftest import NOW


def test_an_achievement_page_has_a_real_call_to_action(client, world, login):
    html = client.get(f"/resources/{world.fixed.id}").get_data(as_text=True)
    assert "按挂牌价报价即成交" in html and "登录后报价" in html
    login(client, world.buyer_user)
    html = client.get(f"/resources/{world.private.id}").get_data(as_text=True)
    assert f"/trading/deals/new?achievement_id={world.private.id}" in html
    login(client, world.seller_user)
    html = client.get(f"/resources/{world.private.id}").get_data(as_text=True)
    assert "有新的匹配需求时通知我" in html


def test_buying_a_fixed_listing_from_its_page_agrees_at_once(client, world, login):
    login(client, world.buyer_user)
    resp = client.post(f"/trading/deals/new?achievement_id={world.fixed.id}",
                       data={"mode": "transfer", "amount": "500,000.00", "message": "按挂牌价"})
    assert resp.status_code == 302
    deal = db.session.query(Deal).one()
    assert (deal.status, deal.amount, deal.price_mode) == ("agreed", 50_000_000, "fixed")


def test_bad_amounts_in_the_offer_form_are_422_and_save_nothing(client, world, login):
    login(client, world.buyer_user)
    for amount in ("-1", "abc", "1e20", "", "1.005.5"):
        resp = client.post(f"/trading/deals/new?achievement_id={world.private.id}",
                           data={"mode": "transfer", "amount": amount})
        assert resp.status_code == 422, amount
    assert db.session.query(Deal).count() == 0


def test_a_demand_posted_from_the_form_and_its_page(client, world, login):
    login(client, world.buyer_user)
    assert client.get("/trading/demands/new").status_code == 200
    resp = client.post("/trading/demands/new", data={"title": "寻求污水处理技术", "city": "苏州", "deadline": "2099-01-01",
                                                     "budget_min": "10000", "budget_max": "5000"})
    assert resp.status_code == 422 and db.session.query(Demand).count() == 0  # max below min
    resp = client.post("/trading/demands/new", data={"title": "寻求污水处理技术", "city": "苏州", "deadline": "2099-01-01",
                                                     "budget_min": "10000", "budget_max": "50000.50"})
    assert resp.status_code == 302
    demand = db.session.query(Demand).one()
    assert (demand.budget_min, demand.budget_max, demand.status) == (1_000_000, 5_000_050, "draft")
    client.post(f"/trading/demands/{demand.id}/submit")
    assert demand.status == "pending_review"
    assert client.post(f"/trading/demands/{demand.id}/publish").status_code == 403


def test_the_notice_page_and_list_show_name_parties_price_and_end(client, world, login):
    deal = services.create_deal(actor=world.buyer_user, mode="transfer", amount=12_345_600,
                                achievement_id=world.state_owned.id, now=NOW)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    db.session.commit()
    html = client.get("/trading/notices").get_data(as_text=True)
    assert deal.title in html and world.seller.name in html and world.buyer.name in html and "¥123,456.00" in html
    html = client.get(f"/trading/notices/{deal.id}").get_data(as_text=True)
    assert "2026-12-16 10:00" in html and "登录后可提出异议" in html
    login(client, world.other_user)
    assert client.post(f"/trading/deals/{deal.id}/object", data={"reason": ""}).status_code == 302
    assert deal.status == "public_notice"  # an empty reason changes nothing
    client.post(f"/trading/deals/{deal.id}/object", data={"reason": "价格偏低"})
    db.session.expire_all()
    assert db.session.get(Deal, deal.id).status == "objected"


def test_the_workspace_shows_what_waits_for_whom(client, world, login):
    services.create_deal(actor=world.broker, mode="transfer", amount=1, achievement_id=world.private.id,
                         buyer_org_id=world.buyer.id, seller_org_id=world.seller.id, now=NOW)
    db.session.commit()
    login(client, world.broker)
    html = client.get("/trading/workspace").get_data(as_text=True)
    assert "等待卖方" in html and world.private.title in html


def test_the_trading_platform_page_has_its_sections(client, world, make_demand):
    make_demand()
    html = client.get("/platforms/trading").get_data(as_text=True)
    assert "技术交易概况" in html and "寻求锂电池正极材料技术" in html and "公示中的交易" in html
    assert "/trading/demands" in html and "/trading/notices" in html


def test_pages_render_in_english(client, world, login):
    login(client, world.buyer_user)
    client.get("/lang/en")
    html = client.get("/trading/demands").get_data(as_text=True)
    assert "Technology demands" in html
