"""Bank statements settle bills by remittance code and amount; the rest waits for finance; the same
file twice changes nothing; bad files are refused naming the line, and nothing changes."""
import io

import pytest
import sqlalchemy as sa

from marketplace.billing.models import BankLine, BankStatement, Bill
from marketplace.billing.services import bank
from marketplace.booking.models import Booking
from marketplace.core.errors import Conflict, Invalid
from marketplace.extensions import db
from marketplace.ledger import balances, trial_balance

from .conftest import JANUARY, at, close, completed, do
from .statements import D, camt053, csv_statement


@pytest.fixture
def two_bills(world):
    """The company's December bill (¥560.00 + ¥840.00 = ¥1,400.00) and another company's, not an SME: 20 % (¥1,280.00)."""
    completed(world, 2, 3)
    other = world.company_user(name="常州某公司")
    completed(world, 4, user=other)
    with at(JANUARY):
        close()
    mine = db.session.scalar(sa.select(Bill).where(Bill.org_id == world.company.id))
    theirs = db.session.scalar(sa.select(Bill).where(Bill.org_id == other.organisation_id))
    assert (mine.total, theirs.total) == (140_000, 128_000)
    return mine, theirs


def imp(world, data, fmt=None, name="statement.csv"):
    return do(bank.import_statement, data, filename=name, fmt=fmt, actor=world.finance)


def snapshot():
    return (db.session.scalar(sa.select(sa.func.count()).select_from(BankLine)),
            db.session.scalar(sa.select(sa.func.count()).select_from(BankStatement)),
            trial_balance()["total_debits"], tuple(db.session.scalars(sa.select(Bill.status).order_by(Bill.id))))


def test_a_csv_statement_settles_the_bill_and_the_same_file_again_changes_nothing(world, two_bills):
    mine, theirs = two_bills
    data = csv_statement([(D, "202701050001", "苏州某科技公司", "6222020100001234", "1,400.00",
                           f"服务费 {mine.remittance_code[:6]} {mine.remittance_code[6:]}")])
    report = imp(world, data)
    assert (report.lines, report.matched, report.queued, report.duplicates) == (1, 1, 0, 0)
    db.session.refresh(mine)
    assert (mine.status, mine.paid_amount, mine.paid_by) == ("paid", 140_000, "transfer")
    assert {b.status for b in db.session.scalars(sa.select(Booking).where(Booking.org_id == world.company.id))} == {"settled"}
    assert balances()["bank"] == 140_000
    assert balances(org_id=world.company.id)["user_receivable"] == 0
    tb = trial_balance()
    assert tb["total_debits"] == tb["total_credits"]
    before = snapshot()
    again = imp(world, data)
    assert again.already_imported and again.matched == 0 and again.duplicates == 1
    assert snapshot() == before


def test_a_camt053_statement_settles_a_bill(world, two_bills):
    mine, theirs = two_bills
    report = imp(world, camt053([(D, "CAMT-0001", "常州某公司", "6222000000000001", "1280.00",
                                  f"对账单 {theirs.remittance_code}")]), name="stmt.xml")
    assert (report.lines, report.matched) == (1, 1)
    db.session.refresh(theirs)
    assert theirs.status == "paid" and theirs.paid_amount == 128_000
    assert balances()["bank"] == 128_000


def test_short_unknown_excess_and_duplicate_lines_wait_for_finance(world, two_bills):
    mine, theirs = two_bills
    report = imp(world, csv_statement([
        (D, "T1", "苏州某科技公司", "6222", "1000.00", mine.remittance_code),          # short by ¥400
        (D, "T2", "某人", "6223", "88.00", "货款"),                                     # no code
        (D, "T3", "常州某公司", "6224", "1280.01", theirs.remittance_code),             # one fen too much
        (D, "T4", "某公司", "6225", "50.00", "JS" + mine.remittance_code[2:-1] + ("A" if mine.remittance_code[-1] != "A" else "B")),
    ]))
    assert (report.lines, report.matched, report.queued) == (4, 0, 4)
    reasons = dict(db.session.execute(sa.select(BankLine.transaction_id, BankLine.reason)).all())
    assert reasons == {"T1": "short", "T2": "unknown_code", "T3": "excess", "T4": "unknown_code"}
    assert balances().get("bank", 0) == 0  # nothing booked until a person decides
    # an overlapping export brings T1 again: a duplicate, never applied twice
    dup = imp(world, csv_statement([(D, "T1", "苏州某科技公司", "6222", "1000.00", mine.remittance_code)]), name="b.csv")
    assert dup.duplicates == 1
    t1 = db.session.scalar(sa.select(BankLine).where(BankLine.transaction_id == "T1", BankLine.duplicate_of_id.is_(None)))
    t1_dup = db.session.scalar(sa.select(BankLine).where(BankLine.duplicate_of_id == t1.id))
    with pytest.raises(Conflict):
        do(bank.assign_line, t1_dup, mine.id, actor=world.finance)
    # finance counts the short payment towards the bill; the rest arrives later and settles it
    do(bank.assign_line, t1, mine.remittance_code, actor=world.finance)
    db.session.refresh(mine)
    assert (mine.status, mine.paid_amount) == ("open", 100_000)
    assert balances()["bank"] == 100_000
    rest = imp(world, csv_statement([(D, "T5", "苏州某科技公司", "6222", "400.00", mine.remittance_code)]), name="c.csv")
    assert rest.matched == 1
    db.session.refresh(mine)
    assert (mine.status, mine.paid_amount) == ("paid", 140_000)
    assert balances()["bank"] == 140_000 and balances(org_id=world.company.id)["user_receivable"] == 0
    # the excess cannot be assigned; finance returns it
    t3 = db.session.scalar(sa.select(BankLine).where(BankLine.transaction_id == "T3"))
    with pytest.raises(Invalid) as err:
        do(bank.assign_line, t3, theirs.id, actor=world.finance)
    assert "¥1,280.01" in err.value.detail
    do(bank.return_line, t3, "多付 1 分，已原路退回", actor=world.finance)
    assert db.session.get(BankLine, t3.id).status == "returned"
    db.session.refresh(theirs)
    assert theirs.status == "open"
    tb = trial_balance()
    assert tb["total_debits"] == tb["total_credits"]


