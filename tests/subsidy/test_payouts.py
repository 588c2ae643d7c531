"""Paying managing units what they are owed: service income and settled provider subsidy, under a
unique voucher number; a payout recorded in error is reversed by a mirror entry and owed again."""
import pytest
import sqlalchemy as sa

from marketplace import ledger
from marketplace.core.db import writing
from marketplace.core.errors import Conflict, Forbidden, Invalid, NotFound
from marketplace.core.models import AuditLog
from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry, JournalLine
from marketplace.subsidy.models import Payout
from marketplace.subsidy.services.payouts import amounts_owed, list_payouts, pay_out, reverse_payout

from .test_settlement import paid_booking, settle


def _do(fn, *args, **kw):
    db.session.commit()
    with writing():
        try:
            out = fn(*args, **kw)
            db.session.commit()
            return out
        except Exception:
            db.session.rollback()
            raise


def _pay(world, org_id, voucher="转账凭证 001", actor=None):
    return _do(pay_out, org_id, voucher, actor=actor or world.finance)


def _owed(org_id):
    return {row["org_id"]: row for row in amounts_owed()}.get(org_id)


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _trial_balanced():
    tb = ledger.trial_balance()
    return tb["total_debits"] == tb["total_credits"] and sum(tb["accounts"].values()) == 0


def test_payout_clears_service_income_and_settled_subsidy_once(world, two_providers):
    prog, lab2, inst2 = two_providers
    paid_booking(world)                              # lab: 2 h × ¥400 = ¥800 external
    paid_booking(world, instrument=inst2, hours=1)   # lab2: ¥1,000
    settle(world, prog)                              # lab A: 20 % × ¥800 = ¥160; lab2 C: 50 % × 20 % × ¥1,000 = ¥100

    owed = {row["org_id"]: row for row in amounts_owed()}
    assert (owed[world.lab.id]["service"], owed[world.lab.id]["subsidy"]) == (80_000, 16_000)
    assert (owed[lab2.id]["service"], owed[lab2.id]["subsidy"]) == (100_000, 10_000)

    paid = _pay(world, world.lab.id)
    assert (paid.total, paid.service, paid.subsidy, paid.voucher, paid.status) == (96_000, 80_000, 16_000,
                                                                                   "转账凭证 001", "paid")
    balances = ledger.balances(org_id=world.lab.id)
    assert balances["provider_payable"] == 0 and balances["provider_subsidy_payable"] == 0
    assert balances["bank"] == -96_000
    assert _owed(world.lab.id) is None
    assert _owed(lab2.id) is not None  # the other unit is untouched
    assert ledger.unbalanced_entries() == [] and _trial_balanced()

    lines_before = _count(JournalLine)
    with pytest.raises(Conflict):
        _pay(world, world.lab.id, voucher="转账凭证 002")  # nothing left: paying twice pays nothing
    assert _count(JournalLine) == lines_before


@pytest.mark.parametrize("voucher, message", [("", "请填写付款凭证号"), ("   ", "请填写付款凭证号"),
                                              ("x" * 41, "不能超过"), ("<script>", "只能包含"), ("---", "只能包含")])
def test_a_payout_needs_a_proper_voucher(world, two_providers, voucher, message):
    paid_booking(world)
    with pytest.raises(Invalid) as err:
        _pay(world, world.lab.id, voucher=voucher)
    assert "voucher" in err.value.errors and message in str(err.value.errors["voucher"][0])
    assert _owed(world.lab.id)["total"] == 80_000 and _count(Payout) == 0
    assert not db.session.scalars(sa.select(JournalEntry).where(JournalEntry.kind == "payout")).all()


def test_a_voucher_number_is_used_once(world, two_providers):
    prog, lab2, inst2 = two_providers
    paid_booking(world)
    paid_booking(world, instrument=inst2, hours=1)
    _pay(world, world.lab.id, voucher="SY-2026-0001")
    with pytest.raises(Invalid) as err:
        _pay(world, lab2.id, voucher="sy-2026-0001 ")  # same number, other case and a trailing space
    assert "已用于另一笔付款" in err.value.errors["voucher"][0]
    assert _owed(lab2.id)["total"] == 100_000 and _count(Payout) == 1


def test_reversal_puts_the_amount_back_as_owed_exactly_once(world, two_providers):
    prog, lab2, inst2 = two_providers
    paid_booking(world)
    settle(world, prog)
    before = _owed(world.lab.id)
    assert (before["service"], before["subsidy"], before["total"]) == (80_000, 16_000, 96_000)
    paid = _pay(world, world.lab.id, voucher="SY-1")
    entries_before = {e.id: [(x.account, x.debit, x.credit) for x in e.lines]
                      for e in db.session.scalars(sa.select(JournalEntry))}

    with pytest.raises(Invalid):
        _do(reverse_payout, paid.id, "  ", actor=world.finance)     # a reason is required
    reversed_ = _do(reverse_payout, paid.id, "凭证号录错", actor=world.finance)
    assert reversed_.status == "reversed" and reversed_.reversal_reason == "凭证号录错"
    after = _owed(world.lab.id)
    assert (after["service"], after["subsidy"], after["total"]) == (80_000, 16_000, 96_000)
    assert ledger.balances(org_id=world.lab.id)["bank"] == 0
    assert ledger.unbalanced_entries() == [] and _trial_balanced()
    # append-only: every earlier entry is unchanged; the reversal is a new entry pointing at the payout's
    db.session.expire_all()
    for entry_id, lines in entries_before.items():
        assert [(x.account, x.debit, x.credit) for x in db.session.get(JournalEntry, entry_id).lines] == lines
    mirror = db.session.get(JournalEntry, reversed_.reversal_entry_id)
    assert mirror.kind == "reversal" and mirror.reverses_id == paid.entry_id
    audit = db.session.scalars(sa.select(AuditLog).where(AuditLog.entity == "subsidy_payout",
                                                         AuditLog.entity_id == paid.id)
                               .order_by(AuditLog.id)).all()
    assert [(a.action, a.to_state) for a in audit] == [("record", "paid"), ("reverse", "reversed")]
    assert audit[1].comment == "凭证号录错" and audit[1].actor_id == world.finance.id

    lines_before = _count(JournalLine)
    with pytest.raises(Conflict):
        _do(reverse_payout, paid.id, "再来一次", actor=world.finance)  # reversing twice
    assert _count(JournalLine) == lines_before
    # and the unit can be paid again, under a new voucher, to the fen
    again = _pay(world, world.lab.id, voucher="SY-2")
    assert again.total == 96_000 and _owed(world.lab.id) is None


