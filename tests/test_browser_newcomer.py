"""A newcomer's first visit in a real (headless) browser: register a company, then a lab lists an
instrument, a reviewer publishes it, and it appears on the sharing platform."""
import re

import pytest

from marketplace.accounts.models import Organisation, User
from marketplace.catalog.models import Instrument
from marketplace.extensions import db
from tests.browser import log_in, nav_click

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOT = "/tmp/newcomer.png"


def _log_in(page, base, email, password="demo12345"):
    log_in(page, base, email, password)
    page.wait_for_selector("header button:has-text('退出')")


def _log_out(page):
    page.click("header button:has-text('退出')")
    page.wait_for_selector("header a:has-text('登录')")


@pytest.mark.smoke
def test_newcomer_journey(live_server, page, make_org, make_user):
    base = live_server
    lab_org = make_org(name="南京大学现代分析中心", kind="university", city="南京")
    make_user(org=lab_org, email="lab@demo.cn", name="陈晓峰", org_admin=True)
    make_user(email="reviewer@demo.cn", name="审核员 王静", roles=("reviewer",))

    # 1. the home page, and registering a company through the real form
    page.goto(base + "/")
    assert page.locator("h1").first.inner_text() == "江苏省科技资源统筹服务平台"
    assert page.locator("nav.main-nav a", has_text="资源共享平台").count() == 1
    page.click("header a:has-text('注册')")
    page.fill("#name", "周经理")
    page.fill("#email", "zhou@wuxi-sensing.cn")
    page.fill("#password", "Company-2026")
    page.fill("#confirm", "Company-2026")
    page.fill("#org_name", "无锡感知科技有限公司")
    page.select_option("#org_kind", "enterprise")
    page.select_option("#org_city", "无锡")
    page.fill("#uscc", "91320200MA1MXY7K5X")
    page.fill("#legal_name", "无锡感知科技有限公司")
    page.fill("#legal_rep", "周立")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/register/check-mail$"))
    db.session.rollback()
    org = db.session.scalar(db.select(Organisation).where(Organisation.name == "无锡感知科技有限公司"))
    assert (org.kind, org.city, org.in_province, org.sme, org.high_tech) == ("enterprise", "无锡", True, False, False)
    assert db.session.scalar(db.select(User).where(User.email == "zhou@wuxi-sensing.cn")).org_admin
    _log_in(page, base, "zhou@wuxi-sensing.cn", "Company-2026")
    page.goto(base + "/organisation")
    assert page.locator("h1").inner_text() == "无锡感知科技有限公司"
    _log_out(page)

    # 2. the lab lists an instrument through the form and submits it
    _log_in(page, base, "lab@demo.cn")
    nav_click(page, "发布资源")
    page.click("main a:has-text('大型科学仪器')")
    page.fill("#title", "场发射扫描电子显微镜 SU8010")
    page.fill("#summary", "高分辨形貌观察与能谱分析")
    page.fill("#model", "SU8010")
    page.fill("#manufacturer", "日立高新")
    page.fill("#original_value", "4500000")
    page.select_option("#category_l1", "分析仪器")  # the national classification: a select, not free text
    page.select_option("#category_l2", "电子光学仪器")
    page.select_option("#service_mode", "staff_operated")
    page.select_option("#price_unit", "hour")
    page.fill("#internal_price", "200")
    page.fill("#external_price", "400")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/resources/\d+$"))
    assert page.locator(".status").first.inner_text() == "草稿"
    page.click("button:has-text('提交审核')")
    page.wait_for_selector(".status:has-text('待审核')")
    _log_out(page)

    # 3. the reviewer publishes it from the review queue
    _log_in(page, base, "reviewer@demo.cn")
    nav_click(page, "资源审核")
    item = page.locator("article", has_text="场发射扫描电子显微镜 SU8010")
    item.locator("button:has-text('通过并发布')").click()
    page.wait_for_selector(".flash-success")
    assert page.locator("article", has_text="场发射扫描电子显微镜 SU8010").count() == 0
    _log_out(page)

    # 4. anyone sees it on the sharing platform
    nav_click(page, "资源共享平台")
    page.wait_for_url(re.compile(r"/platforms/sharing$"))
    listing = page.locator("article", has_text="场发射扫描电子显微镜 SU8010")
    assert listing.count() == 1
    assert "¥400.00" in listing.inner_text() and "南京大学现代分析中心" in listing.inner_text()
    assert page.locator("a.card", has_text="大型科学仪器").locator(".stat").inner_text() == "1"
    page.screenshot(path=SCREENSHOT, full_page=True)

    db.session.rollback()  # end this thread's read transaction to see what the server committed
    instrument = db.session.scalar(db.select(Instrument))
    assert (instrument.status, instrument.external_price, instrument.owner_org_id) == ("published", 40000, lab_org.id)
