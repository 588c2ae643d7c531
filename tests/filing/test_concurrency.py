"""20 approvals at once get 20 distinct consecutive filing numbers (a counter row updated in the
approving transaction, and a unique constraint on (year, serial)), on SQLite and PostgreSQL."""

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.filing import services as s
from marketplace.filing.models import Firm
from marketplace.filing.rules import format_number
from tests.races import committed, failures, race

N = 20


@pytest.mark.slow
def test_twenty_concurrent_approvals_get_consecutive_numbers(app, make_filing, reviewer):
    ids = [make_filing("under_review").id for _ in range(N)]
    reviewer_id = reviewer.id
    db.session.commit()

    @committed
    def approve(i):
        s.approve_filing(db.session.get(Firm, ids[i]), actor=db.session.get(User, reviewer_id))

    assert failures(race(app, N, approve)) == []
    db.session.expire_all()
    rows = db.session.execute(sa.select(Firm.number_year, Firm.number_seq, Firm.number).where(Firm.id.in_(ids))).all()
    year = rows[0][0]
    assert sorted(seq for _y, seq, _n in rows) == list(range(1, N + 1))
    assert {n for _y, _s, n in rows} == {format_number(year, i) for i in range(1, N + 1)}


def test_the_database_refuses_a_duplicate_number(app, make_filing):
    a, b = make_filing("draft"), make_filing("draft")
    a.number_year, a.number_seq, a.number = 2026, 7, "苏技经备〔2026〕0007号"
    db.session.commit()
    b.number_year, b.number_seq, b.number = 2026, 7, "x"
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
