"""A broker creates a deal for two clients, the buyer counter-offers, the seller accepts, the notice runs,
the deal is signed and the buyer pays the first instalment with the 4242 card — in headless Chromium."""
import re
from datetime import timedelta

import pytest

from marketplace.extensions import db
from marketplace.trading.models import Deal
from tests.browser import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_broker_deal_through_notice_signing_and_first_payment(app, page, live_server, localstripe, world,
                                                             make_demand):
    app.config["STRIPE_API_BASE"] = localstripe
    base = live_server
    demand = make_demand(title="寻求高镍正极材料量产工艺")
    # Each party confirms what it is asked to (accepting a price, signing): the confirmations themselves are
    # tested in tests/workbench; here the journey goes through them.
    page.on("dialog", lambda d: d.accept())
    # --- the broker answers the company's demand for the university (seller) and names both
    log_in(page, base, world.broker.email)
    page.goto(f"{base}/trading/demands/{demand.id}")
    page.click("a:has-text('应答并报价')")
    page.wait_for_url(re.compile(r"/trading/deals/new"))
    page.select_option("select[name=mode]", "transfer")
    page.fill("input[name=amount]", "300000")
    page.fill("textarea[name=message]", "卖方报价，含技术培训")
    page.fill("#seller_org_id-name", world.seller.name)  # the seller by name (the picker resolves it)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/trading/deals/\d+$"))
    deal_id = int(page.url.rsplit("/", 1)[1])
    assert "等待买方" in page.inner_text("#waiting")
    page.goto(f"{base}/trading/workspace")
    assert "等待买方" in page.inner_text("#workspace")
    log_out(page)
    # --- the buyer counter-offers
    log_in(page, base, world.buyer_user.email)
    page.goto(f"{base}/trading/deals/{deal_id}")
    page.fill("#offer-form input[name=amount]", "250000")
    page.fill("#offer-form textarea[name=message]", "预算有限")
    page.click("#offer-form button[type=submit]")
    page.wait_for_load_state()
    assert "¥250,000.00" in page.inner_text("#amount")
    log_out(page)
    # --- the seller accepts: a university's price goes to public notice
    log_in(page, base, world.seller_user.email)
    page.goto(f"{base}/trading/deals/{deal_id}")
    page.click("button:has-text('接受对方报价')")
    page.wait_for_load_state()
    assert "公示中" in page.inner_text("h1")
    page.goto(f"{base}/trading/notices")
    assert "寻求高镍正极材料量产工艺" in page.inner_text("#notices")
    # --- the notice period passes (the clock moves on)
    with app.app_context():
        deal = db.session.get(Deal, deal_id)
        deal.notice_ends_at = deal.notice_ends_at - timedelta(days=16)
        db.session.commit()
    page.goto(f"{base}/trading/deals/{deal_id}")
    page.select_option("#sign-form select[name=contract_type]", "transfer")
    page.fill("#sign-form input[name=total_amount]", "250000")
    page.fill("#sign-form input[name=tech_amount]", "240000")
    page.fill("#sign-form textarea[name=instalments]", "2027-01-31 100000\n2027-06-30 150000")
    page.click("#sign-form button[type=submit]")
    page.wait_for_load_state()
    assert "等待对方会签" in page.inner_text("main") and "公示中" in page.inner_text("h1")
    log_out(page)
    # --- the buyer countersigns the same terms: the contract is what both signed
    log_in(page, base, world.buyer_user.email)
    page.goto(f"{base}/trading/deals/{deal_id}")
    page.click("button:has-text('按对方签署的条款会签')")
    page.wait_for_load_state()
    assert "已签约" in page.inner_text("h1")
    # --- the buyer pays the first instalment with the 4242 card
    page.goto(f"{base}/trading/deals/{deal_id}")
    page.click("#instalments a:has-text('付款')")
    page.wait_for_url(re.compile(r"/checkout$"))
    assert page.inner_text("#due") == "¥100,000.00"
    page.wait_for_selector("#card-element input")  # the gateway's script takes the card
    inputs = page.locator("#card-element input")
    for i, value in enumerate(("4242424242424242", "12", "30", "123", "21000")):
        inputs.nth(i).fill(value)
    page.once("dialog", lambda d: d.accept())
    page.click("#card-submit")
    page.wait_for_url(re.compile(r"/trading/deals/\d+$"))
    rows = page.locator("#instalments tbody tr")
    # held in the supervised account until the buyer confirms the milestone
    assert "资金监管中" in rows.nth(0).inner_text() and "待付款" in rows.nth(1).inner_text()
