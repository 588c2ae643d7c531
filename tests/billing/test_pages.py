"""The billing pages as people use them: the company's 待付款 view and bill page, finance's closing,
statement upload and queue; bad input gets a clear 422 and changes nothing."""
import io

import pytest
import sqlalchemy as sa

from marketplace.billing.models import BankLine, Bill
from marketplace.extensions import db

from .conftest import JANUARY, at, close, completed, do
from .statements import D, csv_statement


@pytest.fixture
def bill(world):
    completed(world, 2, 3)
    with at(JANUARY):
        close()
    return db.session.scalar(sa.select(Bill))


def test_the_company_sees_its_bills_first_with_what_it_owes_and_what_is_overdue(world, bill, client, login):
    from marketplace.billing.services import sweeps
    login(client, world.co_user)
    page = client.get("/booking/my?view=to_pay").get_data(as_text=True)
    assert 'id="bills-to-pay"' in page and "¥1,400.00" in page and "随对账单付款" in page
    assert page.index('id="bills-to-pay"') < page.index("my-bookings")
    assert "已逾期" not in page
    do(sweeps.mark_overdue, today=bill.due_on.replace(day=bill.due_on.day + 1))
    page = client.get("/billing/bills").get_data(as_text=True)
    assert 'id="owed-total"' in page and "¥1,400.00" in page
    overdue = page[page.index('id="owed-overdue"'):]
    assert "¥1,400.00" in overdue[:300]
    detail = client.get(f"/billing/bills/{bill.id}").get_data(as_text=True)
    for text in (bill.remittance_code, "江苏省科技资源统筹服务中心", "3201 0188 0000 0612 3456", "¥560.00", "¥840.00",
                 "¥2,000.00", "¥600.00", "¥1,400.00", str(bill.due_on)):
        assert text in detail, text
    assert 'id="pay-by-card"' in detail
    nav = client.get("/").get_data(as_text=True)
    assert "/billing/bills" in nav


def test_strangers_cannot_see_a_bill(world, bill, client, login):
    login(client, world.company_user())
    assert client.get(f"/billing/bills/{bill.id}").status_code == 403
    assert client.get(f"/billing/bills/{bill.id}/card").status_code == 403
    assert client.get("/billing/bank").status_code == 403
    assert client.get("/billing/bills/99999999999").status_code == 404


def test_the_card_page_takes_no_card_number(world, bill, client, login, gateway_up):
    login(client, world.co_user)
    resp = client.get(f"/billing/bills/{bill.id}/card")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'name="number"' not in html and 'name="cvc"' not in html and 'id="card-element"' in html
    assert gateway_up in resp.headers["Content-Security-Policy"]
    bad = client.post(f"/billing/bills/{bill.id}/card", data={"number": "4242424242424242", "cvc": "123"})
    assert bad.status_code == 422 and "4242424242424242" not in bad.get_data(as_text=True)
    db.session.refresh(bill)
    assert bill.status == "open"


def test_finance_closes_a_month_uploads_a_statement_and_works_the_queue(world, client, login):
    completed(world, 2, 3)
    with at(JANUARY):  # finance works in January, once December is over
        _finance_works_the_month(world, client, login)


def _finance_works_the_month(world, client, login):
    login(client, world.finance)
    menu = client.get("/").get_data(as_text=True)
    assert 'href="/billing/bills"' in menu and 'href="/billing/bank"' in menu and 'href="/billing/invoices"' in menu
    assert client.post("/billing/close", data={"month": "2026-13"}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Bill)) == 0
    resp = client.post("/billing/close", data={"month": "2026-12"}, follow_redirects=True)
    assert "新出账 1 张" in resp.get_data(as_text=True)
    bill = db.session.scalar(sa.select(Bill))
    data = csv_statement([(D, "W1", "苏州某科技公司", "6222", "1000.00", bill.remittance_code),
                          (D, "W2", "苏州某科技公司", "6222", "400.00", "补款")])
    resp = client.post("/billing/bank", data={"file": (io.BytesIO(data), "s.csv"), "format": ""},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "待处理 2" in resp.get_data(as_text=True)
    again = client.post("/billing/bank", data={"file": (io.BytesIO(data), "s.csv")},
                        content_type="multipart/form-data", follow_redirects=True)
    assert "已导入过" in again.get_data(as_text=True)
    w1, w2 = db.session.scalars(sa.select(BankLine).order_by(BankLine.transaction_id)).all()
    assert client.get(f"/billing/bank/lines/{w1.id}").status_code == 200
    bad = client.post(f"/billing/bank/lines/{w1.id}", data={"action": "assign", "a-bill": "JS123"})
    assert bad.status_code == 422
    for line in (w1, w2):
        resp = client.post(f"/billing/bank/lines/{line.id}", data={"action": "assign", "a-bill": bill.remittance_code})
        assert resp.status_code == 302
    db.session.refresh(bill)
    assert (bill.status, bill.paid_amount) == ("paid", 140_000)


@pytest.mark.parametrize("payload, fragment", [
    ({"file": (io.BytesIO(b"a" * (20 * 1024 * 1024)), "big.csv")}, "文件过大"),
    ({"file": (io.BytesIO("日期,金额\n1,2\n".encode()), "x.csv")}, "找不到表头"),
    ({"file": (io.BytesIO(b"<x/>"), "x.xml"), "format": "camt053"}, "camt.053"),
    ({}, "请选择对账单文件"),
])
def test_bad_statement_uploads_are_clear_and_change_nothing(world, client, login, payload, fragment):
    login(client, world.finance)
    resp = client.post("/billing/bank", data=payload, content_type="multipart/form-data")
    assert resp.status_code == 422
    assert fragment in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BankLine)) == 0