def test_only_finance_pays_reverses_and_lists(world, two_providers):
    paid_booking(world)
    with pytest.raises(Forbidden):
        _pay(world, world.lab.id, actor=world.lab_staff)
    assert _owed(world.lab.id)["total"] == 80_000
    paid = _pay(world, world.lab.id)
    for actor in (world.lab_staff, world.co_user):  # (admins hold every role)
        with pytest.raises(Forbidden):
            _do(reverse_payout, paid.id, "试试", actor=actor)
        with pytest.raises(Forbidden):
            list_payouts(actor=actor)
    with pytest.raises(NotFound):
        _do(reverse_payout, 99_999_999, "不存在", actor=world.finance)
    assert db.session.get(Payout, paid.id).status == "paid"


def test_history_filters(world, two_providers):
    prog, lab2, inst2 = two_providers
    paid_booking(world)
    paid_booking(world, instrument=inst2, hours=1)
    a = _pay(world, world.lab.id, voucher="A-1")
    b = _pay(world, lab2.id, voucher="B-1")
    _do(reverse_payout, b.id, "错付", actor=world.finance)
    ids = lambda **kw: [p.id for p in list_payouts(actor=world.finance, **kw)[0]]  # noqa: E731
    assert ids() == [b.id, a.id]
    assert ids(status="reversed") == [b.id] and ids(status="paid") == [a.id]
    assert ids(org="东南") == [b.id] and ids(org=f"#{world.lab.id}") == [a.id]
    assert ids(voucher="a-") == [a.id] and ids(voucher="%") == []
    assert list_payouts(actor=world.finance, per_page=1, page=2) == ([db.session.get(Payout, a.id)], 2)
    with pytest.raises(Invalid):
        list_payouts(actor=world.finance, status="deleted")


def test_finance_exports_the_payout_batch_file(world, two_providers, client, login):
    import csv
    import io

    from openpyxl import load_workbook
    prog, lab2, inst2 = two_providers
    paid_booking(world)                              # lab: ¥800 income
    paid_booking(world, instrument=inst2, hours=1)   # lab2: ¥1,000
    settle(world, prog)                              # lab ¥160, lab2 ¥100 subsidy
    db.session.commit()
    login(client, world.finance)
    resp = client.get("/subsidy/payouts/batch.csv")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "收款单位", "付款金额（元）"]
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name[world.lab.name][2] == "960.00" and by_name[world.lab.name][-1] == "96000"
    assert by_name[lab2.name][2] == "1100.00" and by_name[lab2.name][-1] == "110000"
    sheet = load_workbook(io.BytesIO(client.get("/subsidy/payouts/batch.xlsx").get_data())).active
    assert [c.value for c in sheet[1]][:2] == ["序号", "收款单位"] and sheet.max_row == 3
    assert client.get("/subsidy/payouts/batch.pdf").status_code == 404
    client.post("/logout")
    login(client, world.lab_staff)
    assert client.get("/subsidy/payouts/batch.csv").status_code in (403, 404)


def test_the_labs_statement_shows_its_grade_factor_and_the_payouts_it_received(world, two_providers, client, login):
    from marketplace.subsidy.services.statements import statement
    prog, _lab2, _inst2 = two_providers
    paid_booking(world)                              # lab: ¥800 external income
    settle(world, prog)                              # grade A: 20 % × 100 % × ¥800 = ¥160
    _pay(world, world.lab.id, voucher="PZ-2026-12")
    rows = statement(world.lab.id, None, actor=world.lab_staff)["rows"]  # the programme year
    kinds = [r[8] for r in rows]
    assert kinds.count("provider") == 1 and kinds.count("settlement") == 1 and kinds.count("payout") == 1
    settled = next(r for r in rows if r[8] == "settlement")
    assert "A 级" in settled[2] and "系数 100%" in settled[2] and (settled[4], settled[5]) == (80_000, 16_000)
    payout = next(r for r in rows if r[8] == "payout")
    assert "PZ-2026-12" in payout[2] and (payout[4], payout[5], payout[6]) == (80_000, 16_000, 96_000)
    login(client, world.lab_staff)
    home = client.get("/").get_data(as_text=True)
    assert "/subsidy/statements" in home  # linked from the lab's menu
    page = client.get("/subsidy/statements").get_data(as_text=True)
    assert "PZ-2026-12" in page and "合计：收到付款" in page
