"""In headless Chromium: a company applies for 苏科贷 and watches its status move; a company, a researcher
and the sending unit complete a 科技副总 placement; a user waitlisted for a full event is promoted."""
import re

import pytest

from tests.browser import log_in, log_out
from tests.requests.conftest import YOUNG_ID

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def click_action(page, label):
    page.click(f"main form button:has-text('{label}')")
    page.wait_for_load_state()


def status(page):
    return page.locator("[data-status]").first.get_attribute("data-status")


def test_company_applies_for_a_loan_and_sees_its_status_move(page, live_server, world):
    base = live_server
    log_in(page, base, world.company_user.email)
    page.goto(f"{base}/platforms/finance")
    page.click("a:has-text('申请科技贷款与股权融资')")
    page.click(f"a:has-text('{world.loan.title}')")
    page.click("a[data-request-kind=loan]")
    page.fill("input[name=amount]", "3500000")
    page.fill("input[name=term_months]", "12")
    page.fill("input[name=purpose]", "新产品研发")
    page.fill("input[name=revenue]", "30000000")
    page.click("main form button[type=submit]")
    assert "最多可申请 ¥3,000,000.00" in page.inner_text("#amount-err")
    page.fill("input[name=amount]", "3000000")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/requests/\d+$"))
    url = page.url
    assert status(page) == "submitted" and "¥3,000,000.00" in page.inner_text("[data-amount]")
    log_out(page)
    # the city bureau (platform staff) accepts: on to the bank
    log_in(page, base, world.staff.email)
    page.goto(f"{base}/requests/queue")
    page.click("tr[data-request] a >> nth=0")
    click_action(page, "受理")
    assert status(page) == "bank_review"
    log_out(page)
    log_in(page, base, world.company_user.email)
    page.goto(url)
    assert status(page) == "bank_review"
    log_out(page)
    # the bank notes its follow-up and approves
    log_in(page, base, world.bank_user.email)
    page.goto(url)
    page.fill("textarea[name=note]", "客户经理已上门尽调")
    click_action(page, "记录进展")
    click_action(page, "银行审批通过")
    assert status(page) == "completed"
    log_out(page)
    log_in(page, base, world.company_user.email)
    page.goto(f"{base}/requests/mine")
    assert "已完成" in page.inner_text("tr[data-request]")
    page.goto(url)
    assert "客户经理已上门尽调" in page.inner_text(".timeline")


def test_company_researcher_and_sending_unit_complete_a_placement(page, live_server, world):
    base = live_server
    log_in(page, base, world.company_user.email)
    page.goto(f"{base}/resources/{world.expert.id}")
    page.click("a[data-request-kind=secondment]")
    page.fill("input[name=researcher_email-name]", world.researcher.name[:2])  # picked by name
    page.click(f"[role=option]:has-text('{world.researcher.name}')")
    assert page.input_value("input[name=researcher_email]") == str(world.researcher.id)
    page.fill("input[name=id_number]", YOUNG_ID)
    page.select_option("select[name=degree]", "phd")
    page.fill("input[name=term_months]", "24")
    page.fill("input[name=total_pay]", "150000")
    page.fill("textarea[name=duties]", "牵头新产品研发")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/requests/\d+$"))
    url = page.url
    log_out(page)
    log_in(page, base, world.uni_user.email)
    page.goto(url)
    click_action(page, "受理")
    assert status(page) == "agreement"
    click_action(page, "确认三方协议")
    assert "已确认" in page.inner_text("[data-party=sending_unit]")
    log_out(page)
    log_in(page, base, world.researcher.email)
    page.goto(url)
    click_action(page, "确认三方协议")
    log_out(page)
    log_in(page, base, world.company_user.email)
    page.goto(url)
    click_action(page, "确认三方协议")
    assert status(page) == "in_progress"
    for party in ("company", "researcher", "sending_unit"):
        assert "已确认" in page.inner_text(f"[data-party={party}]")


def test_waitlisted_user_is_promoted_when_someone_cancels(page, live_server, make_event, people):
    base = live_server
    event = make_event(capacity=1)
    first, second = people(2)
    log_in(page, base, first.email)
    page.goto(f"{base}/events/{event.id}")
    click_action(page, "报名")
    assert status(page) == "registered"
    log_out(page)
    log_in(page, base, second.email)
    page.goto(f"{base}/events/{event.id}")
    click_action(page, "报名候补")
    assert status(page) == "waitlisted"
    log_out(page)
    log_in(page, base, first.email)
    page.goto(f"{base}/events/{event.id}")
    page.once("dialog", lambda d: d.accept())
    click_action(page, "取消报名")
    log_out(page)
    log_in(page, base, second.email)
    page.goto(f"{base}/events/{event.id}/registration")
    assert status(page) == "registered" and page.locator(".qr svg").count() == 1
    page.goto(f"{base}/notifications")
    assert "候补转正" in page.inner_text("main")
