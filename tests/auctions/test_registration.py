"""Registration: verified organisations only, never the seller or a related party; the deposit paid
by bank transfer with the registration's remittance code (the bank import) confirms the bidder, or
staff confirm it; anything but the exact deposit waits for finance."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.auctions import services
from marketplace.auctions.models import AuctionRegistration
from marketplace.billing.models import BankLine
from marketplace.billing.services import bank
from marketplace.core.errors import Conflict, Forbidden
from marketplace.extensions import db
from marketplace.ledger import trial_balance
from tests.billing.statements import csv_statement

from .conftest import DEPOSIT, do


def count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuctionRegistration))


def test_the_seller_a_related_party_and_an_unverified_organisation_cannot_register(world, make_org, make_user):
    subsidiary = make_org(name="卖方子公司", kind="enterprise", parent_id=world.seller.id)
    unverified = make_org(name="未认证公司", kind="enterprise", verified=False)
    for user, message in ((world.seller_user, "卖方"), (make_user(subsidiary), "关联"), (make_user(unverified), "认证")):
        with pytest.raises(Forbidden, match=message):
            do(services.register, world.auction, actor=user)
    assert count() == 0
    do(services.register, world.auction, actor=world.users[0])
    with pytest.raises(Conflict):
        do(services.register, world.auction, actor=world.users[0])
    with pytest.raises(Conflict):                                       # after the registration deadline
        do(services.register, world.auction, actor=world.users[1], now=world.reg_deadline + timedelta(seconds=1))
    assert count() == 1


def test_a_bank_transfer_with_the_remittance_code_confirms_the_bidder_and_a_short_one_waits(world):
    first = do(services.register, world.auction, actor=world.users[0])
    second = do(services.register, world.auction, actor=world.users[1])
    assert (first.alias, second.alias, first.deposit) == ("竞买人 1", "竞买人 2", DEPOSIT)
    data = csv_statement([(date(2026, 11, 30), "TX-A1", "竞买公司0", "6222", "1,000.00", f"保证金 {first.remittance_code}"),
                          (date(2026, 11, 30), "TX-A2", "竞买公司1", "6223", "999.00", second.remittance_code)])
    report = do(bank.import_statement, data, filename="s.csv", fmt=None, actor=world.finance)
    assert (report.matched, report.queued) == (1, 1)
    assert db.session.get(AuctionRegistration, first.id).status == "confirmed"
    assert db.session.get(AuctionRegistration, second.id).status == "pending"
    short = db.session.scalar(sa.select(BankLine).where(BankLine.transaction_id == "TX-A2"))
    assert (short.status, short.reason) == ("unmatched", "short")
    assert trial_balance()["accounts"]["auction_deposit_held"] == -DEPOSIT
    again = do(bank.import_statement, data, filename="s.csv", fmt=None, actor=world.finance)
    assert again.already_imported and trial_balance()["accounts"]["auction_deposit_held"] == -DEPOSIT


def test_staff_confirm_once_the_deposit_is_received_when_confirmation_is_not_automatic(world, app):
    app.config["AUCTIONS_AUTO_CONFIRM"] = False
    try:
        reg = do(services.register, world.auction, actor=world.users[0])
        with pytest.raises(Conflict):
            do(services.confirm_registration, reg, actor=world.reviewer)
        assert do(services.claim_transfer, reg.remittance_code, DEPOSIT, "bank-x", actor=None) == "matched"
        reg = db.session.get(AuctionRegistration, reg.id)
        assert reg.status == "paid"
        with pytest.raises(Forbidden):
            do(services.confirm_registration, reg, actor=world.users[1])
        do(services.confirm_registration, reg, actor=world.reviewer)
        assert db.session.get(AuctionRegistration, reg.id).status == "confirmed"
    finally:
        app.config["AUCTIONS_AUTO_CONFIRM"] = True


def test_finance_assigns_a_waiting_transfer_to_a_deposit_by_its_remittance_code(world, client, api_token):
    """The queue's assign is the same for every owner of a code: a line without a code is applied to the
    deposit it pays (received as an imported transfer is); a short one is refused and waits to be returned."""
    reg = do(services.register, world.auction, actor=world.users[0])
    data = csv_statement([(date(2026, 11, 30), "TX-B1", "竞买公司0", "6222", "999.00", "保证金"),
                          (date(2026, 11, 30), "TX-B2", "竞买公司0", "6222", "1,000.00", "竞价保证金 忘写识别码")])
    assert do(bank.import_statement, data, filename="b.csv", fmt=None, actor=world.finance).queued == 2
    short, unknown = (db.session.scalar(sa.select(BankLine).where(BankLine.transaction_id == t)) for t in ("TX-B1", "TX-B2"))
    assert unknown.reason == "unknown_code"
    fin = api_token(world.finance)
    resp = client.post(f"/api/v1/bank-lines/{short.id}/assign", headers=fin, json={"remittance_code": reg.remittance_code})
    assert resp.status_code == 422 and "¥1,000.00" in resp.get_json()["errors"]["bill"][0]
    assert db.session.get(AuctionRegistration, reg.id).status == "pending"
    assert client.post(f"/api/v1/bank-lines/{unknown.id}/assign", headers=api_token(world.users[0]),
                       json={"remittance_code": reg.remittance_code}).status_code == 403
    resp = client.post(f"/api/v1/bank-lines/{unknown.id}/assign", headers=fin, json={"remittance_code": reg.remittance_code})
    assert resp.status_code == 200, resp.get_json()
    line = db.session.get(BankLine, unknown.id)
    assert (line.status, line.owner, line.owner_ref, line.bill_id) == ("assigned", "auction_deposit", reg.id, None)
    reg = db.session.get(AuctionRegistration, reg.id)
    assert (reg.status, reg.deposit_via, reg.deposit_reference) == ("confirmed", "transfer", "bank-TX-B2")
    assert trial_balance()["accounts"]["auction_deposit_held"] == -DEPOSIT
    again = client.post(f"/api/v1/bank-lines/{short.id}/assign", headers=fin, json={"remittance_code": reg.remittance_code})
    assert again.status_code == 422 and "已付清" in again.get_json()["errors"]["bill"][0]
