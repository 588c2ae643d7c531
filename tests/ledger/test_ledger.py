"""The ledger's public API, as other domains use it (subsidy, payments, later trading)."""
import pytest
from flask_babel import force_locale

from marketplace import ledger
from marketplace.core.db import writing
from marketplace.core.errors import Invalid
from marketplace.extensions import db
from marketplace.ledger import Cr, Dr


def test_post_reverse_and_balances(app):
    with writing():
        assert ledger.post_entry("payment", [Dr("gateway_clearing", 0), Cr("user_receivable", 0)]) is None
        with pytest.raises(ledger.UnbalancedEntry):
            ledger.post_entry("payment", [Dr("gateway_clearing", 100), Cr("user_receivable", 99)])
        with pytest.raises(ledger.UnbalancedEntry):
            ledger.post_entry("payment", [Dr("no_such_account", 1), Cr("user_receivable", 1)])
        with pytest.raises(ValueError):
            ledger.post_entry("no_such_kind", [Dr("gateway_clearing", 1), Cr("user_receivable", 1)])
        entry = ledger.post_entry("payment", [Dr("gateway_clearing", 1_234), Cr("user_receivable", 1_234)],
                                  memo="测试")
        db.session.commit()
    assert [(x.account, x.debit, x.credit) for x in entry.lines] == [
        ("gateway_clearing", 1_234, 0), ("user_receivable", 0, 1_234)]
    assert ledger.balances() == {"gateway_clearing": 1_234, "user_receivable": -1_234}
    with writing():
        reversal = ledger.reverse_entry(entry)
        db.session.commit()
    assert reversal.reverses_id == entry.id and reversal.kind == "reversal"
    assert ledger.balances() == {"gateway_clearing": 0, "user_receivable": 0}
    with pytest.raises(Invalid):
        ledger.reverse_entry(entry)
    db.session.rollback()
    tb = ledger.trial_balance()
    assert tb["total_debits"] == tb["total_credits"] == 2_468 and ledger.unbalanced_entries() == []


def test_account_names_follow_the_language(app):
    with app.test_request_context():
        assert ledger.account_name("budget") == "可用预算"
        with force_locale("en"):
            assert ledger.account_name("budget") == "Budget available"
            assert ledger.entry_kind_name("payout") == "Payout"
        assert ledger.account_name("unknown") == "unknown"


def test_an_entry_is_reversed_at_most_once_even_bypassing_the_check(app):
    """The database's unique index on reverses_id is the last guard (two officers at the same moment)."""
    from sqlalchemy.exc import IntegrityError
    with writing():
        entry = ledger.post_entry("payout", [Dr("provider_payable", 500), Cr("bank", 500)])
        ledger.reverse_entry(entry, memo="录错")
        db.session.commit()
    with writing():
        with pytest.raises(IntegrityError):
            ledger.post_entry("reversal", [Dr("bank", 500), Cr("provider_payable", 500)], reverses_id=entry.id)
        db.session.rollback()
    assert ledger.balances() == {"provider_payable": 0, "bank": 0}
    assert ledger.unbalanced_entries() == []