@pytest.mark.parametrize("data, where", [
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "表头"),
    ("交易日期,交易流水号,对方户名,对方账号,收入金额,摘要\n2027-01-05,T9,某,1,12.3.4,x\n".encode(), "第 2 行"),
    ("交易日期,交易流水号,对方户名,对方账号,收入金额,摘要\n2027-13-45,T9,某,1,12.00,x\n".encode("gbk"), "第 2 行"),
    (b"<Document xmlns='urn:example'><x/></Document>", "camt.053"),
    (b"<Document><unclosed>", "XML"),
])
def test_bad_files_are_refused_naming_the_line_and_change_nothing(world, two_bills, data, where):
    before = snapshot()
    with pytest.raises(Invalid) as err:
        imp(world, data)
    assert where in err.value.errors["file"][0]
    assert snapshot() == before


def test_the_api_imports_lists_and_refuses_what_it_should(world, two_bills, client, api_token):
    mine, theirs = two_bills
    fin = api_token(world.finance)
    data = csv_statement([(D, "A1", "苏州某科技公司", "6222", "1400.00", mine.remittance_code),
                          (D, "A2", "某人", "6223", "1.00", "无附言")])
    resp = client.post("/api/v1/bank-statements", headers=fin,
                       data={"file": (io.BytesIO(data), "s.csv"), "format": "csv"})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json() == {"lines": 2, "matched": 1, "queued": 1, "duplicates": 0}
    queue = client.get("/api/v1/bank-lines?status=unmatched", headers=fin).get_json()
    assert [x["transaction_id"] for x in queue["items"]] == ["A2"] and queue["items"][0]["amount"] == 100
    line_id = queue["items"][0]["id"]
    # someone else's money, a wrong format, a 20 MB file, a company user: clear errors, nothing changes
    before = snapshot()
    assert client.post("/api/v1/bank-statements", headers=fin,
                       data={"file": (io.BytesIO(data), "s.csv"), "format": "pdf"}).status_code == 422
    big = client.post("/api/v1/bank-statements", headers=fin,
                      data={"file": (io.BytesIO(b"a" * (20 * 1024 * 1024)), "big.csv")})
    assert big.status_code == 422 and "file" in big.get_json()["errors"]
    co = api_token(world.co_user)
    assert client.post("/api/v1/bank-statements", headers=co, data={"file": (io.BytesIO(data), "s.csv")}).status_code == 403
    assert client.get("/api/v1/bank-lines", headers=co).status_code == 403
    assert client.post(f"/api/v1/bank-lines/{line_id}/assign", headers=fin, json={"bill_id": mine.id}).status_code == 422
    assert client.post(f"/api/v1/bank-lines/{line_id}/assign", headers=fin, json={"bill_id": "x"}).status_code == 422
    assert client.post(f"/api/v1/bank-lines/{line_id}/return", headers=fin, json={}).status_code == 422
    assert client.post("/api/v1/bank-lines/99999/return", headers=fin, json={"note": "x"}).status_code == 404
    assert snapshot() == before
    resp = client.post(f"/api/v1/bank-lines/{line_id}/assign", headers=fin,
                       json={"remittance_code": theirs.remittance_code})
    assert resp.status_code == 200 and resp.get_json()["status"] == "assigned"
    assert client.get(f"/api/v1/bills/{theirs.id}", headers=fin).get_json()["paid_amount"] == 100


def test_bank_import_command(world, two_bills, runner, tmp_path):
    mine, _theirs = two_bills
    path = tmp_path / "camt.xml"
    path.write_bytes(camt053([(D, "C1", "苏州某科技公司", "6222", "1400.00", mine.remittance_code)]))
    first = runner.invoke(args=["bank", "import", str(path)])
    again = runner.invoke(args=["bank", "import", str(path), "--format", "camt053"])
    assert first.exit_code == 0 and "matched=1" in first.output, first.output
    assert again.exit_code == 0 and "nothing changed" in again.output
    bad = tmp_path / "bad.csv"
    bad.write_text("交易日期,交易流水号,对方户名,对方账号,收入金额,摘要\n2027-01-05,T9,某,1,abc,x\n")
    out = runner.invoke(args=["bank", "import", str(bad)])
    assert out.exit_code != 0 and "第 2 行" in out.output
