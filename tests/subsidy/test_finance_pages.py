"""Finance's pages: recording a payout (voucher, confirmation naming payee and amount), its history
and reversal; every refusal is a clear 4xx with nothing changed."""
import html

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.ledger.models import JournalLine
from marketplace.subsidy.models import Payout
from marketplace.subsidy.services.payouts import amounts_owed

from .test_settlement import paid_booking


def _lines():
    return db.session.scalar(sa.select(sa.func.count()).select_from(JournalLine))


def _owed(org_id):
    return {r["org_id"]: r["total"] for r in amounts_owed()}.get(org_id)


def test_record_payout_needs_voucher_and_shows_in_history(world, two_providers, client, login):
    paid_booking(world)
    login(client, world.finance)
    page = client.get("/subsidy/payouts").get_data(as_text=True)
    # the confirmation names the payee and the amount
    assert html.escape(f"确认已向 {world.lab.name} 付款 ¥800.00？") in page
    before = _lines()
    for bad in ("", "   ", "a" * 41, "<b>"):
        resp = client.post(f"/subsidy/payouts/{world.lab.id}", data={"voucher": bad})
        assert resp.status_code == 422
        text = resp.get_data(as_text=True)
        assert f'id="voucher-{world.lab.id}-err"' in text   # the error sits next to that unit's field
    assert _lines() == before and _owed(world.lab.id) == 80_000

    resp = client.post(f"/subsidy/payouts/{world.lab.id}", data={"voucher": "苏银转账 2026-12-31"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/subsidy/payouts/history")
    history = client.get("/subsidy/payouts/history").get_data(as_text=True)
    assert world.lab.name in history and "¥800.00" in history and "苏银转账 2026-12-31" in history
    assert world.finance.name in history and "已付款" in history
    assert _owed(world.lab.id) is None
    page = client.get("/subsidy/payouts").get_data(as_text=True)
    assert f"/subsidy/payouts/{world.lab.id}" not in page and "目前没有待支付" in page
    # nothing owed any more: a message, nothing posted
    before = _lines()
    assert client.post(f"/subsidy/payouts/{world.lab.id}", data={"voucher": "X-2"}).status_code == 409
    assert client.post("/subsidy/payouts/99999999", data={"voucher": "X-3"}).status_code == 404
    assert _lines() == before


def test_duplicate_voucher_is_refused_on_the_page(world, two_providers, client, login):
    prog, lab2, inst2 = two_providers
    paid_booking(world)
    paid_booking(world, instrument=inst2, hours=1)
    login(client, world.finance)
    assert client.post(f"/subsidy/payouts/{world.lab.id}", data={"voucher": "V-1"}).status_code == 302
    resp = client.post(f"/subsidy/payouts/{lab2.id}", data={"voucher": "V-1"})
    assert resp.status_code == 422 and "已用于另一笔付款" in resp.get_data(as_text=True)
    assert _owed(lab2.id) == 100_000


def test_reverse_from_the_page_once(world, two_providers, client, login):
    paid_booking(world)
    login(client, world.finance)
    client.post(f"/subsidy/payouts/{world.lab.id}", data={"voucher": "V-9"})
    payout = db.session.scalars(sa.select(Payout)).one()
    url = f"/subsidy/payouts/records/{payout.id}/reverse"
    page = client.get(url).get_data(as_text=True)
    assert "¥800.00" in page and world.lab.name in page
    resp = client.post(url, data={"reason": ""})
    assert resp.status_code == 422 and 'id="reason-err"' in resp.get_data(as_text=True)
    assert _owed(world.lab.id) is None
    resp = client.post(url, data={"reason": "付错单位"})
    assert resp.status_code == 302
    assert _owed(world.lab.id) == 80_000
    history = client.get("/subsidy/payouts/history?status=reversed").get_data(as_text=True)
    assert "V-9" in history and "付错单位" in history and url not in history
    before = _lines()
    assert client.post(url, data={"reason": "再次"}).status_code == 409
    assert _lines() == before and _owed(world.lab.id) == 80_000
    assert client.get("/subsidy/payouts/records/99999999/reverse").status_code == 404
    assert client.post("/subsidy/payouts/records/99999999/reverse", data={"reason": "x"}).status_code == 404


def test_history_bad_filters_and_paging(world, two_providers, client, login):
    login(client, world.finance)
    assert client.get("/subsidy/payouts/history?date_from=2026-12-31&date_to=2026-01-01").status_code == 422
    assert client.get("/subsidy/payouts/history?date_from=nope").status_code == 422
    assert client.get("/subsidy/payouts/history?status=deleted").status_code == 422
    assert client.get("/subsidy/payouts/history?page=0").status_code == 200  # pages forgive a page number:
    assert client.get("/subsidy/payouts/history?page=abc").status_code == 200  # the first page is shown
    assert client.get("/subsidy/payouts/history?page=999").status_code == 200
    assert "没有符合条件的付款记录" in client.get("/subsidy/payouts/history?org=无此单位").get_data(as_text=True)


def test_non_finance_users_get_403(world, two_providers, client, login):
    paid_booking(world)
    login(client, world.finance)
    client.post(f"/subsidy/payouts/{world.lab.id}", data={"voucher": "V-5"})
    payout = db.session.scalars(sa.select(Payout)).one()
    client.post("/logout")
    for user in (world.lab_staff, world.co_user):
        login(client, user)
        for url in ("/subsidy/payouts", "/subsidy/payouts/history", f"/subsidy/payouts/records/{payout.id}/reverse",
                    "/payments/refunds", "/payments/refunds/1"):
            assert client.get(url).status_code == 403, url
        assert client.post(f"/subsidy/payouts/{world.lab.id}", data={"voucher": "V-6"}).status_code == 403
        assert client.post(f"/subsidy/payouts/records/{payout.id}/reverse", data={"reason": "x"}).status_code == 403
        client.post("/logout")
    db.session.expire_all()
    assert db.session.get(Payout, payout.id).status == "paid"


def test_finance_may_open_a_booking(world, two_providers, client, login):
    b = paid_booking(world)
    outsider = world.company_user(name="无关公司")
    login(client, outsider)
    assert client.get(f"/booking/{b.id}").status_code == 404
    client.post("/logout")
    login(client, world.finance)
    page = client.get(f"/booking/{b.id}")
    assert page.status_code == 200 and f"#{b.id}" in page.get_data(as_text=True)
