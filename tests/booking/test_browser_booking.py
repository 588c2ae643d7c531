"""A company books an instrument from its calendar, the lab approves it from the queue, and
the company sees it approved in "my bookings" — in headless Chromium."""
import re

import pytest

from tests.booking.conftest import next_monday
from tests.browser import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.smoke
def test_book_approve_and_see_it(page, live_server, instrument, company_user, lab_user):
    base = live_server
    week = next_monday()
    # --- the company finds a free slot on the instrument's calendar and books it
    log_in(page, base, company_user.email)
    page.goto(f"{base}/resources/{instrument.id}")
    page.click("#booking a:has-text('查看完整日历')")
    page.goto(page.url + f"?week={week.isoformat()}")
    page.locator(f"td.free a[data-slot='{week.isoformat()}T09:00']").click()
    page.wait_for_url(re.compile(r"/booking/instruments/\d+/book"))
    page.fill("textarea[name=purpose]", "新材料断口形貌观察")
    page.click("#quote-booking")
    fee = page.locator("#quoted-fee")
    assert fee.inner_text() == "¥400.00"  # one hour at the external price
    page.click("#confirm-booking")
    page.wait_for_url(re.compile(r"/booking/my\?new=\d+$"))  # the new booking leads "my bookings"
    assert "待审批" in page.inner_text("#new-booking")
    log_out(page)
    # --- a lab member approves it from the queue
    log_in(page, base, lab_user.email)
    page.goto(f"{base}/booking/queue")
    row = page.locator("tr[data-booking]").first
    assert "新材料断口形貌观察" in row.inner_text()
    row.locator("button:has-text('批准')").click()
    page.wait_for_load_state()
    assert page.locator("tr[data-booking]").count() == 0
    log_out(page)
    # --- the company sees it approved
    log_in(page, base, company_user.email)
    page.goto(f"{base}/booking/my")
    row = page.locator("tr[data-booking]").first
    assert "已批准" in row.inner_text() and instrument.title in row.inner_text()
