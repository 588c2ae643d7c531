"""Pure trading rules."""
from datetime import date, datetime, timedelta

from marketplace.trading import rules


def test_notice_only_for_a_state_owned_negotiated_price():
    assert rules.needs_public_notice(True, "negotiated")
    assert not rules.needs_public_notice(True, "fixed")
    assert not rules.needs_public_notice(False, "negotiated")


def test_an_objection_pauses_the_notice_clock():
    end = datetime(2026, 12, 16)
    assert rules.paused_notice_end(end, datetime(2026, 12, 5), datetime(2026, 12, 8)) == end + timedelta(days=3)


def test_a_broker_speaks_for_the_sides_that_mandated_it_and_a_member_for_its_own():
    assert rules.sides_of(None, {"buyer", "seller"}, 1, 2) == {"buyer", "seller"}
    assert rules.sides_of(None, {"seller"}, 1, 2) == {"seller"}
    assert rules.sides_of(None, set(), 1, 2) == set()
    assert rules.sides_of(1, set(), 1, 2) == {"buyer"}
    assert rules.sides_of(3, set(), 1, 2) == set()


def test_a_contract_is_signed_at_the_agreed_price_to_the_fen():
    assert rules.price_differs(100, 100_000_000) and rules.price_differs(100_000_001, 100_000_000)
    assert not rules.price_differs(100_000_000, 100_000_000)
    one = {"contract_type": "transfer", "total_amount": 5, "tech_amount": 5, "instalments": [["2027-01-01", 5]]}
    assert rules.terms_digest(one) == rules.terms_digest(dict(reversed(list(one.items()))))
    assert rules.terms_digest(one) != rules.terms_digest({**one, "tech_amount": 4})


def test_contract_errors():
    d = date(2026, 12, 31)
    assert rules.contract_errors(100, 100, [(d, 60), (d, 40)]) == {}
    assert rules.contract_errors(100, 101, [(d, 100)]) == {"tech_amount": "tech_over_total"}
    assert rules.contract_errors(100, 50, [(d, 60), (d, 30)]) == {"instalments": "sum"}
    assert rules.contract_errors(100, 50, []) == {"instalments": "empty"}
    assert rules.contract_errors(100, 50, [(d, 100), (d, 0)]) == {"instalments": "positive"}
    assert rules.contract_errors(100, 50, [(d, 50), (d - timedelta(days=1), 50)]) == {"instalments": "order"}


def test_commission_split_keeps_every_fen():
    for amount in (1, 99, 12_345, 10**15):
        seller, fee = rules.split_payment(amount, 333)
        assert seller + fee == amount and fee >= 0
    assert rules.split_payment(10_000, 300) == (9_700, 300)
    assert rules.split_payment(10_000, None) == (10_000, 0)


def test_waiting_for():
    assert rules.waiting_for("negotiating", "seller", False, False, False) == "seller"
    assert rules.waiting_for("objected", None, True, False, False) == "reviewer"
    assert rules.waiting_for("public_notice", None, False, False, False) == "notice"
    assert rules.waiting_for("signed", None, False, False, True) == "buyer"
