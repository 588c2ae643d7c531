"""Paying managing units what they are owed: service income and settled provider subsidy."""
import pytest
import sqlalchemy as sa

from marketplace.core.db import writing
from marketplace.core.errors import Conflict, Forbidden
from marketplace.extensions import db
from marketplace import ledger
from marketplace.ledger.models import JournalLine
from marketplace.subsidy.payouts import amounts_owed, pay_out

from .test_settlement import paid_booking, settle


def _pay(world, org_id, actor=None):
    with writing():
        out = pay_out(org_id, reference="转账凭证 001", actor=actor or world.finance)
        db.session.commit()
    return out


def test_payout_clears_service_income_and_settled_subsidy_once(world, two_providers):
    prog, lab2, inst2 = two_providers
    paid_booking(world)                              # lab: 2 h × ¥400 = ¥800 external
    paid_booking(world, instrument=inst2, hours=1)   # lab2: ¥1,000
    settle(world, prog)                              # lab A: 20 % × ¥800 = ¥160; lab2 C: 50 % × 20 % × ¥1,000 = ¥100

    owed = {row["org_id"]: row for row in amounts_owed()}
    assert (owed[world.lab.id]["service"], owed[world.lab.id]["subsidy"]) == (80_000, 16_000)
    assert (owed[lab2.id]["service"], owed[lab2.id]["subsidy"]) == (100_000, 10_000)

    paid = _pay(world, world.lab.id)
    assert paid["total"] == 96_000
    balances = ledger.balances(org_id=world.lab.id)
    assert balances["provider_payable"] == 0 and balances["provider_subsidy_payable"] == 0
    assert balances["bank"] == -96_000
    assert world.lab.id not in {row["org_id"] for row in amounts_owed()}
    assert lab2.id in {row["org_id"] for row in amounts_owed()}  # the other unit is untouched
    assert ledger.unbalanced_entries() == []

    lines_before = db.session.scalar(sa.select(sa.func.count()).select_from(JournalLine))
    with pytest.raises(Conflict):
        _pay(world, world.lab.id)                    # nothing left: paying twice pays nothing
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JournalLine)) == lines_before


def test_only_finance_pays_out(world, two_providers):
    paid_booking(world)
    with pytest.raises(Forbidden):
        _pay(world, world.lab.id, actor=world.lab_staff)
    db.session.rollback()
    assert world.lab.id in {row["org_id"] for row in amounts_owed()}


def test_payout_pages(world, two_providers, client, login):
    paid_booking(world)
    login(client, world.lab_staff)
    assert client.get("/subsidy/payouts").status_code == 403
    assert client.post(f"/subsidy/payouts/{world.lab.id}").status_code == 403
    client.post("/logout")
    login(client, world.finance)
    page = client.get("/subsidy/payouts").get_data(as_text=True)
    assert world.lab.name in page and "¥800.00" in page
    resp = client.post(f"/subsidy/payouts/{world.lab.id}", data={"reference": "苏银转账 2026-12-31"})
    assert resp.status_code == 302
    page = client.get("/subsidy/payouts").get_data(as_text=True)
    assert f"/subsidy/payouts/{world.lab.id}" not in page  # its pay button is gone
    assert "目前没有待支付" in page
    assert client.post(f"/subsidy/payouts/{world.lab.id}").status_code == 302  # nothing owed: a message
    assert client.post("/subsidy/payouts/99999999").status_code == 404
