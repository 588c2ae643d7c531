"""A company pays its monthly bill by card in a real browser: the card goes from the gateway's own
script to the gateway; the platform's server sees (and logs) only the card's id."""
import logging

import pytest
import sqlalchemy as sa

from marketplace.billing.models import Bill
from marketplace.extensions import db
from tests.browser import log_in

from .conftest import JANUARY, at, close, completed

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.smoke]
CARD = "4242424242424242"


class Everything(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_a_bill_is_paid_by_card_without_the_card_number_reaching_the_platform(world, gateway_up, live_server, page):
    completed(world, 2, 3)
    with at(JANUARY):
        close()
    bill = db.session.scalar(sa.select(Bill))
    db.session.commit()
    seen = Everything()
    root = logging.getLogger()
    root.addHandler(seen)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    bodies = []
    page.on("request", lambda r: bodies.append(r.post_data or "") if r.url.startswith(live_server) else None)
    try:
        log_in(page, live_server, world.co_user.email)
        page.goto(f"{live_server}/booking/my?view=to_pay")
        assert "¥1,400.00" in page.inner_text("#bills-to-pay")
        page.click("#bills-to-pay a")
        assert bill.remittance_code in page.inner_text("#remittance-code")
        page.click("#pay-by-card")
        page.wait_for_selector("#card-element input")
        inputs = page.locator("#card-element input")
        inputs.nth(0).fill(CARD)
        inputs.nth(1).fill("12")
        inputs.nth(2).fill("30")
        inputs.nth(3).fill("123")
        inputs.nth(4).fill("21000")
        page.once("dialog", lambda d: d.accept())
        page.click("#card-submit")
        page.wait_for_url(f"{live_server}/billing/bills/{bill.id}")
        assert "已付清" in page.inner_text("h1")
    finally:
        root.removeHandler(seen)
        root.setLevel(old_level)
    db.session.rollback()
    assert db.session.get(Bill, bill.id).status == "paid"
    assert bodies and not any(CARD in b or "4242 4242" in b for b in bodies)
    assert seen.lines and not any(CARD in line for line in seen.lines)
