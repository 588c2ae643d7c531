"""Two bidders in two browser contexts see each other's bids appear without reloading (the page polls
its state with an ETag)."""
from datetime import timedelta

import pytest

from marketplace.auctions.models import Auction
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_two_bidders_see_each_others_bids_without_reloading(app, browser, page, live_server, bidding):
    w = bidding
    app.config["AUCTIONS_POLL_SECONDS"] = 1
    auction = db.session.get(Auction, w.auction.id)
    auction.registration_deadline = utcnow() - timedelta(minutes=2)   # bidding has begun
    auction.starts_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    url = f"{live_server}/auctions/{w.auction.id}"
    other = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    other.set_default_timeout(15000)
    for pg, user in ((page, w.users[0]), (other, w.users[1])):
        log_in(pg, live_server, user.email)
        pg.goto(url)
        assert "竞价中" in pg.inner_text("#auction-phase")
        assert "¥10,000.00" in pg.inner_text("#auction-next")
    sentinel = other.evaluate("() => (window.__notReloaded = true)")
    assert sentinel
    page.fill("#bid-form input[name=amount]", "10000")
    page.click("#bid-form button[type=submit]")
    page.wait_for_load_state()
    assert "¥10,000.00" in page.inner_text("#auction-highest")
    # the other bidder's page shows it without a reload, with the next valid amount
    other.wait_for_function("() => document.querySelector('#auction-bids').innerText.includes('竞买人 1')")
    assert "¥10,500.00" in other.inner_text("#auction-next")
    other.fill("#bid-form input[name=amount]", "11000")
    other.click("#bid-form button[type=submit]")
    other.wait_for_load_state()
    page.wait_for_function("() => document.querySelector('#auction-highest').innerText.includes('11,000.00')")
    assert page.inner_text("#auction-bids").index("竞买人 2") < page.inner_text("#auction-bids").index("竞买人 1")
    assert page.evaluate("() => !!document.querySelector('#auction-countdown').innerText.match(/\\d\\d:\\d\\d:\\d\\d/)")
