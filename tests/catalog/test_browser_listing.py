"""The instrument page puts price, availability and the booking action in the first screen (desktop and
phone); a published listing's price edit stays private until a reviewer approves it from the queue."""
import re

import pytest

from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture
def lab(make_org):
    return make_org(name="南京大学现代分析中心", kind="university", city="南京")


@pytest.fixture
def owner(make_user, lab):
    return make_user(org=lab, email="owner@lab.test", name="王老师")


@pytest.fixture
def reviewer(make_user, make_org):
    return make_user(org=make_org(name="省科技厅", kind="government"), roles=("reviewer",),
                     email="reviewer@gov.test", name="审核员")


@pytest.fixture
def inst(make_resource, lab):
    long_text = "\n".join(f"第 {i} 段：仪器的详细介绍、开放时间、服务流程与收费依据。" * 3 for i in range(30))
    return make_resource("instrument", lab, title="场发射扫描电子显微镜", summary="高分辨形貌观察与能谱分析",
                         description=long_text, specs=long_text, functions=long_text,
                         service_mode="staff_operated", price_unit="hour", internal_price=20_000,
                         external_price=40_000, bookable=True)


def new_page(browser, size):
    width, height = size
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": width, "height": height},
                                  is_mobile=width < 500, has_touch=width < 500)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_price_availability_and_booking_in_the_first_screen(browser, live_server, inst, name):
    context, page = new_page(browser, VIEWPORTS[name])
    try:
        page.goto(f"{live_server}/resources/{inst.id}")
        height = VIEWPORTS[name][1]
        for selector in ("#summary-price", "#summary-availability", "#summary-book"):
            box = page.locator(selector).bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, (name, selector, box)
        assert "¥400.00" in page.inner_text("#summary-price")
        assert "最近可约" in page.inner_text("#summary-availability")
        page.click("#summary-book")
        page.wait_for_url(re.compile(r"/(booking/instruments/\d+/book|login)"))
    finally:
        context.close()


def test_price_edit_waits_for_the_reviewer(browser, live_server, inst, owner, reviewer):
    base = live_server
    context, page = new_page(browser, VIEWPORTS["desktop"])
    try:
        log_in(page, base, owner.email)
        page.goto(f"{base}/resources/{inst.id}/edit")
        page.fill("input[name=external_price]", "520")
        page.click("main form.card button[type=submit]")
        page.wait_for_url(re.compile(rf"/resources/{inst.id}$"))
        assert "修改已提交审核" in page.inner_text("main")
        row = page.locator("#revision tr[data-field=external_price]")
        assert "¥400.00" in row.inner_text() and "¥520.00" in row.inner_text()
        page.click("nav.user-nav form button[type=submit]")
        page.wait_for_load_state()

        page.goto(f"{base}/resources/{inst.id}")  # a visitor still sees the published price
        assert "¥400.00" in page.inner_text("#summary-price")
        assert page.locator("#revision").count() == 0

        log_in(page, base, reviewer.email)
        page.goto(f"{base}/review")
        item = page.locator("article[data-kind=revision]").first
        assert "场发射扫描电子显微镜" in item.inner_text() and "¥520.00" in item.inner_text()
        item.locator("button[data-decision=approve]").click()
        page.wait_for_load_state()
        assert "已通过「场发射扫描电子显微镜」的修改" in page.inner_text("main")
        assert page.locator("article[data-kind=revision]").count() == 0
        page.click("nav.user-nav form button[type=submit]")
        page.wait_for_load_state()

        page.goto(f"{base}/resources/{inst.id}")
        assert "¥520.00" in page.inner_text("#summary-price")
    finally:
        context.close()
