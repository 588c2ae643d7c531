"""A person applies for a firm filing in the browser, a reviewer returns it with a comment, the applicant
corrects and resubmits, the reviewer approves; the firm shows in the directory and its number verifies."""
import re

import pytest

from tests.browser import log_in, log_out

from .conftest import PDF, application

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_apply_return_resubmit_approve_directory_verify(app, page, live_server, make_user, reviewer, tmp_path):
    app.config["AUTO_INDEX"] = True
    base = live_server
    applicant = make_user(name="申请人 刘洋")
    data = application(name="江苏启航技术经理人事务所有限公司", address="南京市鼓楼区")
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(PDF)

    # --- the applicant starts a filing and fills in every section
    log_in(page, base, applicant.email)
    page.goto(f"{base}/filings/")
    page.click("button:has-text('新建备案申请')")
    page.wait_for_url(re.compile(r"/filings/\d+/edit"))
    for field in ("name", "uscc", "legal_rep", "address", "business_scope"):
        page.fill(f"input[name={field}], textarea[name={field}]", data[field])
    page.select_option("select[name=city]", data["city"])
    page.fill("input[name=founded_on]", data["founded_on"].isoformat())
    page.fill("input[name=premises_m2]", str(data["premises_m2"]))
    for i, m in enumerate(data["managers"]):
        for key in ("name", "email", "id_number", "certificate_no", "degree"):
            page.fill(f"input[name=managers-{i}-{key}]", m[key])
        page.select_option(f"select[name=managers-{i}-level]", m["level"])
    page.set_input_files("input[type=file][name=documents]", str(licence))
    page.click("button[name=submit]")
    page.wait_for_url(re.compile(r"/filings/\d+$"))
    assert "已提交" in page.inner_text("h1")
    firm_url = page.url
    log_out(page)

    # --- the reviewer finds it in the queue, starts the review and returns it with a comment
    log_in(page, base, reviewer.email)
    page.goto(f"{base}/filings/review")
    page.click(f"a:has-text('{data['name']}')")
    page.click("form[data-action=start-review] button")
    page.wait_for_load_state()
    assert "审核中" in page.inner_text("h1")
    page.fill("form[data-action=return] textarea[name=basic]", "办公地址请写到门牌号")
    page.click("form[data-action=return] button")
    page.wait_for_load_state()
    assert "退回补正" in page.inner_text("h1")
    log_out(page)

    # --- the applicant sees the comment next to the basic section, corrects and resubmits
    log_in(page, base, applicant.email)
    page.goto(firm_url + "/edit")
    assert "办公地址请写到门牌号" in page.inner_text("#section-basic")
    page.fill("input[name=address]", "南京市鼓楼区汉中路 8 号 1201 室")
    page.click("button[name=submit]")
    page.wait_for_url(re.compile(r"/filings/\d+$"))
    assert "已提交" in page.inner_text("h1")
    log_out(page)

    # --- the reviewer approves
    log_in(page, base, reviewer.email)
    page.goto(firm_url)
    page.click("form[data-action=start-review] button")
    page.wait_for_load_state()
    page.once("dialog", lambda d: d.accept())  # 确认备案? (an irreversible decision asks first)
    page.click("form[data-action=approve] button")
    page.wait_for_load_state()
    assert "已备案" in page.inner_text("h1")
    number = page.inner_text("[data-number]")
    assert re.fullmatch(r"苏技经备〔\d{4}〕0001号", number)
    log_out(page)

    # --- anyone finds the firm in the directory and verifies its number
    page.goto(f"{base}/firms?q=启航")
    page.click(f"a:has-text('{data['name']}')")
    page.wait_for_load_state()
    assert number in page.inner_text("main")
    assert data["managers"][0]["id_number"] not in page.content()
    page.click("a:has-text('核验备案编号')")
    page.wait_for_load_state()
    assert page.locator("[data-verify=valid]").count() == 1
    assert number in page.inner_text("[data-verify=valid]")
