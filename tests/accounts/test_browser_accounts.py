"""Accounts in a real (headless) browser, desktop and phone: register with a USCC, verify the address
from the mailed link, forget the password and reset it from the mailed link."""
import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _link(outbox, kind):
    return re.search(r"http://[^/\s]+(/" + kind + r"/\S+)", outbox[-1]["body"]).group(1)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_register_verify_forget_and_reset(viewport, app, live_server, page):
    base = live_server
    outbox = app.extensions["mail_outbox"] = []
    page.set_viewport_size(viewport)

    page.goto(base + "/register")
    page.fill("#name", "周经理")
    page.fill("#email", "zhou@wuxi-sensing.cn")
    page.fill("#password", "Company-2026")
    page.fill("#confirm", "Company-2026")
    page.fill("#org_name", "无锡感知科技")
    page.select_option("#org_kind", "enterprise")
    page.select_option("#org_city", "无锡")
    page.fill("#uscc", "91320200MA1MXY7K5X")
    page.fill("#legal_name", "无锡感知科技有限公司")
    page.fill("#legal_rep", "周立")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]  # no sideways scroll
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/register/check-mail$"))
    assert page.locator("h1").inner_text() == "请查收邮件"

    # logged in but unverified: the banner says so; the mailed link confirms the address
    page.goto(base + "/login")
    page.fill("#email", "zhou@wuxi-sensing.cn")
    page.fill("#password", "Company-2026")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".verify-banner")
    page.goto(base + _link(outbox, "account/verify"))
    page.click("main button:has-text('确认验证')")
    page.wait_for_selector(".flash-success:has-text('邮箱已验证')")
    assert page.locator(".verify-banner").count() == 0
    if page.locator(".menu-toggle").is_visible():  # the phone header folds the user menu away
        page.click(".menu-toggle")
    page.click("header button:has-text('退出')")
    page.wait_for_selector(".flash-success:has-text('已退出登录')")

    # forgot password, from the login page
    page.goto(base + "/login")
    page.click("main a:has-text('忘记密码？')")
    page.fill("#email", "zhou@wuxi-sensing.cn")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".flash-success:has-text('如果该邮箱已注册')")
    page.goto(base + _link(outbox, "password/reset"))
    page.fill("#password", "1234567890")
    page.fill("#confirm", "1234567890")
    page.click("main form button[type=submit]")
    assert "这个密码太常见" in page.locator("#password-err").inner_text()
    page.fill("#password", "Taihu-Lake-2026")
    page.fill("#confirm", "Taihu-Lake-2026")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/login$"))
    page.fill("#email", "zhou@wuxi-sensing.cn")
    page.fill("#password", "Taihu-Lake-2026")
    page.click("main form button[type=submit]")
    page.wait_for_selector("header button:has-text('退出')", state="attached")  # folded away on a phone
