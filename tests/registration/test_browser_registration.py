"""A seller applies from a signed deal, the registrar returns it for correction, the seller corrects
and resubmits, the registrar approves; the certificate downloads and its QR code's target verifies —
in headless Chromium."""
import io
import re
from datetime import date

import pytest

from marketplace.registration.services import register_prefill_source, unregister_prefill_source
from tests.browser import log_in, log_out
from tests.registration.conftest import BUYER_USCC, SELLER_USCC

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DEAL_ID = 501


@pytest.fixture
def signed_deal(seller):
    """What the trading package will provide: a signed deal's fields, for the seller's organisation."""
    org_id = seller.organisation_id

    def source(deal_id, actor):
        if deal_id != DEAL_ID or actor.organisation_id != org_id:
            return None
        return {"project_name": "氢燃料电池电堆专利权转让", "contract_type": "transfer", "subtype": "patent",
                "seller": {"name": "南京工业技术大学", "uscc": SELLER_USCC, "city_code": "3201", "nature": "university"},
                "buyer": {"name": "苏州博远新材料有限公司", "uscc": BUYER_USCC, "city_code": "3205",
                          "nature": "enterprise"},
                "signed_on": date(2026, 10, 20), "valid_until": date(2028, 10, 19), "tech_field": "new_energy",
                "ip_kind": "invention_patent", "total_amount": 250_000_000,
                "non_tech_items": [{"name": "样机", "amount": 30_000_000}]}

    register_prefill_source("browser-test-deals", source)
    yield DEAL_ID
    unregister_prefill_source("browser-test-deals")


def test_apply_return_correct_approve_certificate_verify(page, live_server, seller, registrar, signed_deal):
    base = live_server
    # --- the seller applies from the signed deal (pre-filled) and submits
    log_in(page, base, seller.email)
    page.goto(f"{base}/contract-registrations/new?deal_id={signed_deal}")
    assert page.input_value("input[name=project_name]") == "氢燃料电池电堆专利权转让"
    assert page.input_value("input[name=total_amount]") == "2500000.00"
    page.set_input_files("input[type=file][name=document_ids]", files=[{
        "name": "合同文本.pdf", "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"}])
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r"/contract-registrations/\d+$"))
    assert page.inner_text("#tech-amount") == "¥2,200,000.00"
    assert page.locator("a:has-text('合同文本.pdf')").count() == 1
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state()
    assert "待审查" in page.inner_text("h1") and page.locator("#due-on").count() == 1
    detail_url = page.url
    log_out(page)

    # --- the registrar returns it for correction from the queue
    log_in(page, base, registrar.email)
    page.goto(f"{base}/contract-registrations/queue")
    page.locator("tr[data-registration] a").first.click()
    page.wait_for_url(detail_url)
    page.fill("#return-form textarea[name=comment]", "样机费用请按合同附件二更正")
    page.click("#return-form button[type=submit]")
    page.wait_for_load_state()
    assert "退回补正" in page.inner_text("h1")
    log_out(page)

    # --- the seller corrects the non-technical item and resubmits
    log_in(page, base, seller.email)
    page.goto(detail_url)
    assert "样机费用请按合同附件二更正" in page.inner_text("#review-comment")
    page.click("#edit-link")
    page.fill("input[name='non_tech_items-0-amount']", "200000")
    page.click("form.form button[type=submit]")
    page.wait_for_url(detail_url)
    assert page.inner_text("#tech-amount") == "¥2,300,000.00"
    page.get_by_role("button", name="重新提交", exact=True).click()
    page.wait_for_load_state()
    assert "待审查" in page.inner_text("h1")
    log_out(page)

    # --- the registrar approves: a 14-digit number
    log_in(page, base, registrar.email)
    page.goto(detail_url)
    page.once("dialog", lambda d: d.accept())  # approving asks for confirmation first
    page.click("#approve-button")
    page.wait_for_load_state()
    number = page.inner_text("#reg-number")
    assert re.fullmatch(r"\d{2}320101000001", number), number

    # --- the certificate downloads as a PDF whose QR code leads to a page that verifies it
    href = page.get_attribute("#certificate-link", "href")
    resp = page.request.get(base + href)
    assert resp.status == 200 and resp.headers["content-type"] == "application/pdf"
    pdf = resp.body()
    assert pdf.startswith(b"%PDF-")
    target = _qr_target(pdf)
    code = page.inner_text("#check-code")
    assert target == f"{base}/contract-registrations/verify/{number}?code={code}"  # the QR code carries the code
    log_out(page)
    page.goto(target)  # anyone, signed out
    result = page.locator("#verify-result")
    assert result.get_attribute("data-valid") == "true"
    text = result.inner_text()
    # What proves authenticity (number, parties, type, date, status), not the amounts (issue 27).
    assert "有效" in text and "技术转让" in text and "南京工业技术大学" in text and "苏州博远新材料有限公司" in text
    assert "¥" not in text
    assert SELLER_USCC not in page.content() and "样机" not in page.content()


def _qr_target(pdf: bytes) -> str:
    """Decode the QR code drawn on the certificate (pypdf finds the image, zxing-cpp reads it)."""
    pypdf = pytest.importorskip("pypdf")
    zxingcpp = pytest.importorskip("zxingcpp")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    images = [img.image for page in reader.pages for img in page.images]
    assert images, "no image in the certificate"
    found = [r.text for img in images for r in zxingcpp.read_barcodes(img.convert("RGB"))]
    assert len(found) == 1, found
    return found[0]
