"""In headless Chromium: an unverified company (checked USCC, self-declared SME) claims sme with a PDF
and is quoted 20 %; a reviewer verifies the claim from the queue; the next quote is 30 %."""
import re

import pytest

from marketplace.core.db import writing
from marketplace.extensions import db
from marketplace.subsidy import services as ss
from marketplace.verification import services as vs
from tests.booking.conftest import next_monday
from tests.browser import log_in, log_out

from .conftest import PDF, make_uscc

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def quote(page, base, instrument, start):
    page.goto(f"{base}/booking/instruments/{instrument.id}/book?start={start}")
    page.fill("textarea[name=purpose]", "新材料断口形貌观察")
    page.click("#quote-booking")
    return page.locator("#quoted-rate").inner_text()


def test_claim_verify_and_the_rate_follows(page, live_server, make_org, make_user, make_resource, tmp_path):
    base = live_server
    monday = next_monday()
    lab = make_org(name="南京大学测试中心", kind="university", city="南京")
    instrument = make_resource("instrument", lab, title="场发射扫描电镜", external_price=40_000)
    company = make_org(name="苏州新注册科技有限公司", kind="enterprise", city="苏州", sme=True, verified=False)
    vs.seed_identity(company, uscc=make_uscc("320505", seed=99), legal_name=company.name, legal_rep="林一")
    from marketplace.verification.demo import grant
    grant(company)  # its business licence verified (in-province); sme is what this test claims
    user = make_user(org=company, org_admin=True, email="new@company.cn")
    admin = make_user(roles=("admin",))
    reviewer = make_user(make_org(kind="government"), roles=("reviewer",), email="reviewer@test.cn")
    with writing():
        if ss.programme_for_year(monday.year) is None:
            ss.create_programme(name="补贴", year=monday.year, budget=10**10, actor=admin)
        db.session.commit()
    start = f"{monday.isoformat()}T09:00"
    evidence = tmp_path / "入库证明.pdf"
    evidence.write_bytes(PDF)

    # --- the company claims sme with a PDF; its quote stays at the base rate
    log_in(page, base, user.email)
    page.goto(f"{base}/verification/")
    page.select_option("select[name=kind]", "sme")
    page.fill("input[name=number]", f"{monday.year}320505{company.id:06d}")
    page.set_input_files("input[type=file][name=documents]", str(evidence))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url(re.compile(r"/verification/qualifications/\d+$"))
    assert "待审核" in page.inner_text("#status")
    assert quote(page, base, instrument, start) == "20%"
    assert "科技型中小企业资质未核验" in page.inner_text("#subsidy-quote")
    log_out(page)

    # --- a reviewer verifies it from the queue
    log_in(page, base, reviewer.email)
    page.goto(f"{base}/verification/queue")
    page.click("a:has-text('科技型中小企业')")
    page.wait_for_url(re.compile(r"/verification/qualifications/\d+$"))
    assert "入库证明.pdf" in page.inner_text("main")
    page.fill("textarea[name=reason]", "与入库名单一致")
    page.click("button:has-text('核验通过')")
    page.wait_for_load_state()
    assert "已核验" in page.inner_text("#status")
    log_out(page)

    # --- the next quote is 30 %
    log_in(page, base, user.email)
    assert quote(page, base, instrument, start) == "30%"
    assert page.inner_text("#quoted-subsidy") == "¥120.00"  # 30 % of one hour at ¥400
