"""Booking as labs run it, in headless Chromium: a company without the qualification asks for training, the
lab schedules and qualifies it, the company books; a lab corrects a no-show and the company's amount due
changes from the no-show fee to the fee of the time used."""
import re
from datetime import datetime, timedelta

import pytest

from marketplace.booking import rules
from marketplace.core.timeutil import to_local
from tests.booking.conftest import next_monday
from tests.browser import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.smoke
def test_training_then_qualified_then_booking(page, live_server, make_resource, lab, company_user, lab_user):
    base = live_server
    sem = make_resource("instrument", lab, title="自主操作扫描电镜", service_mode="self_operated",
                        external_price=40_000, internal_price=20_000)
    # --- the company is told before any form, and asks for training
    log_in(page, base, company_user.email)
    page.goto(f"{base}/resources/{sem.id}")
    assert "自主操作：需培训" in page.inner_text("#qualification-notice")
    assert page.locator("#book-button").count() == 0 and page.locator("#book-assisted").count() == 1
    page.click("#apply-training")
    page.fill("textarea[name=note]", "做过 SEM 表征，希望下周培训")
    page.click("#submit-training")
    page.wait_for_url(re.compile(r"/booking/training$"))
    assert "待安排" in page.inner_text("#my-training")
    log_out(page)
    # --- the lab schedules the training, then qualifies the company's user
    log_in(page, base, lab_user.email)
    page.goto(f"{base}/booking/training")
    item = page.locator("#lab-training article").first
    assert "做过 SEM 表征" in item.inner_text()
    when = to_local(datetime.combine(next_monday(), datetime.min.time())).replace(hour=10)
    item.locator("input[name=scheduled_at]").fill(when.strftime("%Y-%m-%dT%H:%M"))
    item.locator("button:has-text('安排培训')").click()
    page.wait_for_load_state()
    item = page.locator("#lab-training article").first
    assert "已安排培训" in item.inner_text()
    item.locator("button:has-text('培训合格，授予资格')").click()
    page.wait_for_load_state()
    page.goto(f"{base}/booking/instruments/{sem.id}/settings")
    assert company_user.email in page.inner_text("#qualifications")
    log_out(page)
    # --- the company, now qualified, books it from the calendar
    log_in(page, base, company_user.email)
    page.goto(f"{base}/resources/{sem.id}")
    assert "您已具备上机资格" in page.inner_text("#qualification-notice")
    week = next_monday(2)
    page.goto(f"{base}/booking/instruments/{sem.id}/calendar?week={week.isoformat()}")
    page.locator(f"td.free a[data-slot='{week.isoformat()}T09:00']").click()
    page.wait_for_url(re.compile(r"/booking/instruments/\d+/book"))
    page.fill("textarea[name=purpose]", "自主上机观察断口")
    page.click("#quote-booking")
    assert page.inner_text("#quoted-fee") == "¥400.00"
    page.click("#confirm-booking")
    page.wait_for_url(re.compile(r"/booking/my\?new=\d+$"))
    assert "待审批" in page.inner_text("#new-booking")


def test_lab_corrects_a_no_show_and_the_amount_due_follows(page, live_server, instrument, company_user, lab_user,
                                                           make_booking):
    base = live_server
    # last Friday 14:00–16:00 (Beijing): ¥800 booked, nobody checked in, ¥400 no-show fee owed
    friday = next_monday() - timedelta(days=10)
    start = rules._to_utc(friday, datetime.min.time().replace(hour=14))
    b = make_booking(instrument, company_user, start, start + timedelta(hours=2), status="no_show", cancel_fee=40_000)
    log_in(page, base, company_user.email)
    page.goto(f"{base}/booking/my")
    assert "¥400.00" in page.locator(f"tr[data-booking='{b.id}']").inner_text()
    log_out(page)
    log_in(page, base, lab_user.email)
    page.goto(f"{base}/booking/{b.id}")
    form = page.locator("#correct-form")
    end = to_local(start + timedelta(minutes=90)).strftime("%Y-%m-%dT%H:%M")
    form.locator("input[name=actual_end]").fill(end)
    form.locator("textarea[name=reason]").fill("用户按时到场，签到终端故障")
    page.click("#correct-booking")
    page.wait_for_load_state()
    assert "已更正" in page.inner_text("main")
    log_out(page)
    log_in(page, base, company_user.email)
    page.goto(f"{base}/booking/my")
    row = page.locator(f"tr[data-booking='{b.id}']").inner_text()
    assert "¥600.00" in row and "¥400.00" not in row  # 1.5 h used at ¥400/h instead of the ¥400 fee
