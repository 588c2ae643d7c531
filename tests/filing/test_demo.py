"""The demo filings: ~40 firms in every state across the 13 cities; broker@demo.cn an active manager."""
from collections import Counter

import pytest
import sqlalchemy as sa
from stdnum.cn import uscc

from marketplace.accounts.models import User
from marketplace.core.reference import CITIES
from marketplace.core.timeutil import to_local, utcnow
from marketplace.demo.seed import seed_demo
from marketplace.extensions import db
from marketplace.filing import services as s
from marketplace.filing.models import AnnualReport, FilingCounter, Firm, FirmManager
from marketplace.filing.rules import id_number_error
from marketplace.filing.states import FILING


@pytest.mark.once  # the full demo data: seeded in full on PostgreSQL; SQLite seeds it in test_cli_seed_demo
def test_demo_filings(app, runner):
    seed_demo(resources=30, seed=7)
    firms = db.session.scalars(sa.select(Firm)).all()
    assert 35 <= len(firms) <= 45
    assert set(Counter(f.status for f in firms)) == set(FILING.states)
    assert {f.city for f in firms} == set(CITIES)
    broker = db.session.scalar(sa.select(User).where(User.email == "broker@demo.cn"))
    firm = s.active_broker_firm(broker)
    assert firm is not None and firm.org_id == broker.organisation_id and firm.number
    assert all(uscc.is_valid(f.uscc) for f in firms)
    assert all(id_number_error(m.id_number) is None for m in db.session.scalars(sa.select(FirmManager)))
    # numbers consecutive per year, counters in step
    by_year = {}
    for f in firms:
        if f.number:
            by_year.setdefault(f.number_year, []).append(f.number_seq)
    for year, seqs in by_year.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))
        assert db.session.get(FilingCounter, year).last == len(seqs)
    # exactly one firm filed before this year has no report on last year: the sweep suspends it
    last_year = to_local(utcnow()).year - 1
    reported = set(db.session.scalars(sa.select(AnnualReport.firm_id).where(AnnualReport.year == last_year)))
    owing = [f for f in firms if f.status == "approved" and f.approved_at and to_local(f.approved_at).year <= last_year
             and f.id not in reported]
    assert len(owing) == 1 and owing[0] != firm
    # an approval after the demo takes the next number of this year
    result = runner.invoke(args=["filings", "sweep", "--today", f"{last_year + 1}-04-02"])
    assert "suspended: 1" in result.output
