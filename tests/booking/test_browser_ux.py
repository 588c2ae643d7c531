"""Issue 15 in headless Chromium, on a desktop (1280×800) and a phone (390×844): a visitor finds the
subsidy policy from the sharing platform; a company sees its subsidy and net payable before it
submits; what it owes shows under "to pay" with a count in the nav; the booking page says when
check-in opens; an expired card is refused in Chinese next to its field; a payment ends on a receipt."""
import re
from datetime import time, timedelta

import pytest

from marketplace.booking import rules
from marketplace.core.db import writing
from marketplace.core.timeutil import to_local, utcnow
from marketplace.extensions import db
from marketplace.subsidy import services as ss
from tests.booking.conftest import next_monday
from tests.booking.test_browser_booking import log_in
from tests.subsidy.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(VIEWPORTS))
def vpage(browser, request):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=VIEWPORTS[request.param])
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def world(app, make_org, make_user, make_resource):
    w = World(make_org, make_user, make_resource)
    w.new_programme()
    year = to_local(utcnow()).year
    if w.programme.year != year:  # the policy is this year's programme's
        w.programme.year = year
        db.session.commit()
    return w


def test_visitor_opens_the_policy_from_the_sharing_platform(vpage, live_server, world):
    vpage.goto(f"{live_server}/platforms/sharing")
    vpage.click("main a:has-text('双向补贴')")
    vpage.wait_for_url(re.compile(r"/subsidy/policy$"))
    assert vpage.locator("h1").inner_text() == "大型科学仪器共享双向补贴"
    rates = vpage.locator("#rates")
    assert rates.is_visible()
    assert "30%" in rates.locator("tr[data-rate=sme]").inner_text()
    assert "¥20,000.00" in vpage.inner_text("#booking-cap")
    assert vpage.locator("#verify-link").is_visible()
    # nothing runs off the side of a phone
    assert vpage.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_quote_shows_subsidy_and_net_before_submitting(vpage, live_server, world):
    user = world.co_user  # a verified in-province SME: 30 %
    week = next_monday()
    log_in(vpage, live_server, user.email)
    vpage.goto(f"{live_server}/booking/instruments/{world.instrument.id}/book?start={week.isoformat()}T09:00")
    vpage.fill("input[name=end]", f"{week.isoformat()}T11:00")
    vpage.fill("textarea[name=purpose]", "新材料断口形貌观察")
    vpage.click("#quote-booking")
    assert vpage.inner_text("#quoted-fee") == "¥800.00"
    assert vpage.inner_text("#quoted-subsidy") == "¥240.00"
    assert vpage.inner_text("#quoted-payable") == "¥560.00"
    assert "科技型中小企业" in vpage.inner_text("#quoted-rate-reason")
    vpage.click("#confirm-booking")
    vpage.wait_for_url(re.compile(r"/booking/my\?new=\d+$"))
    new = vpage.locator("tr.is-new")
    assert vpage.locator("tr[data-booking]").first.get_attribute("id") == "new-booking"
    assert "待审批" in new.inner_text()
    # the requested booking shows the same estimate before approval
    new.locator("a[href^='/booking/']").first.click()
    vpage.wait_for_url(re.compile(r"/booking/\d+$"))
    assert vpage.inner_text("#estimate-subsidy") == "¥240.00"
    assert vpage.inner_text("#estimate-payable") == "¥560.00"


def test_awaiting_payment_shows_in_to_pay_with_the_nav_count(vpage, live_server, world):
    b = world.book(hours=2)
    world.approve(b)
    world.complete(b)  # owes ¥560 after the ¥240 subsidy
    world.book(hours=1)  # an upcoming request: not to pay
    log_in(vpage, live_server, world.co_user.email)
    count = vpage.locator("nav.main-nav a[href='/booking/my'] .nav-count")
    assert count.inner_text() == "1"
    vpage.goto(f"{live_server}/booking/my")
    vpage.click("#view-to_pay")
    vpage.wait_for_url(re.compile(r"view=to_pay"))
    rows = vpage.locator("tr[data-booking]")
    assert rows.count() == 1 and rows.first.get_attribute("data-booking") == str(b.id)
    assert "待付款" in rows.first.inner_text()
    pay = rows.first.locator("a:has-text('去付款')")
    assert pay.is_visible() and "¥560.00" in pay.inner_text()


def test_check_in_window_is_said(vpage, live_server, world):
    from marketplace.booking.models import Booking
    day = next_monday()
    start = rules._to_utc(day, time(9, 15))
    b = Booking(instrument_id=world.instrument.id, user_id=world.co_user.id, org_id=world.company.id,
                provider_org_id=world.lab.id, start=start, end=start + timedelta(hours=1), purpose="测试",
                status="approved", price_unit="hour", unit_price=40_000, internal=False,
                service_mode="staff_operated", fee=40_000)
    with writing():
        db.session.add(b)
        db.session.commit()
    log_in(vpage, live_server, world.co_user.email)
    vpage.goto(f"{live_server}/booking/{b.id}")
    assert vpage.inner_text("#checkin-window") == f"签到于 {day.month}月{day.day}日 08:45 开放"
    assert vpage.locator("button:has-text('签到开始使用')").count() == 0


@pytest.fixture
def gateway(app, localstripe):
    app.config["STRIPE_API_BASE"] = localstripe
    return localstripe


def test_card_payment_through_the_gateways_script_and_receipt(vpage, live_server, world, gateway):
    b = world.book(hours=2)
    world.approve(b)
    world.complete(b)
    log_in(vpage, live_server, world.co_user.email)
    vpage.goto(f"{live_server}/booking/{b.id}")
    vpage.click("a:has-text('去付款')")
    vpage.wait_for_url(re.compile(r"/checkout$"))
    # the card goes into the gateway's own element (its script checks number and expiry); the net is paid
    vpage.wait_for_selector("#card-element input")
    inputs = vpage.locator("#card-element input")
    for i, value in enumerate(("4242424242424242", "12", "30", "123", "21000")):
        inputs.nth(i).fill(value)
    vpage.once("dialog", lambda d: d.accept())
    vpage.click("#card-submit")
    vpage.wait_for_url(re.compile(r"/receipt$"))
    assert vpage.inner_text("#receipt-amount") == "¥560.00"
    assert vpage.inner_text("#receipt-subsidy") == "−¥240.00"
    assert vpage.inner_text("#receipt-payment-id").startswith("pi_")
    assert re.match(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", vpage.inner_text("#receipt-date"))
    # printed: the receipt alone, without the site's header
    vpage.emulate_media(media="print")
    assert not vpage.locator("header.site-header").is_visible()
    assert vpage.locator("#receipt").is_visible() and not vpage.locator("button[data-print]").is_visible()
    vpage.emulate_media(media="screen")
    vpage.goto(f"{live_server}/booking/{b.id}")
    assert vpage.locator("#receipt-link").is_visible()
    assert ss.reservation_of(b) is not None
