"""Event fixtures, shared with the request tests (events started from requests and back)."""
from datetime import timedelta

import pytest

from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


@pytest.fixture
def staff(make_user):
    return make_user(roles=("reviewer",), email="desk@events.cn")


@pytest.fixture
def make_event(app, staff):
    from marketplace.events import services

    def _make(capacity=10, starts_in=timedelta(days=7), deadline_before=timedelta(days=1), **kw):
        start = utcnow() + starts_in
        values = dict(title="2026 江苏产学研合作对接会", kind="matchmaking", city="南京", venue="南京国际博览中心",
                      capacity=capacity, starts_at=start, ends_at=start + timedelta(hours=4),
                      registration_deadline=start - deadline_before, platform="talent")
        values.update(kw)
        event = services.create_event(actor=staff, **values)
        db.session.commit()
        return event

    return _make


@pytest.fixture
def people(make_user):
    def _make(n, prefix="p"):
        return [make_user(email=f"{prefix}{i}@events.cn", name=f"参会者{i}") for i in range(n)]
    return _make
