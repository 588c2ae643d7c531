"""The subsidy across a booking's life, through the real booking services and their signals."""
import pytest
import sqlalchemy as sa

from marketplace import ledger
from marketplace.core.db import writing
from marketplace.core.errors import Conflict, Forbidden, Invalid
from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry, JournalLine
from marketplace.subsidy import services as ss
from marketplace.subsidy.models import Programme, Reservation


def fresh(prog):
    db.session.refresh(prog)
    return prog


def assert_books_consistent(prog):
    """The programme row, the reservations and the ledger tell the same story, to the fen."""
    prog = fresh(prog)
    assert prog.reserved + prog.committed + prog.remaining == prog.budget
    assert 0 <= prog.reserved and 0 <= prog.committed and prog.remaining >= 0
    bal = ledger.balances(programme_id=prog.id)
    assert -bal.get("budget", 0) == prog.remaining
    assert -bal.get("subsidy_reserved", 0) == prog.reserved
    sums = db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(Reservation.reserved), 0),
                                        sa.func.coalesce(sa.func.sum(Reservation.committed), 0))
                              .where(Reservation.programme_id == prog.id)).one()
    assert sums[0] == prog.reserved
    assert ledger.unbalanced_entries() == []
    tb = ledger.trial_balance()
    assert tb["total_debits"] == tb["total_credits"]


def test_approval_reserves_and_completion_recomputes(world):
    prog = world.new_programme()
    b = world.book(hours=2)                       # ¥800 external fee
    assert b.fee == 80_000
    world.approve(b)
    assert b.user_subsidy == 24_000               # sme: 30 %
    assert b.payable == 56_000
    assert fresh(prog).reserved == 24_000
    world.complete(b, used_hours=1)               # staff-operated: used time → ¥400
    assert b.fee == 40_000 and b.user_subsidy == 12_000 and b.payable == 28_000
    assert fresh(prog).reserved == 12_000
    world.settle_free(b)
    prog = fresh(prog)
    assert (prog.reserved, prog.committed) == (0, 12_000)
    res = ss.reservation_of(b)
    assert (res.status, res.committed, res.fee) == ("committed", 12_000, 40_000)
    kinds = [e.kind for e in db.session.scalars(sa.select(JournalEntry).where(JournalEntry.booking_id == b.id)
                                                .order_by(JournalEntry.id))]
    assert kinds == ["reservation", "release", "subsidy_commitment", "provider_income"]
    assert_books_consistent(prog)


def test_used_longer_never_raises_above_the_reservation(world):
    prog = world.new_programme()
    b = world.book(hours=1)
    world.approve(b)
    world.complete(b, used_hours=3)
    assert b.fee == 60_000 and b.extension_status == "proposed"  # 1 h + 30 min grace until the user confirms
    from marketplace.booking import services as bs
    world._do(bs.decide_extension, b, True, actor=world.co_user)
    assert b.fee == 120_000 and b.user_subsidy == 12_000  # reservation was 30 % of ¥400
    assert_books_consistent(prog)


@pytest.mark.parametrize("action", ["reject", "cancel", "no_show"])
def test_release_on_rejection_cancellation_no_show(world, action):
    prog = world.new_programme()
    b = world.book()
    if action != "reject":
        world.approve(b)
        assert fresh(prog).reserved == 24_000
    getattr(world, action)(b)
    assert b.user_subsidy == 0
    assert fresh(prog).reserved == 0
    assert_books_consistent(prog)


def test_budget_exhausted_user_sees_why_and_pays_full(world):
    prog = world.new_programme(budget=30_000)
    first, second, third = world.book(), world.book(), world.book()
    world.approve(first)
    world.approve(second)
    world.approve(third)
    assert first.user_subsidy == 24_000
    assert second.user_subsidy == 6_000                      # what was left
    assert ss.reservation_of(second).reason_code == "budget_partial"
    assert third.user_subsidy == 0 and third.payable == third.fee
    res = ss.reservation_of(third)
    assert res.reason_code == "budget_exhausted" and "预算" in res.reason
    assert fresh(prog).remaining == 0
    world.cancel(first)                                       # released back to the budget
    assert fresh(prog).remaining == 24_000
    assert_books_consistent(prog)


def test_org_yearly_cap(world):
    prog = world.new_programme(org_year_cap=30_000)
    a, b = world.book(), world.book()
    world.approve(a)
    world.approve(b)
    assert (a.user_subsidy, b.user_subsidy) == (24_000, 6_000)
    assert ss.reservation_of(b).reason_code == "org_cap_partial"
    other = world.company_user(sme=False)                    # another company is not affected
    c = world.book(user=other)
    world.approve(c)
    assert c.user_subsidy == 16_000
    assert_books_consistent(prog)


