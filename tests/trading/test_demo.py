"""The trading demo data: demands and deals in every state, the ledger balanced."""
import pytest
import sqlalchemy as sa

from marketplace import ledger
from marketplace.demo.seed import seed_demo
from marketplace.extensions import db
from marketplace.trading.models import Deal, Demand
from marketplace.trading.states import DEAL_STATUSES


@pytest.mark.once  # the full demo data: seeded in full on PostgreSQL; SQLite seeds it in test_cli_seed_demo
def test_demo_has_demands_and_deals_in_every_state(app):
    result = seed_demo(600, 7)
    assert "deals" in result["hooks"]["trading"], result["hooks"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Demand)) == 300
    counts = dict(db.session.execute(sa.select(Deal.status, sa.func.count()).group_by(Deal.status)).all())
    assert set(counts) == set(DEAL_STATUSES), counts
    assert counts["objected"] == 1 and counts["public_notice"] >= 5
    assert sum(counts.values()) >= 150
    notice = db.session.scalars(sa.select(Deal).where(Deal.status == "public_notice")).all()
    assert all(d.state_owned and d.price_mode == "negotiated" for d in notice)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deal).where(Deal.broker_user_id.is_not(None))) > 20
    assert ledger.unbalanced_entries() == []
