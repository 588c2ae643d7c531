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
