"""Deal money under supervision (资金监管): a ¥3,000,000 instalment is refused by card, paid by bank
transfer (the imported CSV statement matches its remittance code), held in the supervised account,
then released to the seller and the broker firm's commission when the buyer confirms the milestone."""
import io

import pytest
import sqlalchemy as sa

from marketplace import ledger
from marketplace.accounts.models import User, UserRole
from marketplace.billing.models import BankLine
from marketplace.core.audit import AuditLog
from marketplace.core.errors import Conflict
from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry
from marketplace.trading import services
from marketplace.trading.models import Deal
from marketplace.trading.services import supervision
from tests.billing.statements import D, csv_statement
from tests.races import committed, race

from .conftest import NOW, sign_both

BIG, REST = 300_000_000, 50_000_000  # ¥3,000,000.00 and ¥500,000.00


@pytest.fixture
def finance(world):
    world.reviewer.role_rows.append(UserRole(role="finance"))
    db.session.commit()
    return world.reviewer


@pytest.fixture
def big_deal(world):
    """A brokered deal (the firm's default 3 % commission) of ¥3,500,000 in two instalments."""
    total = BIG + REST
    deal = services.create_deal(actor=world.buyer_user, mode="transfer", amount=total, achievement_id=world.private.id,
                                now=NOW)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    from datetime import date
    sign_both(deal, world.seller_user, world.buyer_user, contract_type="transfer", total_amount=total,
              tech_amount=total, instalments=[(date(2026, 12, 31), BIG), (date(2027, 3, 31), REST)])
    deal.broker_firm_id, deal.commission_bp = world.firm.id, 300
    db.session.commit()
    return deal


def entries():
    return db.session.scalar(sa.select(sa.func.count()).select_from(JournalEntry))


def import_csv(client, headers, rows, expect=201):
    resp = client.post("/api/v1/bank-statements", headers=headers,
                       data={"file": (io.BytesIO(csv_statement(rows)), "stmt.csv"), "format": "csv"})
    assert resp.status_code == expect, resp.get_json()
    return resp.get_json()


def test_three_million_refuses_card_settles_by_transfer_and_releases_with_the_commission(
        world, big_deal, finance, client, api_token, login):
    buyer, fin = api_token(world.buyer_user), api_token(finance)
    url = f"/api/v1/deals/{big_deal.id}"
    refused = client.post(f"{url}/pay", json={"instalment": 1}, headers=buyer)
    assert refused.status_code == 422 and "对公转账" in refused.get_json()["detail"]
    schedule = client.get(f"{url}/instalments", headers=buyer).get_json()
    first = schedule["instalments"][0]
    assert (first["status"], first["amount"], first["remittance_code"][:2]) == ("due", BIG, "JS")
    assert schedule["account"]["account_name"] and schedule["held"] == 0
    code = first["remittance_code"]

    # the buyer transfers ¥3,000,000.00 with the code in the 附言; finance imports the bank's CSV
    got = import_csv(client, fin, [(D, "TX-DEAL-1", "苏州某科技公司", "6222", "3,000,000.00", f"技术转让款 {code}")])
    assert got == {"lines": 1, "matched": 1, "queued": 0, "duplicates": 0}
    line = db.session.scalar(sa.select(BankLine))
    assert (line.owner, line.status) == ("deal_instalment", "matched")
    schedule = client.get(f"{url}/instalments", headers=buyer).get_json()
    assert [i["status"] for i in schedule["instalments"]] == ["held", "due"]
    assert schedule["instalments"][0]["paid_by"] == "transfer"
    assert (schedule["held"], schedule["released_to_seller"], schedule["commission"]) == (BIG, 0, 0)
    assert ledger.balances(org_id=world.buyer.id)["deal_escrow"] == -BIG  # credit-normal: held for the buyer
    login(client, world.buyer_user)  # the deal page: its code, 资金监管中, and the buyer's release button
    page = client.get(f"/trading/deals/{big_deal.id}").get_data(as_text=True)
    assert code in page and "资金监管中" in page and page.count("确认成果交付并放款") == 1
    client.get("/logout")

    released = client.post(f"{url}/instalments/1/confirm", headers=buyer)
    assert released.status_code == 200, released.get_json()
    out = released.get_json()
    assert [i["status"] for i in out["instalments"]] == ["released", "due"] and out["instalments"][0]["released_at"]
    # 3 % of ¥3,000,000.00 is ¥90,000.00 to the broker firm; ¥2,910,000.00 to the seller
    assert (out["held"], out["released_to_seller"], out["commission"]) == (0, 291_000_000, 9_000_000)
    assert ledger.balances(org_id=world.seller.id)["deal_seller_payable"] == -291_000_000
    assert ledger.balances(org_id=world.firm.org_id)["broker_commission_payable"] == -9_000_000
    assert ledger.balances()["bank"] == BIG and ledger.balances()["deal_escrow"] == 0
    tb = ledger.trial_balance()
    assert tb["total_debits"] == tb["total_credits"] and sum(tb["accounts"].values()) == 0
    assert ledger.unbalanced_entries() == []
    assert db.session.get(Deal, big_deal.id).status == "signed"  # the second instalment is still due


