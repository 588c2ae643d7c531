"""发票: requested for a paid bill with the organisation's own USCC, issued by finance, downloaded by
the payer; never more invoiced than paid; a red-letter record frees the bill for a new request."""
import io
from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.billing.models import Bill, Invoice
from marketplace.extensions import db
from marketplace.verification.models import OrganisationIdentity

from .conftest import JANUARY, at, close, completed
from .statements import D, csv_statement


@pytest.fixture
def paid_bill(world, client, api_token):
    completed(world, 2, 3)
    with at(JANUARY):
        close()
    bill = db.session.scalar(sa.select(Bill))
    resp = client.post("/api/v1/bank-statements", headers=api_token(world.finance),
                       data={"file": (io.BytesIO(csv_statement([(D, "I1", "苏州某科技公司", "6222", "1400.00",
                                                                  bill.remittance_code)])), "s.csv")})
    assert resp.get_json()["matched"] == 1
    db.session.refresh(bill)
    assert bill.status == "paid"
    return bill


def uscc_of(org):
    return db.session.get(OrganisationIdentity, org.id).uscc


def test_an_invoice_for_a_paid_bill_is_issued_and_downloaded(world, paid_bill, client, api_token):
    co, fin = api_token(world.co_user), api_token(world.finance)
    body = {"bill_id": paid_bill.id, "kind": "special", "title": world.company.name,
            "tax_number": uscc_of(world.company).lower(), "address_phone": "苏州工业园区星湖街 328 号 0512-12345678",
            "bank_account": "中国银行苏州分行 4667 1234 5678"}
    resp = client.post("/api/v1/invoices", headers=co, json=body)
    assert resp.status_code == 201, resp.get_json()
    inv = resp.get_json()
    assert inv["amount"] == 140_000 and inv["status"] == "requested" and inv["tax_number"] == uscc_of(world.company)
    assert client.post("/api/v1/invoices", headers=co, json=body).status_code == 409  # never twice the money
    assert client.post(f"/api/v1/invoices/{inv['id']}/issue", headers=co,
                       json={"number": "12345678", "issued_on": "2027-01-06"}).status_code == 403
    with at(JANUARY.replace(day=8)):
        future = client.post(f"/api/v1/invoices/{inv['id']}/issue", headers=fin,
                             json={"number": "12345678", "issued_on": "2027-02-01"})
        bad_no = client.post(f"/api/v1/invoices/{inv['id']}/issue", headers=fin,
                             json={"number": "1234567x", "issued_on": "2027-01-06"})
        assert future.status_code == 422 and "issued_on" in future.get_json()["errors"]
        assert bad_no.status_code == 422 and "number" in bad_no.get_json()["errors"]
        done = client.post(f"/api/v1/invoices/{inv['id']}/issue", headers=fin,
                           json={"number": "12345678", "issued_on": "2027-01-06"})
    assert done.status_code == 200 and done.get_json()["status"] == "issued"
    assert client.get(f"/api/v1/invoices/{inv['id']}", headers=co).get_json()["number"] == "12345678"
    assert client.get(f"/api/v1/invoices/{inv['id']}", headers=api_token(world.company_user())).status_code == 403


def test_bad_invoice_requests_are_refused_and_change_nothing(world, paid_bill, client, api_token):
    co = api_token(world.co_user)
    good = {"bill_id": paid_bill.id, "kind": "normal", "title": world.company.name,
            "tax_number": uscc_of(world.company)}
    wrong_check = uscc_of(world.company)[:-1] + ("0" if uscc_of(world.company)[-1] != "0" else "1")
    cases = [
        ({**good, "tax_number": wrong_check}, "tax_number"),
        ({**good, "tax_number": "91320000000000000X"}, "tax_number"),
        ({**good, "kind": "special"}, "address_phone"),
        ({**good, "kind": "vat"}, "kind"),
        ({**good, "bill_id": None}, "bill_id"),
        ({**good, "instalment_id": 1}, "bill_id"),
        ({**good, "bill_id": 2**40}, "bill_id"),
        ({**good, "title": ""}, "title"),
        ({**good, "title": "x" * 201}, "title"),
    ]
    for body, field in cases:
        resp = client.post("/api/v1/invoices", headers=co, json=body)
        assert resp.status_code == 422, (body, resp.get_json())
        assert field in resp.get_json()["errors"], (body, resp.get_json())
    assert client.post("/api/v1/invoices", headers=api_token(world.company_user()), json=good).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0


def test_an_unpaid_bill_cannot_be_invoiced(world, client, api_token):
    completed(world, 2)
    with at(JANUARY):
        close()
    bill = db.session.scalar(sa.select(Bill))
    resp = client.post("/api/v1/invoices", headers=api_token(world.co_user),
                       json={"bill_id": bill.id, "kind": "normal", "title": world.company.name, "tax_number": uscc_of(world.company)})
    assert resp.status_code == 422 and "bill_id" in resp.get_json()["errors"]


def test_a_red_letter_record_lets_the_payer_ask_again_on_the_pages(app, world, paid_bill, client, login):
    login(client, world.co_user)
    page = client.get(f"/billing/bills/{paid_bill.id}").get_data(as_text=True)
    assert 'id="invoice-form"' in page and uscc_of(world.company) in page
    resp = client.post(f"/billing/bills/{paid_bill.id}/invoice",
                       data={"kind": "normal", "title": world.company.name, "tax_number": uscc_of(world.company)})
    assert resp.status_code == 302
    inv = db.session.scalar(sa.select(Invoice))
    finance = app.test_client()
    with at(JANUARY.replace(day=8)):
        login(finance, world.finance)
        assert finance.post(f"/billing/invoices/{inv.id}/issue",
                           data={"number": "87654321", "issued_on": "2027-01-07"}).status_code == 302
        bad = finance.post(f"/billing/invoices/{inv.id}/red", data={"red-number": "8765", "red-issued_on": "2027-01-08",
                                                                  "red-reason": "退款"})
        assert bad.status_code == 422
        assert finance.post(f"/billing/invoices/{inv.id}/red", data={"red-number": "87654322", "red-issued_on": "2027-01-08",
                                                                   "red-reason": "预约退款"}).status_code == 302
    db.session.refresh(inv)
    assert (inv.status, inv.red_number, inv.red_issued_on) == ("reversed", "87654322", date(2027, 1, 8))
    pdf = client.get(f"/billing/invoices/{inv.id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")  # the record, generated (nothing was uploaded)
    again = client.post(f"/billing/bills/{paid_bill.id}/invoice",
                        data={"kind": "normal", "title": world.company.name, "tax_number": uscc_of(world.company)})
    assert again.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice).where(Invoice.status != "reversed")) == 1


def test_the_payer_downloads_the_pdf_finance_uploaded(app, world, paid_bill, client, login):
    login(client, world.co_user)
    client.post(f"/billing/bills/{paid_bill.id}/invoice",
                data={"kind": "normal", "title": world.company.name, "tax_number": uscc_of(world.company)})
    inv = db.session.scalar(sa.select(Invoice))
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    finance = app.test_client()
    with at(JANUARY.replace(day=8)):
        login(finance, world.finance)
        resp = finance.post(f"/billing/invoices/{inv.id}/issue", content_type="multipart/form-data",
                            data={"number": "11112222", "issued_on": "2027-01-07", "file": (io.BytesIO(pdf), "fp.pdf")})
        assert resp.status_code == 302
    got = client.get(f"/billing/invoices/{inv.id}/pdf")
    assert got.status_code == 200 and got.data == pdf
    assert client.application.test_client().get(f"/billing/invoices/{inv.id}/pdf").status_code in (302, 401)
