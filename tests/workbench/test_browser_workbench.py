"""The workbench in headless Chromium on a desktop and a phone: log in → the workbench → act → back,
with nothing running off the side of the screen (the booking queue's buttons included)."""
import re

import pytest

from marketplace.core.db import writing
from marketplace.extensions import db
from tests.booking.conftest import slot
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.fixture(params=list(VIEWPORTS))
def vpage(browser, request):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=VIEWPORTS[request.param])
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def requested(app, make_org, make_user, make_resource):
    from marketplace.booking.models import Booking
    lab = make_org(name="南京大学现代分析中心", kind="university")
    company = make_org(name="无锡感知科技有限公司", kind="enterprise", city="无锡")
    inst = make_resource("instrument", lab, title="场发射扫描电子显微镜（日立 SU8010）")
    lab_user, co_user = make_user(org=lab, email="lab@test.cn"), make_user(org=company)
    bookings = []
    with writing():
        for day in range(3):
            start, end = slot(day_offset=day, hh=9)
            bookings.append(Booking(instrument_id=inst.id, user_id=co_user.id, org_id=company.id,
                                    provider_org_id=lab.id, start=start, end=end, purpose="锂电池正极材料截面形貌观察",
                                    status="requested", price_unit="hour", unit_price=40_000, internal=False,
                                    service_mode="staff_operated", fee=40_000))
        db.session.add_all(bookings)
        db.session.commit()
    return lab_user, bookings


def test_a_lab_logs_in_to_its_workbench_approves_and_comes_back(vpage, live_server, requested):
    lab_user, bookings = requested
    log_in(vpage, live_server, lab_user.email)
    vpage.wait_for_url(re.compile(r"/workbench$"))
    queue = vpage.locator("#queue-booking_request")
    assert queue.locator("h2 .badge").inner_text() == "3"
    assert queue.locator("li.wb-item").count() == 3
    assert vpage.evaluate(FITS)
    act = queue.locator("li.wb-item").first.locator("a.wb-act")
    assert act.is_visible() and act.bounding_box()["x"] + act.bounding_box()["width"] <= vpage.viewport_size["width"]
    act.click()
    vpage.wait_for_url(re.compile(rf"/booking/{bookings[0].id}$"))
    vpage.click("main button:has-text('批准')")
    vpage.wait_for_load_state()
    vpage.goto(f"{live_server}/workbench")
    assert vpage.locator("#queue-booking_request h2 .badge").inner_text() == "2"
    # the full queue: every approve button on the screen, the page no wider than the phone
    vpage.click("#queue-booking_request a:has-text('打开列表')")
    vpage.wait_for_url(re.compile(r"/booking/queue"))
    assert vpage.evaluate(FITS)
    for button in vpage.locator("tr[data-booking] button:has-text('批准')").all():
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= vpage.viewport_size["width"]