def test_bad_confirmations_and_a_short_transfer_change_nothing(world, big_deal, finance, client, api_token):
    buyer, seller, other = (api_token(u) for u in (world.buyer_user, world.seller_user, world.other_user))
    url = f"/api/v1/deals/{big_deal.id}/instalments"
    code = big_deal.instalments[0].remittance_code
    # a transfer ¥0.01 short waits in finance's queue; the instalment stays due
    got = import_csv(client, api_token(finance), [(D, "TX-SHORT", "苏州某科技公司", "6222", "2,999,999.99", code)])
    assert got["queued"] == 1 and got["matched"] == 0
    line = db.session.scalar(sa.select(BankLine))
    assert (line.status, line.reason, line.owner) == ("unmatched", "short", "deal_instalment")
    assert client.post(f"{url}/1/confirm", headers=buyer).status_code == 409  # nothing arrived yet

    supervision.receive_instalment(db.session.get(Deal, big_deal.id).instalments[0], via="transfer",
                                   reference="assigned", actor=finance)
    db.session.commit()
    before = entries()
    for path, headers, status in [(f"{url}/5/confirm", buyer, 404), (f"{url}/0/confirm", buyer, 422),
                                  (f"{url}/2/confirm", buyer, 409),  # due: its money has not arrived
                                  (f"{url}/1/confirm", seller, 403), (f"{url}/1/confirm", other, 404),
                                  ("/api/v1/deals/999999/instalments/1/confirm", buyer, 404)]:
        resp = client.post(path, headers=headers)
        assert resp.status_code == status, (path, resp.get_json())
        assert resp.get_json()["detail"]
    assert client.get(url, headers=other).status_code == 404
    assert entries() == before and [i.status for i in db.session.get(Deal, big_deal.id).instalments] == ["held", "due"]
    assert client.post(f"{url}/1/confirm", headers=buyer).status_code == 200
    after = entries()
    again = client.post(f"{url}/1/confirm", headers=buyer)
    assert again.status_code == 409 and entries() == after
    # finance cannot refund what is already released; a refund needs a reason
    fin = api_token(finance)
    assert client.post(f"{url}/1/refund", json={"reason": "交付争议"}, headers=fin).status_code == 409
    assert client.post(f"{url}/1/refund", json={"reason": ""}, headers=fin).status_code == 422
    assert client.post(f"{url}/1/refund", json={"reason": "x"}, headers=buyer).status_code == 403
    assert entries() == after


def test_the_buyer_releases_from_the_deal_page(world, big_deal, finance, client, login):
    supervision.receive_instalment(big_deal.instalments[0], via="transfer", reference="TX", actor=finance)
    db.session.commit()
    login(client, world.seller_user)  # the seller sees the state, not the button, and cannot post it
    assert "确认成果交付并放款" not in client.get(f"/trading/deals/{big_deal.id}").get_data(as_text=True)
    client.post(f"/trading/deals/{big_deal.id}/instalments/1/confirm")
    assert db.session.get(Deal, big_deal.id).instalments[0].status == "held"
    login(client, world.buyer_user)
    resp = client.post(f"/trading/deals/{big_deal.id}/instalments/1/confirm", follow_redirects=True)
    assert "款项已从监管账户放款" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Deal, big_deal.id).instalments[0].status == "released"


