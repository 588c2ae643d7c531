"""seed_demo writes the demo data into a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""
import time

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from marketplace.accounts.models import Organisation, User
from marketplace.catalog.models import Instrument, Resource, ResourcePlatform
from marketplace.catalog.types import RESOURCE_TYPES
from marketplace.core.reference import CITIES
from marketplace.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, DatabaseNotEmpty, seed_demo
from marketplace.extensions import db


def count(stmt):
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt))


@pytest.mark.once  # the full demo data: seeded in full on PostgreSQL; SQLite seeds it in test_cli_seed_demo
def test_seed_demo_loads_everything(app):
    calls = []
    result = seed_demo(600, 42, progress=calls.append, chunk=250)
    assert sum(calls) == 600 and len(calls) == 3
    assert app.config["AUTO_INDEX"] is False  # restored to the test config's value
    assert count(Resource) == 600
    # every type in every city, published
    pairs = set(db.session.execute(sa.select(Resource.type, Resource.city).where(Resource.status == "published")).all())
    assert pairs == {(t, c) for t in RESOURCE_TYPES for c in CITIES}
    # the moderation queue is not empty
    assert count(sa.select(Resource).where(Resource.status == "pending_review").subquery()) > 0
    # platform rows: each resource has its type's default platforms
    for r in db.session.scalars(sa.select(Resource).limit(60)):
        assert r.platforms == list(RESOURCE_TYPES[r.type].platforms)
        assert isinstance(r, Resource) and r.owner is not None and r.owner.city == r.city
    assert count(ResourcePlatform) == sum(len(RESOURCE_TYPES[t].platforms) for t, in
                                          db.session.execute(sa.select(Resource.type)).all())
    # the per-type rows are there and load through the ORM
    for key in RESOURCE_TYPES:
        obj = db.session.scalars(sa.select(Resource).where(Resource.type == key).limit(1)).first()
        assert obj is not None and type(obj).__name__.lower() == key
    assert result["resources"] == 600 and result["organisations"] > 300 and result["users"] > 600
    # the optional demo data of other domains (subsidy programme, bookings) loaded without error
    failed = {k: v for k, v in result["hooks"].items() if isinstance(v, str) and v.startswith("failed")}
    assert not failed
    # one auction in bidding (网络竞价), with confirmed bidders and bids in valid steps
    from marketplace.auctions.models import Auction, Bid
    from marketplace.auctions.services import phase
    auction = db.session.scalar(sa.select(Auction))
    assert result["hooks"]["auctions"].startswith("1 auction") and phase(auction) == "bidding"
    amounts = list(db.session.scalars(sa.select(Bid.amount).order_by(Bid.id)))
    assert len(amounts) == 4 and amounts[0] == auction.starting_price and auction.highest == amounts[-1]


def test_demo_accounts(app, client, login):
    seed_demo(150, 1, hooks=False)
    for email, (_name, _marker, org_admin, roles) in DEMO_ACCOUNTS.items():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert user is not None, email
        assert check_password_hash(user.password_hash, DEMO_PASSWORD)
        assert user.org_admin == org_admin
        assert user.roles == set(roles)
    lab = db.session.scalar(sa.select(User).where(User.email == "lab@demo.cn"))
    assert lab.organisation.name == "南京大学现代分析中心" and lab.organisation.city == "南京"
    assert lab.organisation.kind == "university" and lab.organisation.parent_id is not None
    published = db.session.scalars(sa.select(Instrument).where(Instrument.owner_org_id == lab.organisation_id,
                                                               Instrument.status == "published")).all()
    assert len(published) >= 10 and any(i.bookable for i in published)
    company = db.session.scalar(sa.select(User).where(User.email == "company@demo.cn")).organisation
    assert company.kind == "enterprise" and company.sme and company.in_province and company.city == "苏州"
    broker = db.session.scalar(sa.select(User).where(User.email == "broker@demo.cn")).organisation
    assert broker.kind == "service_firm"
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@demo.cn"))
    assert admin.has_role("admin") and admin.has_role("reviewer")
    # one hash for everybody (computed once)
    assert db.session.scalar(sa.select(sa.func.count(sa.distinct(User.password_hash)))) == 1
    # and the real login form accepts the demo password
    login(client, lab)


def test_refuses_when_users_exist_unless_forced(app, make_user):
    make_user()
    with pytest.raises(DatabaseNotEmpty):
        seed_demo(20, 42, hooks=False)
    assert count(Resource) == 0
    seed_demo(20, 42, hooks=False, force=True)
    assert count(Resource) == 20
    seed_demo(20, 42, hooks=False, force=True)  # organisations and accounts are reused, ids continue
    assert count(Resource) == 40
    assert count(sa.select(Organisation.name).distinct().subquery()) == count(Organisation)


@pytest.mark.smoke
def test_cli_seed_demo(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--resources", "140", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert count(Resource) == 140
    again = runner.invoke(args=["seed-demo", "--resources", "10"])
    assert again.exit_code != 0 and count(Resource) == 140


@pytest.mark.once  # the full demo data: seeded in full on PostgreSQL; SQLite seeds it in test_cli_seed_demo
def test_same_seed_same_database_content(app, empty_database):
    def snapshot():
        seed_demo(80, 9, hooks=False)
        rows = db.session.execute(sa.select(Resource.title, Resource.type, Resource.city, Resource.status)
                                  .order_by(Resource.id).limit(50)).all()
        db.session.remove()
        return rows

    first = snapshot()
    assert len(first) == 50
    empty_database()  # the same config on an empty database again: the same first 50 rows
    second = snapshot()
    assert first == second


@pytest.mark.slow
def test_timing_5000(app):
    started = time.perf_counter()
    seed_demo(5000, 42, hooks=False)
    elapsed = time.perf_counter() - started
    print(f"\nseed_demo(5000) on {db.engine.dialect.name}: {elapsed:.1f} s")
    assert count(Resource) == 5000