def test_internal_and_related_party_and_cheap_instruments_excluded(world):
    world.new_programme()
    sister = world.make_org(kind="enterprise", city="南京", parent_id=world.lab.id)
    sister_user = world.make_user(org=sister)
    b = world.book(user=sister_user)
    world.approve(b)
    assert b.user_subsidy == 0 and ss.reservation_of(b).reason_code == "related_party"
    assert ss.reservation_of(b).provider_eligible is False
    own = world.book(user=world.lab_staff)
    world.approve(own)
    assert ss.reservation_of(own).reason_code == "not_enterprise"
    cheap = world.make_resource("instrument", world.lab, original_value=29_999_999, title="小仪器")
    c = world.book(instrument=cheap)
    world.approve(c)
    assert c.user_subsidy == 0 and ss.reservation_of(c).reason_code == "below_min_value"


def test_no_programme_means_no_subsidy(world):
    b = world.book()
    world.approve(b)
    assert b.user_subsidy == 0 and ss.reservation_of(b) is None


def test_each_booking_counted_once(world):
    prog = world.new_programme()
    b = world.book()
    world.approve(b)
    with writing():
        again = ss.reserve_user_subsidy(b)
        db.session.commit()
    assert again.reserved == 24_000
    assert fresh(prog).reserved == 24_000
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reservation)) == 1


def test_budget_check_constraint_refuses_overdraw(world):
    prog = world.new_programme(budget=1000)
    with writing():
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.update(Programme).where(Programme.id == prog.id).values(reserved=1001))
            db.session.flush()
        db.session.rollback()
    assert ss._move(prog.id, reserved=1001) is False
    db.session.rollback()


def test_ledger_is_append_only_and_balanced(world):
    world.new_programme(budget=1000)
    with pytest.raises(ledger.UnbalancedEntry):
        ledger.post_entry("payment", [ledger.Dr("gateway_clearing", 10), ledger.Cr("user_receivable", 9)])
    with pytest.raises(ledger.UnbalancedEntry):
        ledger.post_entry("payment", [ledger.Dr("gateway_clearing", -1), ledger.Cr("user_receivable", -1)])
    db.session.rollback()
    with writing():
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.update(JournalLine).values(debit=JournalLine.debit + 1))
        db.session.rollback()
    with writing():
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.delete(JournalEntry))
        db.session.rollback()
    entry = db.session.scalars(sa.select(JournalEntry)).first()
    with writing():
        rev = ledger.reverse_entry(entry, actor=world.admin)
        db.session.commit()
    assert rev.reverses_id == entry.id
    assert ledger.balances()["budget"] == 0
    with pytest.raises(Invalid):
        ledger.reverse_entry(entry, actor=world.admin)
    db.session.rollback()


def test_programme_admin_rules(world):
    with pytest.raises(Forbidden):
        ss.create_programme(name="x", year=2027, budget=1, actor=world.finance)
    prog = world.new_programme(budget=100_000)
    with pytest.raises(Invalid) as err:
        ss.create_programme(name="dup", year=2026, budget=1, actor=world.admin)
    assert "year" in err.value.errors
    db.session.rollback()
    with pytest.raises(Invalid) as err:
        ss.create_programme(name="bad", year=2030, budget=-1, rate_sme_bp=20000, actor=world.admin)
    assert set(err.value.errors) == {"budget"}
    db.session.rollback()
    with pytest.raises(Invalid) as err:
        ss.create_programme(name="bad", year=2030, budget=1, rate_sme_bp=20000, ungraded="E", actor=world.admin)
    assert set(err.value.errors) == {"rate_sme_bp", "ungraded"}
    db.session.rollback()
    b = world.book()
    world.approve(b)                                          # 24,000 reserved
    with writing():
        with pytest.raises(Conflict):
            ss.update_programme(prog, budget=20_000, actor=world.admin)
        db.session.rollback()
    with writing():
        ss.update_programme(prog, budget=200_000, rate_default_bp=2500, actor=world.admin)
        db.session.commit()
    prog = fresh(prog)
    assert (prog.budget, prog.remaining, prog.rate_default_bp) == (200_000, 176_000, 2500)
    assert_books_consistent(prog)


def test_postgresql_refuses_an_unbalanced_entry_at_commit(world):
    """The deferred constraint trigger (PostgreSQL): even SQL that bypasses the service cannot
    commit an entry whose debits and credits differ."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("deferred constraint triggers are PostgreSQL-only (SQLite: service-level check)")
    db.session.rollback()
    entry_id = db.session.execute(sa.text("INSERT INTO journal_entries (kind, memo, created_at) "
                                          "VALUES ('payment', 'forged', now()) RETURNING id")).scalar()
    db.session.execute(sa.text("INSERT INTO journal_lines (entry_id, account, debit, credit) "
                               "VALUES (:e, 'gateway_clearing', 100, 0), (:e, 'user_receivable', 0, 99)"),
                       {"e": entry_id})
    with pytest.raises(sa.exc.DatabaseError, match="does not balance"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)
                             .where(JournalEntry.memo == "forged")) == 0