def test_a_held_instalment_is_refunded_to_the_buyer(world, big_deal, finance, client, api_token):
    inst = big_deal.instalments[1]
    supervision.receive_instalment(inst, via="transfer", reference="TX", actor=finance)
    db.session.commit()
    resp = client.post(f"/api/v1/deals/{big_deal.id}/instalments/2/refund", json={"reason": "里程碑未交付，双方协商退款"},
                       headers=api_token(finance))
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["instalments"][1]["status"] == "refunded" and resp.get_json()["refunded"] == REST
    assert ledger.balances()["bank"] == 0 and ledger.balances()["deal_escrow"] == 0
    assert client.post(f"/api/v1/deals/{big_deal.id}/instalments/2/confirm",
                       headers=api_token(world.buyer_user)).status_code == 409


def test_signing_with_a_due_date_in_the_past_is_refused(world, client, api_token):
    deal = services.create_deal(actor=world.buyer_user, mode="transfer", amount=10_000,
                                achievement_id=world.private.id, now=NOW)
    services.accept_offer(deal, actor=world.seller_user, now=NOW)
    db.session.commit()
    resp = client.post(f"/api/v1/deals/{deal.id}/sign", headers=api_token(world.buyer_user), json={
        "contract_type": "transfer", "total_amount": 10_000, "tech_amount": 10_000,
        "instalments": [{"due_on": "2026-11-01", "amount": 10_000}]})
    assert resp.status_code == 422 and "instalments" in resp.get_json()["errors"]
    assert db.session.get(Deal, deal.id).signatures == []


def test_two_confirmations_at_once_release_once(app, world, big_deal, finance):
    supervision.receive_instalment(big_deal.instalments[0], via="transfer", reference="TX", actor=finance)
    db.session.commit()
    deal_id, user_id, before = big_deal.id, world.buyer_user.id, entries()

    @committed
    def confirm(i):
        return supervision.confirm_instalment(db.session.get(Deal, deal_id), 1,
                                              actor=db.session.get(User, user_id)).status

    results = race(app, 2, confirm)
    assert sorted(map(str, results)).count("released") == 1, results
    assert any(isinstance(r, Conflict) for r in results), results
    assert entries() == before + 1
    assert ledger.balances(org_id=world.seller.id)["deal_seller_payable"] == -291_000_000
    releases = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(
        AuditLog.entity == "deal_instalment", AuditLog.action == "confirm"))
    assert releases == 1


def test_the_buyer_requests_an_invoice_for_an_instalment_from_the_web(world, big_deal, finance, client, login):
    from marketplace.billing.models import Invoice
    from marketplace.verification.models import OrganisationIdentity
    login(client, world.buyer_user)
    url = f"/billing/deals/{big_deal.id}/instalments/1/invoice"
    assert "款项到账后才能申请发票" in client.get(url).get_data(as_text=True)  # nothing paid yet
    supervision.receive_instalment(big_deal.instalments[0], via="transfer", reference="TX", actor=finance)
    db.session.commit()
    assert 'class="invoice-link"' in client.get(f"/trading/deals/{big_deal.id}").get_data(as_text=True)
    bad = client.post(url, data={"kind": "normal", "title": world.buyer.name, "tax_number": "91320000MA1XXXXXXX"})
    assert bad.status_code == 422 and db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0
    assert world.buyer.name in bad.get_data(as_text=True)  # what was typed is kept
    uscc = db.session.get(OrganisationIdentity, world.buyer.id).uscc
    resp = client.post(url, data={"kind": "normal", "title": world.buyer.name, "tax_number": uscc})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    inv = db.session.scalar(sa.select(Invoice))
    assert (inv.instalment_id, inv.amount, inv.org_id) == (big_deal.instalments[0].id, BIG, world.buyer.id)
    client.post("/logout")
    login(client, world.other_user)
    assert client.get(url).status_code == 404
