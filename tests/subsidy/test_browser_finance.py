"""Finance in a real browser: recording a payout asks a confirmation naming the payee and the amount
and lands in the history; a reversal puts the amount back as owed; the dashboard draws its charts
(canvas) on a desktop and on a 390×844 phone, with no inline script."""
import re

import pytest

from tests.browser import log_in

from .test_settlement import paid_booking, settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def strict_csp(client):
    """The app's own Content-Security-Policy lets no inline script run; these pages must work under it."""
    policy = client.get("/healthz").headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_payout_confirmation_history_and_reversal(app, strict_csp, live_server, page, world, two_providers):
    prog, lab2, inst2 = two_providers
    paid_booking(world)
    settle(world, prog)          # the lab is owed ¥800 service income + ¥160 subsidy = ¥960
    base = live_server
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, base, world.finance.email)
    page.goto(f"{base}/subsidy/payouts")
    row = page.locator(f"tr[data-org='{world.lab.id}']")
    assert row.locator(".owed-total").inner_text() == "¥960.00"

    dialogs = []

    def answer(dialog, accept):
        dialogs.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    # the first time finance changes its mind: nothing is recorded
    page.once("dialog", lambda d: answer(d, False))
    row.locator("input[name=voucher]").fill("苏银转账 0042")
    row.locator("button[type=submit]").click()
    assert world.lab.name in dialogs[0] and "¥960.00" in dialogs[0]
    assert page.url.endswith("/subsidy/payouts")
    # then confirms
    page.once("dialog", lambda d: answer(d, True))
    row.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/subsidy/payouts/history$"))
    history = page.locator("#payout-history tbody tr").first
    text = history.inner_text()
    assert world.lab.name in text and "¥960.00" in text and "苏银转账 0042" in text and world.finance.name in text
    page.goto(f"{base}/subsidy/payouts")
    assert page.locator(f"tr[data-org='{world.lab.id}']").count() == 0

    # reversal, with a reason: owed again, to the fen
    page.goto(f"{base}/subsidy/payouts/history")
    page.locator("#payout-history tbody tr").first.locator("a:has-text('冲销')").click()
    page.fill("textarea[name=reason]", "凭证号录错，重新付款")
    page.once("dialog", lambda d: answer(d, True))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/subsidy/payouts/history$"))
    assert "凭证号录错" in page.locator("#payout-history tbody tr").first.inner_text()
    assert world.lab.name in dialogs[-1] and "¥960.00" in dialogs[-1]
    page.goto(f"{base}/subsidy/payouts")
    assert page.locator(f"tr[data-org='{world.lab.id}'] .owed-total").inner_text() == "¥960.00"
    assert errors == []


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_dashboard_draws_charts(app, strict_csp, live_server, browser, world, two_providers, viewport):
    prog, lab2, inst2 = two_providers
    paid_booking(world)
    settle(world, prog)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        log_in(page, live_server, world.finance.email)
        page.goto(f"{live_server}/subsidy/")
        for chart in ("months", "city", "grade"):
            el = page.locator(f"#chart-{chart}")
            el.locator("canvas").first.wait_for(state="attached")
            assert el.get_attribute("data-drawn") == "1"
            box = el.bounding_box()
            assert box["width"] > 200 and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1
        # the charts sit above the tables
        assert page.locator("#chart-months").bounding_box()["y"] < page.locator("table").first.bounding_box()["y"]
        months = page.evaluate("""() => echarts.getInstanceByDom(document.getElementById('chart-months'))
                                          .getOption().series[2].data""")
        assert months[-1] == 400  # cumulative: ¥240 user subsidy + ¥160 provider subsidy, in yuan
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
        assert errors == []
    finally:
        context.close()


def test_statement_organisation_chooser_suggests_names(app, strict_csp, live_server, page, world, two_providers):
    b = paid_booking(world)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server, world.finance.email)
    page.goto(f"{live_server}/subsidy/statements")
    page.locator('input[name="org"]').press_sequentially("苏州某", delay=30)
    option = page.locator("#org-options option").first
    option.wait_for(state="attached")
    assert option.get_attribute("value") == world.company.name
    page.fill('input[name="org"]', world.company.name)
    page.fill('input[name="period"]', "2026Q4")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(f'#statement a[href="/booking/{b.id}"]').count() == 1
    assert "¥800.00" in page.locator("#statement-totals tr[data-kind=user]").inner_text()
    assert errors == []
